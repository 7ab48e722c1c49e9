variable "region" {
  description = "AWS region of the deployment."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "The region must be an AWS region name such as eu-west-1."
  }
}

variable "aws_max_retries" {
  description = "How often the AWS provider retries a throttled or failed call before giving up (the provider's max_retries)."
  type        = number
  default     = 25

  validation {
    condition     = var.aws_max_retries >= 1 && floor(var.aws_max_retries) == var.aws_max_retries
    error_message = "The aws_max_retries must be a whole number of at least 1."
  }
}

variable "aws_retry_mode" {
  description = "The AWS provider's retry mode: adaptive (backoff plus client-side rate limiting after throttles) or standard."
  type        = string
  default     = "adaptive"

  validation {
    condition     = contains(["adaptive", "standard"], var.aws_retry_mode)
    error_message = "The aws_retry_mode must be adaptive or standard."
  }
}

variable "create_shared_resources" {
  description = "Create the resources every model shares (bucket, repositories, log group, generic workflow). `invoke deploy` sets false for a model stack of a split deployment (docs/deployment.md)."
  type        = bool
  default     = true
}

variable "bucket_name" {
  description = "Data bucket name; null uses <name prefix>-data-<account id>. A model stack gets its shared stack's bucket here."
  type        = string
  default     = null
}

variable "models" {
  description = "The models of this workspace: written by the build to tfvars/<workspace>.models.tfvars.json (see tfvars/README.md). The root module validates each entry."
  type        = any
  default     = {}
}

variable "framework_image_uri" {
  description = "Image of script-mode steps; null uses AWS's prebuilt sagemaker-scikit-learn image of the region."
  type        = string
  default     = null
}

variable "default_instance_type" {
  description = "Instance type of a step that sets none."
  type        = string
  default     = "ml.m5.xlarge"
}

variable "enable_generic_workflow" {
  description = "Also create the generic state machine (the original pattern's execution input)."
  type        = bool
  default     = false
}

variable "extra_input_s3_uris" {
  description = "S3 prefixes outside the data bucket that executions read input from."
  type        = list(string)
  default     = []
}

variable "extra_output_s3_uris" {
  description = "S3 prefixes outside the data bucket that executions write output to."
  type        = list(string)
  default     = []
}

variable "generic_image_repositories" {
  description = "ECR repositories (names or ARNs) the generic workflow's jobs may pull from besides the framework image's."
  type        = list(string)
  default     = []
}

variable "generic_s3_uris" {
  description = "S3 prefixes the generic workflow's jobs may read and write (to chain steps), besides the data bucket's `_generic/` area."
  type        = list(string)
  default     = []
}

variable "generic_allow_entrypoint_override" {
  description = "Let the generic workflow's execution input set ContainerEntrypoint (refused when false)."
  type        = bool
  default     = false
}

variable "generic_allow_network_override" {
  description = "Let the generic workflow's execution input set EnableNetworkIsolation (refused when false)."
  type        = bool
  default     = false
}

variable "manage_processing_job_log_group" {
  description = "Create /aws/sagemaker/ProcessingJobs with retention and the KMS key (account- and region-wide: one workspace per account and region)."
  type        = bool
  default     = false
}

variable "processing_job_log_retention_days" {
  description = "Retention of /aws/sagemaker/ProcessingJobs when manage_processing_job_log_group is set, in days."
  type        = number
  default     = 365
}

variable "ecr_repository_prefix" {
  description = "Prefix of the model repositories. Workspaces sharing one AWS account need distinct prefixes (e.g. legacylift-dev/)."
  type        = string
  default     = "legacylift/"
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for the bucket, repositories and log groups; null uses AWS-managed encryption."
  type        = string
  default     = null
}

variable "log_level" {
  description = "Step Functions execution logging: ALL, ERROR, FATAL or OFF."
  type        = string
  default     = "ERROR"
}

variable "include_execution_data" {
  description = "Log execution input, output and state data."
  type        = bool
  default     = false
}

variable "tracing_enabled" {
  description = "Send X-Ray traces of executions."
  type        = bool
  default     = true
}

variable "force_destroy" {
  description = "Let destroy remove a non-empty bucket and repositories (dev and test workspaces only)."
  type        = bool
  default     = false
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary for every role created, or null."
  type        = string
  default     = null
}

variable "code_writer_arns" {
  description = "ARNs of the roles or users that run terraform apply in this workspace. Set, the data bucket denies writing the code folders and the step runner to everyone else and the promotion records and sealed artifacts to everyone but the training state machines; empty, no such Deny (see docs/terraform.md, Security model)."
  type        = list(string)
  default     = []
}

variable "evaluation_data_uris" {
  description = "Map of model name to the S3 folder (s3://<data bucket>/<model>/input/<folder>/) its training workflow always evaluates on; the model's training may not read it (see docs/terraform.md, Security model)."
  type        = map(string)
  default     = {}
}

variable "tags" {
  description = "Tags added to every resource (with legacylift:workspace and managed-by)."
  type        = map(string)
  default     = {}
}

variable "schedules_enabled" {
  description = "Whether the models' schedules start runs in this workspace (they exist DISABLED otherwise)."
  type        = bool
  default     = false
}

variable "triggers_enabled" {
  description = "Whether uploads under the models' trigger prefixes start runs in this workspace (the rules exist DISABLED otherwise)."
  type        = bool
  default     = false
}

variable "alerts_enabled" {
  description = "Send failed, timed-out and aborted executions to the alerts topic (needs kms_key_arn)."
  type        = bool
  default     = false
}

variable "alert_subscriptions" {
  description = "Subscriptions of the alerts topic: [{protocol = \"email\", endpoint = \"ml-team@example.com\"}]."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []
}
