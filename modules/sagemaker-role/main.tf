data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }

    dynamic "condition" {
      for_each = var.source_account_id == null ? [] : [var.source_account_id]

      content {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [condition.value]
      }
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.name
  path                 = var.path
  description          = "Execution role of LegacyLift's SageMaker processing jobs"
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
