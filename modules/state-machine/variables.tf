variable "name" {
  description = "Name of the state machine; also names its role and log group."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,80}$", var.name))
    error_message = "The name must be 1-80 characters of letters, digits, hyphens and underscores (Step Functions rules)."
  }
}

variable "definition" {
  description = "The Amazon States Language definition (JSON), e.g. one of modules/workflow's `definitions`."
  type        = string

  validation {
    condition     = can(jsondecode(var.definition).StartAt) && can(jsondecode(var.definition).States)
    error_message = "The definition must be JSON with StartAt and States: a template rendered invalid JSON (check the escapes of literal dollar-brace sequences in the .tftpl)."
  }

  validation {
    condition     = length(var.definition) <= 1048576
    error_message = "The definition exceeds Step Functions' 1 MB limit: split the workflow or move data out of the definition."
  }
}

variable "type" {
  description = "State machine type. Only STANDARD: EXPRESS workflows stop after 5 minutes, shorter than any processing job's .sync wait, and cannot run .sync integrations."
  type        = string
  default     = "STANDARD"

  validation {
    condition     = var.type == "STANDARD"
    error_message = "The type must be \"STANDARD\": EXPRESS workflows are limited to 5 minutes and do not support the .sync integration that waits for SageMaker processing jobs."
  }
}

variable "policy_json" {
  description = "The state machine role's permissions as an IAM policy document (JSON), e.g. one of modules/workflow's `state_machine_policies`."
  type        = string

  validation {
    condition     = can(jsondecode(var.policy_json).Statement)
    error_message = "The policy_json must be an IAM policy document in JSON with a Statement."
  }
}

variable "log_level" {
  description = "Execution history logged to CloudWatch Logs: ALL, ERROR, FATAL or OFF."
  type        = string
  default     = "ERROR"

  validation {
    condition     = contains(["ALL", "ERROR", "FATAL", "OFF"], var.log_level)
    error_message = "The log_level must be one of ALL, ERROR, FATAL, OFF."
  }
}

variable "include_execution_data" {
  description = "Log execution input, output and state data (may contain S3 URIs and parameters; off by default)."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of the state machine's log group, in days (a CloudWatch Logs allowed value)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "The log_retention_days must be one of CloudWatch Logs' values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "log_kms_key_arn" {
  description = "ARN of a KMS key encrypting the log group (its key policy must allow logs.<region>.amazonaws.com), or null."
  type        = string
  default     = null

  validation {
    condition     = var.log_kms_key_arn == null || can(regex("^arn:[a-z-]+:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$", var.log_kms_key_arn))
    error_message = "The log_kms_key_arn must be null or a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); aliases are not accepted because IAM cannot scope them."
  }
}

variable "tracing_enabled" {
  description = "Send X-Ray traces of executions."
  type        = bool
  default     = true
}

variable "source_account_id" {
  description = "Only Step Functions acting for this account may assume the role (aws:SourceAccount, against the confused deputy; aws:SourceArn limits it to this state machine). null: the caller's account."
  type        = string
  default     = null

  validation {
    condition     = var.source_account_id == null || can(regex("^[0-9]{12}$", var.source_account_id))
    error_message = "The source_account_id must be a 12-digit AWS account ID or null."
  }
}

variable "permissions_boundary_arn" {
  description = "ARN of a permissions boundary policy for the role, or null."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for the state machine, its role and log group."
  type        = map(string)
  default     = {}
}

variable "alias_name" {
  description = "Name of the alias that executions start; it points at the latest published version."
  type        = string
  default     = "live"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,80}$", var.alias_name)) && !can(regex("^[0-9]+$", var.alias_name))
    error_message = "The alias_name must be 1-80 letters, digits, hyphens and underscores, not only digits (a number names a version)."
  }
}
