# TEMPORARY stand-in for modules/workflow (issue 3, workflow half) with the interface of
# docs/contracts.md section 3, so the AWS modules can be validated, planned and applied before
# the real module lands. Tests copy it to modules/workflow only where that is absent.
terraform {
  required_version = ">= 1.0.3"
}

variable "name_prefix" { type = string }
variable "models" { type = any }
variable "framework_image_uri" { type = string }
variable "sagemaker_role_arn" { type = string }
variable "data_bucket" { type = string }
variable "default_instance_type" { type = string }
variable "default_volume_size" { type = number }
variable "default_max_runtime" { type = number }
variable "allow_mutable_image_tags" { type = bool }
variable "enable_generic_workflow" { type = bool }
variable "aws_partition" { type = string }
variable "aws_region" { type = string }
variable "aws_account_id" { type = string }
variable "ecr_repository_prefix" { type = string }
variable "kms_key_arn" {
  type    = string
  default = null
}

locals {
  built = { for name, model in var.models : name => model if try(model.image_uri, null) != null }
  definitions = { for name, model in local.built : name => jsonencode({
    StartAt = "Inference"
    States = {
      Inference = {
        Type     = "Task"
        Resource = "arn:${var.aws_partition}:states:::sagemaker:createProcessingJob.sync"
        Parameters = {
          "ProcessingJobName.$" = "States.Format('${var.name_prefix}-${name}-inf-{}', States.UUID())"
          RoleArn               = var.sagemaker_role_arn
          AppSpecification      = { ImageUri = model.image_uri }
          ProcessingResources = { ClusterConfig = {
            InstanceCount  = 1
            InstanceType   = var.default_instance_type
            VolumeSizeInGB = var.default_volume_size
          } }
          StoppingCondition = { MaxRuntimeInSeconds = var.default_max_runtime }
        }
        End = true
      }
    }
  }) }
  policy = { for name in keys(local.built) : name => jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["sagemaker:CreateProcessingJob"]
      Resource = "arn:${var.aws_partition}:sagemaker:${var.aws_region}:${var.aws_account_id}:processing-job/${var.name_prefix}-${name}-*"
    }]
  }) }
}

output "definitions" { value = local.definitions }
output "generic_definition" {
  value = var.enable_generic_workflow ? jsonencode({ StartAt = "Done", States = { Done = { Type = "Succeed" } } }) : null
}
output "generic_state_machine_policy" {
  value = var.enable_generic_workflow ? jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["sagemaker:DescribeProcessingJob"], Resource = "arn:${var.aws_partition}:sagemaker:${var.aws_region}:${var.aws_account_id}:processing-job/${var.name_prefix}-*" }] }) : null
}
output "job_name_prefixes" { value = { for name in keys(var.models) : name => "${var.name_prefix}-${name}" } }
output "state_machine_policies" { value = local.policy }
output "sagemaker_policy" {
  value = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "arn:${var.aws_partition}:s3:::${var.data_bucket}/*" }] })
}
output "s3_layout" { value = { bucket = var.data_bucket } }
output "state_machine_names" { value = { for name in keys(local.built) : name => "${var.name_prefix}-${name}" } }
