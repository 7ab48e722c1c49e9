# IAM policy documents, built as objects and jsonencoded: no wildcard actions; every resource
# scoped except for the actions AWS cannot scope, each marked where it is granted.
#
# Isolation: each model's jobs run as the model's own execution role, which may touch only its
# own keys (`<model>/input/`, ... in the data bucket: a pattern starting with the literal
# `<model>/` cannot match another model's keys, whatever IAM's `*` spans), its own repository
# and its own log streams; the generic workflow's role has its own area (`_generic/`, a prefix
# no model name can take) and the repositories it is given.
locals {
  arn_prefix = {
    sagemaker = "arn:${var.aws_partition}:sagemaker:${var.aws_region}:${var.aws_account_id}"
    events    = "arn:${var.aws_partition}:events:${var.aws_region}:${var.aws_account_id}"
    logs      = "arn:${var.aws_partition}:logs:${var.aws_region}:${var.aws_account_id}"
    ecr       = "arn:${var.aws_partition}:ecr:${var.aws_region}:${var.aws_account_id}"
    iam       = "arn:${var.aws_partition}:iam::${var.aws_account_id}"
    s3        = "arn:${var.aws_partition}:s3:::"
  }

  # The managed rule through which createProcessingJob.sync learns that a job has finished;
  # Step Functions checks these permissions when the state machine is created.
  sync_rule_arn = "${local.arn_prefix.events}:rule/StepFunctionsGetEventsForSageMakerProcessingJobsRule"

  # What each execution role and state machine role is about, computed per model in ONE pass
  # that reads only the model (a per-model loop looking up another whole local, local.x[name],
  # makes Terraform's evaluation quadratic in the number of models).
  #
  # Job names: SageMaker ARNs carry the lowercased name, and `?` matches one character, so
  # "<prefix>-pre-????????????" cannot match another model's longer or shorter name. Execution
  # roles: `<job name prefix>-sagemaker` (at most 46 + 10 characters); sagemaker_role_arn
  # replaces them all.
  model_grants = { for name, model in local.built_models : name => {
    role_name = "${model.job_name_prefix}-sagemaker"
    role_arn  = var.sagemaker_role_arn != null ? var.sagemaker_role_arn : "${local.arn_prefix.iam}:role/${model.job_name_prefix}-sagemaker"
    job_arns = concat([for step in model.steps :
      "${local.arn_prefix.sagemaker}:processing-job/${model.job_name_prefix}-${local.step_abbreviation[step]}-${local.job_suffix_pattern}"
    ], lookup(local.fan_out_job_arns, name, []))
    # SageMaker writes a job's logs to streams named `<job name>/algo-<n>-<epoch>`.
    log_streams = concat([for step in model.steps :
      "${local.processing_log_group_arn}:log-stream:${model.job_name_prefix}-${local.step_abbreviation[step]}-${local.job_suffix_pattern}/*"
      ], [for combine_job in lookup(local.fan_out_job_arns, name, []) :
      "${local.processing_log_group_arn}:log-stream:${model.job_name_prefix}-cmb-${local.job_suffix_pattern}/*"
    ])
    read  = concat([for area in local.model_areas.read : { bucket = var.data_bucket, key = "${name}/${area}/" }], local.extra_inputs, lookup(local.promoted_reads, name, []))
    write = concat([for area in local.model_areas.write : { bucket = var.data_bucket, key = "${name}/${area}/" }], local.extra_outputs)
    list  = concat([for area in local.model_areas.list : { bucket = var.data_bucket, key = "${name}/${area}/" }], local.extra_inputs, local.extra_outputs, lookup(local.promoted_reads, name, []))
    # Its own repository (`<ecr_repository_prefix><model>`, and the one its image_uri names).
    repositories = distinct(concat(
      ["${local.arn_prefix.ecr}:repository/${var.ecr_repository_prefix}${name}"],
      [for match in regexall(local.ecr_image_pattern, model.image_uri) : "arn:${var.aws_partition}:ecr:${match[1]}:${match[0]}:repository/${match[3]}"],
      local.framework_repository_arns,
    ))
  } }

  # The generic workflow's: job names by prefix; it chains its steps through any location it
  # may write, so it reads them too; it pulls the repositories it is given.
  generic_sagemaker_role_name = "${var.name_prefix}--generic-sagemaker"
  generic_sagemaker_role_arn  = var.sagemaker_role_arn != null ? var.sagemaker_role_arn : "${local.arn_prefix.iam}:role/${local.generic_sagemaker_role_name}"
  generic_job_arns            = ["${local.arn_prefix.sagemaker}:processing-job/${local.generic_job_name_prefix}*"]
  generic_grant = {
    role_name   = local.generic_sagemaker_role_name
    role_arn    = local.generic_sagemaker_role_arn
    job_arns    = local.generic_job_arns
    log_streams = ["${local.processing_log_group_arn}:log-stream:${local.generic_job_name_prefix}*"]
    read        = concat([{ bucket = var.data_bucket, key = local.generic_data_prefix }], local.generic_chains, local.extra_inputs, local.extra_outputs)
    write       = concat([{ bucket = var.data_bucket, key = local.generic_data_prefix }], local.generic_chains, local.extra_outputs)
    list        = concat([{ bucket = var.data_bucket, key = local.generic_data_prefix }], local.generic_chains, local.extra_inputs, local.extra_outputs)
    repositories = distinct(concat(
      local.framework_repository_arns,
      [for repository in var.generic_image_repositories : substr(repository, 0, 4) == "arn:" ? repository : "${local.arn_prefix.ecr}:repository/${repository}"],
    ))
  }
  generic_policy_key = "(generic)" # not a model name: those start with a letter
  grants             = merge(local.model_grants, var.enable_generic_workflow ? { (local.generic_policy_key) = local.generic_grant } : {})

  sagemaker_role_names = { for name, grant in local.model_grants : name => grant.role_name }
  sagemaker_role_arns  = { for name, grant in local.model_grants : name => grant.role_arn }

  # Who may assume each execution role: SageMaker, for exactly the role's processing jobs.
  sagemaker_role_source_arns = { for name, grant in local.model_grants : name => grant.job_arns }

  # The generic workflow's area of the data bucket ("_" starts no model name), and its code
  # area, which the generic role reads and never writes.
  generic_data_prefix = "_generic/"
  generic_code_prefix = "${local.generic_data_prefix}code/"

  # Data keys are used only through S3 (kms:ViaService) and only for the objects a role's S3
  # grants name: the encryption context S3 sends is the object's ARN, or the bucket's ARN for
  # objects under an S3 Bucket Key (modules/s3 enables one with kms_key_arn), so each role's
  # buckets are listed too. DescribeKey (key metadata only) is granted apart, unconditioned:
  # SageMaker checks the key with the caller's credentials, not through S3.
  kms_via_s3 = "s3.${var.aws_region}.amazonaws.com"

  kms_grant_statement = {
    # SageMaker encrypts the job's volume and output with the key through a grant made with the
    # credentials of both the caller (the state machine) and the execution role, for AWS
    # resources only.
    Sid       = "KmsGrantForSageMaker"
    Effect    = "Allow"
    Action    = ["kms:CreateGrant"]
    Resource  = [var.kms_key_arn]
    Condition = { Bool = { "kms:GrantIsForAWSResource" = "true" } }
  }
  describe_data_key_statements = var.kms_key_arn == null ? [] : [{
    Sid      = "DescribeDataKey"
    Effect   = "Allow"
    Action   = ["kms:DescribeKey"]
    Resource = [var.kms_key_arn]
  }]

  # The statements every job role holds whatever its jobs (the execution roles here, the Train
  # and Evaluate roles in training_policies.tf): the registry login and the log group before
  # the role's own log streams, the metrics after them.
  job_login_and_log_group_statements = [
    {
      # ECR's registry login token is account-wide: AWS documents Resource "*" for it.
      Sid      = "EcrLoginUnscopable"
      Effect   = "Allow"
      Action   = ["ecr:GetAuthorizationToken"]
      Resource = ["*"]
    },
    {
      # Acts on the log group (no stream ARN to scope by); a log group managed by Terraform
      # needs no CreateLogGroup.
      Sid      = "ProcessingJobLogGroup"
      Effect   = "Allow"
      Action   = var.processing_job_log_group_managed ? ["logs:DescribeLogStreams"] : ["logs:CreateLogGroup", "logs:DescribeLogStreams"]
      Resource = ["${local.processing_log_group_arn}:*"]
    },
  ]
  job_metrics_statement = {
    # CloudWatch metrics have no ARNs: Resource "*", limited to SageMaker's namespace.
    Sid       = "ProcessingJobMetricsUnscopable"
    Effect    = "Allow"
    Action    = ["cloudwatch:PutMetricData"]
    Resource  = ["*"]
    Condition = { StringLike = { "cloudwatch:namespace" = ["/aws/sagemaker/ProcessingJobs"] } }
  }

  # What a state machine role may do to its own processing jobs (Resource: their name
  # patterns), one statement each: the inference, generic and training state machines alike.
  processing_job_grants = [
    {
      sid     = "ProcessingJobs"
      actions = ["sagemaker:CreateProcessingJob", "sagemaker:DescribeProcessingJob", "sagemaker:StopProcessingJob"]
    },
    {
      # createProcessingJob.sync tags the jobs it creates.
      sid     = "ProcessingJobTags"
      actions = ["sagemaker:AddTags", "sagemaker:ListTags"]
    },
  ]

  # Statements every state machine role needs besides its job names and roles.
  state_machine_common_statements = concat(
    [
      {
        Sid      = "SyncIntegrationRule"
        Effect   = "Allow"
        Action   = ["events:PutTargets", "events:PutRule", "events:DescribeRule"]
        Resource = [local.sync_rule_arn]
      },
      # Log delivery (the state machine's logging configuration) is granted once, by
      # modules/state-machine, which configures it.
    ],
    var.enable_xray_tracing ? [{
      # X-Ray's trace and sampling actions support no resource-level permissions.
      Sid      = "XRayUnscopable"
      Effect   = "Allow"
      Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
      Resource = ["*"]
    }] : [],
    var.kms_key_arn == null ? [] : [local.kms_grant_statement],
    local.describe_data_key_statements,
  )

  # Each state machine role, per model and for the generic workflow: its job names and the
  # roles it may pass (the generic workflow's input names its RoleArn: only known roles pass).
  state_machine_policy_documents = { for key, grant in local.grants : key => jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [for job_grant in local.processing_job_grants : { Sid = job_grant.sid, Effect = "Allow", Action = job_grant.actions, Resource = grant.job_arns }],
      [
        {
          Sid       = "PassSageMakerRole"
          Effect    = "Allow"
          Action    = ["iam:PassRole"]
          Resource  = key == local.generic_policy_key ? distinct(concat([grant.role_arn], var.generic_pass_role_arns)) : [grant.role_arn]
          Condition = { StringEquals = { "iam:PassedToService" = "sagemaker.amazonaws.com" } }
        },
      ],
      local.state_machine_common_statements,
      lookup(local.fan_out_policy_statements, key, []),
      lookup(local.promoted_record_statements, key, []),
    )
  }) }

  state_machine_policies       = { for name, document in local.state_machine_policy_documents : name => document if name != local.generic_policy_key }
  generic_state_machine_policy = lookup(local.state_machine_policy_documents, local.generic_policy_key, null)

  # S3 layout of the data bucket, per model: what each model's execution role may read and write.
  s3_layout = {
    bucket = var.data_bucket
    models = { for name in keys(var.models) : name => {
      prefix = "s3://${var.data_bucket}/${name}/"
      input  = "s3://${var.data_bucket}/${name}/input/"
      output = "s3://${var.data_bucket}/${name}/output/"
      code   = "s3://${var.data_bucket}/${name}/code/"
      runs   = "s3://${var.data_bucket}/${name}/runs/"
    } }
    generic = "s3://${var.data_bucket}/${local.generic_data_prefix}"
    # Key prefixes (no bucket) under which intermediate run data lives; lifecycle expiry targets these.
    run_key_prefixes = [for name in keys(var.models) : "${name}/runs/"]
  }

  # s3://bucket/key/prefix -> bucket and key prefix, for the locations outside the data bucket.
  extra_inputs   = [for uri in var.extra_input_s3_uris : zipmap(["bucket", "key"], regex("^s3://([^/]+)/?(.*)$", uri))]
  extra_outputs  = [for uri in var.extra_output_s3_uris : zipmap(["bucket", "key"], regex("^s3://([^/]+)/?(.*)$", uri))]
  generic_chains = [for uri in var.generic_s3_uris : zipmap(["bucket", "key"], regex("^s3://([^/]+)/?(.*)$", uri))]

  # What each execution role may touch in S3, as bucket and key patterns. The data bucket's
  # areas are listed by their prefix, each with and without the trailing slash for ListBucket.
  model_areas = {
    read  = ["input", "code", "runs"]
    write = ["output", "runs"]
    list  = ["input", "code", "runs", "output"]
  }

  # The repositories of ECR image URIs (not of a local registry's).
  ecr_image_pattern = "^([0-9]{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com(\\.cn)?/([^:@]+)"
  framework_repository_arns = [for match in regexall(local.ecr_image_pattern, var.framework_image_uri) :
    "arn:${var.aws_partition}:ecr:${match[1]}:${match[0]}:repository/${match[3]}"
  ]

  processing_log_group_arn = "${local.arn_prefix.logs}:log-group:/aws/sagemaker/ProcessingJobs"

  sagemaker_policy_documents = { for key, grant in local.grants : key => jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "ReadOwnData"
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = distinct([for location in grant.read : "${local.arn_prefix.s3}${location.bucket}/${location.key}*"])
        },
        {
          Sid      = "WriteOwnData"
          Effect   = "Allow"
          Action   = ["s3:PutObject", "s3:AbortMultipartUpload"]
          Resource = distinct([for location in grant.write : "${local.arn_prefix.s3}${location.bucket}/${location.key}*"])
        },
      ],
      # One statement per bucket: its s3:prefix condition holds only that bucket's prefixes.
      [for bucket in distinct([for location in grant.list : location.bucket]) : {
        Sid      = "ListOwnPrefixes${index(distinct([for location in grant.list : location.bucket]), bucket)}"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = ["${local.arn_prefix.s3}${bucket}"]
        Condition = { StringLike = { "s3:prefix" = distinct(flatten([
          for location in grant.list : [trimsuffix(location.key, "/"), "${location.key}*"] if location.bucket == bucket
        ])) } }
      }],
      [{
        Sid      = "PullOwnImages"
        Effect   = "Allow"
        Action   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
        Resource = grant.repositories
      }],
      local.job_login_and_log_group_statements,
      [
        {
          Sid      = "OwnJobLogStreams"
          Effect   = "Allow"
          Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
          Resource = grant.log_streams
        },
        local.job_metrics_statement,
      ],
      key != local.generic_policy_key ? [] : [{
        # The generic workflow's code area: its jobs load it, so none of them may change it.
        Sid      = "GenericCodeIsReadOnly"
        Effect   = "Deny"
        Action   = ["s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"]
        Resource = ["${local.arn_prefix.s3}${var.data_bucket}/${local.generic_code_prefix}*"]
      }],
      var.kms_key_arn == null ? [] : [
        {
          Sid      = "UseDataKeyThroughS3"
          Effect   = "Allow"
          Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
          Resource = [var.kms_key_arn]
          Condition = {
            StringEquals = { "kms:ViaService" = local.kms_via_s3 }
            StringLike = { "kms:EncryptionContext:aws:s3:arn" = distinct(concat(
              [for location in concat(grant.read, grant.write) : "${local.arn_prefix.s3}${location.bucket}"],
              [for location in concat(grant.read, grant.write) : "${local.arn_prefix.s3}${location.bucket}/${location.key}*"],
            )) }
          }
        },
      ],
      local.describe_data_key_statements,
      var.kms_key_arn == null ? [] : [local.kms_grant_statement],
    )
  }) }

  sagemaker_policies       = { for name, document in local.sagemaker_policy_documents : name => document if name != local.generic_policy_key }
  generic_sagemaker_policy = lookup(local.sagemaker_policy_documents, local.generic_policy_key, null)

}
