locals {
  # The canonical order of the steps, and what each needs to become a processing job.
  step_order = ["preprocessing", "inference", "postprocessing"]
  step_abbreviation = {
    preprocessing  = "pre"
    inference      = "inf"
    postprocessing = "pos"
  }
  step_script = {
    preprocessing  = "preprocessing.py"
    inference      = "predict.py"
    postprocessing = "postprocessing.py"
  }
  step_state_name = {
    preprocessing  = "Preprocessing"
    inference      = "Inference"
    postprocessing = "Postprocessing"
  }
  # Where a step finds its script: the model image holds the model folder at /opt/ml/code
  # (docs/contracts.md section 4); script mode stages the script from code_uri.
  code_dir = {
    model     = "/opt/ml/code"
    framework = "/opt/ml/processing/input/code"
  }
  default_input_path  = "/opt/ml/processing/input/data"
  default_output_path = "/opt/ml/processing/output"

  # A processing job name is <job_name_prefix>-<step abbreviation>-<12 hex digits of a UUID>:
  # at most 46 + 1 + 3 + 1 + 12 = 63 characters, SageMaker's limit. A longer
  # "<name_prefix>-<model>" is cut and made unique again with a hash of the whole.
  job_name_prefix_max = 46
  job_suffix_pattern  = "????????????" # IAM `?` matches one character: exactly the 12 hex digits

  # Each model normalised in ONE pass whose loop body reads only the model itself: referring to
  # another whole local (e.g. local.x[name]) inside a per-model loop makes Terraform's
  # evaluation quadratic in the number of models (measured: benchmarks/results/render_workflow.md).
  # Omitted fields fall back: the step's setting, then the model's defaults, then the module's.
  models = { for name, model in var.models : name => {
    image_uri = lookup(model, "image_uri", null)
    code_uris = lookup(model, "code_uris", {})
    steps     = lookup(model, "steps", null) == null ? local.step_order : [for step in local.step_order : step if contains(model.steps, step)]
    # A fan-out of N objects per batch (fan_out.tf): the first step reads its batch through
    # the manifest the batch's workflow writes (S3DataType ManifestFile).
    manifest_input = tonumber(try(model.fan_out.objects_per_batch, 1)) > 1
    job_name_prefix = (length("${var.name_prefix}-${name}") <= local.job_name_prefix_max
      ? "${var.name_prefix}-${name}"
    : "${substr("${var.name_prefix}-${name}", 0, local.job_name_prefix_max - 9)}-${substr(md5("${var.name_prefix}-${name}"), 0, 8)}")
    settings = { for step in local.step_order : step => {
      image         = step == "inference" ? "model" : lookup(lookup(model, step, {}), "image", lookup(lookup(model, "defaults", {}), "image", "framework"))
      instance_type = lookup(lookup(model, step, {}), "instance_type", lookup(lookup(model, "defaults", {}), "instance_type", var.default_instance_type))
      volume_size   = tonumber(lookup(lookup(model, step, {}), "volume_size", lookup(lookup(model, "defaults", {}), "volume_size", var.default_volume_size)))
      max_runtime   = tonumber(lookup(lookup(model, step, {}), "max_runtime", lookup(lookup(model, "defaults", {}), "max_runtime", var.default_max_runtime)))
      environment   = merge(tomap(lookup(lookup(model, "defaults", {}), "environment", {})), tomap(lookup(lookup(model, step, {}), "environment", {})))
      network       = tobool(lookup(lookup(model, step, {}), "network", lookup(lookup(model, "defaults", {}), "network", false)))
      # How the step runs (model.toml's step keys; contracts section 1): its own script,
      # arguments and LocalPaths, or the image's own ENTRYPOINT/CMD.
      script      = lookup(lookup(model, step, {}), "script", local.step_script[step])
      arguments   = lookup(lookup(model, step, {}), "arguments", null)
      input_path  = lookup(lookup(model, step, {}), "input_path", local.default_input_path)
      output_path = lookup(lookup(model, step, {}), "output_path", local.default_output_path)
      entrypoint  = lookup(lookup(model, step, {}), "entrypoint", "script")
      # Several instances, each with its ShardedByS3Key share of the data input.
      instance_count = tonumber(lookup(lookup(model, step, {}), "instance_count", 1))
      # Inference may load the training workflow's promoted artifacts (training.tf).
      promoted = step == "inference" && lookup(lookup(model, step, {}), "artifacts", "image") == "promoted"
    } }
  } }

  job_name_prefixes = { for name, model in local.models : name => model.job_name_prefix }

  # Models with image_uri = null are "not built yet": their repository exists, no workflow.
  built_models = { for name, model in local.models : name => model if model.image_uri != null }

  state_machine_names = { for name, model in local.built_models : name => "${var.name_prefix}-${name}" }
  model_steps         = { for name, model in local.built_models : name => model.steps }

  # Script-mode steps need the uploaded script's S3 URI; its absence is an error naming the model.
  missing_code_uris = flatten([for name, model in local.built_models : [
    for step in model.steps : "${name}.code_uris.${step}" if model.settings[step].image == "framework" && lookup(model.code_uris, step, null) == null
  ]])

  mutable_images = [for name, model in local.built_models : name if length(regexall("@sha256:[0-9a-f]{64}$", model.image_uri)) == 0]

  # Retry on SageMaker's transient errors. Step Functions names an AWS SDK exception of an
  # optimized integration `SageMaker.<ExceptionClass>`: throttling (ThrottlingException) and
  # internal errors (InternalFailure, ServiceUnavailable) are not modelled exceptions and reach
  # the state machine as SageMaker.AmazonSageMakerException; a full account quota of instances
  # or concurrent jobs is SageMaker.ResourceLimitExceededException. A job that fails on
  # capacity (CapacityError), on an internal error or in its script surfaces as
  # States.TaskFailed with SageMaker's FailureReason in the cause. No Catch handles it: the
  # Task itself is the run's failed state, which RedriveExecution starts again (a Catch into a
  # Fail state would make the Fail state the one a redrive restarts, and fail again at once).
  # Each attempt evaluates Parameters again, so a retry or a redrive gets a fresh job name.
  retry = [
    {
      ErrorEquals     = ["SageMaker.AmazonSageMakerException"]
      IntervalSeconds = 10
      MaxAttempts     = 6
      BackoffRate     = 2
      MaxDelaySeconds = 300
      JitterStrategy  = "FULL"
    },
    {
      ErrorEquals     = ["SageMaker.ResourceLimitExceededException"]
      IntervalSeconds = 60
      MaxAttempts     = 5
      BackoffRate     = 2
      MaxDelaySeconds = 900
      JitterStrategy  = "FULL"
    },
  ]

  # The unique part of a job name: the last group of a version 4 UUID (48 random bits),
  # lowercase hex as SageMaker's lowercased ARNs and the IAM pattern expect.
  uuid_suffix = "States.ArrayGetItem(States.StringSplit(States.UUID(), '-'), 4)"

  # What the template needs per model, again from the model alone.
  workflows = { for name, model in local.built_models : name => {
    comment = "LegacyLift workflow of model ${name}: ${join(", then ", model.steps)}"
    pinned = { for step in model.steps : step => {
      instance_type = model.settings[step].instance_type
      volume_size   = model.settings[step].volume_size
      max_runtime   = model.settings[step].max_runtime
    } }
    run_prefix    = "s3://${var.data_bucket}/${name}/runs/{}/"
    promoted_step = [for step in model.steps : local.step_state_name[step] if model.settings[step].promoted]
    record_key    = "${name}/models/promoted.json"
    # The model's execution role, as model_grants (policies.tf) names it.
    role_arn          = var.sagemaker_role_arn != null ? var.sagemaker_role_arn : "arn:${var.aws_partition}:iam::${var.aws_account_id}:role/${model.job_name_prefix}-sagemaker"
    environment_chars = sum(concat([0], flatten([for step in model.steps : [for key, value in model.settings[step].environment : length(key) + length(value)]])))
    steps = [for index, step in model.steps : {
      key           = step
      state_name    = local.step_state_name[step]
      next          = index + 1 < length(model.steps) ? local.step_state_name[model.steps[index + 1]] : "Done"
      job_name_expr = "States.Format('${model.job_name_prefix}-${local.step_abbreviation[step]}-{}', ${local.uuid_suffix})"
      image_uri     = model.settings[step].image == "model" ? model.image_uri : var.framework_image_uri
      # entrypoint = "image": no ContainerEntrypoint, the image's own ENTRYPOINT/CMD runs. A
      # step on promoted artifacts runs its script under the step runner (training.tf).
      entrypoint = model.settings[step].entrypoint == "image" ? null : concat(
        model.settings[step].promoted ? ["python3", "${local.runner_dir}/steprunner.py", "--overlay", local.staged_artifact_dir, "--"] : [],
        ["python3", "${local.code_dir[model.settings[step].image]}/${model.settings[step].script}"],
      )
      # A step loading promoted artifacts gets its inputs from the state data, where
      # UsePromotedArtifacts or UseImageArtifacts put them (with or without the artifacts).
      inputs_path    = model.settings[step].promoted ? "$.staging.inputs" : null
      arguments      = model.settings[step].arguments
      input_path     = model.settings[step].input_path
      output_path    = model.settings[step].output_path
      data_type      = index == 0 && model.manifest_input ? "ManifestFile" : "S3Prefix"
      instance_count = model.settings[step].instance_count
      code_uri       = model.settings[step].image == "framework" ? lookup(model.code_uris, step, "") : null
      # The first step reads the execution's input_uri, the last writes its output_uri; the
      # others meet under s3://<bucket>/<model>/runs/<execution name>/<step>/.
      input_expr    = index == 0 ? "$.input_uri" : "States.Format('{}${model.steps[index - 1]}/', $.run_prefix)"
      output_expr   = index + 1 == length(model.steps) ? "$.output_uri" : "States.Format('{}${step}/', $.run_prefix)"
      settings_path = "$.settings.${step}"
      environment   = model.settings[step].environment
      network       = model.settings[step].network
      tags = [
        { Key = "legacylift:model", Value = name },
        { Key = "legacylift:step", Value = step },
      ]
    }]
  } }

  # The template is indented for people; the state machine gets it without line breaks and
  # indentation (JSON strings hold no raw line breaks: jsonencode escapes them), which also
  # makes decoding, state and plan cheaper.
  rendered_definitions = { for name, workflow in local.workflows : name => replace(templatefile("${path.module}/templates/model.asl.json.tftpl", {
    comment          = workflow.comment
    promoted_inputs  = length(workflow.promoted_step) == 0 ? null : local.promoted_inputs[name]
    bucket           = var.data_bucket
    record_key       = workflow.record_key
    s3_retry         = local.s3_retry
    steps            = workflow.steps
    tasks            = { for step in workflow.steps : step.state_name => local.processing_task_states["${name}/${step.state_name}"] }
    pinned           = workflow.pinned
    pinned_settings  = local.pinned_settings_states[name]
    override_choices = local.override_choices
    run_prefix       = workflow.run_prefix
    output_patterns  = var.restrict_output_uri ? local.output_patterns[name] : null
  }), "/\\n\\s*/", "") }

  # Decoding in Terraform makes a template that renders invalid JSON fail at plan, not at apply.
  # The rendered text itself is what the state machine receives.
  # A fan-out model's state machine runs its rendered chain once per batch (fan_out.tf).
  model_definitions       = merge(local.rendered_definitions, local.fan_out_rendered)
  definition_start_states = { for name, text in local.model_definitions : name => jsondecode(text).StartAt }
  definitions             = length(local.definition_start_states) == length(local.model_definitions) ? local.model_definitions : {}

  # Step Functions limits a definition to 1 MB of UTF-8. What can make one large is the
  # environment (every other value is short and fixed in number), so only a definition whose
  # environment could pass the limit is measured: at most 6 bytes per character once
  # JSON-escaped, beside at most 64 KiB of the rest. Measuring is in bytes, through base64
  # (4 characters per 3 bytes, less the padding): Terraform's length() counts characters, and
  # costs time per model on every definition.
  definition_limit_bytes = 1048576
  definitions_to_measure = merge(
    { for name, workflow in local.workflows : name => local.definitions[name] if workflow.environment_chars * 6 + 65536 > local.definition_limit_bytes },
    local.generic_definition == null ? {} : { "(generic)" = local.generic_definition },
  )
  oversized_definitions = [for name, text in local.definitions_to_measure :
    "${name} (${length(base64encode(text)) / 4 * 3 - length(regexall("=", substr(base64encode(text), -2, 2)))} bytes)"
    if length(base64encode(text)) / 4 * 3 - length(regexall("=", substr(base64encode(text), -2, 2))) > local.definition_limit_bytes
  ]
}

