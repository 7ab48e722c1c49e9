provider "aws" {
  region = var.region

  # Step Functions and IAM throttle control-plane calls (docs/deployment.md, throttles): the
  # provider retries a throttled call with backoff; adaptive mode also slows its own rate.
  max_retries = var.aws_max_retries
  retry_mode  = var.aws_retry_mode

  default_tags {
    tags = merge(var.tags, {
      "legacylift:workspace" = terraform.workspace
      "managed-by"           = "terraform"
    })
  }
}

locals {
  # One deployment per workspace: dev, prod, ... each with its own names and state.
  name_prefix = "legacylift-${terraform.workspace}"
}

module "legacylift" {
  source = "../"

  name_prefix             = local.name_prefix
  create_shared_resources = var.create_shared_resources
  bucket_name             = var.bucket_name
  models                  = var.models
  models_dir              = "${path.module}/../legacy_models"
  framework_image_uri     = var.framework_image_uri
  default_instance_type   = var.default_instance_type
  enable_generic_workflow = var.enable_generic_workflow

  generic_image_repositories        = var.generic_image_repositories
  generic_s3_uris                   = var.generic_s3_uris
  generic_allow_entrypoint_override = var.generic_allow_entrypoint_override
  generic_allow_network_override    = var.generic_allow_network_override
  manage_processing_job_log_group   = var.manage_processing_job_log_group
  processing_job_log_retention_days = var.processing_job_log_retention_days

  ecr_repository_prefix    = var.ecr_repository_prefix
  extra_input_s3_uris      = var.extra_input_s3_uris
  extra_output_s3_uris     = var.extra_output_s3_uris
  kms_key_arn              = var.kms_key_arn
  log_level                = var.log_level
  include_execution_data   = var.include_execution_data
  tracing_enabled          = var.tracing_enabled
  force_destroy            = var.force_destroy
  permissions_boundary_arn = var.permissions_boundary_arn
  code_writer_arns         = var.code_writer_arns
  evaluation_data_uris     = var.evaluation_data_uris

  schedules_enabled   = var.schedules_enabled
  triggers_enabled    = var.triggers_enabled
  alerts_enabled      = var.alerts_enabled
  alert_subscriptions = var.alert_subscriptions
}
