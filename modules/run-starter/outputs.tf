output "definition" {
  description = "ASL definition (JSONata) of the starter: a one-step state machine turning a schedule tick or a batch marker's upload into one execution of the model's state machine."
  value       = local.definition
}

output "policy_json" {
  description = "IAM policy of the starter's role: states:StartExecution on the model's state machine only."
  value       = local.policy_json
}

output "schedule_input" {
  description = "Input of the schedule's target (the starter): the scheduled time, which EventBridge Scheduler fills in; null without a schedule."
  # Literal text, not jsonencode(), which would escape < and > and hide the attribute from
  # EventBridge Scheduler's substitution.
  value = var.schedule == null ? null : "{\"source\": \"schedule\", \"scheduled_time\": \"<aws.scheduler.scheduled-time>\"}"
}

output "upload_event_pattern" {
  description = "EventBridge pattern of the upload trigger: Object Created of the marker file, in the trigger's folder or a folder below it, in the data bucket; null without a trigger."
  value       = local.event_pattern
}

output "upload_input_paths" {
  description = "InputPathsMap of the trigger rule's input transformer; null without a trigger."
  value       = var.trigger == null ? null : { bucket = "$.detail.bucket.name", key = "$.detail.object.key" }
}

output "upload_input_template" {
  description = "InputTemplate of the trigger rule's input transformer: what the starter receives for an upload; null without a trigger."
  value       = var.trigger == null ? null : "{\"source\": \"upload\", \"bucket\": \"<bucket>\", \"key\": \"<key>\"}"
}
