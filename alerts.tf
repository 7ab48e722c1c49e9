# Alerts: failed, timed-out and aborted executions of this deployment's state machines go to one
# SNS topic (optional; KMS-encrypted; subscriptions as inputs).
module "alerts" {
  source = "./modules/alerts"
  count  = var.alerts_enabled ? 1 : 0

  name          = "${var.name_prefix}-alerts"
  create_topic  = var.create_shared_resources
  workspace     = terraform.workspace
  kms_key_arn   = var.kms_key_arn
  subscriptions = var.alert_subscriptions
  state_machines = merge(
    { for name, key in local.inference_machines : name => module.state_machine[key].state_machine_arn },
    { for name, key in local.training_machines : "${name}-train" => module.state_machine[key].state_machine_arn },
    { for key in local.generic_machines : "generic" => module.state_machine[key].state_machine_arn },
  )
  tags = var.tags
}
