output "definitions" {
  description = "Map of model name to its state machine definition (Amazon States Language JSON, decoded at plan so invalid JSON fails early). Models with image_uri = null are absent."
  value       = { for name, text in local.definitions : name => text if alltrue(values(local.checks)) }
}

output "generic_definition" {
  description = "The generic (original pattern) state machine definition, or null unless enable_generic_workflow."
  value       = alltrue(values(local.checks)) ? local.generic_definition : null
}

output "job_name_prefixes" {
  description = "Map of model name to the prefix of its processing job names: <prefix>-<pre|inf|pos>-<12 hex digits>, at most 63 characters."
  value       = local.job_name_prefixes
}

output "generic_job_name_prefix" {
  description = "Prefix the generic workflow puts before each ProcessingJobName of its execution input (its IAM allows only these names)."
  value       = local.generic_job_name_prefix
}

output "state_machine_names" {
  description = "Map of model name to its state machine name (<name_prefix>-<model>). Models with image_uri = null are absent."
  value       = local.state_machine_names
}

output "generic_state_machine_name" {
  description = "Name of the generic state machine (<name_prefix>--generic: no model's name can take it), or null unless enable_generic_workflow."
  value       = var.enable_generic_workflow ? local.generic_state_machine_name : null
}

output "state_machine_policies" {
  description = "Map of model name to the IAM policy JSON of its state machine role: its own job names, the .sync rule, PassRole of the SageMaker role only."
  value       = local.state_machine_policies
}

output "generic_state_machine_policy" {
  description = "IAM policy JSON of the generic state machine's role (job names by prefix, PassRole to known roles only), or null unless enable_generic_workflow."
  value       = local.generic_state_machine_policy
}

output "sagemaker_policy" {
  description = "IAM policy JSON of the SageMaker execution role: read inputs and code, write outputs and run data, pull the images, write the processing job logs; KMS use when kms_key_arn is set."
  value       = local.sagemaker_policy
}

output "s3_layout" {
  description = "Where each model's data lives in the data bucket (prefix, input, output, code, runs URIs) and the key prefixes of intermediate run data."
  value       = local.s3_layout
}

output "training_definitions" {
  description = "Map of model name to its training state machine definition (train, evaluate, promote), for models with train, evaluate and promotion."
  value       = { for name, text in local.training_definitions : name => text if alltrue(values(local.checks)) && alltrue(values(local.training_checks)) }
}

output "training_state_machine_names" {
  description = "Map of model name to its training state machine name (<name_prefix>-<model>-train)."
  value       = local.training_state_machine_names
}

output "training_state_machine_policies" {
  description = "Map of model name to the IAM policy JSON of its training state machine role: its two job names, PassRole of its training role, its metric summaries, its promotion record."
  value       = local.training_state_machine_policies
}

output "training_role_names" {
  description = "Map of model name to the name of the IAM role its training and evaluation jobs run as (the caller creates it with training_sagemaker_policies)."
  value       = local.training_role_names
}

output "training_sagemaker_policies" {
  description = "Map of model name to the IAM policy JSON of its training jobs' role: read its input, the runner and its models/ prefix, write only under <model>/models/<execution>/."
  value       = local.training_sagemaker_policies
}

output "promotion_records" {
  description = "Map of model name to the S3 URI of its promotion record (<model>/models/promoted.json), for models with a promotion rule."
  value       = { for name in keys(local.promotion) : name => "s3://${var.data_bucket}/${local.promotion_record_keys[name]}" }
}
