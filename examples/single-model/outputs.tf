output "state_machine_arn" {
  description = "ARN of the model's state machine (null while image_uri is null)."
  value       = lookup(module.legacylift.state_machine_arns, var.model_name, null)
}

output "ecr_repository_url" {
  description = "Where to push the model's image."
  value       = module.legacylift.ecr_repository_urls[var.model_name]
}
