# The training workflows (modules/workflow's training_definitions): for every built model whose
# entry has train, evaluate and promotion, its own job role and a second state machine
# <name_prefix>-<model>-train. The step runner the legacy scripts run under is uploaded once,
# content-hashed, whenever a model has a training workflow or uses promoted artifacts.
locals {
  step_runner_source = "${path.module}/modules/workflow/files/steprunner.py"
  step_runner_folder = "_legacylift/code/${substr(filesha256(local.step_runner_source), 0, 16)}/"
  # Counted over every model, built or not, so the stack owning the bucket (the shared stack of
  # a split deployment, whose entries carry no image) uploads it for the model stacks.
  needs_step_runner = length([for name, model in var.models : name
    if contains(keys(model), "train") || try(model.inference.artifacts, "image") == "promoted"
  ]) > 0
  trained_models = { for name, model in local.built_models : name => model if contains(keys(model), "train") }
}

resource "aws_s3_object" "step_runner" {
  count = local.needs_step_runner && var.create_shared_resources ? 1 : 0

  bucket       = module.s3.bucket_id
  key          = "${local.step_runner_folder}steprunner.py"
  source       = local.step_runner_source
  source_hash  = filemd5(local.step_runner_source)
  content_type = "text/x-python"
  kms_key_id   = var.kms_key_arn
  tags         = var.tags

  depends_on = [module.s3]
}

module "training_role" {
  source   = "./modules/sagemaker-role"
  for_each = local.trained_models

  name                     = module.workflow.training_role_names[each.key]
  description              = "Role of the training jobs of LegacyLift model ${each.key} (${var.name_prefix})"
  policy_json              = module.workflow.training_sagemaker_policies[each.key]
  source_account_id        = local.account_id
  source_arns              = module.workflow.training_role_source_arns[each.key]
  permissions_boundary_arn = var.permissions_boundary_arn
  tags                     = var.tags
}

module "evaluation_role" {
  source   = "./modules/sagemaker-role"
  for_each = local.trained_models

  name                     = module.workflow.evaluation_role_names[each.key]
  description              = "Role of the evaluation jobs of LegacyLift model ${each.key} (${var.name_prefix}); they run without network"
  policy_json              = module.workflow.evaluation_sagemaker_policies[each.key]
  source_account_id        = local.account_id
  source_arns              = module.workflow.evaluation_role_source_arns[each.key]
  permissions_boundary_arn = var.permissions_boundary_arn
  tags                     = var.tags
}

module "training_state_machine" {
  source   = "./modules/state-machine"
  for_each = local.trained_models

  name                     = module.workflow.training_state_machine_names[each.key]
  definition               = module.workflow.training_definitions[each.key]
  policy_json              = module.workflow.training_state_machine_policies[each.key]
  log_level                = var.log_level
  include_execution_data   = var.include_execution_data
  log_retention_days       = var.log_retention_days
  log_kms_key_arn          = var.kms_key_arn
  tracing_enabled          = var.tracing_enabled
  source_account_id        = local.account_id
  permissions_boundary_arn = var.permissions_boundary_arn
  tags                     = var.tags

  # The jobs' roles exist before an execution can pass them.
  depends_on = [module.training_role, module.evaluation_role]
}
