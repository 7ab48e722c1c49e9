# IAM policy documents, built as objects and jsonencoded: no wildcard actions; every resource
# scoped except for the actions AWS cannot scope, each marked where it is granted.
locals {
  arn_prefix = {
    sagemaker = "arn:${var.aws_partition}:sagemaker:${var.aws_region}:${var.aws_account_id}"
    events    = "arn:${var.aws_partition}:events:${var.aws_region}:${var.aws_account_id}"
    logs      = "arn:${var.aws_partition}:logs:${var.aws_region}:${var.aws_account_id}"
    ecr       = "arn:${var.aws_partition}:ecr:${var.aws_region}:${var.aws_account_id}"
    s3        = "arn:${var.aws_partition}:s3:::"
  }

  # The managed rule through which createProcessingJob.sync learns that a job has finished;
  # Step Functions checks these permissions when the state machine is created.
  sync_rule_arn = "${local.arn_prefix.events}:rule/StepFunctionsGetEventsForSageMakerProcessingJobsRule"

  # Exactly this model's job names: SageMaker ARNs carry the lowercased name, and `?` matches one
  # character, so "<prefix>-pre-????????????" cannot match another model's longer or shorter name.
  model_job_arns = { for name, model in local.built_models : name => [
    for step in model.steps : "${local.arn_prefix.sagemaker}:processing-job/${model.job_name_prefix}-${local.step_abbreviation[step]}-${local.job_suffix_pattern}"
  ] }
  generic_job_arns = ["${local.arn_prefix.sagemaker}:processing-job/${local.generic_job_name_prefix}*"]

  # Statements every state machine role needs besides its job names and roles.
  state_machine_common_statements = concat(
    [
      {
        Sid      = "SyncIntegrationRule"
        Effect   = "Allow"
        Action   = ["events:PutTargets", "events:PutRule", "events:DescribeRule"]
        Resource = [local.sync_rule_arn]
      },
      {
        # CloudWatch Logs vended log delivery (the state machine's logging configuration):
        # these actions support no resource-level permissions, so AWS documents Resource "*".
        Sid    = "LogDeliveryUnscopable"
        Effect = "Allow"
        Action = [
          "logs:CreateLogDelivery",
          "logs:GetLogDelivery",
          "logs:UpdateLogDelivery",
          "logs:DeleteLogDelivery",
          "logs:ListLogDeliveries",
          "logs:PutResourcePolicy",
          "logs:DescribeResourcePolicies",
          "logs:DescribeLogGroups",
        ]
        Resource = ["*"]
      },
    ],
    var.enable_xray_tracing ? [{
      # X-Ray's trace and sampling actions support no resource-level permissions.
      Sid      = "XRayUnscopable"
      Effect   = "Allow"
      Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
      Resource = ["*"]
    }] : [],
    var.kms_key_arn == null ? [] : [{
      # SageMaker encrypts the job's volume and output with the key through a grant made with
      # the caller's (the state machine's) credentials, for AWS resources only.
      Sid       = "KmsGrantForSageMaker"
      Effect    = "Allow"
      Action    = ["kms:CreateGrant", "kms:DescribeKey"]
      Resource  = [var.kms_key_arn]
      Condition = { Bool = { "kms:GrantIsForAWSResource" = "true" } }
    }],
  )

  # Each state machine role, per model and for the generic workflow: its job names and the
  # roles it may pass (the generic workflow's input names its RoleArn: only known roles pass).
  state_machine_grants = merge(
    { for name, job_arns in local.model_job_arns : name => { job_arns = job_arns, pass_roles = [var.sagemaker_role_arn] } },
    var.enable_generic_workflow ? { (local.generic_policy_key) = {
      job_arns   = local.generic_job_arns
      pass_roles = distinct(concat([var.sagemaker_role_arn], var.generic_pass_role_arns))
    } } : {},
  )
  generic_policy_key = "(generic)" # not a model name: those start with a letter

  state_machine_policy_documents = { for name, grant in local.state_machine_grants : name => jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "ProcessingJobs"
          Effect   = "Allow"
          Action   = ["sagemaker:CreateProcessingJob", "sagemaker:DescribeProcessingJob", "sagemaker:StopProcessingJob"]
          Resource = grant.job_arns
        },
        {
          # createProcessingJob.sync tags the jobs it creates.
          Sid      = "ProcessingJobTags"
          Effect   = "Allow"
          Action   = ["sagemaker:AddTags", "sagemaker:ListTags"]
          Resource = grant.job_arns
        },
        {
          Sid       = "PassSageMakerRole"
          Effect    = "Allow"
          Action    = ["iam:PassRole"]
          Resource  = grant.pass_roles
          Condition = { StringEquals = { "iam:PassedToService" = "sagemaker.amazonaws.com" } }
        },
      ],
      local.state_machine_common_statements,
      lookup(local.promoted_record_statements, name, []),
    )
  }) }

  state_machine_policies       = { for name, document in local.state_machine_policy_documents : name => document if name != local.generic_policy_key }
  generic_state_machine_policy = lookup(local.state_machine_policy_documents, local.generic_policy_key, null)

  # S3 layout of the data bucket, per model: what the SageMaker role may read and write.
  s3_layout = {
    bucket = var.data_bucket
    models = { for name in keys(var.models) : name => {
      prefix = "s3://${var.data_bucket}/${name}/"
      input  = "s3://${var.data_bucket}/${name}/input/"
      output = "s3://${var.data_bucket}/${name}/output/"
      code   = "s3://${var.data_bucket}/${name}/code/"
      runs   = "s3://${var.data_bucket}/${name}/runs/"
    } }
    # Key prefixes (no bucket) under which intermediate run data lives; lifecycle expiry targets these.
    run_key_prefixes = [for name in keys(var.models) : "${name}/runs/"]
  }

  # s3://bucket/key/prefix -> bucket and key prefix, for the extra URIs outside the data bucket.
  extra_inputs  = [for uri in var.extra_input_s3_uris : zipmap(["bucket", "key"], regex("^s3://([^/]+)/?(.*)$", uri))]
  extra_outputs = [for uri in var.extra_output_s3_uris : zipmap(["bucket", "key"], regex("^s3://([^/]+)/?(.*)$", uri))]

  # Models' key areas in the data bucket: <model>/<area>/... for every model (one pattern rather
  # than hundreds of ARNs keeps the policy under IAM's size limit).
  read_keys  = ["*/input/*", "*/code/*", "*/runs/*"]
  write_keys = ["*/output/*", "*/runs/*"]

  # The framework image's repository ARN when it is an ECR image (not for a local registry).
  framework_ecr = regexall("^([0-9]{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com(\\.cn)?/([^:@]+)", var.framework_image_uri)
  framework_repository_arns = [for match in local.framework_ecr :
    "arn:${var.aws_partition}:ecr:${match[1]}:${match[0]}:repository/${match[3]}"
  ]

  sagemaker_statements = concat(
    [
      {
        Sid    = "ReadInputsCodeAndRuns"
        Effect = "Allow"
        Action = ["s3:GetObject"]
        Resource = concat(
          [for key in local.read_keys : "${local.arn_prefix.s3}${var.data_bucket}/${key}"],
          [for location in local.extra_inputs : "${local.arn_prefix.s3}${location.bucket}/${location.key}*"],
        )
      },
      {
        Sid       = "ListDataBucketAreas"
        Effect    = "Allow"
        Action    = ["s3:ListBucket"]
        Resource  = ["${local.arn_prefix.s3}${var.data_bucket}"]
        Condition = { StringLike = { "s3:prefix" = ["*/input", "*/input/*", "*/code", "*/code/*", "*/runs", "*/runs/*", "*/output", "*/output/*"] } }
      },
      {
        Sid    = "WriteOutputsAndRuns"
        Effect = "Allow"
        Action = ["s3:PutObject", "s3:AbortMultipartUpload"]
        Resource = concat(
          [for key in local.write_keys : "${local.arn_prefix.s3}${var.data_bucket}/${key}"],
          [for location in local.extra_outputs : "${local.arn_prefix.s3}${location.bucket}/${location.key}*"],
        )
      },
      {
        Sid      = "PullImages"
        Effect   = "Allow"
        Action   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
        Resource = concat(["${local.arn_prefix.ecr}:repository/${var.ecr_repository_prefix}*"], local.framework_repository_arns)
      },
      {
        # ECR's registry login token is account-wide: AWS documents Resource "*" for it.
        Sid      = "EcrLoginUnscopable"
        Effect   = "Allow"
        Action   = ["ecr:GetAuthorizationToken"]
        Resource = ["*"]
      },
      {
        Sid      = "ProcessingJobLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
        Resource = ["${local.arn_prefix.logs}:log-group:/aws/sagemaker/ProcessingJobs", "${local.arn_prefix.logs}:log-group:/aws/sagemaker/ProcessingJobs:log-stream:*"]
      },
      {
        # CloudWatch metrics have no ARNs: Resource "*", limited to SageMaker's namespace.
        Sid       = "ProcessingJobMetricsUnscopable"
        Effect    = "Allow"
        Action    = ["cloudwatch:PutMetricData"]
        Resource  = ["*"]
        Condition = { StringLike = { "cloudwatch:namespace" = ["/aws/sagemaker/ProcessingJobs"] } }
      },
    ],
    length(local.extra_inputs) + length(local.extra_outputs) == 0 ? [] : [{
      Sid       = "ListExtraLocations"
      Effect    = "Allow"
      Action    = ["s3:ListBucket"]
      Resource  = distinct([for location in concat(local.extra_inputs, local.extra_outputs) : "${local.arn_prefix.s3}${location.bucket}"])
      Condition = { StringLike = { "s3:prefix" = distinct([for location in concat(local.extra_inputs, local.extra_outputs) : "${location.key}*"]) } }
    }],
    local.promoted_artifact_statements,
    var.kms_key_arn == null ? [] : [{
      Sid      = "UseDataKey"
      Effect   = "Allow"
      Action   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
      Resource = [var.kms_key_arn]
    }],
  )

  sagemaker_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.sagemaker_statements
  })
}
