variable "name_prefix" {
  description = "Prefix of state machine and processing job names, e.g. `legacylift-dev`. Lowercase letters, digits and hyphens, starting with a letter, at most 40 characters, without `--` (which marks the generic workflow's names)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$", var.name_prefix))
    error_message = "The name_prefix must be lowercase letters, digits and hyphens, start with a letter, not end with a hyphen and be at most 40 characters (SageMaker ARNs are lowercase, so job-name scoping needs a lowercase prefix)."
  }

  validation {
    condition     = length(regexall("--", var.name_prefix)) == 0
    error_message = "The name_prefix may not contain \"--\": the generic workflow's names are <name_prefix>--generic..., so a deployment named <prefix>--generic would match another one's generic job and role patterns."
  }
}

variable "models" {
  description = <<-EOT
    Map of model name to its settings, as the build writes them (docs/contracts.md section 2):
    `image_uri` (digest-pinned; null = not built yet: no definition is rendered), optional
    `steps` (ordered non-empty subset of preprocessing, inference, postprocessing), `defaults`
    and per-step objects (`preprocessing`, `inference`, `postprocessing`) with `instance_type`,
    `volume_size`, `max_runtime`, `environment`, `network`, `image` ("framework" or "model"),
    the step keys `script` (relative to the model folder), `arguments` (ContainerArguments),
    `input_path`, `output_path` (LocalPaths under /opt/ml/processing/) and `entrypoint`
    ("image": no ContainerEntrypoint), and `code_uris` (`{preprocessing = "s3://...", postprocessing = "s3://..."}`) for the steps
    that run in script mode; optional `train`, `evaluate` and `promotion` (all three or none:
    the training workflow, docs/contracts.md section 3) and `inference.artifacts` ("image"
    or "promoted"). Typed `any` because Terraform 1.0.3 has no optional() attributes:
    every omitted field falls back to the module-level defaults.
  EOT
  type        = any
  default     = {}

  validation {
    condition     = can(keys(var.models))
    error_message = "The models value must be a map (object) keyed by model name."
  }
  validation {
    condition     = alltrue([for name in keys(var.models) : can(regex("^[a-z][a-z0-9-]{0,31}$", name))])
    error_message = "Every model name must be lowercase letters, digits and hyphens, start with a letter and be at most 32 characters: rename the legacy_models/ folder and its models entry."
  }
  validation {
    condition = alltrue(flatten([for name, model in var.models : [
      for key in keys(model) : contains(["image_uri", "source_hash", "steps", "defaults", "preprocessing", "inference", "postprocessing", "code_uris", "system_packages", "fan_out", "train", "evaluate", "promotion", "schedule", "trigger"], key)
    ]]))
    error_message = "A models entry has an unknown key: allowed are image_uri, source_hash, steps, defaults, preprocessing, inference, postprocessing, code_uris, system_packages, fan_out, train, evaluate, promotion, schedule, trigger."
  }
  validation {
    condition = alltrue(flatten([for name, model in var.models : [
      for key in keys(try(model.fan_out, {})) : contains(["split", "mode", "max_concurrency", "tolerated_failures", "tolerated_failure_percentage", "objects_per_batch", "combine"], key)
    ]]))
    error_message = "A models entry's fan_out has an unknown key: allowed are split, mode, max_concurrency, tolerated_failures, tolerated_failure_percentage, objects_per_batch, combine."
  }
  validation {
    condition = alltrue([for name, model in var.models :
      contains(["prefix", "object"], try(model.fan_out.split, "prefix")) && contains(["distributed", "inline"], try(model.fan_out.mode, "distributed"))
      if try(model.fan_out, null) != null
    ])
    error_message = "A fan_out's split must be \"prefix\" (each immediate sub-prefix of input_uri is a batch) or \"object\" (each object is a batch), and its mode \"distributed\" (Distributed Map) or \"inline\" (inline Map)."
  }
  validation {
    condition = alltrue([for name, model in var.models :
      can(tonumber(try(model.fan_out.max_concurrency, 10))) && try(floor(tonumber(model.fan_out.max_concurrency)) == tonumber(model.fan_out.max_concurrency), true) && try(tonumber(model.fan_out.max_concurrency) >= 1 && tonumber(model.fan_out.max_concurrency) <= (try(model.fan_out.mode, "distributed") == "inline" ? 40 : 10000), true)
      if try(model.fan_out, null) != null
    ])
    error_message = "A fan_out's max_concurrency must be a whole number from 1 to 40 (inline Map) or 10000 (Distributed Map)."
  }
  validation {
    condition = alltrue([for name, model in var.models :
      try(tonumber(model.fan_out.tolerated_failures) >= 0 && floor(tonumber(model.fan_out.tolerated_failures)) == tonumber(model.fan_out.tolerated_failures) && try(model.fan_out.mode, "distributed") == "distributed", try(model.fan_out.tolerated_failures, null) == null)
      && try(tonumber(model.fan_out.tolerated_failure_percentage) >= 0 && tonumber(model.fan_out.tolerated_failure_percentage) <= 100 && try(model.fan_out.mode, "distributed") == "distributed", try(model.fan_out.tolerated_failure_percentage, null) == null)
      if try(model.fan_out, null) != null
    ])
    error_message = "A fan_out's tolerated_failures must be a whole number from 0, its tolerated_failure_percentage a number from 0 to 100; both need mode \"distributed\" (Step Functions tolerates failed child workflows in a Distributed Map only)."
  }
  validation {
    condition = alltrue([for name, model in var.models :
      try(tonumber(model.fan_out.objects_per_batch) >= 1 && tonumber(model.fan_out.objects_per_batch) <= 100 && floor(tonumber(model.fan_out.objects_per_batch)) == tonumber(model.fan_out.objects_per_batch) && (tonumber(model.fan_out.objects_per_batch) == 1 || try(model.fan_out.split, "prefix") == "object" && try(model.fan_out.mode, "distributed") == "distributed"), try(model.fan_out.objects_per_batch, null) == null)
      if try(model.fan_out, null) != null
    ])
    error_message = "A fan_out's objects_per_batch must be a whole number from 1 to 100 (a batch's list of objects fits a child workflow's 256 KiB input); above 1 it needs split \"object\" and mode \"distributed\" (Step Functions batches items in a Distributed Map only, with its ItemBatcher)."
  }
  validation {
    condition = alltrue(flatten([for name, model in var.models : [
      for key in keys(try(model.defaults, {})) : contains(["instance_type", "volume_size", "max_runtime", "environment", "network", "image"], key)
    ]]))
    error_message = "A models entry's defaults have an unknown key: allowed are instance_type, volume_size, max_runtime, environment, network, image."
  }
  validation {
    condition = alltrue(flatten([for name, model in var.models : [
      for scope in ["preprocessing", "inference", "postprocessing"] : [
        for key in keys(try(model[scope], {})) : contains(concat(["instance_type", "volume_size", "max_runtime", "environment", "network", "image", "script", "arguments", "input_path", "output_path", "entrypoint", "instance_count"], scope == "inference" ? ["artifacts"] : []), key)
      ]
    ]]))
    error_message = "A models entry's step settings have an unknown key: allowed are instance_type, volume_size, max_runtime, environment, network, image, script, arguments, input_path, output_path, entrypoint, instance_count (and artifacts for inference)."
  }
  validation {
    condition = alltrue(flatten([for name, model in var.models : [
      for scope in ["preprocessing", "inference", "postprocessing"] : can(tonumber(try(model[scope].instance_count, 1))) && try(floor(tonumber(model[scope].instance_count)) == tonumber(model[scope].instance_count) && tonumber(model[scope].instance_count) >= 1 && tonumber(model[scope].instance_count) <= 100, true)
    ]]))
    error_message = "A step's instance_count must be a whole number from 1 to 100 (SageMaker Processing's InstanceCount); above 1 its data input is ShardedByS3Key."
  }
  validation {
    condition     = alltrue([for name, model in var.models : contains(["image", "promoted"], try(model.inference.artifacts, "image"))])
    error_message = "A model's inference.artifacts must be \"image\" (the artifacts baked into the image) or \"promoted\" (the training workflow's promoted artifacts when there are any)."
  }
  validation {
    condition = alltrue(flatten([for name, model in var.models : [
      for scope in ["train", "evaluate"] : [
        for key in keys(try(model[scope], {})) : contains(["instance_type", "volume_size", "max_runtime", "environment", "network", "script", "arguments", "input_path", "output_path", "artifact_paths"], key)
      ]
    ]]))
    error_message = "A models entry's train or evaluate settings have an unknown key: allowed are instance_type, volume_size, max_runtime, environment, network, script, arguments, input_path, output_path (and artifact_paths for train)."
  }
  validation {
    condition = alltrue(flatten([for name, model in var.models : [
      for key in keys(try(model.promotion, {})) : contains(["metric", "metrics_file", "direction", "threshold", "min_improvement"], key)
    ]]))
    error_message = "A models entry's promotion has an unknown key: allowed are metric, metrics_file, direction, threshold, min_improvement."
  }
  validation {
    condition = alltrue(flatten([for name, model in var.models : [
      for scope in ["train", "evaluate"] : [
        for key in ["input_path", "output_path"] : can(regex("^/opt/ml/processing/[A-Za-z0-9_./-]+$", lookup(try(model[scope], {}), key, "/opt/ml/processing/x"))) && !can(regex("(^|/)\\.\\.(/|$)", lookup(try(model[scope], {}), key, "")))
      ]
    ]]))
    error_message = "A train or evaluate input_path/output_path must be a path under /opt/ml/processing/ (SageMaker's LocalPath rule), without .. segments."
  }
  validation {
    condition = alltrue(flatten([for name, model in var.models : [
      for scope in ["preprocessing", "inference", "postprocessing"] : [
        for key in ["input_path", "output_path"] : can(regex("^/opt/ml/processing/[A-Za-z0-9._+@-][A-Za-z0-9._+@/-]*$", model[scope][key])) && !can(regex("(^|/)\\.\\.?(/|$)|//|/$", model[scope][key])) if try(model[scope][key], null) != null
      ]
    ]]))
    error_message = "Every input_path and output_path in models must be a directory under /opt/ml/processing/ without '.', '..', '//' or a trailing '/', e.g. /opt/ml/processing/input."
  }
  validation {
    condition = alltrue(flatten([for name, model in var.models : [
      for scope in ["preprocessing", "inference", "postprocessing"] : try(model[scope].entrypoint, "image") == "image" && (scope == "inference" || try(model[scope].entrypoint, null) == null || try(model[scope].image, "framework") == "model")
    ]]))
    error_message = "A step's entrypoint must be \"image\" (send no ContainerEntrypoint: the image's own ENTRYPOINT/CMD runs; pre- and postprocessing then need image = \"model\") or omitted (python3 runs the step's script)."
  }
  validation {
    condition = alltrue(flatten([for name, model in var.models : [
      for scope in ["preprocessing", "inference", "postprocessing"] : try(model[scope].script, null) == null ? true : (
        can(regex("^[A-Za-z0-9._+@-][A-Za-z0-9._+@/ -]*$", model[scope].script)) && !can(regex("(^|/)\\.\\.?(/|$)|//|/$", model[scope].script))
      )
    ]]))
    error_message = "A step's script must be a path relative to the model folder without '..', e.g. preprocess.py or src/predict.py."
  }
  validation {
    condition = alltrue(flatten([for name, model in var.models : [
      for scope in ["preprocessing", "inference", "postprocessing"] : try(model[scope].arguments, null) == null ? true : (
        can(tolist(model[scope].arguments)) && try(length(model[scope].arguments) >= 1 && length(model[scope].arguments) <= 100, false) && alltrue([for argument in try(tolist(model[scope].arguments), []) : can(tostring(argument)) && length(tostring(argument)) <= 256])
      )
    ]]))
    error_message = "A step's arguments must be a list of 1 to 100 strings of at most 256 characters (SageMaker's ContainerArguments)."
  }
  validation {
    condition = alltrue([for value in flatten([for name, model in var.models : [
      for scope in ["defaults", "preprocessing", "inference", "postprocessing"] : lookup(lookup(model, scope, {}), "instance_type", "ml.m5.large")
    ]]) : contains(split(" ", "ml.t3.medium ml.t3.large ml.t3.xlarge ml.t3.2xlarge ml.m4.xlarge ml.m4.2xlarge ml.m4.4xlarge ml.m4.10xlarge ml.m4.16xlarge ml.c4.xlarge ml.c4.2xlarge ml.c4.4xlarge ml.c4.8xlarge ml.p2.xlarge ml.p2.8xlarge ml.p2.16xlarge ml.p3.2xlarge ml.p3.8xlarge ml.p3.16xlarge ml.c5.xlarge ml.c5.2xlarge ml.c5.4xlarge ml.c5.9xlarge ml.c5.18xlarge ml.m5.large ml.m5.xlarge ml.m5.2xlarge ml.m5.4xlarge ml.m5.12xlarge ml.m5.24xlarge ml.r5.large ml.r5.xlarge ml.r5.2xlarge ml.r5.4xlarge ml.r5.8xlarge ml.r5.12xlarge ml.r5.16xlarge ml.r5.24xlarge ml.g4dn.xlarge ml.g4dn.2xlarge ml.g4dn.4xlarge ml.g4dn.8xlarge ml.g4dn.12xlarge ml.g4dn.16xlarge ml.g5.xlarge ml.g5.2xlarge ml.g5.4xlarge ml.g5.8xlarge ml.g5.16xlarge ml.g5.12xlarge ml.g5.24xlarge ml.g5.48xlarge ml.r5d.large ml.r5d.xlarge ml.r5d.2xlarge ml.r5d.4xlarge ml.r5d.8xlarge ml.r5d.12xlarge ml.r5d.16xlarge ml.r5d.24xlarge ml.g6.xlarge ml.g6.2xlarge ml.g6.4xlarge ml.g6.8xlarge ml.g6.12xlarge ml.g6.16xlarge ml.g6.24xlarge ml.g6.48xlarge ml.g6e.xlarge ml.g6e.2xlarge ml.g6e.4xlarge ml.g6e.8xlarge ml.g6e.12xlarge ml.g6e.16xlarge ml.g6e.24xlarge ml.g6e.48xlarge ml.m6i.large ml.m6i.xlarge ml.m6i.2xlarge ml.m6i.4xlarge ml.m6i.8xlarge ml.m6i.12xlarge ml.m6i.16xlarge ml.m6i.24xlarge ml.m6i.32xlarge ml.c6i.xlarge ml.c6i.2xlarge ml.c6i.4xlarge ml.c6i.8xlarge ml.c6i.12xlarge ml.c6i.16xlarge ml.c6i.24xlarge ml.c6i.32xlarge ml.m7i.large ml.m7i.xlarge ml.m7i.2xlarge ml.m7i.4xlarge ml.m7i.8xlarge ml.m7i.12xlarge ml.m7i.16xlarge ml.m7i.24xlarge ml.m7i.48xlarge ml.c7i.large ml.c7i.xlarge ml.c7i.2xlarge ml.c7i.4xlarge ml.c7i.8xlarge ml.c7i.12xlarge ml.c7i.16xlarge ml.c7i.24xlarge ml.c7i.48xlarge ml.r7i.large ml.r7i.xlarge ml.r7i.2xlarge ml.r7i.4xlarge ml.r7i.8xlarge ml.r7i.12xlarge ml.r7i.16xlarge ml.r7i.24xlarge ml.r7i.48xlarge ml.p5.4xlarge ml.g7e.2xlarge ml.g7e.4xlarge ml.g7e.8xlarge ml.g7e.12xlarge ml.g7e.24xlarge ml.g7e.48xlarge ml.g7.2xlarge ml.g7.4xlarge ml.g7.8xlarge ml.g7.12xlarge ml.g7.24xlarge ml.g7.48xlarge ml.r6i.large ml.r6i.xlarge ml.r6i.2xlarge ml.r6i.4xlarge ml.r6i.8xlarge ml.r6i.12xlarge ml.r6i.16xlarge ml.r6i.24xlarge ml.r6i.32xlarge ml.m8i.large ml.m8i.xlarge ml.m8i.2xlarge ml.m8i.4xlarge ml.m8i.8xlarge ml.m8i.12xlarge ml.m8i.16xlarge ml.m8i.24xlarge ml.m8i.32xlarge ml.m8i.48xlarge ml.m8i.96xlarge ml.c8i.xlarge ml.c8i.2xlarge ml.c8i.4xlarge ml.c8i.8xlarge ml.c8i.12xlarge ml.c8i.16xlarge ml.c8i.24xlarge ml.c8i.32xlarge ml.c8i.48xlarge ml.c8i.96xlarge ml.r8i.large ml.r8i.xlarge ml.r8i.2xlarge ml.r8i.4xlarge ml.r8i.8xlarge ml.r8i.12xlarge ml.r8i.16xlarge ml.r8i.24xlarge ml.r8i.32xlarge ml.r8i.48xlarge ml.r8i.96xlarge ml.m7i-flex.large ml.m7i-flex.xlarge ml.m7i-flex.2xlarge ml.m7i-flex.4xlarge ml.m7i-flex.8xlarge ml.m7i-flex.12xlarge ml.m7i-flex.16xlarge ml.c7i-flex.xlarge ml.c7i-flex.2xlarge ml.c7i-flex.4xlarge ml.c7i-flex.8xlarge ml.c7i-flex.12xlarge ml.c7i-flex.16xlarge ml.m8i-flex.large ml.m8i-flex.xlarge ml.m8i-flex.2xlarge ml.m8i-flex.4xlarge ml.m8i-flex.8xlarge ml.m8i-flex.12xlarge ml.m8i-flex.16xlarge ml.c8i-flex.xlarge ml.c8i-flex.2xlarge ml.c8i-flex.4xlarge ml.c8i-flex.8xlarge ml.c8i-flex.12xlarge ml.c8i-flex.16xlarge ml.r8i-flex.large ml.r8i-flex.xlarge ml.r8i-flex.2xlarge ml.r8i-flex.4xlarge ml.r8i-flex.8xlarge ml.r8i-flex.12xlarge ml.r8i-flex.16xlarge"), value)])
    error_message = "Every instance_type in models must be a SageMaker Processing instance type (the ProcessingInstanceType values of the SageMaker API), e.g. ml.m5.xlarge."
  }
  validation {
    condition = alltrue([for value in flatten([for name, model in var.models : [
      for scope in ["defaults", "preprocessing", "inference", "postprocessing"] : lookup(lookup(model, scope, {}), "volume_size", 30)
    ]]) : can(tonumber(value)) ? (floor(tonumber(value)) == tonumber(value) && tonumber(value) >= 1 && tonumber(value) <= 16384) : false])
    error_message = "Every volume_size in models must be a whole number of GB from 1 to 16384 (SageMaker's bounds)."
  }
  validation {
    condition = alltrue([for value in flatten([for name, model in var.models : [
      for scope in ["defaults", "preprocessing", "inference", "postprocessing"] : lookup(lookup(model, scope, {}), "max_runtime", 3600)
    ]]) : can(tonumber(value)) ? (floor(tonumber(value)) == tonumber(value) && tonumber(value) >= 1 && tonumber(value) <= 777600) : false])
    error_message = "Every max_runtime in models must be a whole number of seconds from 1 to 777600 (SageMaker's bounds)."
  }
  validation {
    condition = alltrue([for name, model in var.models :
      try(length(model.steps) > 0 && join(",", [for step in ["preprocessing", "inference", "postprocessing"] : step if contains(model.steps, step)]) == join(",", model.steps), false)
      if try(model.steps, null) != null
    ])
    error_message = "A model's steps must be a non-empty list of preprocessing, inference, postprocessing in that order, without repeats, e.g. [\"inference\"] or [\"preprocessing\", \"inference\"]."
  }
  validation {
    condition = alltrue(flatten([for name, model in var.models : [
      for step in ["preprocessing", "postprocessing"] : contains(["framework", "model"], try(model[step].image, "framework"))
    ]]))
    error_message = "A pre- or postprocessing step's image must be \"framework\" (script mode on the scikit-learn processing image) or \"model\" (the model's own image)."
  }
  validation {
    condition     = alltrue([for name, model in var.models : contains(["model"], try(model.inference.image, "model"))])
    error_message = "The inference step always runs in the model's own image: remove inference.image or set it to \"model\"."
  }
  validation {
    condition = alltrue([for name, model in var.models :
      try(model.image_uri, null) == null || can(regex("^[^\\s\"]+$", model.image_uri))
    ])
    error_message = "Every image_uri in models must be null (not built yet) or an image reference such as <registry>/legacylift/<model>@sha256:<digest>."
  }
}

