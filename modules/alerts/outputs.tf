output "topic_arn" {
  description = "ARN of the alerts topic (created here, or by the stack with create_topic = true)."
  value       = local.topic_arn
}

output "rule_names" {
  description = "Name of each model's alert rule, by model."
  value       = { for model, rule in aws_cloudwatch_event_rule.this : model => rule.name }
}

output "message_templates" {
  description = "The input template of each model's alert (one line; the same as a failed local run prints)."
  value       = local.messages
}
