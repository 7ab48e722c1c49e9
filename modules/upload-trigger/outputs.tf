output "rule_arn" {
  description = "ARN of the EventBridge rule."
  value       = aws_cloudwatch_event_rule.this.arn
}

output "rule_name" {
  description = "Name of the EventBridge rule."
  value       = aws_cloudwatch_event_rule.this.name
}

output "role_arn" {
  description = "ARN of the rule's role (states:StartExecution on the target only)."
  value       = aws_iam_role.this.arn
}
