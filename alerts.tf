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
    { for name, machine in module.state_machine : name => machine.state_machine_arn },
    { for name, machine in module.training_state_machine : "${name}-train" => machine.state_machine_arn },
    var.enable_generic_workflow ? { generic = module.generic_state_machine[0].state_machine_arn } : {},
  )
  tags = var.tags
}