variable "framework_image_uri" {
  description = "The scikit-learn processing image script-mode steps run in (the original pattern's scikit_image_uri): AWS's prebuilt sagemaker-scikit-learn image in the cloud, the local twin for run-local."
  type        = string

  validation {
    condition     = can(regex("^[^\\s]+[:@][^\\s]+$", var.framework_image_uri))
    error_message = "The framework_image_uri must be an image reference with a tag or digest, e.g. 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn@sha256:..."
  }
}

variable "sagemaker_role_arn" {
  description = "One IAM role every processing job runs as, for callers that bring their own role (the models are then not isolated from each other). null: each model's jobs run as its own role, `sagemaker_role_names` (the generic workflow's: `generic_sagemaker_role_name`), holding `sagemaker_policies`."
  type        = string
  default     = null

  validation {
    condition     = var.sagemaker_role_arn == null || can(regex("^arn:[a-z-]+:iam::[0-9]{12}:role/.+$", var.sagemaker_role_arn))
    error_message = "The sagemaker_role_arn must be null (one role per model) or an IAM role ARN, e.g. arn:aws:iam::123456789012:role/legacylift-dev-sagemaker."
  }
}

variable "data_bucket" {
  description = "Bucket for workflow data: intermediate results go under s3://<bucket>/<model>/runs/<execution name>/."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.data_bucket))
    error_message = "The data_bucket must be an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens), without s3:// ."
  }
}

