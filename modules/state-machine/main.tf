data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  # Never a trust policy without conditions: on its own the module uses the caller's account.
  source_account_id = var.source_account_id != null ? var.source_account_id : data.aws_caller_identity.current.account_id
  # The state machine's ARN, known before it exists (a reference would be a cycle).
  state_machine_arn = "arn:${data.aws_partition.current.partition}:states:${data.aws_region.current.name}:${local.source_account_id}:stateMachine:${var.name}"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }

    # Against the confused deputy: only Step Functions running this very state machine.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.source_account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.state_machine_arn, "${local.state_machine_arn}:*"] # and its versions and aliases
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = "${substr(var.name, 0, 58)}-sfn"
  description          = "Role of the ${var.name} state machine"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

# Inline policies live and die with the role; never aws_iam_policy_attachment, which manages
# every attachment of a policy account-wide.
resource "aws_iam_role_policy" "workflow" {
  name   = "workflow"
  role   = aws_iam_role.this.id
  policy = var.policy_json
}

# Vended log delivery (the logging configuration) and X-Ray: the log delivery and X-Ray calls
# cannot be scoped to a resource (AWS documents "*" for them); the log group and resource
# policy calls take the account's CloudWatch Logs ARNs.
data "aws_iam_policy_document" "observability" {
  statement {
    sid = "LogDelivery"
    actions = [
      "logs:CreateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:GetLogDelivery",
      "logs:ListLogDeliveries",
      "logs:UpdateLogDelivery",
    ]
    resources = ["*"]
  }

  statement {
    sid = "LogResourcePolicies"
    actions = [
      "logs:DescribeLogGroups",
      "logs:DescribeResourcePolicies",
      "logs:PutResourcePolicy",
    ]
    resources = ["arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${local.source_account_id}:*"]
  }

  dynamic "statement" {
    for_each = var.tracing_enabled ? ["xray"] : []

    content {
      sid = "XRay"
      actions = [
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "xray:PutTelemetryRecords",
        "xray:PutTraceSegments",
      ]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "observability" {
  name   = "observability"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.observability.json
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/vendedlogs/states/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

resource "aws_sfn_state_machine" "this" {
  #checkov:skip=CKV_AWS_285:Execution history is always logged (log_level, ERROR by default); the executions' input and output data join the logs only when include_execution_data is set, since they carry data locations and parameters (data minimisation).
  name       = var.name
  type       = var.type
  role_arn   = aws_iam_role.this.arn
  definition = var.definition
  tags       = var.tags
  # Each definition or configuration change publishes a new, immutable version: the alias
  # below moves to it, and `invoke rollback` moves the alias back without a Terraform run.
  publish = true

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.this.arn}:*"
    level                  = var.log_level
    include_execution_data = var.include_execution_data
  }

  tracing_configuration {
    enabled = var.tracing_enabled
  }

  # IAM is eventually consistent and Step Functions checks at creation that the role may
  # manage the EventBridge rule of the .sync integration: create the policies first.
  depends_on = [
    aws_iam_role_policy.workflow,
    aws_iam_role_policy.observability,
  ]
}

# What executions start: `run`, schedules and triggers name the alias, never the state
# machine itself, so moving the alias (a deploy, or a rollback) moves every caller at once.
resource "aws_sfn_alias" "live" {
  name        = var.alias_name
  description = "The version of ${var.name} that runs: moved by each deploy and by rollback."

  routing_configuration {
    state_machine_version_arn = aws_sfn_state_machine.this.state_machine_version_arn
    weight                    = 100
  }
}

# Whoever starts executions (an operator's role, a scheduler's or a trigger's) gets this: the
# alias only, so nothing starts an unpublished definition or a version the alias left. Step
# Functions authorizes a qualified start against the state machine's ARN and passes the alias
# name as states:StateMachineQualifier; an unqualified start has no qualifier and is refused.
data "aws_iam_policy_document" "start" {
  statement {
    sid       = "StartTheAliasOnly"
    actions   = ["states:StartExecution"]
    resources = [aws_sfn_state_machine.this.arn, aws_sfn_alias.live.arn]

    condition {
      test     = "StringEquals"
      variable = "states:StateMachineQualifier"
      values   = [aws_sfn_alias.live.name]
    }
  }

  statement {
    sid = "FollowItsExecutions"
    actions = [
      "states:DescribeExecution",
      "states:GetExecutionHistory",
      "states:StopExecution",
    ]
    resources = ["arn:${data.aws_partition.current.partition}:states:${data.aws_region.current.name}:${local.source_account_id}:execution:${var.name}:*"]
  }
}
