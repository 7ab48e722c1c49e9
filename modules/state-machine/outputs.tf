output "state_machine_arn" {
  description = "ARN of the state machine."
  value       = aws_sfn_state_machine.this.arn
}

output "state_machine_name" {
  description = "Name of the state machine."
  value       = aws_sfn_state_machine.this.name
}

output "role_arn" {
  description = "ARN of the state machine's IAM role."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the state machine's IAM role."
  value       = aws_iam_role.this.name
}

output "log_group_name" {
  description = "Name of the CloudWatch log group receiving the execution history."
  value       = aws_cloudwatch_log_group.this.name
}

output "log_group_arn" {
  description = "ARN of the CloudWatch log group receiving the execution history."
  value       = aws_cloudwatch_log_group.this.arn
}

output "state_machine_version_arn" {
  description = "ARN of the version the latest deploy published."
  value       = aws_sfn_state_machine.this.state_machine_version_arn
}

output "alias_arn" {
  description = "ARN of the alias (`live`) that executions start; it points at the latest published version until a rollback moves it."
  value       = aws_sfn_alias.live.arn
}

output "start_policy_json" {
  description = "IAM policy (JSON) for whoever starts executions: StartExecution on the alias only, and following the executions it starts."
  value       = data.aws_iam_policy_document.start.json
}