variable "default_instance_type" {
  description = "Instance type of every step that neither the model's defaults nor the step set (the original pattern's instance_type)."
  type        = string
  default     = "ml.m5.xlarge"

  validation {
    condition     = contains(split(" ", "ml.t3.medium ml.t3.large ml.t3.xlarge ml.t3.2xlarge ml.m4.xlarge ml.m4.2xlarge ml.m4.4xlarge ml.m4.10xlarge ml.m4.16xlarge ml.c4.xlarge ml.c4.2xlarge ml.c4.4xlarge ml.c4.8xlarge ml.p2.xlarge ml.p2.8xlarge ml.p2.16xlarge ml.p3.2xlarge ml.p3.8xlarge ml.p3.16xlarge ml.c5.xlarge ml.c5.2xlarge ml.c5.4xlarge ml.c5.9xlarge ml.c5.18xlarge ml.m5.large ml.m5.xlarge ml.m5.2xlarge ml.m5.4xlarge ml.m5.12xlarge ml.m5.24xlarge ml.r5.large ml.r5.xlarge ml.r5.2xlarge ml.r5.4xlarge ml.r5.8xlarge ml.r5.12xlarge ml.r5.16xlarge ml.r5.24xlarge ml.g4dn.xlarge ml.g4dn.2xlarge ml.g4dn.4xlarge ml.g4dn.8xlarge ml.g4dn.12xlarge ml.g4dn.16xlarge ml.g5.xlarge ml.g5.2xlarge ml.g5.4xlarge ml.g5.8xlarge ml.g5.16xlarge ml.g5.12xlarge ml.g5.24xlarge ml.g5.48xlarge ml.r5d.large ml.r5d.xlarge ml.r5d.2xlarge ml.r5d.4xlarge ml.r5d.8xlarge ml.r5d.12xlarge ml.r5d.16xlarge ml.r5d.24xlarge ml.g6.xlarge ml.g6.2xlarge ml.g6.4xlarge ml.g6.8xlarge ml.g6.12xlarge ml.g6.16xlarge ml.g6.24xlarge ml.g6.48xlarge ml.g6e.xlarge ml.g6e.2xlarge ml.g6e.4xlarge ml.g6e.8xlarge ml.g6e.12xlarge ml.g6e.16xlarge ml.g6e.24xlarge ml.g6e.48xlarge ml.m6i.large ml.m6i.xlarge ml.m6i.2xlarge ml.m6i.4xlarge ml.m6i.8xlarge ml.m6i.12xlarge ml.m6i.16xlarge ml.m6i.24xlarge ml.m6i.32xlarge ml.c6i.xlarge ml.c6i.2xlarge ml.c6i.4xlarge ml.c6i.8xlarge ml.c6i.12xlarge ml.c6i.16xlarge ml.c6i.24xlarge ml.c6i.32xlarge ml.m7i.large ml.m7i.xlarge ml.m7i.2xlarge ml.m7i.4xlarge ml.m7i.8xlarge ml.m7i.12xlarge ml.m7i.16xlarge ml.m7i.24xlarge ml.m7i.48xlarge ml.c7i.large ml.c7i.xlarge ml.c7i.2xlarge ml.c7i.4xlarge ml.c7i.8xlarge ml.c7i.12xlarge ml.c7i.16xlarge ml.c7i.24xlarge ml.c7i.48xlarge ml.r7i.large ml.r7i.xlarge ml.r7i.2xlarge ml.r7i.4xlarge ml.r7i.8xlarge ml.r7i.12xlarge ml.r7i.16xlarge ml.r7i.24xlarge ml.r7i.48xlarge ml.p5.4xlarge ml.g7e.2xlarge ml.g7e.4xlarge ml.g7e.8xlarge ml.g7e.12xlarge ml.g7e.24xlarge ml.g7e.48xlarge ml.g7.2xlarge ml.g7.4xlarge ml.g7.8xlarge ml.g7.12xlarge ml.g7.24xlarge ml.g7.48xlarge ml.r6i.large ml.r6i.xlarge ml.r6i.2xlarge ml.r6i.4xlarge ml.r6i.8xlarge ml.r6i.12xlarge ml.r6i.16xlarge ml.r6i.24xlarge ml.r6i.32xlarge ml.m8i.large ml.m8i.xlarge ml.m8i.2xlarge ml.m8i.4xlarge ml.m8i.8xlarge ml.m8i.12xlarge ml.m8i.16xlarge ml.m8i.24xlarge ml.m8i.32xlarge ml.m8i.48xlarge ml.m8i.96xlarge ml.c8i.xlarge ml.c8i.2xlarge ml.c8i.4xlarge ml.c8i.8xlarge ml.c8i.12xlarge ml.c8i.16xlarge ml.c8i.24xlarge ml.c8i.32xlarge ml.c8i.48xlarge ml.c8i.96xlarge ml.r8i.large ml.r8i.xlarge ml.r8i.2xlarge ml.r8i.4xlarge ml.r8i.8xlarge ml.r8i.12xlarge ml.r8i.16xlarge ml.r8i.24xlarge ml.r8i.32xlarge ml.r8i.48xlarge ml.r8i.96xlarge ml.m7i-flex.large ml.m7i-flex.xlarge ml.m7i-flex.2xlarge ml.m7i-flex.4xlarge ml.m7i-flex.8xlarge ml.m7i-flex.12xlarge ml.m7i-flex.16xlarge ml.c7i-flex.xlarge ml.c7i-flex.2xlarge ml.c7i-flex.4xlarge ml.c7i-flex.8xlarge ml.c7i-flex.12xlarge ml.c7i-flex.16xlarge ml.m8i-flex.large ml.m8i-flex.xlarge ml.m8i-flex.2xlarge ml.m8i-flex.4xlarge ml.m8i-flex.8xlarge ml.m8i-flex.12xlarge ml.m8i-flex.16xlarge ml.c8i-flex.xlarge ml.c8i-flex.2xlarge ml.c8i-flex.4xlarge ml.c8i-flex.8xlarge ml.c8i-flex.12xlarge ml.c8i-flex.16xlarge ml.r8i-flex.large ml.r8i-flex.xlarge ml.r8i-flex.2xlarge ml.r8i-flex.4xlarge ml.r8i-flex.8xlarge ml.r8i-flex.12xlarge ml.r8i-flex.16xlarge"), var.default_instance_type)
    error_message = "The default_instance_type must be a SageMaker Processing instance type (the ProcessingInstanceType values of the SageMaker API), e.g. ml.m5.xlarge."
  }
}

