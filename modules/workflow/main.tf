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

  # A processing job name is <job_name_prefix>-<step abbreviation>-<12 hex digits of a UUID>:
  # at most 46 + 1 + 3 + 1 + 12 = 63 characters, SageMaker's limit. A longer
  # "<name_prefix>-<model>" is cut and made unique again with a hash of the whole.
  job_name_prefix_max = 46
  job_suffix_pattern  = "????????????" # IAM `?` matches one character: exactly the 12 hex digits

  # Models with image_uri = null are "not built yet": their repository exists, no workflow.
  built_models = { for name, model in var.models : name => model if try(model.image_uri, null) != null }

  job_name_prefixes = { for name in keys(var.models) : name => (
    length("${var.name_prefix}-${name}") <= local.job_name_prefix_max
    ? "${var.name_prefix}-${name}"
    : "${substr("${var.name_prefix}-${name}", 0, local.job_name_prefix_max - 9)}-${substr(md5("${var.name_prefix}-${name}"), 0, 8)}"
  ) }

  state_machine_names = { for name in keys(local.built_models) : name => "${var.name_prefix}-${name}" }

  # Every setting resolved per model and step: step, then the model's defaults, then the module's.
  model_steps = { for name, model in local.built_models : name => (
    try(model.steps, null) == null ? local.step_order : [for step in local.step_order : step if contains(model.steps, step)]
  ) }

  step_settings = { for name, model in local.built_models : name => { for step in local.model_steps[name] : step => {
    image         = step == "inference" ? "model" : try(model[step].image, model.defaults.image, "framework")
    instance_type = try(model[step].instance_type, model.defaults.instance_type, var.default_instance_type)
    volume_size   = tonumber(try(model[step].volume_size, model.defaults.volume_size, var.default_volume_size))
    max_runtime   = tonumber(try(model[step].max_runtime, model.defaults.max_runtime, var.default_max_runtime))
    environment   = merge(try(tomap(model.defaults.environment), {}), try(tomap(model[step].environment), {}))
    network       = tobool(try(model[step].network, model.defaults.network, false))
  } } }

  # Script-mode steps need the uploaded script's S3 URI; its absence is an error naming the model.
  missing_code_uris = flatten([for name, steps in local.step_settings : [
    for step, settings in steps : "${name}.code_uris.${step}" if settings.image == "framework" && try(local.built_models[name].code_uris[step], null) == null
  ]])

  mutable_images = [for name, model in local.built_models : name if length(regexall("@sha256:[0-9a-f]{64}$", model.image_uri)) == 0]

  # Retry on SageMaker's transient errors. Step Functions names an AWS SDK exception of an
  # optimized integration `SageMaker.<ExceptionClass>`: throttling (ThrottlingException) and
  # internal errors (InternalFailure, ServiceUnavailable) are not modelled exceptions and reach
  # the state machine as SageMaker.AmazonSageMakerException; a full account quota of instances
  # or concurrent jobs is SageMaker.ResourceLimitExceededException. A job that fails on
  # capacity (CapacityError) or on an internal error surfaces as States.TaskFailed with
  # SageMaker's FailureReason in the cause: a Choice after the Catch starts those again, up to
  # once per entry of transient_waits (seconds), and fails the run on any other cause.
  # Each attempt evaluates Parameters again, so a retry gets a fresh job name.
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

  transient_failure_patterns = ["*CapacityError*", "*InternalServerError*"]
  transient_waits            = [60, 300, 900]

  # The unique part of a job name: the last group of a version 4 UUID (48 random bits),
  # lowercase hex as SageMaker's lowercased ARNs and the IAM pattern expect.
  uuid_suffix = "States.ArrayGetItem(States.StringSplit(States.UUID(), '-'), 4)"

  steps_rendered = { for name, steps in local.step_settings : name => [
    for index, step in local.model_steps[name] : {
      key             = step
      state_name      = local.step_state_name[step]
      fail_state      = "${local.step_state_name[step]}Failed"
      transient_state = "${local.step_state_name[step]}TransientFailure"
      delay_state     = "${local.step_state_name[step]}RetryDelay"
      wait_state      = "${local.step_state_name[step]}WaitForCapacity"
      next            = index + 1 < length(local.model_steps[name]) ? local.step_state_name[local.model_steps[name][index + 1]] : "Done"
      job_name_expr   = "States.Format('${local.job_name_prefixes[name]}-${local.step_abbreviation[step]}-{}', ${local.uuid_suffix})"
      image_uri       = steps[step].image == "model" ? local.built_models[name].image_uri : var.framework_image_uri
      entrypoint      = ["python3", "${local.code_dir[steps[step].image]}/${local.step_script[step]}"]
      code_uri        = steps[step].image == "framework" ? try(local.built_models[name].code_uris[step], "") : null
      # The first step reads the execution's input_uri, the last writes its output_uri; the
      # others meet under s3://<bucket>/<model>/runs/<execution name>/<step>/.
      input_expr = index == 0 ? "$.input_uri" : "States.Format('{}${local.model_steps[name][index - 1]}/', $.run_prefix)"
      output_expr = (index + 1 == length(local.model_steps[name]) ? "$.output_uri"
      : "States.Format('{}${step}/', $.run_prefix)")
      settings_path = "$.settings.${step}"
      environment   = steps[step].environment
      network       = steps[step].network
      tags = [
        { Key = "legacylift:model", Value = name },
        { Key = "legacylift:step", Value = step },
      ]
    }
  ] }

  pinned_settings = { for name, steps in local.step_settings : name => {
    for step, settings in steps : step => {
      instance_type = settings.instance_type
      volume_size   = settings.volume_size
      max_runtime   = settings.max_runtime
    }
  } }

  rendered_definitions = { for name, steps in local.steps_rendered : name => templatefile("${path.module}/templates/model.asl.json.tftpl", {
    comment                    = "LegacyLift workflow of model ${name}: ${join(", then ", local.model_steps[name])}"
    model                      = name
    steps                      = steps
    pinned                     = local.pinned_settings[name]
    run_prefix                 = "s3://${var.data_bucket}/${name}/runs/{}/"
    role_arn                   = var.sagemaker_role_arn
    retry                      = local.retry
    transient_failure_patterns = local.transient_failure_patterns
    transient_waits            = local.transient_waits
    kms_key_arn                = var.kms_key_arn
  }) }

  # Decoding in Terraform makes a template that renders invalid JSON fail at plan, not at apply.
  decoded_definitions = { for name, text in local.rendered_definitions : name => jsondecode(text) }

  # Compact, canonical JSON: what the state machine receives (the limit is 1 MB of definition).
  definitions = { for name, document in local.decoded_definitions : name => jsonencode(document) }

  # Step Functions limits a definition to 1 MB of UTF-8. Terraform counts characters, not bytes;
  # base64 counts bytes: 4 characters per 3 bytes, less the padding.
  definition_limit_bytes = 1048576
  definition_bytes = { for name, text in merge(local.definitions, local.generic_definition == null ? {} : { "(generic)" = local.generic_definition }) :
    name => length(base64encode(text)) / 4 * 3 - length(regexall("=", substr(base64encode(text), -2, 2)))
  }
  oversized_definitions = [for name, bytes in local.definition_bytes : "${name} (${bytes} bytes)" if bytes > local.definition_limit_bytes]
}

# Checks whose messages must name the offending model, which a variable validation block cannot
# do on Terraform 1.0.3 (static messages, no access to other variables). Referencing an element
# of an empty list fails with the list shown, so each check is "no offenders" or an error.
locals {
  checks = {
    mutable_image_tags = var.allow_mutable_image_tags || length(local.mutable_images) == 0 ? true : tobool(
      "ERROR: models ${join(", ", local.mutable_images)}: image_uri is not pinned by digest (@sha256:...). Pin it with `invoke build-model`, or set allow_mutable_image_tags = true (local runs only)."
    )
    code_uris = length(local.missing_code_uris) == 0 ? true : tobool(
      "ERROR: ${join(", ", local.missing_code_uris)} missing: script-mode steps (image = \"framework\") need the S3 URI of their uploaded script in models.<name>.code_uris."
    )
    definition_size = length(local.oversized_definitions) == 0 ? true : tobool(
      "ERROR: the state machine definitions of ${join(", ", local.oversized_definitions)} exceed Step Functions' 1 MB limit: shorten the environment values."
    )
  }
}
