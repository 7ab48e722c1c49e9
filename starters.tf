# Runs that start by themselves: a model's [schedule] (EventBridge Scheduler) and [trigger]
# (an EventBridge rule on the data bucket's uploads) start its run starter, a one-step state
# machine that forms the run's input (the day that just ended; the uploaded batch's folder)
# and starts one execution of the model's state machine.
locals {
  scheduled_models = { for name, model in local.built_models : name => model if try(model.schedule, null) != null }
  triggered_models = { for name, model in local.built_models : name => model if try(model.trigger, null) != null }
  started_models   = merge(local.scheduled_models, local.triggered_models)

  # A trigger may only watch the model's own input area (model.toml validation says the same).
  triggers_outside = sort([for name, model in local.triggered_models : name if substr(try(tostring(model.trigger.on_upload), ""), 0, length("${name}/input/")) != "${name}/input/"])
  triggers_inside = length(local.triggers_outside) == 0 ? true : tobool(
    "ERROR: trigger.on_upload of ${join(", ", local.triggers_outside)} lies outside the model's input area <model>/input/: fix [trigger] in model.toml and rebuild."
  )
}

module "run_starter" {
  source   = "./modules/run-starter"
  for_each = local.triggers_inside ? local.started_models : {}

  model             = each.key
  state_machine_arn = module.state_machine[each.key].alias_arn # runs start the `live` alias
  data_bucket       = local.bucket_name
  schedule          = try(each.value.schedule, null)
  trigger           = try(each.value.trigger, null)
}

module "starter_state_machine" {
  source   = "./modules/state-machine"
  for_each = module.run_starter

  name                     = "${var.name_prefix}-${each.key}-start"
  definition               = each.value.definition
  policy_json              = each.value.policy_json
  log_level                = "ERROR"
  include_execution_data   = false
  log_retention_days       = var.log_retention_days
  log_kms_key_arn          = var.kms_key_arn
  tracing_enabled          = var.tracing_enabled
  source_account_id        = local.account_id
  permissions_boundary_arn = var.permissions_boundary_arn
  tags                     = var.tags
}

module "schedule" {
  source   = "./modules/schedule"
  for_each = { for name, model in local.scheduled_models : name => model if contains(keys(module.run_starter), name) }

  name                     = "${var.name_prefix}-${each.key}"
  expression               = each.value.schedule.expression
  time_zone                = each.value.schedule.time_zone
  start_date               = try(each.value.schedule.start_date, null)
  enabled                  = var.schedules_enabled
  target_arn               = module.starter_state_machine[each.key].state_machine_arn
  input                    = module.run_starter[each.key].schedule_input
  kms_key_arn              = var.kms_key_arn
  source_account_id        = local.account_id
  permissions_boundary_arn = var.permissions_boundary_arn
  tags                     = var.tags
}

module "upload_trigger" {
  source   = "./modules/upload-trigger"
  for_each = { for name, model in local.triggered_models : name => model if contains(keys(module.run_starter), name) }

  name                     = "${var.name_prefix}-${each.key}-upload"
  event_pattern            = module.run_starter[each.key].upload_event_pattern
  input_paths              = module.run_starter[each.key].upload_input_paths
  input_template           = module.run_starter[each.key].upload_input_template
  enabled                  = var.triggers_enabled
  target_arn               = module.starter_state_machine[each.key].state_machine_arn
  source_account_id        = local.account_id
  permissions_boundary_arn = var.permissions_boundary_arn
  tags                     = var.tags
}

# The data bucket's events go to EventBridge once a model has a trigger (the rules filter them).
resource "aws_s3_bucket_notification" "eventbridge" {
  # In the stack that owns the bucket: every model with a trigger, built or not (a split
  # deployment's shared stack sees the models without their images).
  count = var.create_shared_resources && anytrue([for model in values(var.models) : try(model.trigger, null) != null]) ? 1 : 0

  bucket      = module.s3.bucket_id
  eventbridge = true
}
