provider "aws" {
  region = var.region
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

# A customer-managed key for the bucket, the repositories and the log groups. CloudWatch Logs
# must be allowed to use it, or the log groups cannot be created.
data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_109:A key policy's "*" resource means this key only; the account root must administer its own key (AWS's default key policy).
  #checkov:skip=CKV_AWS_111:A key policy's "*" resource means this key only; write access is limited to the account root and CloudWatch Logs of this deployment's log groups.
  #checkov:skip=CKV_AWS_356:In a key policy "*" can only mean the key the policy is attached to.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchLogsEncrypts"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${data.aws_partition.current.partition}:logs:${var.region}:${data.aws_caller_identity.current.account_id}:log-group:/aws/vendedlogs/states/${var.name_prefix}-*"]
    }
  }
}

resource "aws_kms_key" "this" {
  description         = "LegacyLift ${var.name_prefix}: data, images and logs"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.key.json
}

module "legacylift" {
  source = "../../"

  name_prefix = var.name_prefix
  models_dir  = "${path.module}/models"
  models = {
    # Built: three steps, pre- and postprocessing in script mode on the scikit-learn image.
    iris = {
      image_uri = "${data.aws_caller_identity.current.account_id}.dkr.ecr.${var.region}.amazonaws.com/legacylift/iris@sha256:${var.iris_image_digest}"
      defaults  = { instance_type = "ml.m5.large", volume_size = 20 }
      inference = { instance_type = "ml.c5.xlarge", max_runtime = 7200, environment = { OMP_NUM_THREADS = "4" } }
    }
    # Not built yet: its repository exists so the build can push; no state machine.
    churn = {
      image_uri = null
    }
  }

  enable_generic_workflow = true
  kms_key_arn             = aws_kms_key.this.arn
  log_level               = "ALL"
  include_execution_data  = true
  log_retention_days      = 731
  tracing_enabled         = true
  tags                    = { project = "legacylift-example" }
}
