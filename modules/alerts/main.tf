data "aws_partition" "current" {}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

locals {
  region = data.aws_region.current.name
  # The topic's ARN is known from its name, so stacks that only add rules need no lookup.
  topic_arn = "arn:${data.aws_partition.current.partition}:sns:${local.region}:${data.aws_caller_identity.current.account_id}:${var.name}"
  # Every rule of this deployment's alerts, whichever stack created it (rules are named
  # <name>-<model>).
  rule_arns = "arn:${data.aws_partition.current.partition}:events:${local.region}:${data.aws_caller_identity.current.account_id}:rule/${var.name}-*"
  # One line per alert, the same line `invoke run-local` prints for a failed local run
  # (legacylift/alerts.py); EventBridge fills in the <placeholders> from the event.
  # A quoted string (EventBridge's template of a text message): not jsonencode(), which would
  # escape the placeholders' < and > as \u003c and \u003e.
  messages = { for model, arn in var.state_machines : model => format("\"%s\"", join("", [
    "LegacyLift ${model} (${var.workspace}): execution <name> <status>: <error>: <cause>",
    " | https://${local.region}.console.aws.amazon.com/states/home?region=${local.region}#/v2/executions/details/<execution>",
    " | invoke report <name> --workspace ${var.workspace} --model ${model}",
  ])) }
}

resource "aws_sns_topic" "this" {
  count = var.create_topic ? 1 : 0

  name              = var.name
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "this" {
  count = var.create_topic ? length(var.subscriptions) : 0

  topic_arn = aws_sns_topic.this[0].arn
  protocol  = var.subscriptions[count.index].protocol
  endpoint  = var.subscriptions[count.index].endpoint
}

# A run that ends in FAILED, TIMED_OUT or ABORTED alerts; SUCCEEDED (a training run that did not
# promote included: it succeeds, with promoted = false in its output) does not.
resource "aws_cloudwatch_event_rule" "this" {
  for_each = var.state_machines

  name        = "${var.name}-${each.key}"
  description = "Alerts ${var.name} when an execution of LegacyLift model ${each.key} fails, times out or is aborted"
  event_pattern = jsonencode({
    source        = ["aws.states"]
    "detail-type" = ["Step Functions Execution Status Change"]
    detail = {
      status          = ["FAILED", "TIMED_OUT", "ABORTED"]
      stateMachineArn = [each.value]
    }
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "this" {
  for_each = var.state_machines

  rule      = aws_cloudwatch_event_rule.this[each.key].name
  target_id = "alert"
  arn       = local.topic_arn

  input_transformer {
    input_paths = {
      name      = "$.detail.name"
      status    = "$.detail.status"
      error     = "$.detail.error"
      cause     = "$.detail.cause"
      execution = "$.detail.executionArn"
    }
    input_template = local.messages[each.key]
  }
}

data "aws_iam_policy_document" "topic" {
  statement {
    sid       = "PublishFromTheAlertRules"
    actions   = ["sns:Publish"]
    resources = [local.topic_arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.rule_arns]
    }
  }
}

resource "aws_sns_topic_policy" "this" {
  count = var.create_topic ? 1 : 0

  arn    = aws_sns_topic.this[0].arn
  policy = data.aws_iam_policy_document.topic.json
}
