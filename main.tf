data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

data "aws_sagemaker_prebuilt_ecr_image" "framework" {
  count           = var.framework_image_uri == null ? 1 : 0
  repository_name = "sagemaker-scikit-learn"
  image_tag       = var.framework_image_tag
}

locals {
  account_id  = data.aws_caller_identity.current.account_id
  partition   = data.aws_partition.current.partition
  bucket_name = var.bucket_name != null ? var.bucket_name : "${var.name_prefix}-data-${local.account_id}"

  framework_image_uri = var.framework_image_uri != null ? var.framework_image_uri : data.aws_sagemaker_prebuilt_ecr_image.framework[0].registry_path

  all_steps    = ["preprocessing", "inference", "postprocessing"]
  script_steps = ["preprocessing", "postprocessing"]

  # Models with an image get a state machine; the others only their repository (not built yet).
  built_models = { for name, model in var.models : name => model if try(model.image_uri, null) != null }

  # Terraform 1.0.3 has no precondition: tobool() of a message fails the plan with that message.
  unpinned_images = sort([for name, model in local.built_models : name if !can(regex("@sha256:[0-9a-f]{64}$", model.image_uri))])
  images_pinned = var.allow_mutable_image_tags || length(local.unpinned_images) == 0 ? true : tobool(
    "ERROR: image_uri of ${join(", ", local.unpinned_images)} is not pinned by digest (repo@sha256:...): run the build to pin it, or set allow_mutable_image_tags = true."
  )

  # Script-mode steps (the framework image) run code fetched from S3: one object per script,
  # keyed by its content hash so a definition pins the exact code it runs.
  scripts = merge(merge([for name, model in local.built_models : {
    for step in local.script_steps : "${name}/${step}" => {
      model  = name
      step   = step
      script = try(model[step].script, "${step}.py")
      source = "${var.models_dir}/${name}/${try(model[step].script, "${step}.py")}"
    } if contains(try(tolist(model.steps), local.all_steps), step) && try(model[step].image, model.defaults.image, "framework") == "framework"
  }]...), local.combine_scripts)

  # A fan-out model's combine step, in script mode unless it runs in the model's image.
  combine_scripts = { for name, model in local.built_models : "${name}/combine" => {
    model  = name
    step   = "combine"
    script = try(model.fan_out.combine.script, "combine.py")
    source = "${var.models_dir}/${name}/${try(model.fan_out.combine.script, "combine.py")}"
  } if try(model.fan_out.combine, null) != null && try(model.fan_out.combine.image, "framework") == "framework" }

  # Script-mode code: each model with a script-mode step gets one content-hashed folder holding
  # its code files, staged by SageMaker at /opt/ml/processing/input/code/ (a script's path is
  # relative to the model folder, e.g. preprocessing.py or src/preprocess.py). The file list is
  # the entry's `code_files`, written by the build (legacylift.containerise.code_folder decides it, and
  # run-local stages the same list); without it, the scripts alone. The hash is that module's
  # code_digest: sha256 of "<file>\t<sha256 of its content>" lines in path order.
  code_models = { for name, model in local.built_models : name => sort(distinct(try(
    tolist(model.code_files), [for key, script in local.scripts : script.script if script.model == name]
  ))) if length([for key, script in local.scripts : key if script.model == name]) > 0 }
  code_folders = { for name, files in local.code_models : name => "${name}/code/${sha256(join("\n", [
    for file in files : "${file}\t${filesha256("${var.models_dir}/${name}/${file}")}"
  ]))}/" }
  code_objects = merge([for name, files in local.code_models : {
    for file in files : "${name}/${file}" => { model = name, file = file }
  }]...)

  # The entry as modules/workflow takes it: code_files stays here, code_uris is added.
  models_with_code = { for name, model in var.models : name => merge({ for key, value in model : key => value if key != "code_files" }, {
    code_uris = { for step in concat(local.script_steps, ["combine"]) : step => "s3://${local.bucket_name}/${local.code_folders[name]}" if contains(keys(local.scripts), "${name}/${step}") }
  }) }
}

module "workflow" {
  source = "./modules/workflow"

  name_prefix              = var.name_prefix
  models                   = local.models_with_code
  framework_image_uri      = local.framework_image_uri
  data_bucket              = local.bucket_name
  default_instance_type    = var.default_instance_type
  default_volume_size      = var.default_volume_size
  default_max_runtime      = var.default_max_runtime
  allow_mutable_image_tags = local.images_pinned && var.allow_mutable_image_tags
  enable_generic_workflow  = var.enable_generic_workflow
  aws_partition            = local.partition
  aws_region               = data.aws_region.current.name
  aws_account_id           = local.account_id
  ecr_repository_prefix    = var.ecr_repository_prefix
  kms_key_arn              = var.kms_key_arn
  enable_xray_tracing      = var.tracing_enabled
  extra_input_s3_uris      = var.extra_input_s3_uris
  extra_output_s3_uris     = var.extra_output_s3_uris
  generic_pass_role_arns   = var.generic_pass_role_arns
  evaluation_data_uris     = var.evaluation_data_uris
  restrict_output_uri      = true # the cloud workflow; local renders accept any --output

  generic_image_repositories        = var.generic_image_repositories
  generic_s3_uris                   = var.generic_s3_uris
  generic_allow_entrypoint_override = var.generic_allow_entrypoint_override
  generic_allow_network_override    = var.generic_allow_network_override
  processing_job_log_group_managed  = var.manage_processing_job_log_group
  step_runner_uri                   = local.needs_step_runner ? "s3://${local.bucket_name}/${local.step_runner_folder}" : null
}

