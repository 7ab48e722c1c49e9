variable "name_prefix" {
  description = "Prefix of every resource name (state machines, roles, log groups, bucket, job names), e.g. `legacylift-dev`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}[a-z0-9]$", var.name_prefix))
    error_message = "The name_prefix must be 2-32 characters of lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "models" {
  description = <<-EOT
    Legacy models, keyed by name: the `models` map of terraform/tfvars/<workspace>.models.tfvars.json
    (docs/contracts.md section 2). Each entry needs `image_uri` (digest-pinned; null = not built
    yet: the repository exists, the state machine does not); optional `steps`, `defaults`
    {instance_type, volume_size, max_runtime} and per-step objects `preprocessing`, `inference`,
    `postprocessing` {image, instance_type, volume_size, max_runtime, environment, network,
    script, arguments, input_path, output_path, entrypoint}. A script-mode step's `script` (default
    <step>.py) is uploaded from models_dir. Omitted fields fall back to the module-level defaults.
  EOT
  type        = any
  default     = {}

  validation {
    condition     = can(keys(var.models)) && alltrue([for name in keys(var.models) : can(regex("^[a-z][a-z0-9-]{0,31}$", name))])
    error_message = "Model names must be 1-32 characters of lowercase letters, digits and hyphens, starting with a letter (rename the legacy_models/ folder)."
  }

  validation {
    condition     = alltrue([for m in values(var.models) : can(m.image_uri) && (try(m.image_uri, null) == null || can(regex("^[^\\s]+[:@][^\\s]+$", m.image_uri)))])
    error_message = "Every model needs an image_uri: a registry reference pinned by digest (repo@sha256:...), or null when not built yet."
  }

  validation {
    condition = alltrue(flatten([for m in values(var.models) : [
      for step in try(tolist(m.steps), ["preprocessing", "inference", "postprocessing"]) : contains(["preprocessing", "inference", "postprocessing"], step)
    ]])) && alltrue([for m in values(var.models) : length(try(tolist(m.steps), ["x"])) > 0])
    error_message = "A model's steps must be a non-empty ordered subset of preprocessing, inference, postprocessing."
  }

  validation {
    condition = alltrue(flatten([for m in values(var.models) : [
      for settings in [try(m.defaults, {}), try(m.preprocessing, {}), try(m.inference, {}), try(m.postprocessing, {})] :
      can(regex("^ml\\.", try(settings.instance_type, "ml.")))
    ]]))
    error_message = "Instance types must be SageMaker ML instance types starting with \"ml.\" (e.g. ml.m5.xlarge)."
  }

  validation {
    condition = alltrue(flatten([for m in values(var.models) : [
      for settings in [try(m.defaults, {}), try(m.preprocessing, {}), try(m.inference, {}), try(m.postprocessing, {})] :
      try(settings.volume_size, 1) >= 1 && try(settings.volume_size, 1) <= 16384
    ]]))
    error_message = "Volume sizes must be 1 to 16384 GB (SageMaker's bounds)."
  }

  validation {
    condition = alltrue(flatten([for m in values(var.models) : [
      for settings in [try(m.defaults, {}), try(m.preprocessing, {}), try(m.inference, {}), try(m.postprocessing, {})] :
      try(settings.max_runtime, 1) >= 1 && try(settings.max_runtime, 1) <= 777600
    ]]))
    error_message = "Max runtimes must be 1 to 777600 seconds (SageMaker's bounds)."
  }
}

variable "models_dir" {
  description = "Directory holding one folder per model (`<models_dir>/<name>/preprocessing.py`, `postprocessing.py`); the scripts of script-mode steps are uploaded from there."
  type        = string

  validation {
    condition     = length(trimspace(var.models_dir)) > 0
    error_message = "The models_dir must name the directory holding the model folders (terraform/ passes the repository's legacy_models/)."
  }
}

variable "framework_image_uri" {
  description = "Image of script-mode steps (scikit_image_uri). null uses AWS's prebuilt sagemaker-scikit-learn image of the region with framework_image_tag."
  type        = string
  default     = null

  validation {
    condition     = var.framework_image_uri == null || can(regex("^[^\\s]+[:@][^\\s]+$", var.framework_image_uri))
    error_message = "The framework_image_uri must be an image reference with a tag or digest (registry/repository:tag), or null."
  }
}

variable "framework_image_tag" {
  description = "Tag of AWS's prebuilt sagemaker-scikit-learn processing image, used when framework_image_uri is null."
  type        = string
  default     = "1.4-2-cpu-py3"

  validation {
    condition     = can(regex("^1\\.[0-9]+-[0-9]+", var.framework_image_tag))
    error_message = "The framework_image_tag must be a scikit-learn 1.x image tag such as 1.4-2-cpu-py3."
  }
}

variable "default_instance_type" {
  description = "Instance type of a step that sets none."
  type        = string
  default     = "ml.m5.xlarge"

  validation {
    condition     = can(regex("^ml\\.", var.default_instance_type))
    error_message = "The default_instance_type must start with \"ml.\" (e.g. ml.m5.xlarge)."
  }
}

