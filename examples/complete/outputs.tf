output "state_machine_arns" {
  description = "ARN of each built model's state machine."
  value       = module.legacylift.state_machine_arns
}

output "generic_state_machine_arn" {
  description = "ARN of the generic state machine."
  value       = module.legacylift.generic_state_machine_arn
}

output "ecr_repository_urls" {
  description = "Where to push each model's image."
  value       = module.legacylift.ecr_repository_urls
}

output "data_bucket" {
  description = "The data bucket."
  value       = module.legacylift.data_bucket
}
