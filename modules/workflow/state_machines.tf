# Every state machine this module renders, in one map for one for_each in the caller: the
# inference workflow of each built model (key: the model's name), the training workflow of each
# model with one ("<model>/train") and the generic workflow ("(generic)"; no model's name can
# take either key: names start with a letter and hold no "/"). Each entry names the job roles
# its definition passes, keyed the same way across the map ("<model>", "<model>/train",
# "<model>/evaluate", "(generic)") so that the caller creates every role in one loop too.
# The keys and kinds come from the models alone, so they are known at plan even when values
# are not (a KMS key created in the same apply): the checks gate the definitions, not the keys.
locals {
  generic_state_machine_key = local.generic_policy_key

  inference_state_machines = { for name, state_machine_name in local.state_machine_names : name => {
    kind        = "inference"
    model       = name
    name        = state_machine_name
    definition  = alltrue(values(local.checks)) ? lookup(local.definitions, name, null) : null
    policy_json = local.state_machine_policies[name]
    job_roles = var.sagemaker_role_arn != null ? {} : { (name) = {
      name        = local.sagemaker_role_names[name]
      description = "Execution role of the processing jobs of LegacyLift model ${name} (${var.name_prefix})"
      policy_json = local.sagemaker_policies[name]
      source_arns = local.sagemaker_role_source_arns[name]
    } }
  } }

  training_state_machines = { for name, state_machine_name in local.training_state_machine_names : "${name}/train" => {
    kind        = "training"
    model       = name
    name        = state_machine_name
    definition  = alltrue(values(local.checks)) && alltrue(values(local.training_checks)) ? lookup(local.training_definitions, name, null) : null
    policy_json = local.training_state_machine_policies[name]
    job_roles = {
      "${name}/train" = {
        name        = local.training_role_names[name]
        description = "Role of the training jobs of LegacyLift model ${name} (${var.name_prefix})"
        policy_json = local.training_sagemaker_policies[name]
        source_arns = [local.training_job_arns[name][0]]
      }
      "${name}/evaluate" = {
        name        = local.evaluation_role_names[name]
        description = "Role of the evaluation jobs of LegacyLift model ${name} (${var.name_prefix}); they run without network"
        policy_json = local.evaluation_sagemaker_policies[name]
        source_arns = [local.training_job_arns[name][1]]
      }
    }
  } }

  generic_state_machines = var.enable_generic_workflow ? { (local.generic_state_machine_key) = {
    kind        = "generic"
    model       = null
    name        = local.generic_state_machine_name
    definition  = alltrue(values(local.checks)) ? local.generic_definition : null
    policy_json = local.generic_state_machine_policy
    job_roles = var.sagemaker_role_arn != null ? {} : { (local.generic_state_machine_key) = {
      name        = local.generic_sagemaker_role_name
      description = "Execution role of the processing jobs of the LegacyLift generic workflow (${var.name_prefix})"
      policy_json = local.generic_sagemaker_policy
      source_arns = local.generic_job_arns
    } }
  } } : {}

  state_machines = merge(local.inference_state_machines, local.training_state_machines, local.generic_state_machines)
}
