variable "create" {
  description = "Create the bucket. false in a stack that writes into a bucket another stack of the deployment owns (split stacks): the outputs then name bucket_name and nothing is created."
  type        = bool
  default     = true
}

variable "bucket_name" {
  description = "Name of the data bucket (globally unique, 3-63 lowercase characters)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "The bucket_name must be 3-63 characters of lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit."
  }
}

variable "kms_key_arn" {
  description = "ARN of a KMS key for SSE-KMS. null uses SSE-S3 (AES256)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:[a-z-]+:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$", var.kms_key_arn))
    error_message = "The kms_key_arn must be null or a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); aliases are not accepted because IAM cannot scope them."
  }
}

variable "intermediate_prefixes" {
  description = "Key prefixes holding intermediate run data (e.g. `iris/runs/`); objects under them expire after intermediate_expiration_days."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.intermediate_prefixes) <= 998 && alltrue([for p in var.intermediate_prefixes : can(regex("^[^/].*/$", p))])
    error_message = "Each intermediate prefix must end with '/' and not start with '/'; at most 998 (S3 allows 1000 lifecycle rules per bucket, two are taken)."
  }
}

variable "intermediate_expiration_days" {
  description = "Days after which intermediate run data expires."
  type        = number
  default     = 30

  validation {
    condition     = var.intermediate_expiration_days >= 1 && floor(var.intermediate_expiration_days) == var.intermediate_expiration_days
    error_message = "The intermediate_expiration_days must be a whole number of at least 1."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which noncurrent object versions are deleted."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "The noncurrent_version_expiration_days must be a whole number of at least 1."
  }
}

variable "protected_keys" {
  description = "Object keys only named principals may write: for each entry, s3:PutObject, s3:DeleteObject and s3:DeleteObjectVersion on `keys` (patterns relative to the bucket, `*` and `?` as in IAM; not `*` alone) are denied to every principal whose ARN (aws:PrincipalArn) matches none of `writer_arns` (IAM role or user ARNs, or the account's root; `*` and `?` allowed after the first character of the name). `sid` names the statement (DenyWrites<sid>). Empty (the default): no such Deny. A writer left out is locked out of those keys, Terraform's own uploads and a force_destroy included."
  type = list(object({
    sid         = string
    keys        = list(string)
    writer_arns = list(string)
  }))
  default = []

  validation {
    condition = alltrue([for entry in var.protected_keys :
      can(regex("^[A-Za-z0-9]{1,64}$", entry.sid)) && length(entry.keys) > 0 && length(entry.writer_arns) > 0
      && alltrue([for key in entry.keys : can(regex("^[^/ ][^ ]*$", key)) && key != "*"])
      && alltrue([for arn in entry.writer_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(root|(role|user)/[A-Za-z0-9+=,.@_/-][A-Za-z0-9+=,.@_/*?-]*)$", arn))])
    ])
    error_message = "Each protected_keys entry needs an alphanumeric sid, at least one key pattern (not starting with '/', not every key '*') and at least one writer ARN (arn:aws:iam::<account>:role/<name>, user/<name> or root; a name may not start with a wildcard, which would exempt every principal of the account)."
  }

  validation {
    condition     = length(distinct([for entry in var.protected_keys : entry.sid])) == length(var.protected_keys)
    error_message = "Each protected_keys entry needs its own sid."
  }
}

variable "force_destroy" {
  description = "Allow destroying the bucket while it still holds objects (test and dev workspaces only)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for the bucket."
  type        = map(string)
  default     = {}
}
