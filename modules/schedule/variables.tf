variable "name" {
  description = "Name of the schedule and prefix of its role, e.g. `legacylift-prod-iris` (at most 58 characters: the role adds `-schedule`)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,58}$", var.name))
    error_message = "The name must be 1 to 58 letters, digits, '.', '_' or '-'."
  }
}

variable "expression" {
  description = "Schedule expression in EventBridge Scheduler's syntax: `cron(minutes hours day-of-month month day-of-week year)` or `rate(value minutes|hours|days)`."
  type        = string

  validation {
    condition     = can(regex("^cron\\(\\S+( \\S+){5}\\)$", var.expression)) || can(regex("^rate\\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\\)$", var.expression))
    error_message = "The expression must be cron(minutes hours day-of-month month day-of-week year) or rate(value minutes|hours|days), e.g. cron(0 2 * * ? *)."
  }
}

variable "time_zone" {
  description = "IANA time zone the expression is evaluated in, daylight-saving changes included (e.g. `Europe/Paris`)."
  type        = string
  default     = "UTC"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$", var.time_zone))
    error_message = "The time_zone must be an IANA time zone name such as UTC or Europe/Paris."
  }
}

variable "start_date" {
  description = "EventBridge Scheduler's StartDate, in UTC (e.g. `2028-03-01T01:30:00Z`): no start before it, and a rate counts its periods from it; null starts at creation (a rate then counts from that moment)."
  type        = string
  default     = null

  validation {
    condition     = var.start_date == null || can(regex("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$", var.start_date))
    error_message = "The start_date must be a UTC time such as 2028-03-01T01:30:00Z, or null."
  }
}

variable "enabled" {
  description = "Whether the schedule starts runs (ENABLED) or exists paused (DISABLED): set per workspace."
  type        = bool
  default     = false
}

variable "target_arn" {
  description = "ARN of the state machine the schedule starts (the model's run starter)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]+(:[A-Za-z0-9_-]+)?$", var.target_arn))
    error_message = "The target_arn must be a Step Functions state machine ARN."
  }
}

variable "input" {
  description = "JSON input of each start; EventBridge Scheduler fills in context attributes such as `<aws.scheduler.scheduled-time>`."
  type        = string

  validation {
    condition     = can(jsondecode(var.input))
    error_message = "The input must be a JSON document."
  }
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key encrypting the schedule's target input; null uses an AWS-owned key."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "The kms_key_arn must be a KMS key ARN, or null."
  }
}

variable "maximum_retry_attempts" {
  description = "How often EventBridge Scheduler retries a start that failed (0 to 185)."
  type        = number
  default     = 3

  validation {
    condition     = var.maximum_retry_attempts >= 0 && var.maximum_retry_attempts <= 185 && floor(var.maximum_retry_attempts) == var.maximum_retry_attempts
    error_message = "The maximum_retry_attempts must be a whole number from 0 to 185."
  }
}

variable "source_account_id" {
  description = "Account the schedule lives in, for the role's confused-deputy condition; null uses the caller's."
  type        = string
  default     = null
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of the schedule's role, or null."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags of the role (schedules take no tags)."
  type        = map(string)
  default     = {}
}
