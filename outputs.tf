output "state_machine_arns" {
  description = "ARN of each model's state machine; models with image_uri = null (not built yet) are absent."
  value       = { for name, key in local.inference_machines : name => module.state_machine[key].state_machine_arn }
}

output "state_machine_alias_arns" {
  description = "ARN of each model's `live` alias, the one executions start (it points at the latest published version until a rollback moves it); models with image_uri = null are absent."
  value       = { for name, key in local.inference_machines : name => module.state_machine[key].alias_arn }
}

output "state_machine_version_arns" {
  description = "ARN of the version of each model's state machine that the latest apply published."
  value       = { for name, key in local.inference_machines : name => module.state_machine[key].state_machine_version_arn }
}

output "start_execution_policies" {
  description = "Per model, an IAM policy (JSON) for whoever starts its executions (an operator, a scheduler, a trigger): StartExecution on the `live` alias only."
  value       = { for name, key in local.inference_machines : name => module.state_machine[key].start_policy_json }
}

output "generic_state_machine_alias_arn" {
  description = "ARN of the generic state machine's `live` alias, or null when disabled."
  value       = try(module.state_machine[local.generic_machines[0]].alias_arn, null)
}

output "generic_state_machine_arn" {
  description = "ARN of the generic state machine (the original pattern's execution input), or null when disabled."
  value       = try(module.state_machine[local.generic_machines[0]].state_machine_arn, null)
}

output "data_bucket" {
  description = "Name of the data bucket (scripts under `<model>/code/`, intermediate data under `<model>/runs/`)."
  value       = module.s3.bucket_id
}

output "ecr_repository_urls" {
  description = "URL of each model's ECR repository, the image reference without tag or digest."
  value       = { for name, repository in module.ecr : name => repository.repository_url }
}

output "sagemaker_role_arns" {
  description = "ARN of each built model's execution role (its processing jobs run as it; it may touch only that model's data, repository and logs)."
  value       = { for name in keys(local.inference_machines) : name => module.sagemaker_role[name].role_arn }
}

output "generic_sagemaker_role_arn" {
  description = "ARN of the generic workflow's execution role, or null when disabled."
  value       = try(module.sagemaker_role[local.generic_machines[0]].role_arn, null)
}

output "processing_job_log_group_name" {
  description = "Name of the processing jobs' log group when manage_processing_job_log_group is set, else null."
  value       = try(aws_cloudwatch_log_group.processing_jobs[0].name, null)
}

output "log_group_names" {
  description = "CloudWatch log group of each model's state machine."
  value       = { for name, key in local.inference_machines : name => module.state_machine[key].log_group_name }
}

output "generic_log_group_name" {
  description = "CloudWatch log group of the generic state machine, or null when disabled."
  value       = try(module.state_machine[local.generic_machines[0]].log_group_name, null)
}

output "state_machine_role_arns" {
  description = "ARN of each model's state machine role."
  value       = { for name, key in local.inference_machines : name => module.state_machine[key].role_arn }
}

output "code_uris" {
  description = "code_uri of each script-mode step, by model and step: the content-hashed folder holding the model's uploaded code files (the entry's `code_files`, or the scripts alone)."
  value = { for name in keys(var.models) : name => {
    for step in local.script_steps : step => "s3://${module.s3.bucket_id}/${local.code_folders[name]}" if contains(keys(local.scripts), "${name}/${step}")
  } }
  depends_on = [aws_s3_object.code]
}

output "job_name_prefixes" {
  description = "Prefix of each model's processing job names (IAM scopes CreateProcessingJob to it)."
  value       = module.workflow.job_name_prefixes
}

output "framework_image_uri" {
  description = "Image of the script-mode steps (scikit_image_uri)."
  value       = local.framework_image_uri
}

output "schedule_arns" {
  description = "ARN of each scheduled model's EventBridge Scheduler schedule."
  value       = { for name, schedule in module.schedule : name => schedule.schedule_arn }
}

output "upload_rule_names" {
  description = "Name of each triggered model's EventBridge rule (uploads of its batch marker)."
  value       = { for name, trigger in module.upload_trigger : name => trigger.rule_name }
}

output "starter_state_machine_arns" {
  description = "ARN of each scheduled or triggered model's run starter (a one-step state machine starting its runs; its execution history records what started each run)."
  value       = { for name, machine in module.starter_state_machine : name => machine.state_machine_arn }
}

output "alerts_topic_arn" {
  description = "ARN of the alerts topic, or null when alerts_enabled is false."
  value       = var.alerts_enabled ? module.alerts[0].topic_arn : null
}

output "training_state_machine_arns" {
  description = "ARN of each model's training state machine (<name_prefix>-<model>-train), for built models with train, evaluate and promotion."
  value       = { for name, key in local.training_machines : name => module.state_machine[key].state_machine_arn }
}

output "training_state_machine_alias_arns" {
  description = "ARN of each training state machine's `live` alias, the one `invoke train` starts."
  value       = { for name, key in local.training_machines : name => module.state_machine[key].alias_arn }
}

output "training_role_arns" {
  description = "ARN of each training model's Train job role (writes only under <model>/models/<execution>/artifacts/)."
  value       = { for name, key in local.training_machines : name => module.sagemaker_role["${name}/train"].role_arn }
}

output "evaluation_role_arns" {
  description = "ARN of each training model's Evaluate job role (writes only under <model>/models/<execution>/evaluation/; its jobs run without network)."
  value       = { for name, key in local.training_machines : name => module.sagemaker_role["${name}/evaluate"].role_arn }
}

output "promotion_records" {
  description = "S3 URI of each model's promotion record (<model>/models/promoted.json), which inference on promoted artifacts reads at run time."
  value       = module.workflow.promotion_records
}
