# The original pattern's generic workflow: one shared state machine, every parameter from the
# execution input. Its job names get a prefix no per-model job name can have (model names start
# with a letter, so "<name_prefix>--" is never a model's), which scopes its IAM.
locals {
  generic_state_machine_name = "${var.name_prefix}--generic"
  generic_job_name_prefix    = "${var.name_prefix}--generic-"

  generic_step_keys = ["PreProcessing", "Inference", "PostProcessing"]
  generic_steps = [for index, key in local.generic_step_keys : {
    key                   = key
    choice_state          = "Has${key}"
    settings_state        = "${key}Settings"
    fail_state            = "${key}Failed"
    next                  = index + 1 < length(local.generic_step_keys) ? "Has${local.generic_step_keys[index + 1]}" : "Done"
    script_mode           = key != "Inference"
    default_image_uri     = key != "Inference" ? var.framework_image_uri : null
    required_uris         = key != "Inference" ? ["InputUri", "OutputUri", "CodeUri"] : ["InputUri", "OutputUri"]
    entrypoint            = ["python3", "${key != "Inference" ? local.code_dir.framework : local.code_dir.model}/${local.step_script[local.step_order[index]]}"]
    default_job_name_expr = "States.Format('${local.step_abbreviation[local.step_order[index]]}-{}', ${local.uuid_suffix})"
    tags = [
      { Key = "legacylift:workflow", Value = "generic" },
      { Key = "legacylift:step", Value = local.step_order[index] },
    ]
  }]

  generic_rendered = var.enable_generic_workflow ? replace(templatefile("${path.module}/templates/generic.asl.json.tftpl", {
    steps                 = local.generic_steps
    job_name_prefix       = local.generic_job_name_prefix
    default_instance_type = var.default_instance_type
    default_volume_size   = var.default_volume_size
    default_max_runtime   = var.default_max_runtime
    role_arn              = local.generic_sagemaker_role_arn
    retry                 = local.retry
    kms_key_arn           = var.kms_key_arn
    numeric_bounds = {
      VolumeSizeInGB      = [1, 16384]
      MaxRuntimeInSeconds = [1, 777600]
    }
    # A step's CodeUri: the code area, or anywhere no generic job may write.
    code_area                 = "s3://${var.data_bucket}/${local.generic_code_prefix}*"
    writable_by_jobs          = concat(["s3://${var.data_bucket}/${local.generic_data_prefix}*"], [for uri in concat(var.generic_s3_uris, var.extra_output_s3_uris) : "${uri}*"])
    allow_entrypoint_override = var.generic_allow_entrypoint_override
    allow_network_override    = var.generic_allow_network_override
    # Keys of a step's input that only Terraform sets: refused rather than silently ignored.
    fixed_keys = concat(
      var.generic_allow_entrypoint_override ? [] : ["ContainerEntrypoint"],
      var.generic_allow_network_override ? [] : ["EnableNetworkIsolation"],
    )
  }), "/\\n\\s*/", "") : null

  generic_definition = local.generic_rendered == null ? null : (jsondecode(local.generic_rendered).StartAt != "" ? local.generic_rendered : null)
}
