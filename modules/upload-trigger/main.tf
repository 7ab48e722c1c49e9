data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  source_account_id = var.source_account_id != null ? var.source_account_id : data.aws_caller_identity.current.account_id
  rule_arn          = "arn:${data.aws_partition.current.partition}:events:${data.aws_region.current.name}:${local.source_account_id}:rule/${var.name}"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    # Against the confused deputy: only this rule, in this account.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.source_account_id]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [local.rule_arn]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = "${var.name}-trigger"
  description          = "Role of the ${var.name} rule: starts its one state machine"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

data "aws_iam_policy_document" "start" {
  statement {
    sid       = "StartTheTarget"
    actions   = ["states:StartExecution"]
    resources = [var.target_arn]
  }
}

resource "aws_iam_role_policy" "start" {
  name   = "start"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.start.json
}

resource "aws_cloudwatch_event_rule" "this" {
  name          = var.name
  description   = "Starts ${var.target_arn} when a batch marker is uploaded"
  event_pattern = var.event_pattern
  state         = var.enabled ? "ENABLED" : "DISABLED"
  tags          = var.tags
}

resource "aws_cloudwatch_event_target" "this" {
  rule      = aws_cloudwatch_event_rule.this.name
  target_id = "start"
  arn       = var.target_arn
  role_arn  = aws_iam_role.this.arn

  input_transformer {
    input_paths    = var.input_paths
    input_template = var.input_template
  }

  depends_on = [aws_iam_role_policy.start]
}
