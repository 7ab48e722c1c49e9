variable "name_prefix" {
  description = "Prefix of every resource name (state machines, roles, log groups, bucket, job names), e.g. `legacylift-dev`. Passed to modules/workflow, which validates it (as `name_prefix`)."
  type        = string
}

variable "models" {
  description = <<-EOT
    Legacy models, keyed by name: the `models` map of terraform/tfvars/<workspace>.models.tfvars.json
    (docs/contracts.md section 2). Each entry needs `image_uri` (digest-pinned; null = not built
    yet: the repository exists, the state machine does not); optional `steps`, `defaults`
    {instance_type, volume_size, max_runtime} and per-step objects `preprocessing`, `inference`,
    `postprocessing` {image, instance_type, volume_size, max_runtime, environment, network,
    script, arguments, input_path, output_path, entrypoint}. A script-mode step's code is uploaded
    from models_dir: the files listed in the entry's optional `code_files` (paths relative to the
    model folder; the build writes the list run-local stages), else the `script` (default
    <step>.py) alone. Omitted fields fall back to the module-level defaults.
    modules/workflow owns the rules of every entry and validates them; this module passes the
    map through.
  EOT
  type        = any
  default     = {}
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
  description = "Image of script-mode steps (scikit_image_uri). null uses AWS's prebuilt sagemaker-scikit-learn image of the region with framework_image_tag. Passed to modules/workflow, which validates it (as `framework_image_uri`)."
  type        = string
  default     = null
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
  description = "Instance type of a step that sets none. Passed to modules/workflow, which validates it (as `default_instance_type`)."
  type        = string
  default     = "ml.m5.xlarge"
}

variable "default_volume_size" {
  description = "Storage volume of a step that sets none, in GB (1 to 16384). Passed to modules/workflow, which validates it (as `default_volume_size`)."
  type        = number
  default     = 30
}

variable "default_max_runtime" {
  description = "Max runtime of a step that sets none, in seconds (1 to 777600). Passed to modules/workflow, which validates it (as `default_max_runtime`)."
  type        = number
  default     = 3600
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
  description = "S3 prefixes outside the data bucket that executions read input from (s3://bucket/prefix/); the SageMaker role may read these only. Passed to modules/workflow, which validates it (as `extra_input_s3_uris`)."
  type        = list(string)
  default     = []
}

variable "extra_output_s3_uris" {
  description = "S3 prefixes outside the data bucket that executions write output to; the SageMaker role may write these only. Passed to modules/workflow, which validates it (as `extra_output_s3_uris`)."
  type        = list(string)
  default     = []
}

variable "generic_pass_role_arns" {
  description = "Further SageMaker execution roles that executions of the generic workflow may name in RoleArn (besides the module's own role). Passed to modules/workflow, which validates it (as `generic_pass_role_arns`)."
  type        = list(string)
  default     = []
}

variable "generic_image_repositories" {
  description = "ECR repositories (names in this account and region, or ARNs) the generic workflow's jobs may pull from besides the framework image's, e.g. the repository a studio build pushes to."
  type        = list(string)
  default     = []
}

variable "generic_s3_uris" {
  description = "S3 prefixes (s3://bucket/prefix/) the generic workflow's jobs may read and write, to chain one step's output into the next; the data bucket's `_generic/` area always is."
  type        = list(string)
  default     = []
}

variable "generic_allow_entrypoint_override" {
  description = "Let the generic workflow's execution input set ContainerEntrypoint (anyone who may start an execution then runs any command as the generic execution role). Off: refused."
  type        = bool
  default     = false
}

variable "generic_allow_network_override" {
  description = "Let the generic workflow's execution input turn EnableNetworkIsolation off. Off: refused, isolation always on."
  type        = bool
  default     = false
}

variable "manage_processing_job_log_group" {
  description = "Create /aws/sagemaker/ProcessingJobs with processing_job_log_retention_days and kms_key_arn (SageMaker otherwise creates it without either). Account- and region-wide: set it in one deployment per account and region, and import the group if it exists already."
  type        = bool
  default     = false
}