variable "default_volume_size" {
  description = "Storage volume of every step, in GB, unless the model sets it (the original pattern's volume_size)."
  type        = number
  default     = 30

  validation {
    condition     = floor(var.default_volume_size) == var.default_volume_size && var.default_volume_size >= 1 && var.default_volume_size <= 16384
    error_message = "The default_volume_size must be a whole number of GB from 1 to 16384."
  }
}

variable "default_max_runtime" {
  description = "Maximum runtime of every step, in seconds, unless the model sets it (the original pattern's max_runtime)."
  type        = number
  default     = 3600

  validation {
    condition     = floor(var.default_max_runtime) == var.default_max_runtime && var.default_max_runtime >= 1 && var.default_max_runtime <= 777600
    error_message = "The default_max_runtime must be a whole number of seconds from 1 to 777600."
  }
}

variable "allow_mutable_image_tags" {
  description = "Accept image URIs that are not pinned by digest (@sha256:...). Only `invoke run-local` sets true: its local tags are content hashes but not registry digests."
  type        = bool
  default     = false
}

variable "enable_generic_workflow" {
  description = "Also render the original pattern's generic definition: one shared state machine that takes every parameter from the execution input (PreProcessing, Inference, PostProcessing objects)."
  type        = bool
  default     = false
}

