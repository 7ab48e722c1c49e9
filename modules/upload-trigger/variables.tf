variable "name" {
  description = "Name of the rule and prefix of its role, e.g. `legacylift-prod-iris-upload` (at most 56 characters: the role adds `-trigger`)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,56}$", var.name))
    error_message = "The name must be 1 to 56 letters, digits, '.', '_' or '-'."
  }
}

variable "event_pattern" {
  description = "EventBridge event pattern (JSON) of the uploads that start a run: S3 Object Created of the batch marker under the model's trigger prefix."
  type        = string

  validation {
    condition     = can(jsondecode(var.event_pattern).source) && contains(jsondecode(var.event_pattern).source, "aws.s3")
    error_message = "The event_pattern must be JSON matching S3 events (source aws.s3)."
  }
}

variable "input_paths" {
  description = "InputPathsMap of the input transformer: placeholder name to JSON path in the event."
  type        = map(string)
}

variable "input_template" {
  description = "InputTemplate of the input transformer: what the target receives for each matched upload."
  type        = string
}

variable "enabled" {
  description = "Whether uploads start runs (ENABLED) or the rule exists paused (DISABLED): set per workspace."
  type        = bool
  default     = false
}

variable "target_arn" {
  description = "ARN of the state machine an upload starts (the model's run starter)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]+(:[A-Za-z0-9_-]+)?$", var.target_arn))
    error_message = "The target_arn must be a Step Functions state machine ARN."
  }
}

variable "source_account_id" {
  description = "Account the rule lives in, for the role's confused-deputy condition; null uses the caller's."
  type        = string
  default     = null
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of the rule's role, or null."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags of the rule and its role."
  type        = map(string)
  default     = {}
}
