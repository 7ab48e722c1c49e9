output "schedule_arn" {
  description = "ARN of the schedule."
  value       = aws_scheduler_schedule.this.arn
}

output "role_arn" {
  description = "ARN of the schedule's role (states:StartExecution on the target only)."
  value       = aws_iam_role.this.arn
}

output "state" {
  description = "ENABLED or DISABLED, as the workspace set it."
  value       = aws_scheduler_schedule.this.state
}
