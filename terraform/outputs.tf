output "state_machine_arns" {
  description = "ARN of each model's state machine (models not built yet are absent)."
  value       = module.legacylift.state_machine_arns
}

output "state_machine_alias_arns" {
  description = "ARN of each model's `live` alias, the one `invoke run` starts and `invoke rollback` moves."
  value       = module.legacylift.state_machine_alias_arns
}

output "start_execution_policies" {
  description = "Per model, an IAM policy (JSON) allowing StartExecution on its `live` alias only."
  value       = module.legacylift.start_execution_policies
}

output "generic_state_machine_arn" {
  description = "ARN of the generic state machine, or null when disabled."
  value       = module.legacylift.generic_state_machine_arn
}

output "data_bucket" {
  description = "Name of the data bucket."
  value       = module.legacylift.data_bucket
}

output "ecr_repository_urls" {
  description = "URL of each model's ECR repository (the build pushes there)."
  value       = module.legacylift.ecr_repository_urls
}

output "sagemaker_role_arns" {
  description = "ARN of each built model's execution role."
  value       = module.legacylift.sagemaker_role_arns
}

output "log_group_names" {
  description = "CloudWatch log group of each model's state machine."
  value       = module.legacylift.log_group_names
}

output "workspace" {
  description = "The Terraform workspace this state belongs to."
  value       = terraform.workspace
}

output "training_state_machine_arns" {
  description = "ARN of each model's training state machine (models with train, evaluate and promotion)."
  value       = module.legacylift.training_state_machine_arns
}

output "promotion_records" {
  description = "S3 URI of each model's promotion record."
  value       = module.legacylift.promotion_records
}

output "schedule_arns" {
  description = "ARN of each scheduled model's schedule (ENABLED when schedules_enabled)."
  value       = module.legacylift.schedule_arns
}

output "alerts_topic_arn" {
  description = "ARN of the alerts topic, or null when alerts_enabled is false."
  value       = module.legacylift.alerts_topic_arn
}

output "training_state_machine_alias_arns" {
  description = "ARN of each training state machine's `live` alias, the one `invoke train` starts."
  value       = module.legacylift.training_state_machine_alias_arns
}