variable "generic_pass_role_arns" {
  description = "Further SageMaker execution roles (besides sagemaker_role_arn) that executions of the generic workflow may name in RoleArn. PassRole is granted to these ARNs only."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.generic_pass_role_arns : can(regex("^arn:[a-z-]+:iam::[0-9]{12}:role/[^*?]+$", arn))])
    error_message = "Every generic_pass_role_arns entry must be an IAM role ARN without wildcards."
  }
}

variable "aws_partition" {
  description = "AWS partition for the ARNs in the rendered policies (`aws`, `aws-cn`, `aws-us-gov`)."
  type        = string
  default     = "aws"

  validation {
    condition     = can(regex("^aws(-[a-z]+)*$", var.aws_partition))
    error_message = "The aws_partition must be an AWS partition such as aws, aws-cn or aws-us-gov."
  }
}

variable "aws_region" {
  description = "AWS region for the ARNs in the rendered policies, e.g. eu-west-1."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "The aws_region must be an AWS region name such as eu-west-1."
  }
}

variable "aws_account_id" {
  description = "AWS account ID (12 digits) for the ARNs in the rendered policies."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "The aws_account_id must be 12 digits."
  }
}

variable "ecr_repository_prefix" {
  description = "Prefix of the models' ECR repositories: a model's repository is <prefix><model>."
  type        = string
  default     = "legacylift/"

  validation {
    condition     = length(var.ecr_repository_prefix) > 0 && can(regex("^([a-z0-9]+([._-][a-z0-9]+)*/)*([a-z0-9]+([._-][a-z0-9]+)*[/-]?)?$", var.ecr_repository_prefix))
    error_message = "The ecr_repository_prefix must be lowercase repository path segments, usually ending with /, e.g. legacylift/. It may not be empty: the models' repositories need a namespace of their own (legacylift-<workspace>/ where workspaces share an account)."
  }
}

