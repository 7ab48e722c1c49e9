# Fan-out: a model whose `fan_out` is set runs its whole chain once per batch of one input, as
# a Map state over the batches (docs/guide.md "Many batches"; docs/contracts.md section 3).
#
# The chain each batch runs is the model's own workflow, rendered by the model template exactly
# as for a single run, with two references redirected: the run prefix comes from the batch
# (`<run prefix>batches/<batch id>/`), and per-run overrides from the parent's input
# (`$.overrides`, which a Distributed Map's child cannot read as $$.Execution.Input).
# The optional combine step is rendered by the same template as a one-step workflow, whose
# input is every batch's output.
#
# Distributed Map children are STANDARD workflows: each batch waits for its processing jobs
# with createProcessingJob.sync, which Express workflows do not support (they allow request-
# response integrations only, and last at most five minutes).
locals {
  fan_out_settings = { for name, model in local.built_models : name => {
    split                        = lookup(var.models[name].fan_out, "split", "prefix")
    mode                         = lookup(var.models[name].fan_out, "mode", "distributed")
    max_concurrency              = tonumber(lookup(var.models[name].fan_out, "max_concurrency", 10))
    tolerated_failures           = lookup(var.models[name].fan_out, "tolerated_failures", null)
    tolerated_failure_percentage = lookup(var.models[name].fan_out, "tolerated_failure_percentage", null)
    objects_per_batch            = tonumber(lookup(var.models[name].fan_out, "objects_per_batch", 1))
    combine                      = lookup(var.models[name].fan_out, "combine", null)
  } if lookup(var.models[name], "fan_out", null) != null }

  # Inline Maps take their batches from one ListObjectsV2 page (at most 1000 keys), as do
  # sub-prefix batches in either mode; a Distributed Map over objects reads them with its own
  # S3 ItemReader, which pages through any number.
  fan_out_list_batches = { for name, fan_out in local.fan_out_settings : name => fan_out.mode == "inline" || fan_out.split == "prefix" }

  # The combine step, normalised as main.tf normalises the model's steps.
  fan_out_combine = { for name, fan_out in local.fan_out_settings : name => {
    key            = "combine"
    state_name     = "Combine"
    next           = "Done"
    job_name_expr  = "States.Format('${local.built_models[name].job_name_prefix}-cmb-{}', ${local.uuid_suffix})"
    image_uri      = lookup(fan_out.combine, "image", "framework") == "model" ? local.built_models[name].image_uri : var.framework_image_uri
    entrypoint     = lookup(fan_out.combine, "entrypoint", "script") == "image" ? null : ["python3", "${local.code_dir[lookup(fan_out.combine, "image", "framework")]}/${lookup(fan_out.combine, "script", "combine.py")}"]
    arguments      = lookup(fan_out.combine, "arguments", null)
    input_path     = lookup(fan_out.combine, "input_path", local.default_input_path)
    output_path    = lookup(fan_out.combine, "output_path", local.default_output_path)
    instance_count = tonumber(lookup(fan_out.combine, "instance_count", 1))
    inputs_path    = null
    code_uri       = lookup(fan_out.combine, "image", "framework") == "framework" ? lookup(local.built_models[name].code_uris, "combine", "") : null
    input_expr     = "States.Format('{}batches/', $.output_uri)"
    output_expr    = "States.Format('{}combined/', $.output_uri)"
    settings_path  = "$.settings.combine"
    environment    = merge(tomap(lookup(lookup(var.models[name], "defaults", {}), "environment", {})), tomap(lookup(fan_out.combine, "environment", {})))
    network        = tobool(lookup(fan_out.combine, "network", lookup(lookup(var.models[name], "defaults", {}), "network", false)))
    data_type      = "S3Prefix"
    tags = [
      { Key = "legacylift:model", Value = name },
      { Key = "legacylift:step", Value = "combine" },
    ]
    pinned = {
      instance_type = lookup(fan_out.combine, "instance_type", lookup(lookup(var.models[name], "defaults", {}), "instance_type", var.default_instance_type))
      volume_size   = tonumber(lookup(fan_out.combine, "volume_size", lookup(lookup(var.models[name], "defaults", {}), "volume_size", var.default_volume_size)))
      max_runtime   = tonumber(lookup(fan_out.combine, "max_runtime", lookup(lookup(var.models[name], "defaults", {}), "max_runtime", var.default_max_runtime)))
    }
  } if fan_out.combine != null }

  fan_out_combine_rendered = { for name, step in local.fan_out_combine : name => jsondecode(replace(templatefile("${path.module}/templates/model.asl.json.tftpl", {
    comment          = "combine"
    promoted_inputs  = null
    bucket           = var.data_bucket
    record_key       = "${name}/models/promoted.json"
    s3_retry         = local.s3_retry
    steps            = [step]
    tasks            = { (step.state_name) = local.processing_task_states["${name}/${step.state_name}"] }
    pinned           = { combine = step.pinned }
    pinned_settings  = local.pinned_settings_states["${name}/combine"]
    override_choices = local.override_choices
    run_prefix       = "s3://${var.data_bucket}/${name}/runs/{}/"
    output_patterns  = null # the combine step's states only; the run's ValidateInput is the chain's
  }), "/\\n\\s*/", "")) }

  # Each batch's chain: the model's own workflow, its run prefix and overrides redirected.
  fan_out_children = { for name, fan_out in local.fan_out_settings : name => jsondecode(replace(replace(
    local.rendered_definitions[name],
    "States.Format('s3://${var.data_bucket}/${name}/runs/{}/', $$.Execution.Name)", "$.batch_run_prefix"),
    "$$.Execution.Input", "$.overrides",
  )) }

  fan_out_templates = { for name, fan_out in local.fan_out_settings : name => {
    comment          = "LegacyLift fan-out workflow of model ${name}: for each batch (${fan_out.split == "prefix" ? "sub-prefix" : "object"}) of input_uri, ${join(", then ", local.built_models[name].steps)}${fan_out.combine != null ? "; then combine" : ""}"
    split            = fan_out.split
    mode             = fan_out.mode
    list_batches     = local.fan_out_list_batches[name]
    max_concurrency  = fan_out.max_concurrency
    tolerated_count  = fan_out.tolerated_failures
    tolerated_pct    = fan_out.tolerated_failure_percentage
    run_prefix_base  = "s3://${var.data_bucket}/${name}/runs/"
    child_states     = local.fan_out_children[name].States
    child_start      = local.fan_out_children[name].StartAt
    validate_state   = local.fan_out_children[name].States.ValidateInput
    invalid_state    = local.fan_out_children[name].States.InvalidInput
    combine_states   = { for key, state in try(local.fan_out_combine_rendered[name].States, {}) : key => jsonencode(state) if !contains(["ValidateInput", "InvalidInput", "PinnedSettings", "ResolveSettings", "Done"], key) }
    combine_settings = fan_out.combine != null ? local.fan_out_combine[name].pinned : null
    # N objects per batch: a Distributed Map's ItemBatcher groups the ItemReader's objects;
    # each batch writes its manifest, which its first step reads (main.tf's data_type).
    objects_per_batch = fan_out.objects_per_batch
    s3_retry          = local.s3_retry
    kms_key_arn       = var.kms_key_arn
  } }

  fan_out_rendered = { for name, template in local.fan_out_templates : name => replace(templatefile("${path.module}/templates/fan_out.asl.json.tftpl", template), "/\\n\\s*/", "") }

  # The state machine role of a fan-out model also runs its own child workflows (Distributed
  # Map), lists and reads the batches, writes the Map's results (ResultWriter) and, with N
  # objects per batch, each batch's manifest.
  fan_out_policy_statements = { for name, fan_out in local.fan_out_settings : name => concat(
    fan_out.mode != "distributed" ? [] : [
      {
        Sid      = "DistributedMapStartsItsChildren"
        Effect   = "Allow"
        Action   = ["states:StartExecution"]
        Resource = ["arn:${var.aws_partition}:states:${var.aws_region}:${var.aws_account_id}:stateMachine:${local.state_machine_names[name]}"]
      },
      {
        Sid      = "DistributedMapFollowsItsChildren"
        Effect   = "Allow"
        Action   = ["states:DescribeExecution", "states:StopExecution"]
        Resource = ["arn:${var.aws_partition}:states:${var.aws_region}:${var.aws_account_id}:execution:${local.state_machine_names[name]}/*"]
      },
      {
        Sid      = "DistributedMapRuns"
        Effect   = "Allow"
        Action   = ["states:DescribeMapRun", "states:UpdateMapRun"]
        Resource = ["arn:${var.aws_partition}:states:${var.aws_region}:${var.aws_account_id}:mapRun:${local.state_machine_names[name]}/*"]
      },
      {
        Sid      = "WriteMapResults"
        Effect   = "Allow"
        Action   = ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
        Resource = ["${local.arn_prefix.s3}${var.data_bucket}/${name}/output/*"]
      },
    ],
    [
      {
        # `invoke upload-input` writes under <model>/inputs/, the s3_layout names <model>/input/.
        Sid       = "ListBatches"
        Effect    = "Allow"
        Action    = ["s3:ListBucket"]
        Resource  = ["${local.arn_prefix.s3}${var.data_bucket}"]
        Condition = { StringLike = { "s3:prefix" = ["${name}/input/*", "${name}/inputs/*"] } }
      },
      {
        Sid      = "ReadBatchLists"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = ["${local.arn_prefix.s3}${var.data_bucket}/${name}/input/*", "${local.arn_prefix.s3}${var.data_bucket}/${name}/inputs/*"]
      },
    ],
    fan_out.objects_per_batch == 1 ? [] : [
      {
        # Each batch of N objects writes its manifest (s3:PutObject), under the run prefix
        # alone: `<model>/runs/<execution>/manifests/<batch>.json`.
        Sid      = "WriteBatchManifests"
        Effect   = "Allow"
        Action   = ["s3:PutObject"]
        Resource = ["${local.arn_prefix.s3}${var.data_bucket}/${name}/runs/*/manifests/*"]
      },
    ],
    var.kms_key_arn == null ? [] : [{
      # The ItemReader decrypts the batch lists; the ResultWriter's SSE-KMS uploads (multipart
      # ones included) need a data key and Decrypt: through S3 only, for these objects only.
      Sid      = "MapDataKeyThroughS3"
      Effect   = "Allow"
      Action   = fan_out.mode == "distributed" ? ["kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"]
      Resource = [var.kms_key_arn]
      Condition = {
        StringEquals = { "kms:ViaService" = local.kms_via_s3 }
        StringLike = { "kms:EncryptionContext:aws:s3:arn" = concat(
          ["${local.arn_prefix.s3}${var.data_bucket}", "${local.arn_prefix.s3}${var.data_bucket}/${name}/input/*", "${local.arn_prefix.s3}${var.data_bucket}/${name}/inputs/*"],
          fan_out.mode == "distributed" ? ["${local.arn_prefix.s3}${var.data_bucket}/${name}/output/*"] : [],
          fan_out.objects_per_batch == 1 ? [] : ["${local.arn_prefix.s3}${var.data_bucket}/${name}/runs/*/manifests/*"],
        ) }
      }
    }],
  ) }

  fan_out_job_arns = { for name, fan_out in local.fan_out_combine : name => [
    "${local.arn_prefix.sagemaker}:processing-job/${local.built_models[name].job_name_prefix}-cmb-${local.job_suffix_pattern}"
  ] }
}