variable "default_volume_size" {
  description = "Storage volume of a step that sets none, in GB (1 to 16384)."
  type        = number
  default     = 30

  validation {
    condition     = var.default_volume_size >= 1 && var.default_volume_size <= 16384
    error_message = "The default_volume_size must be 1 to 16384 GB."
  }
}

variable "default_max_runtime" {
  description = "Max runtime of a step that sets none, in seconds (1 to 777600)."
  type        = number
  default     = 3600

  validation {
    condition     = var.default_max_runtime >= 1 && var.default_max_runtime <= 777600
    error_message = "The default_max_runtime must be 1 to 777600 seconds."
  }
}

variable "allow_mutable_image_tags" {
  description = "Accept image URIs pinned by tag instead of digest (not recommended: a tag can move under a deployed state machine)."
  type        = bool
  default     = false
}

variable "enable_generic_workflow" {
  description = "Also create the generic state machine that takes every parameter from the execution input (the original pattern's shape)."
  type        = bool
  default     = false
}

variable "extra_input_s3_uris" {
  description = "S3 prefixes outside the data bucket that executions read input from (s3://bucket/prefix/); the SageMaker role may read these only."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for uri in var.extra_input_s3_uris : can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^*?]*)?$", uri))])
    error_message = "Every extra_input_s3_uris entry must be an s3://bucket/prefix URI without wildcards."
  }
}

variable "extra_output_s3_uris" {
  description = "S3 prefixes outside the data bucket that executions write output to; the SageMaker role may write these only."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for uri in var.extra_output_s3_uris : can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^*?]*)?$", uri))])
    error_message = "Every extra_output_s3_uris entry must be an s3://bucket/prefix URI without wildcards."
  }
}

variable "generic_pass_role_arns" {
  description = "Further SageMaker execution roles that executions of the generic workflow may name in RoleArn (besides the module's own role)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.generic_pass_role_arns : can(regex("^arn:[a-z-]+:iam::[0-9]{12}:role/[^*?]+$", arn))])
    error_message = "Every generic_pass_role_arns entry must be an IAM role ARN without wildcards."
  }
}

variable "ecr_repository_prefix" {
  description = "Prefix of the model repositories: `<prefix><model>`. Workspaces sharing an account need distinct prefixes."
  type        = string
  default     = "legacylift/"

  validation {
    condition     = can(regex("^([a-z0-9]+([._-][a-z0-9]+)*/)*$", var.ecr_repository_prefix))
    error_message = "The ecr_repository_prefix must be empty or lowercase path segments each ending in '/', e.g. legacylift/."
  }
}

variable "bucket_name" {
  description = "Name of the data bucket. null uses `<name_prefix>-data-<account id>`."
  type        = string
  default     = null

  validation {
    condition     = var.bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "The bucket_name must be 3-63 characters of lowercase letters, digits, dots and hyphens, or null."
  }
}

variable "kms_key_arn" {
  description = "KMS key for the bucket, repositories, log groups and the roles' KMS grants. null uses AWS-managed encryption (SSE-S3, AES256)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "The kms_key_arn must be a KMS key ARN (arn:aws:kms:...) or null."
  }
}

variable "log_level" {
  description = "Step Functions execution logging: ALL, ERROR, FATAL or OFF."
  type        = string
  default     = "ERROR"

  validation {
    condition     = contains(["ALL", "ERROR", "FATAL", "OFF"], var.log_level)
    error_message = "The log_level must be one of ALL, ERROR, FATAL, OFF."
  }
}

variable "include_execution_data" {
  description = "Log execution input, output and state data."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of the state machines' log groups, in days (a CloudWatch Logs allowed value)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "The log_retention_days must be a CloudWatch Logs value: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "tracing_enabled" {
  description = "Send X-Ray traces of executions."
  type        = bool
  default     = true
}

variable "intermediate_expiration_days" {
  description = "Days after which intermediate run data (`<model>/runs/`) expires."
  type        = number
  default     = 30

  validation {
    condition     = var.intermediate_expiration_days >= 1 && floor(var.intermediate_expiration_days) == var.intermediate_expiration_days
    error_message = "The intermediate_expiration_days must be a whole number of at least 1."
  }
}

variable "ecr_keep_image_count" {
  description = "Images kept per model repository; older ones expire."
  type        = number
  default     = 30

  validation {
    condition     = var.ecr_keep_image_count >= 1 && floor(var.ecr_keep_image_count) == var.ecr_keep_image_count
    error_message = "The ecr_keep_image_count must be a whole number of at least 1."
  }
}

variable "force_destroy" {
  description = "Let destroy remove a bucket holding objects and repositories holding images (test and dev workspaces only)."
  type        = bool
  default     = false
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary for every role the module creates, or null."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/", var.permissions_boundary_arn))
    error_message = "The permissions_boundary_arn must be an IAM policy ARN (arn:aws:iam::<account>:policy/...) or null."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