variable "kms_key_arn" {
  description = "ARN of a KMS key encrypting data, volumes and logs; when set, the rendered definitions and policies use it. Null for AWS-managed encryption."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:[a-z-]+:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$", var.kms_key_arn))
    error_message = "The kms_key_arn must be null or a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); aliases are not accepted because IAM cannot scope them."
  }
}

variable "extra_input_s3_uris" {
  description = "S3 prefixes outside data_bucket that executions read input from (e.g. s3://other-bucket/legacycode/data/). The SageMaker policy grants read on these only."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for uri in var.extra_input_s3_uris : can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^*?]*)?$", uri))])
    error_message = "Every extra_input_s3_uris entry must be an s3://bucket/prefix URI without wildcards."
  }
}

variable "restrict_output_uri" {
  description = "Refuse (LegacyLift.InvalidInput) an execution of a model's workflow whose output_uri is not under the model's own output area, `s3://<data_bucket>/<model>/output/`, or an extra_output_s3_uris location: what its role may write, less `<model>/runs/`, where another run's intermediate data lives. A schedule writing elsewhere is refused at plan. The root module sets it; off (the default), any s3:// output_uri is accepted, as `run-local --output` needs."
  type        = bool
  default     = false
}

variable "evaluation_data_uris" {
  description = "Map of model name to the S3 folder its training workflow always evaluates on, `s3://<data_bucket>/<model>/input/<folder>/` (the hold-out data). For such a model an execution input naming evaluation_uri, or a training input_uri inside that folder, is refused (LegacyLift.InvalidInput); its Train role may not read the folder (an explicit Deny) and its Evaluate role reads that folder alone of the model's input. Models absent: the caller picks the evaluation data (without one, the training data, said in the run's output and record). Entries for models this stack does not hold are ignored (a split deployment's model stacks share one map)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for uri in values(var.evaluation_data_uris) : can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^*?]+/$", uri))])
    error_message = "Every evaluation_data_uris value must be an s3://bucket/folder/ URI ending with '/' and without wildcards."
  }
}

