# The training workflow: a second state machine per model whose entry has `train`, `evaluate`
# and `promotion` (docs/contracts.md section 3). Train -> Evaluate -> read the metric and the
# promoted model's record -> a Choice -> Promote (an S3 PutObject of the record by Step
# Functions itself) or NotPromoted. The legacy scripts run unchanged on the model's image under
# files/steprunner.py, staged from step_runner_uri, which collects what a training script writes
# into its working directory and checks the evaluation's metrics file.
locals {
  # Where the runner and staged artifacts appear in a job; what a step reads and writes by default.
  runner_dir          = "/opt/ml/processing/input/legacylift"
  staged_artifact_dir = "/opt/ml/processing/input/artifacts"
  metric_summary_name = "legacylift-metric.json"
  # The sealed copies of training artifacts (written only by the training state machines) and
  # how many files one Train step may leave.
  sealed_area        = "_sealed/"
  max_artifact_files = 200
  # The largest magnitude a metric value or basis may have (beyond it: not a plausible metric).
  metric_bound        = "1e15"
  training_steps      = ["train", "evaluate"]
  training_step_state = { train = "Train", evaluate = "Evaluate" }
  training_step_abbr  = { train = "trn", evaluate = "evl" }
  training_script     = { train = "train.py", evaluate = "evaluate.py" }

  # The step runner's ProcessingInput (a placeholder URI only where a check refuses the plan).
  runner_input = {
    InputName = "legacylift"
    S3Input = {
      S3Uri                  = coalesce(var.step_runner_uri, "s3://${var.data_bucket}/-")
      LocalPath              = local.runner_dir
      S3DataType             = "S3Prefix"
      S3InputMode            = "File"
      S3DataDistributionType = "FullyReplicated"
    }
  }

  # Models with all three sections; a model with only some of them is refused by a check below.
  trained_models = { for name, model in local.built_models : name => model if contains(keys(var.models[name]), "train") }
  training_sections_incomplete = [for name, model in var.models : name
    if length(setintersection(keys(model), ["train", "evaluate", "promotion"])) > 0 && length(setintersection(keys(model), ["train", "evaluate", "promotion"])) < 3
  ]

  # The promotion rule per model, normalised: threshold and min_improvement null when absent.
  promotion = { for name, model in var.models : name => {
    metric          = tostring(lookup(lookup(model, "promotion", {}), "metric", "accuracy"))
    metrics_file    = tostring(lookup(lookup(model, "promotion", {}), "metrics_file", "metrics.json"))
    direction       = tostring(lookup(lookup(model, "promotion", {}), "direction", "higher"))
    threshold       = lookup(lookup(model, "promotion", {}), "threshold", null) == null ? null : tonumber(model.promotion.threshold)
    min_improvement = lookup(lookup(model, "promotion", {}), "min_improvement", null) == null ? null : tonumber(model.promotion.min_improvement)
  } if contains(keys(model), "promotion") }

  promotion_record_keys = { for name, model in var.models : name => "${name}/models/promoted.json" }

  # Evaluation data pinned by the deployment (evaluation_data_uris), per trained model of this
  # stack, and its key in the data bucket.
  evaluation_pins     = { for name, uri in var.evaluation_data_uris : name => uri if contains(keys(local.trained_models), name) }
  evaluation_pin_keys = { for name, uri in local.evaluation_pins : name => trimprefix(uri, "s3://${var.data_bucket}/") }
  bad_evaluation_pins = [for name, uri in var.evaluation_data_uris : name
    if contains(keys(var.models), name) && (!contains(keys(var.models[name]), "train") || length(regexall("^s3://${replace(var.data_bucket, ".", "\\.")}/${name}/input/[^*?]+/$", uri)) == 0)
  ]

  # Job role names fit IAM's 64 characters: the job name prefix (at most 46) + "-train" or
  # "-evaluate".
  training_role_names   = { for name, model in local.trained_models : name => "${model.job_name_prefix}-train" }
  training_role_arns    = { for name, role in local.training_role_names : name => "arn:${var.aws_partition}:iam::${var.aws_account_id}:role/${role}" }
  evaluation_role_names = { for name, model in local.trained_models : name => "${model.job_name_prefix}-evaluate" }
  evaluation_role_arns  = { for name, role in local.evaluation_role_names : name => "arn:${var.aws_partition}:iam::${var.aws_account_id}:role/${role}" }

  training_state_machine_names = { for name, model in local.trained_models : name => "${var.name_prefix}-${name}-train" }

  # Each training step's request, from the model alone (see local.models for why).
  training_workflows = { for name, model in local.trained_models : name => {
    comment          = "LegacyLift training workflow of model ${name}: train, evaluate, promote when ${local.promotion[name].metric} passes"
    bucket           = var.data_bucket
    record_key       = local.promotion_record_keys[name]
    summary_key_expr = "States.Format('${name}/models/{}/evaluation/${local.metric_summary_name}', $$.Execution.Name)"
    models_prefix    = "s3://${var.data_bucket}/${name}/models/{}/"
    # Evaluation and promotion use a sealed copy of the Train step's artifacts, in an area
    # only the training state machine writes: s3://<bucket>/_sealed/<model>/models/<run>/artifacts/.
    artifacts_key_expr   = "States.Format('${name}/models/{}/artifacts/', $$.Execution.Name)"
    sealed_key_expr      = "States.Format('${local.sealed_area}${name}/models/{}/artifacts/', $$.Execution.Name)"
    sealed_uri_expr      = "States.Format('s3://${var.data_bucket}/${local.sealed_area}${name}/models/{}/artifacts/', $$.Execution.Name)"
    copy_source_expr     = "States.Format('${var.data_bucket}/{}', $.key)"
    sealed_copy_key_expr = "States.Format('${local.sealed_area}{}', $.key)"
    promotion            = local.promotion[name]
    model                = name
    pinned = { for step in local.training_steps : step => {
      instance_type = lookup(var.models[name][step], "instance_type", lookup(lookup(var.models[name], "defaults", {}), "instance_type", var.default_instance_type))
      volume_size   = tonumber(lookup(var.models[name][step], "volume_size", lookup(lookup(var.models[name], "defaults", {}), "volume_size", var.default_volume_size)))
      max_runtime   = tonumber(lookup(var.models[name][step], "max_runtime", lookup(lookup(var.models[name], "defaults", {}), "max_runtime", var.default_max_runtime)))
    } }
    steps = [for index, step in local.training_steps : {
      key        = step
      state_name = local.training_step_state[step]
      next       = step == "train" ? "ListArtifacts" : "ReadMetric"
      parameters = merge(
        {
          "ProcessingJobName.$" = "States.Format('${model.job_name_prefix}-${local.training_step_abbr[step]}-{}', ${local.uuid_suffix})"
          RoleArn               = step == "train" ? local.training_role_arns[name] : local.evaluation_role_arns[name]
          AppSpecification = merge(
            {
              ImageUri = model.image_uri
              ContainerEntrypoint = concat(
                ["python3", "${local.runner_dir}/steprunner.py"],
                step == "train" ? (
                  length(lookup(var.models[name].train, "artifact_paths", [])) > 0
                  ? ["--collect", jsonencode(var.models[name].train.artifact_paths), "--into", lookup(var.models[name].train, "output_path", local.default_output_path)]
                  : []
                  ) : [
                  "--end-all-processes",
                  "--overlay", local.staged_artifact_dir,
                  "--metrics", "${lookup(var.models[name].evaluate, "output_path", local.default_output_path)}/${local.promotion[name].metrics_file}",
                  "--metric", local.promotion[name].metric,
                  "--direction", local.promotion[name].direction,
                  "--min-improvement", tostring(coalesce(local.promotion[name].min_improvement, 0)),
                  "--summary", "${lookup(var.models[name].evaluate, "output_path", local.default_output_path)}/${local.metric_summary_name}",
                ],
                ["--", "python3", "${local.code_dir.model}/${lookup(var.models[name][step], "script", local.training_script[step])}"],
              )
            },
            length(lookup(var.models[name][step], "arguments", [])) > 0 ? { ContainerArguments = var.models[name][step].arguments } : {},
          )
          ProcessingInputs = concat(
            [
              {
                InputName = "data"
                S3Input = {
                  "S3Uri.$"              = step == "train" ? "$.input_uri" : "$.evaluation_uri"
                  LocalPath              = lookup(var.models[name][step], "input_path", local.default_input_path)
                  S3DataType             = "S3Prefix"
                  S3InputMode            = "File"
                  S3DataDistributionType = "FullyReplicated"
                }
              },
              local.runner_input,
            ],
            step == "evaluate" ? [{
              InputName = "artifacts"
              S3Input = {
                "S3Uri.$"              = "$.sealed_uri"
                LocalPath              = local.staged_artifact_dir
                S3DataType             = "S3Prefix"
                S3InputMode            = "File"
                S3DataDistributionType = "FullyReplicated"
              }
            }] : [],
          )
          ProcessingOutputConfig = merge(
            {
              Outputs = [{
                OutputName = step == "train" ? "artifacts" : "evaluation"
                S3Output = {
                  "S3Uri.$"    = step == "train" ? "$.artifacts_uri" : "$.evaluation_output_uri"
                  LocalPath    = lookup(var.models[name][step], "output_path", local.default_output_path)
                  S3UploadMode = "EndOfJob"
                }
              }]
            },
            var.kms_key_arn == null ? {} : { KmsKeyId = var.kms_key_arn },
          )
          ProcessingResources = {
            ClusterConfig = merge(
              {
                InstanceCount      = 1
                "InstanceType.$"   = "$.settings.${step}.instance_type"
                "VolumeSizeInGB.$" = "$.settings.${step}.volume_size"
              },
              var.kms_key_arn == null ? {} : { VolumeKmsKeyId = var.kms_key_arn },
            )
          }
          StoppingCondition = { "MaxRuntimeInSeconds.$" = "$.settings.${step}.max_runtime" }
          Environment       = merge(tomap(lookup(lookup(var.models[name], "defaults", {}), "environment", {})), tomap(lookup(var.models[name][step], "environment", {})))
          # The evaluation always runs without network: its metric decides the promotion.
          NetworkConfig = { EnableNetworkIsolation = step == "evaluate" ? true : !tobool(lookup(var.models[name][step], "network", lookup(lookup(var.models[name], "defaults", {}), "network", false))) }
          Tags = [
            { Key = "legacylift:model", Value = name },
            { Key = "legacylift:step", Value = step },
          ]
        },
      )
    }]
  } }

  rendered_training_definitions = { for name, workflow in local.training_workflows : name => replace(templatefile("${path.module}/templates/train.asl.json.tftpl", merge(workflow, {
    tasks               = { for step in workflow.steps : step.state_name => local.processing_task_states["${name}/${step.state_name}"] }
    s3_retry            = local.s3_retry
    pinned_settings     = local.pinned_settings_states["${name}/train"]
    override_choices    = local.override_choices
    kms_key_arn         = var.kms_key_arn
    max_artifact_files  = local.max_artifact_files
    metric_bound        = local.metric_bound
    evaluation_data_uri = lookup(local.evaluation_pins, name, null)
  })), "/\\n\\s*/", "") }

  # Decoded at plan, as the inference definitions are, so a template error fails early.
  training_start_states = { for name, text in local.rendered_training_definitions : name => jsondecode(text).StartAt }
  training_definitions  = length(local.training_start_states) == length(local.rendered_training_definitions) ? local.rendered_training_definitions : {}

  # Step Functions names an AWS SDK integration's errors S3.<exception class>: S3's throttling
  # and internal errors reach the state machine as S3.S3Exception (status 500/503) or as the
  # SDK's client exception on a dropped connection.
  s3_retry = [{
    ErrorEquals     = ["S3.S3Exception", "S3.SdkClientException"]
    IntervalSeconds = 2
    MaxAttempts     = 4
    BackoffRate     = 2
    MaxDelaySeconds = 30
    JitterStrategy  = "FULL"
  }]

  # A training state machine is named <prefix>-<model>-train: a model called "<other>-train"
  # would take the same name for its inference state machine.
  training_name_clashes = [for name, machine in local.training_state_machine_names : name if contains(values(local.state_machine_names), machine)]
  # Each promotion rule must be satisfiable and name its metric.
  bad_promotion_rules = [for name, rule in local.promotion : name
    if(rule.threshold == null && rule.min_improvement == null) || !contains(["higher", "lower"], rule.direction) || try(rule.min_improvement < 0, false) || length(regexall("^(\\$\\.)?[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+|\\[[0-9]+\\])*$", rule.metric)) == 0 || length(regexall("^[A-Za-z0-9_.-]+$", rule.metrics_file)) == 0
  ]
  promoted_inference_models = [for name, model in var.models : name if try(model.inference.artifacts, "image") == "promoted"]
  promoted_without_training = [for name in local.promoted_inference_models : name if !contains(keys(var.models[name]), "train")]
  networked_evaluations     = [for name, model in local.trained_models : name if tobool(lookup(lookup(var.models[name], "evaluate", {}), "network", false))]

  training_checks = {
    step_runner = length(local.trained_models) + length(local.promoted_inference_models) == 0 || var.step_runner_uri != null ? true : tobool(
      "ERROR: models ${join(", ", distinct(concat(keys(local.trained_models), local.promoted_inference_models)))} have a training workflow or promoted artifacts: set step_runner_uri to the S3 folder holding files/steprunner.py."
    )
    sections = length(local.training_sections_incomplete) == 0 ? true : tobool(
      "ERROR: models ${join(", ", local.training_sections_incomplete)}: a training workflow needs all of train, evaluate and promotion."
    )
    promotion_rules = length(local.bad_promotion_rules) == 0 ? true : tobool(
      "ERROR: models ${join(", ", local.bad_promotion_rules)}: promotion needs a metric path (e.g. accuracy or scores.r2), a metrics_file name, direction \"higher\" or \"lower\", and a threshold and/or a min_improvement >= 0."
    )
    name_clashes = length(local.training_name_clashes) == 0 ? true : tobool(
      "ERROR: the training state machine of ${join(", ", local.training_name_clashes)} would take the name of the model ${join(", ", [for name in local.training_name_clashes : "${name}-train"])}'s state machine: rename that model."
    )
    evaluation_network = length(local.networked_evaluations) == 0 ? true : tobool(
      "ERROR: models ${join(", ", local.networked_evaluations)} set evaluate.network = true: the evaluation always runs without network (its metric decides the promotion); fetch what it needs in the train step or bake it into the image."
    )
    evaluation_data = length(local.bad_evaluation_pins) == 0 ? true : tobool(
      "ERROR: evaluation_data_uris of ${join(", ", local.bad_evaluation_pins)}: pin a folder under the model's own input area, s3://${var.data_bucket}/<model>/input/<folder>/, of a model with a training workflow."
    )
    promoted_artifacts = length(local.promoted_without_training) == 0 ? true : tobool(
      "ERROR: models ${join(", ", local.promoted_without_training)} set inference.artifacts = \"promoted\" without a training workflow (train, evaluate, promotion)."
    )
  }
}