# Checks whose messages must name the offending model, which a variable validation block cannot
# do on Terraform 1.0.3 (static messages, no access to other variables): each check is true
# when nothing offends, else tobool() of the message fails the plan and shows the message.
locals {
  # Shared locations (policies.tf) never reach into the data bucket, whose areas are granted
  # per model, per workflow and to the training state machines alone.
  data_bucket_locations = [for uri in concat(var.extra_input_s3_uris, var.extra_output_s3_uris, var.generic_s3_uris) : uri
    if regex("^s3://([^/]+)", uri)[0] == var.data_bucket
  ]

  # Where an execution's output_uri may point with restrict_output_uri (StringMatches patterns):
  # the model's own output area and the extra output locations, as its role's write grants.
  output_patterns = { for name in keys(var.models) : name => concat(
    ["s3://${var.data_bucket}/${name}/output/*"],
    [for uri in var.extra_output_s3_uris : "${uri}*"],
  ) }
  # A schedule's output template must name such a place too, or every scheduled run is refused.
  schedule_outputs = { for name, model in var.models : name => tostring(try(model.schedule.output, "")) if try(model.schedule.output, null) != null }
  misplaced_schedule_outputs = var.restrict_output_uri ? [for name, output in local.schedule_outputs : name
    if length([for prefix in concat(
      ["s3://{bucket}/{model}/output/", "s3://{bucket}/${name}/output/", "s3://${var.data_bucket}/{model}/output/", "s3://${var.data_bucket}/${name}/output/"],
      var.extra_output_s3_uris,
    ) : prefix if substr(output, 0, min(length(prefix), length(output))) == prefix]) == 0
  ] : []

  checks = {
    schedule_outputs = length(local.misplaced_schedule_outputs) == 0 ? true : tobool(
      "ERROR: the schedule output of ${join(", ", local.misplaced_schedule_outputs)} is outside the model's output area: use s3://{bucket}/{model}/output/... in its [schedule] output, or add the location to extra_output_s3_uris."
    )
    mutable_image_tags = var.allow_mutable_image_tags || length(local.mutable_images) == 0 ? true : tobool(
      "ERROR: models ${join(", ", local.mutable_images)}: image_uri is not pinned by digest (@sha256:...). Pin it with `invoke build-model`, or set allow_mutable_image_tags = true (local runs only)."
    )
    code_uris = length(local.missing_code_uris) == 0 ? true : tobool(
      "ERROR: ${join(", ", local.missing_code_uris)} missing: script-mode steps (image = \"framework\") need the S3 URI of their uploaded script in models.<name>.code_uris."
    )
    shared_locations = length(local.data_bucket_locations) == 0 ? true : tobool(
      "ERROR: ${join(", ", local.data_bucket_locations)}: extra_input_s3_uris, extra_output_s3_uris and generic_s3_uris may not name the data bucket ${var.data_bucket} (it would give every role its other models' areas, promotion records, code and sealed artifacts): each model's areas and the generic workflow's _generic/ are granted already; name a prefix in another bucket."
    )
    definition_size = length(local.oversized_definitions) == 0 ? true : tobool(
      "ERROR: the state machine definitions of ${join(", ", local.oversized_definitions)} exceed Step Functions' 1 MB limit: shorten the environment values."
    )
  }
}
