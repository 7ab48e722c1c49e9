# IAM of the training workflow, per model with one: the job roles of its Train and Evaluate
# steps and its training state machine's role. Same rules as policies.tf: no wildcard
# actions, Resource "*" only where AWS allows nothing narrower.
locals {
  runner_key    = var.step_runner_uri == null ? null : regex("^s3://[^/]+/(.*)$", var.step_runner_uri)[0]
  runner_bucket = var.step_runner_uri == null ? null : regex("^s3://([^/]+)/", var.step_runner_uri)[0]

  training_job_arns = { for name, model in local.trained_models : name => [
    for step in local.training_steps : "${local.arn_prefix.sagemaker}:processing-job/${model.job_name_prefix}-${local.training_step_abbr[step]}-${local.job_suffix_pattern}"
  ] }

  # Each step's own job role (a Train role and an Evaluate role per model). The Train role
  # reads the model's input and the runner and writes only artifacts (`<model>/models/*/artifacts/`);
  # the Evaluate role reads the input, the runner and the sealed artifacts and writes only
  # evaluations (`<model>/models/*/evaluation/`), and its jobs always run without network, so
  # SageMaker's upload of the job's own output is the only write they make. Neither writes the
  # promotion record (its key has no further slash) or the sealed area: no job changes what
  # was evaluated or promoted, and no training job writes a metric.
  training_step_writes = { train = "artifacts", evaluate = "evaluation" }
  training_job_policies = { for name, model in local.trained_models : name => { for index, step in local.training_steps : step => jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid    = step == "train" ? "ReadTrainingDataAndRunner" : "ReadEvaluationDataRunnerAndSealedArtifacts"
          Effect = "Allow"
          Action = ["s3:GetObject"]
          Resource = concat(
            # input/: where `invoke upload-input` puts data (as the execution role reads it);
            # with pinned evaluation data, the Evaluate role reads that folder alone.
            ["${local.arn_prefix.s3}${var.data_bucket}/${step == "evaluate" ? lookup(local.evaluation_pin_keys, name, "${name}/input/") : "${name}/input/"}*"],
            step == "evaluate" ? ["${local.arn_prefix.s3}${var.data_bucket}/${local.sealed_area}${name}/models/*/artifacts/*"] : [],
            local.runner_key == null ? [] : ["${local.arn_prefix.s3}${local.runner_bucket}/${local.runner_key}*"],
            [for location in local.extra_inputs : "${local.arn_prefix.s3}${location.bucket}/${location.key}*"],
          )
        },
        {
          Sid       = "ListModelAreas"
          Effect    = "Allow"
          Action    = ["s3:ListBucket"]
          Resource  = distinct(concat(["${local.arn_prefix.s3}${var.data_bucket}"], local.runner_bucket == null ? [] : ["${local.arn_prefix.s3}${local.runner_bucket}"]))
          Condition = { StringLike = { "s3:prefix" = concat(step == "evaluate" && contains(keys(local.evaluation_pin_keys), name) ? [trimsuffix(local.evaluation_pin_keys[name], "/"), "${local.evaluation_pin_keys[name]}*"] : ["${name}/input", "${name}/input/*"], step == "evaluate" ? ["${local.sealed_area}${name}/models/*/artifacts/*"] : [], local.runner_key == null ? [] : ["${local.runner_key}*"]) } }
        },
        {
          Sid      = step == "train" ? "WriteArtifacts" : "WriteEvaluation"
          Effect   = "Allow"
          Action   = ["s3:PutObject", "s3:AbortMultipartUpload"]
          Resource = ["${local.arn_prefix.s3}${var.data_bucket}/${name}/models/*/${local.training_step_writes[step]}/*"]
        },
      ],
      # Pinned evaluation data is the hold-out: no Train job reads it, whatever its input_uri.
      step == "train" && contains(keys(local.evaluation_pin_keys), name) ? [{
        Sid      = "EvaluationDataIsNotForTraining"
        Effect   = "Deny"
        Action   = ["s3:GetObject"]
        Resource = ["${local.arn_prefix.s3}${var.data_bucket}/${local.evaluation_pin_keys[name]}*"]
      }] : [],
      [{
        # The model's own repositories, as its execution role's (policies.tf).
        Sid      = "PullModelImage"
        Effect   = "Allow"
        Action   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
        Resource = local.model_grants[name].repositories
      }],
      local.job_login_and_log_group_statements,
      [
        {
          # SageMaker writes a job's logs to streams named `<job name>/algo-<n>-<epoch>`.
          Sid      = "OwnJobLogStreams"
          Effect   = "Allow"
          Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
          Resource = ["${local.processing_log_group_arn}:log-stream:${split("processing-job/", local.training_job_arns[name][index])[1]}/*"]
        },
        local.job_metrics_statement,
      ],
      var.kms_key_arn == null ? [] : [
        {
          # As the execution roles' (policies.tf): through S3, for the objects this role touches.
          Sid      = "UseDataKeyThroughS3"
          Effect   = "Allow"
          Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
          Resource = [var.kms_key_arn]
          Condition = {
            StringEquals = { "kms:ViaService" = local.kms_via_s3 }
            StringLike = { "kms:EncryptionContext:aws:s3:arn" = distinct(concat(
              ["${local.arn_prefix.s3}${var.data_bucket}", "${local.arn_prefix.s3}${var.data_bucket}/${name}/input/*", "${local.arn_prefix.s3}${var.data_bucket}/${name}/models/*/${local.training_step_writes[step]}/*"],
              step == "evaluate" ? ["${local.arn_prefix.s3}${var.data_bucket}/${local.sealed_area}${name}/models/*/artifacts/*"] : [],
              local.runner_key == null ? [] : ["${local.arn_prefix.s3}${local.runner_bucket}", "${local.arn_prefix.s3}${local.runner_bucket}/${local.runner_key}*"],
              [for location in local.extra_inputs : "${local.arn_prefix.s3}${location.bucket}"],
              [for location in local.extra_inputs : "${local.arn_prefix.s3}${location.bucket}/${location.key}*"],
            )) }
          }
        },
      ],
      local.describe_data_key_statements,
      var.kms_key_arn == null ? [] : [local.kms_grant_statement],
    )
  }) } }
  training_sagemaker_policies   = { for name, policies in local.training_job_policies : name => policies.train }
  evaluation_sagemaker_policies = { for name, policies in local.training_job_policies : name => policies.evaluate }

  # The training state machine's role: its two job names, PassRole of its two job roles only,
  # read the metric summaries of its runs, read and write only its model's promotion record,
  # seal (copy) its runs' artifacts into the sealed area.
  training_state_machine_policies = { for name, model in local.trained_models : name => jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [for job_grant in local.processing_job_grants : { Sid = job_grant.sid, Effect = "Allow", Action = job_grant.actions, Resource = local.training_job_arns[name] }],
      [
        {
          Sid       = "PassTrainingRoles"
          Effect    = "Allow"
          Action    = ["iam:PassRole"]
          Resource  = [local.training_role_arns[name], local.evaluation_role_arns[name]]
          Condition = { StringEquals = { "iam:PassedToService" = "sagemaker.amazonaws.com" } }
        },
        {
          Sid      = "ReadMetricSummaries"
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["${local.arn_prefix.s3}${var.data_bucket}/${name}/models/*/evaluation/${local.metric_summary_name}"]
        },
        {
          Sid      = "ReadWritePromotionRecord"
          Effect   = "Allow"
          Action   = ["s3:GetObject", "s3:PutObject"]
          Resource = ["${local.arn_prefix.s3}${var.data_bucket}/${local.promotion_record_keys[name]}"]
        },
        {
          # Without ListBucket a missing record reads as AccessDenied, not NoSuchKey.
          Sid       = "ListPromotionRecord"
          Effect    = "Allow"
          Action    = ["s3:ListBucket"]
          Resource  = ["${local.arn_prefix.s3}${var.data_bucket}"]
          Condition = { StringEquals = { "s3:prefix" = [local.promotion_record_keys[name]] } }
        },
        {
          # Sealing: list a run's artifacts and its sealed prefix, copy the first into the second.
          Sid       = "ListArtifactsAndSealed"
          Effect    = "Allow"
          Action    = ["s3:ListBucket"]
          Resource  = ["${local.arn_prefix.s3}${var.data_bucket}"]
          Condition = { StringLike = { "s3:prefix" = ["${name}/models/*/artifacts/", "${local.sealed_area}${name}/models/*/artifacts/"] } }
        },
        {
          Sid      = "ReadArtifactsToSeal"
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["${local.arn_prefix.s3}${var.data_bucket}/${name}/models/*/artifacts/*"]
        },
        {
          Sid      = "WriteSealedArtifacts"
          Effect   = "Allow"
          Action   = ["s3:PutObject"]
          Resource = ["${local.arn_prefix.s3}${var.data_bucket}/${local.sealed_area}${name}/models/*/artifacts/*"]
        },
      ],
      local.state_machine_common_statements,
      var.kms_key_arn == null ? [] : [{
        # The record, the metric summaries and sealing, through S3 only.
        Sid      = "UseDataKeyThroughS3"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = [var.kms_key_arn]
        Condition = {
          StringEquals = { "kms:ViaService" = local.kms_via_s3 }
          StringLike = { "kms:EncryptionContext:aws:s3:arn" = [
            "${local.arn_prefix.s3}${var.data_bucket}",
            "${local.arn_prefix.s3}${var.data_bucket}/${local.promotion_record_keys[name]}",
            "${local.arn_prefix.s3}${var.data_bucket}/${name}/models/*/evaluation/${local.metric_summary_name}",
            "${local.arn_prefix.s3}${var.data_bucket}/${name}/models/*/artifacts/*",
            "${local.arn_prefix.s3}${var.data_bucket}/${local.sealed_area}${name}/models/*/artifacts/*",
          ] }
        }
      }],
    )
  }) }
}