# Inference on promoted artifacts (models.<name>.inference.artifacts = "promoted"): the run
# first reads the promotion record; the inference job then stages the promoted artifact prefix
# at staged_artifact_dir, where the step runner lays it over the model folder, so the legacy
# script's relative paths (model.joblib, model/lgbm.txt) load the promoted files. With no record
# yet, the job gets no artifacts input and the image's own artifacts are used.
locals {
  # The step that loads promoted artifacts, per model that has one.
  promoted_steps = { for name, workflow in local.workflows : name => [
    for step in workflow.steps : step if step.state_name == workflow.promoted_step[0]
  ][0] if length(workflow.promoted_step) > 0 }

  promoted_inputs = { for name, step in local.promoted_steps : name => {
    state = step.state_name
    base = [
      {
        InputName = "data"
        S3Input = {
          "S3Uri.$"   = step.input_expr
          LocalPath   = step.input_path
          S3DataType  = step.data_type
          S3InputMode = "File"
          # As the step's own data input: several instances each take their share.
          S3DataDistributionType = step.instance_count > 1 ? "ShardedByS3Key" : "FullyReplicated"
        }
      },
      local.runner_input,
    ]
    artifacts = {
      InputName = "artifacts"
      S3Input = {
        "S3Uri.$"              = "$.promoted.record.artifact_uri"
        LocalPath              = local.staged_artifact_dir
        S3DataType             = "S3Prefix"
        S3InputMode            = "File"
        S3DataDistributionType = "FullyReplicated"
      }
    }
  } }
}
