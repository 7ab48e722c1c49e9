data "aws_partition" "current" {}

locals {
  sse_algorithm = var.kms_key_arn == null ? "AES256" : "aws:kms"
  # Known at plan (the bucket's own arn is not), so a plan shows the bucket policy it puts.
  bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}"
}

resource "aws_s3_bucket" "this" {
  count = var.create ? 1 : 0

  #checkov:skip=CKV_AWS_18:Access logging needs a separate log bucket, which belongs to the account's logging setup and is not created here; an audit trail of this bucket comes from CloudTrail S3 data events, which this module does not configure (docs/terraform.md, Security model).
  #checkov:skip=CKV_AWS_144:Cross-region replication is a disaster-recovery choice of the deployment; intermediate data is reproducible and inputs/outputs belong to the caller.
  #checkov:skip=CKV_AWS_145:SSE-KMS is supported through kms_key_arn; SSE-S3 is the default so the module works without a customer-managed key.
  #checkov:skip=CKV2_AWS_62:No consumer of bucket event notifications exists; executions report completion through Step Functions.
  bucket        = var.bucket_name
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_ownership_controls" "this" {
  count = var.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  count = var.create ? 1 : 0

  bucket                  = aws_s3_bucket.this[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  count = var.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  count = var.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = local.sse_algorithm
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != null
  }
}

data "aws_iam_policy_document" "tls_only" {
  count = var.create ? 1 : 0

  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      local.bucket_arn,
      "${local.bucket_arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  statement {
    sid     = "DenyOutdatedTLS"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      local.bucket_arn,
      "${local.bucket_arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "NumericLessThan"
      variable = "s3:TlsVersion"
      values   = ["1.2"]
    }
  }
}

# Keys only their owners may write (protected_keys): a Deny for every other principal, whatever
# its own IAM policy allows. aws:PrincipalArn is the role's ARN also for its sessions; a request
# without it (an AWS service acting on its own) is denied too. CopyObject, multipart uploads and
# SageMaker's output uploads are all s3:PutObject; deleting the current version of a versioned
# key brings back the previous one, so both deletes are denied as well.
data "aws_iam_policy_document" "protected_keys" {
  count = var.create ? 1 : 0

  dynamic "statement" {
    for_each = var.protected_keys

    content {
      sid       = "DenyWrites${statement.value.sid}"
      effect    = "Deny"
      actions   = ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"]
      resources = [for key in statement.value.keys : "${local.bucket_arn}/${key}"]

      principals {
        type        = "*"
        identifiers = ["*"]
      }

      condition {
        test     = "ArnNotLike"
        variable = "aws:PrincipalArn"
        values   = statement.value.writer_arns
      }
    }
  }
}

data "aws_iam_policy_document" "bucket" {
  count = var.create ? 1 : 0

  source_policy_documents = [
    data.aws_iam_policy_document.tls_only[0].json,
    data.aws_iam_policy_document.protected_keys[0].json,
  ]
}

resource "aws_s3_bucket_policy" "this" {
  count = var.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id
  policy = data.aws_iam_policy_document.bucket[0].json

  # A bucket policy put before the public access block can be refused as "public".
  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  count = var.create ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
  }

  dynamic "rule" {
    for_each = toset(var.intermediate_prefixes)

    content {
      id     = "expire-${trimsuffix(replace(rule.value, "/", "-"), "-")}"
      status = "Enabled"

      filter {
        prefix = rule.value
      }

      expiration {
        days = var.intermediate_expiration_days
      }

      noncurrent_version_expiration {
        noncurrent_days = 1
      }

      abort_incomplete_multipart_upload {
        days_after_initiation = 1
      }
    }
  }

  # Lifecycle rules on a versioned bucket must follow the versioning configuration.
  depends_on = [aws_s3_bucket_versioning.this]
}