# Bucket guardrails beyond the roles (code_writer_arns set): the content-hashed code folders
# (<model>/code/<sha256>/) and the step runner's area (_legacylift/) are written by the deployer
# alone; the promotion records and the sealed artifacts inference loads, by the training state
# machines alone. Their roles are named by modules/state-machine, `<name, cut to 58>-sfn`: the
# pattern covers every <name_prefix>-<model>-train, the exact ARNs those whose name is cut. (It
# also covers the inference state machine of a model called <other>-train, which no statement
# of its role lets write these keys, and a deployment whose name_prefix begins with this one's
# and a hyphen, whose roles reach no key of this bucket unless given it.) The shared stack of a
# split deployment knows every model by name, so it names them all.
locals {
  training_state_machine_role_arns = concat(
    ["arn:${local.partition}:iam::${local.account_id}:role/${var.name_prefix}-*-train-sfn"],
    [for name, model in var.models : "arn:${local.partition}:iam::${local.account_id}:role/${substr("${var.name_prefix}-${name}-train", 0, 58)}-sfn"
    if contains(keys(model), "train") && length("${var.name_prefix}-${name}-train") > 58],
  )
  protected_keys = length(var.code_writer_arns) == 0 ? [] : [
    {
      sid         = "CodeAndStepRunner"
      keys        = ["*/code/${join("", [for i in range(64) : "?"])}/*", "_legacylift/*"]
      writer_arns = var.code_writer_arns
    },
    {
      sid         = "PromotionRecordsAndSealedArtifacts"
      keys        = ["*/models/promoted.json", "_sealed/*"]
      writer_arns = local.training_state_machine_role_arns
    },
  ]
}

module "s3" {
  source = "./modules/s3"

  create                       = var.create_shared_resources
  bucket_name                  = local.bucket_name
  kms_key_arn                  = var.kms_key_arn
  intermediate_prefixes        = module.workflow.s3_layout.run_key_prefixes
  intermediate_expiration_days = var.intermediate_expiration_days
  force_destroy                = var.force_destroy
  protected_keys               = local.protected_keys

  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
  tags                               = var.tags
}

resource "aws_s3_object" "code" {
  for_each = local.code_objects

  bucket      = module.s3.bucket_id
  key         = "${local.code_folders[each.value.model]}${each.value.file}"
  source      = "${var.models_dir}/${each.value.model}/${each.value.file}"
  source_hash = filemd5("${var.models_dir}/${each.value.model}/${each.value.file}")
  kms_key_id  = var.kms_key_arn
  tags        = var.tags

  # The bucket's encryption, versioning and TLS-only policy are in place before the first object
  # is written. (Written earlier, an object also gets a "null" version that moto cannot delete,
  # which hangs a force_destroy.)
  depends_on = [module.s3]
}

module "ecr" {
  source   = "./modules/ecr"
  for_each = { for name, model in var.models : name => model if var.create_shared_resources }

  name             = "${var.ecr_repository_prefix}${each.key}"
  kms_key_arn      = var.kms_key_arn
  keep_image_count = var.ecr_keep_image_count
  force_delete     = var.force_destroy
  tags             = var.tags
}

# Every state machine of this stack, in one map (modules/workflow's state_machines): each built
# model's inference workflow, each training workflow, and the generic workflow in the stack that
# holds the shared resources. Each passes its own execution roles (job_roles), holding only its
# own permissions; their names, and so the ARNs the definitions carry, are known at plan.
locals {
  state_machines = { for key, machine in module.workflow.state_machines : key => machine if machine.kind != "generic" || var.create_shared_resources }
  job_roles      = merge([for machine in values(local.state_machines) : machine.job_roles]...)

  # model -> key in local.state_machines, per kind (the root outputs keep their shapes).
  inference_machines = { for key, machine in local.state_machines : machine.model => key if machine.kind == "inference" }
  training_machines  = { for key, machine in local.state_machines : machine.model => key if machine.kind == "training" }
  generic_machines   = [for key, machine in local.state_machines : key if machine.kind == "generic"]
}

module "sagemaker_role" {
  source   = "./modules/sagemaker-role"
  for_each = local.job_roles

  name                     = each.value.name
  description              = each.value.description
  policy_json              = each.value.policy_json
  source_account_id        = local.account_id
  source_arns              = each.value.source_arns
  permissions_boundary_arn = var.permissions_boundary_arn
  tags                     = var.tags
}

# SageMaker creates /aws/sagemaker/ProcessingJobs on first use, without retention or key. The
# group is shared by every processing job of the account and region: manage it from one
# deployment only.
resource "aws_cloudwatch_log_group" "processing_jobs" {
  count = var.manage_processing_job_log_group && var.create_shared_resources ? 1 : 0

  name              = "/aws/sagemaker/ProcessingJobs"
  retention_in_days = var.processing_job_log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

module "state_machine" {
  source   = "./modules/state-machine"
  for_each = local.state_machines

  name = each.value.name
  # The jobs' roles exist before an execution can pass them: the definition refers to their
  # names (known at plan; the reference adds nothing to the text), which orders each state
  # machine after the roles without a depends_on, whose deferred data sources would show every
  # state machine's policies as changing whenever any role changes.
  definition               = "${each.value.definition}${substr(join("", [for key in keys(each.value.job_roles) : module.sagemaker_role[key].role_name]), 0, 0)}"
  policy_json              = each.value.policy_json
  log_level                = var.log_level
  include_execution_data   = var.include_execution_data
  log_retention_days       = var.log_retention_days
  log_kms_key_arn          = var.kms_key_arn
  tracing_enabled          = var.tracing_enabled
  source_account_id        = local.account_id
  permissions_boundary_arn = var.permissions_boundary_arn
  tags                     = var.tags
}
