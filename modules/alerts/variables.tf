variable "name" {
  description = "Name of the SNS topic and prefix of the rules, e.g. `legacylift-prod-alerts` (at most 40 characters)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,40}$", var.name))
    error_message = "The name must be 1 to 40 letters, digits, '_' or '-'."
  }
}

variable "workspace" {
  description = "Workspace (environment) named in every alert, e.g. `prod`."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", var.workspace))
    error_message = "The workspace must be a Terraform workspace name: letters, digits, '-' and '_'."
  }
}

variable "state_machines" {
  description = "State machines whose failed, timed-out and aborted executions alert, keyed by model name (value: the state machine ARN)."
  type        = map(string)

  validation {
    condition     = alltrue([for arn in values(var.state_machines) : can(regex("^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]+$", arn))])
    error_message = "Each state_machines value must be a state machine ARN (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME)."
  }
}

variable "create_topic" {
  description = "Create the topic, its subscriptions and its policy here. false: only the rules, publishing to the topic named `name` that another stack of the same deployment created (a split deployment's shared stack)."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key of the topic. Required: EventBridge cannot publish to a topic encrypted with the AWS-managed SNS key, and its key policy must let events.amazonaws.com use kms:GenerateDataKey and kms:Decrypt."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/.+$", var.kms_key_arn))
    error_message = "The kms_key_arn must be a customer-managed KMS key ARN: set kms_key_arn for the deployment (EventBridge cannot publish to a topic under the AWS-managed SNS key)."
  }
}

variable "subscriptions" {
  description = "Subscriptions of the topic: a list of {protocol, endpoint}, e.g. {protocol = \"email\", endpoint = \"ml-team@example.com\"} (protocols: email, email-json, https, sqs, lambda, sms)."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []

  validation {
    condition     = alltrue([for subscription in var.subscriptions : contains(["email", "email-json", "https", "sqs", "lambda", "sms"], subscription.protocol)])
    error_message = "Each subscription's protocol must be email, email-json, https, sqs, lambda or sms (plain http would send alerts unencrypted)."
  }
}

variable "tags" {
  description = "Tags of the topic and the rules."
  type        = map(string)
  default     = {}
}
