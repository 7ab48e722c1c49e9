# The training workflows: every built model whose entry has train, evaluate and promotion gets
# its own Train and Evaluate job roles and a second state machine <name_prefix>-<model>-train
# (main.tf's state_machines and job_roles). The step runner the legacy scripts run under is
# uploaded once, content-hashed, whenever a model has a training workflow or uses promoted
# artifacts.
locals {
  step_runner_source = "${path.module}/modules/workflow/files/steprunner.py"
  step_runner_folder = "_legacylift/code/${substr(filesha256(local.step_runner_source), 0, 16)}/"
  # Counted over every model, built or not, so the stack owning the bucket (the shared stack of
  # a split deployment, whose entries carry no image) uploads it for the model stacks.
  needs_step_runner = length([for name, model in var.models : name
    if contains(keys(model), "train") || try(model.inference.artifacts, "image") == "promoted"
  ]) > 0
}

resource "aws_s3_object" "step_runner" {
  count = local.needs_step_runner && var.create_shared_resources ? 1 : 0

  bucket       = module.s3.bucket_id
  key          = "${local.step_runner_folder}steprunner.py"
  source       = local.step_runner_source
  source_hash  = filemd5(local.step_runner_source)
  content_type = "text/x-python"
  kms_key_id   = var.kms_key_arn
  tags         = var.tags

  depends_on = [module.s3]
}