variable "extra_output_s3_uris" {
  description = "S3 prefixes outside data_bucket that executions write output to. The SageMaker policy grants write on these only."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for uri in var.extra_output_s3_uris : can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^*?]*)?$", uri))])
    error_message = "Every extra_output_s3_uris entry must be an s3://bucket/prefix URI without wildcards."
  }
}

variable "enable_xray_tracing" {
  description = "Grant the state machine roles the X-Ray actions tracing needs (set when the state machine enables tracing)."
  type        = bool
  default     = false
}

variable "generic_image_repositories" {
  description = "ECR repositories the generic workflow's jobs may pull images from besides the framework image's (an execution input's ImageUri naming e.g. the repository a studio build pushed): names in this account and region (`sagemakerstudio`) or repository ARNs."
  type        = list(string)
  default     = []

  validation {
    condition = alltrue([for repository in var.generic_image_repositories :
      can(regex("^arn:[a-z-]+:ecr:[a-z0-9-]+:[0-9]{12}:repository/[a-z0-9]+([._/-][a-z0-9]+)*$", repository)) || can(regex("^[a-z0-9]+([._/-][a-z0-9]+)*$", repository))
    ])
    error_message = "Every generic_image_repositories entry must be an ECR repository name (e.g. sagemakerstudio) or repository ARN, without wildcards."
  }
}