variable "processing_job_log_retention_days" {
  description = "Retention of /aws/sagemaker/ProcessingJobs when manage_processing_job_log_group is set, in days (a CloudWatch Logs allowed value)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.processing_job_log_retention_days)
    error_message = "The processing_job_log_retention_days must be a CloudWatch Logs value: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "ecr_repository_prefix" {
  description = "Prefix of the model repositories: `<prefix><model>`. Workspaces sharing an account need distinct prefixes. Passed to modules/workflow, which validates it (as `ecr_repository_prefix`)."
  type        = string
  default     = "legacylift/"
}

variable "create_shared_resources" {
  description = "Create the resources every model shares: the data bucket, each model's ECR repository, the step runner object, the processing-job log group and the generic workflow. false in a model stack of a split deployment (its shared stack creates them; bucket_name names that stack's bucket): only the models' workflows, roles and scripts are created."
  type        = bool
  default     = true
}

variable "bucket_name" {
  description = "Name of the data bucket. null uses `<name_prefix>-data-<account id>`. Passed to modules/workflow, which validates it (as `data_bucket`)."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "KMS key for the bucket, repositories, log groups and the roles' KMS grants. null uses AWS-managed encryption (SSE-S3, AES256). Passed to modules/workflow, which validates it (as `kms_key_arn`)."
  type        = string
  default     = null
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

variable "noncurrent_version_expiration_days" {
  description = "Days the data bucket keeps noncurrent object versions: at least 365, so every promotion record of the last year (each promotion overwrites `<model>/models/promoted.json`) can be reconstructed."
  type        = number
  default     = 400

  validation {
    condition     = var.noncurrent_version_expiration_days >= 365 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "The noncurrent_version_expiration_days must be a whole number of at least 365 (a year of promotion records)."
  }
}

variable "code_writer_arns" {
  description = "ARNs of the principals that deploy this workspace (the role or user Terraform runs as; IAM role, user or root ARNs, `*` and `?` allowed after a name's first character). Set, the data bucket's policy denies writing or deleting the code folders (`<model>/code/<sha256>/`) and the step runner (`_legacylift/`) to every other principal, and the promotion records (`<model>/models/promoted.json`) and sealed artifacts (`_sealed/`) to every principal but the training state machines. Empty (the default): no such Deny, only the roles' own policies. A deployer left out is locked out of its own uploads (and of a force_destroy of those keys): name every principal that runs `terraform apply` here."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.code_writer_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(root|(role|user)/[A-Za-z0-9+=,.@_/-][A-Za-z0-9+=,.@_/*?-]*)$", arn))])
    error_message = "Each code_writer_arns entry must be an IAM role, user or root ARN (arn:aws:iam::<account>:role/<name>); a name may not start with a wildcard, which would exempt every principal of the account. An assumed-role session's ARN is its role's."
  }
}

variable "evaluation_data_uris" {
  description = "Map of model name to the S3 folder its training workflow always evaluates on, `s3://<data bucket>/<model>/input/<folder>/` (the hold-out data): a run may then not name evaluation_uri nor train on that folder, and the model's Train role may not read it. Models absent: the caller picks the evaluation data. Passed to modules/workflow, which validates it (as `evaluation_data_uris`)."
  type        = map(string)
  default     = {}
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

variable "schedules_enabled" {
  description = "Whether the models' schedules ([schedule] in model.toml) start runs in this workspace; off, each schedule exists DISABLED."
  type        = bool
  default     = false
}

variable "triggers_enabled" {
  description = "Whether uploads under the models' trigger prefixes ([trigger] in model.toml) start runs in this workspace; off, each rule exists DISABLED."
  type        = bool
  default     = false
}

variable "alerts_enabled" {
  description = "Create the alerts topic: failed, timed-out and aborted executions of this deployment's state machines are published there. Needs kms_key_arn (a customer-managed key EventBridge may use)."
  type        = bool
  default     = false
}

variable "alert_subscriptions" {
  description = "Subscriptions of the alerts topic: a list of {protocol, endpoint}, e.g. [{protocol = \"email\", endpoint = \"ml-team@example.com\"}]."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []
}
