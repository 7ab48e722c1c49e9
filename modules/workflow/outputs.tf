output "definitions" {
  description = "Map of model name to its state machine definition (Amazon States Language, compact JSON). Models with image_uri = null are absent."
  value       = { for name, text in local.definitions : name => text if alltrue(values(local.checks)) }
}

output "job_name_prefixes" {
  description = "Map of model name to the prefix of its processing job names (<prefix>-<pre|inf|pos>-<12 hex>, at most 63 characters)."
  value       = local.job_name_prefixes
}

output "state_machine_names" {
  description = "Map of model name to its state machine name (<name_prefix>-<model>). Models with image_uri = null are absent."
  value       = local.state_machine_names
}