variable "generic_s3_uris" {
  description = "S3 prefixes (s3://bucket/prefix/) the generic workflow's jobs may read and write, so that one step's output can be the next step's input; the data bucket's `_generic/` area always is."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for uri in var.generic_s3_uris : can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^*?]*)?$", uri))])
    error_message = "Every generic_s3_uris entry must be an s3://bucket/prefix URI without wildcards."
  }
}

variable "generic_allow_entrypoint_override" {
  description = "Let the generic workflow's execution input set a step's ContainerEntrypoint. Off: the entrypoint is fixed (python3 and the step's script) and an input setting it is refused, since whoever may start an execution would otherwise run any command as the execution role."
  type        = bool
  default     = false
}

variable "generic_allow_network_override" {
  description = "Let the generic workflow's execution input set a step's EnableNetworkIsolation. Off: network isolation is always on and an input setting it is refused."
  type        = bool
  default     = false
}

variable "processing_job_log_group_managed" {
  description = "The /aws/sagemaker/ProcessingJobs log group is created by Terraform (the root module's manage_processing_job_log_group), so the execution roles get no logs:CreateLogGroup."
  type        = bool
  default     = false
}

variable "step_runner_uri" {
  description = "S3 folder holding files/steprunner.py (the root module uploads it content-hashed). Required when a model has a training workflow or inference.artifacts = \"promoted\": the runner stages and collects artifacts and checks the metrics around the unchanged legacy scripts."
  type        = string
  default     = null

  validation {
    condition     = var.step_runner_uri == null || can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^*?]*/$", var.step_runner_uri))
    error_message = "The step_runner_uri must be an s3://bucket/prefix/ folder URI ending with /."
  }
}
