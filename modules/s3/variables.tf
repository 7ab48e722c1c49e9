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
