variable "name" {
  description = "Repository name, e.g. `legacylift/iris`."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", var.name)) && length(var.name) <= 256
    error_message = "The name must be a valid ECR repository name: lowercase letters, digits, and . _ - / separators, at most 256 characters."
  }
}

variable "kms_key_arn" {
  description = "ARN of a KMS key to encrypt images with. null uses AES256 (ECR's default encryption)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:[a-z-]+:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$", var.kms_key_arn))
    error_message = "The kms_key_arn must be null or a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); aliases are not accepted because IAM cannot scope them."
  }
}

variable "keep_image_count" {
  description = "Number of most recent images kept; older ones expire. Keep it above the number of digests any deployed workspace still pins."
  type        = number
  default     = 30

  validation {
    condition     = var.keep_image_count >= 1 && floor(var.keep_image_count) == var.keep_image_count
    error_message = "The keep_image_count must be a whole number of at least 1."
  }
}

variable "untagged_expiration_days" {
  description = "Days after which untagged images (left by interrupted pushes) expire."
  type        = number
  default     = 7

  validation {
    condition     = var.untagged_expiration_days >= 1 && floor(var.untagged_expiration_days) == var.untagged_expiration_days
    error_message = "The untagged_expiration_days must be a whole number of at least 1."
  }
}

variable "force_delete" {
  description = "Allow destroying the repository while it still holds images (test and dev workspaces only)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for the repository."
  type        = map(string)
  default     = {}
}
