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

output "sagemaker_policies" {
  description = "Map of model name to the IAM policy JSON of its execution role: read its own `<model>/input/`, `code/`, `runs/`, write its own `output/` and `runs/` (plus extra_input_s3_uris / extra_output_s3_uris), pull its own repository and the framework image, write its own jobs' log streams; KMS use and grants when kms_key_arn is set. Models with image_uri = null are absent."
  value       = local.sagemaker_policies
}

output "generic_sagemaker_policy" {
  description = "IAM policy JSON of the generic workflow's execution role (read and write `_generic/` and generic_s3_uris, read extra inputs and outputs, pull the framework image and generic_image_repositories), or null unless enable_generic_workflow."
  value       = local.generic_sagemaker_policy
}

output "sagemaker_role_names" {
  description = "Map of model name to the name of its execution role, `<job name prefix>-sagemaker`, which its definition names in RoleArn (unless sagemaker_role_arn is set)."
  value       = local.sagemaker_role_names
}

output "sagemaker_role_arns" {
  description = "Map of model name to the ARN of the execution role its definition names in RoleArn."
  value       = local.sagemaker_role_arns
}

output "generic_sagemaker_role_name" {
  description = "Name of the generic workflow's execution role (`<name_prefix>--generic-sagemaker`), or null unless enable_generic_workflow."
  value       = var.enable_generic_workflow ? local.generic_sagemaker_role_name : null
}

output "generic_sagemaker_role_arn" {
  description = "ARN of the role the generic workflow's jobs run as unless the input names another, or null unless enable_generic_workflow."
  value       = var.enable_generic_workflow ? local.generic_sagemaker_role_arn : null
}

output "sagemaker_role_source_arns" {
  description = "Map of model name to the processing job ARN patterns whose jobs may assume its execution role (aws:SourceArn of the trust policy); `generic_job_arns` holds the generic workflow's."
  value       = local.sagemaker_role_source_arns
}

output "generic_job_arns" {
  description = "Processing job ARN patterns of the generic workflow's jobs (for its role's trust policy)."
  value       = local.generic_job_arns
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
  description = "Map of model name to the IAM policy JSON of its training state machine role: its two job names, PassRole of its Train and Evaluate roles, its metric summaries, its promotion record, sealing its runs' artifacts into _sealed/<model>/."
  value       = local.training_state_machine_policies
}

output "training_role_names" {
  description = "Map of model name to the name of the IAM role its Train jobs run as (the caller creates it with training_sagemaker_policies)."
  value       = local.training_role_names
}

output "training_role_source_arns" {
  description = "Map of model name to the ARN pattern of its Train jobs, whose jobs alone may assume its Train role (aws:SourceArn of the trust policy)."
  value       = { for name, arns in local.training_job_arns : name => [arns[0]] }
}

output "evaluation_role_names" {
  description = "Map of model name to the name of the IAM role its Evaluate jobs run as (the caller creates it with evaluation_sagemaker_policies)."
  value       = local.evaluation_role_names
}

output "evaluation_role_source_arns" {
  description = "Map of model name to the ARN pattern of its Evaluate jobs, whose jobs alone may assume its Evaluate role (aws:SourceArn of the trust policy)."
  value       = { for name, arns in local.training_job_arns : name => [arns[1]] }
}

output "evaluation_sagemaker_policies" {
  description = "Map of model name to the IAM policy JSON of its Evaluate jobs' role: read its input, the runner and the sealed artifacts, write only under <model>/models/<execution>/evaluation/ (the jobs run without network)."
  value       = local.evaluation_sagemaker_policies
}

output "training_sagemaker_policies" {
  description = "Map of model name to the IAM policy JSON of its Train jobs' role: read its input and the runner, write only under <model>/models/<execution>/artifacts/ (never the sealed artifacts, the promotion record or a metric)."
  value       = local.training_sagemaker_policies
}

output "promotion_records" {
  description = "Map of model name to the S3 URI of its promotion record (<model>/models/promoted.json), for models with a promotion rule."
  value       = { for name in keys(local.promotion) : name => "s3://${var.data_bucket}/${local.promotion_record_keys[name]}" }
}

output "state_machines" {
  description = "Every state machine to create, in one map for one for_each: key (a model's name for its inference workflow, `<model>/train` for its training workflow, `(generic)` for the generic workflow) -> kind (`inference`, `training` or `generic`), model (null for the generic workflow), name, definition (ASL JSON), policy_json (its state machine role's policy) and job_roles, the execution roles its definition passes (key `<model>`, `<model>/train`, `<model>/evaluate` or `(generic)` -> name, description, policy_json, source_arns); job_roles is empty for inference and generic when sagemaker_role_arn is set."
  value       = local.state_machines
}
