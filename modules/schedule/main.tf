data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  source_account_id = var.source_account_id != null ? var.source_account_id : data.aws_caller_identity.current.account_id
  # Schedules of the default group; the ARN is known before the schedule exists.
  schedule_arn = "arn:${data.aws_partition.current.partition}:scheduler:${data.aws_region.current.name}:${local.source_account_id}:schedule/default/${var.name}"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    # Against the confused deputy: only this schedule, in this account.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.source_account_id]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [local.schedule_arn]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = "${var.name}-schedule"
  description          = "Role of the ${var.name} schedule: starts its one state machine"
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

  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]

    content {
      sid       = "DecryptTheInput"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role_policy" "start" {
  name   = "start"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.start.json
}

resource "aws_scheduler_schedule" "this" {
  name                         = var.name
  schedule_expression          = var.expression
  schedule_expression_timezone = var.time_zone
  start_date                   = var.start_date
  state                        = var.enabled ? "ENABLED" : "DISABLED"
  kms_key_arn                  = var.kms_key_arn
  description                  = "Starts ${var.target_arn} (${var.expression}, ${var.time_zone})"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = var.target_arn
    role_arn = aws_iam_role.this.arn
    input    = var.input

    retry_policy {
      maximum_retry_attempts = var.maximum_retry_attempts
    }
  }

  depends_on = [aws_iam_role_policy.start]
}
