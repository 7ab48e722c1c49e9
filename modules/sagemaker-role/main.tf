data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  # Never a trust policy without conditions: on its own the module trusts SageMaker acting for
  # the caller's account, for processing jobs of its region.
  source_account_id = var.source_account_id != null ? var.source_account_id : data.aws_caller_identity.current.account_id
  source_arns = var.source_arns != null ? var.source_arns : [
    "arn:${data.aws_partition.current.partition}:sagemaker:${data.aws_region.current.name}:${local.source_account_id}:processing-job/*"
  ]
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }

    # Against the confused deputy: only SageMaker acting for this account's own jobs.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.source_account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = local.source_arns
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.name
  path                 = var.path
  description          = var.description
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

# Inline: the policy lives and dies with the role; never aws_iam_policy_attachment, which
# manages every attachment of a policy account-wide.
resource "aws_iam_role_policy" "this" {
  name   = "processing-jobs"
  role   = aws_iam_role.this.id
  policy = var.policy_json
}
