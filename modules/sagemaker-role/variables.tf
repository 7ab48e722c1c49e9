variable "name" {
  description = "Name of the SageMaker execution role."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.name))
    error_message = "The name must be 1-64 characters of letters, digits and +=,.@_- (IAM role name rules)."
  }
}

variable "policy_json" {
  description = "The role's permissions as an IAM policy document (JSON), e.g. modules/workflow's `sagemaker_policy` output."
  type        = string

  validation {
    condition     = can(jsondecode(var.policy_json).Statement)
    error_message = "The policy_json must be an IAM policy document in JSON with a Statement."
  }
}

variable "description" {
  description = "Description of the role."
  type        = string
  default     = "Execution role of LegacyLift's SageMaker processing jobs"
}

variable "source_account_id" {
  description = "Only SageMaker acting for this account may assume the role (aws:SourceAccount, against the confused deputy). null: the caller's account."
  type        = string
  default     = null

  validation {
    condition     = var.source_account_id == null || can(regex("^[0-9]{12}$", var.source_account_id))
    error_message = "The source_account_id must be a 12-digit AWS account ID or null."
  }
}

variable "source_arns" {
  description = "Only SageMaker acting for these processing jobs may assume the role (aws:SourceArn, ArnLike patterns such as modules/workflow's `sagemaker_role_source_arns`). null: every processing job of the account in the provider's region."
  type        = list(string)
  default     = null

  validation {
    condition     = var.source_arns == null ? true : length(var.source_arns) > 0 && alltrue([for arn in var.source_arns : can(regex("^arn:[a-z-]+:sagemaker:[a-z0-9-]+:[0-9]{12}:processing-job/.+$", arn))])
    error_message = "The source_arns must be null or a non-empty list of processing job ARN patterns (arn:aws:sagemaker:<region>:<account>:processing-job/<name pattern>)."
  }
}

variable "permissions_boundary_arn" {
  description = "ARN of a permissions boundary policy for the role, or null."
  type        = string
  default     = null
}

variable "path" {
  description = "IAM path of the role."
  type        = string
  default     = "/"

  validation {
    condition     = can(regex("^/([\\x21-\\x7e]+/)?$", var.path))
    error_message = "The path must start and end with '/'."
  }
}

variable "tags" {
  description = "Tags for the role."
  type        = map(string)
  default     = {}
}