# Inference on promoted artifacts: its state machine reads the record (ListBucket so that a
# missing record is NoSuchKey, not AccessDenied); the processing jobs read the artifacts of
# executions of their model's training workflow.
locals {
  promoted_record_statements = { for name in keys(local.promoted_inputs) : name => concat([
    {
      Sid      = "ReadPromotionRecord"
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = ["${local.arn_prefix.s3}${var.data_bucket}/${local.promotion_record_keys[name]}"]
    },
    {
      Sid       = "ListPromotionRecord"
      Effect    = "Allow"
      Action    = ["s3:ListBucket"]
      Resource  = ["${local.arn_prefix.s3}${var.data_bucket}"]
      Condition = { StringEquals = { "s3:prefix" = [local.promotion_record_keys[name]] } }
    },
    ], var.kms_key_arn == null ? [] : [{
      # The record is written SSE-KMS (Promote): reading it decrypts, through S3 only.
      Sid      = "DecryptPromotionRecord"
      Effect   = "Allow"
      Action   = ["kms:Decrypt"]
      Resource = [var.kms_key_arn]
      Condition = {
        StringEquals = { "kms:ViaService" = local.kms_via_s3 }
        StringLike   = { "kms:EncryptionContext:aws:s3:arn" = ["${local.arn_prefix.s3}${var.data_bucket}", "${local.arn_prefix.s3}${var.data_bucket}/${local.promotion_record_keys[name]}"] }
      }
  }]) }
  # Inference on promoted artifacts: its model's execution role (policies.tf) also reads the
  # sealed artifacts of its own training workflow (`_sealed/<model>/models/<execution>/artifacts/`,
  # which only the training state machine writes) and the step runner; it writes neither.
  promoted_reads = { for name in keys(local.promoted_inputs) : name => concat(
    [{ bucket = var.data_bucket, key = "${local.sealed_area}${name}/models/*/artifacts/" }],
    local.runner_key == null ? [] : [{ bucket = local.runner_bucket, key = local.runner_key }],
  ) }
}
