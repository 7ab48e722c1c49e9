# The states the model and train templates share, rendered in HCL: a template cannot call
# templatefile(), and an expression here is parsed once per plan where a template file is parsed
# again on every templatefile() call (benchmarks/results/render_workflow.md). Each template
# places them by name: its processing steps' Task states, its PinnedSettings state and the
# override checks of its ValidateInput state.
locals {
  # The inference workflow's steps and the fan-out combine steps, each with its execution role,
  # keyed <model>/<state name>.
  inference_task_steps = merge(
    { for item in flatten([for name, workflow in local.workflows : [
      for step in workflow.steps : merge(step, { task_key = "${name}/${step.state_name}", role_arn = workflow.role_arn })
    ]]) : item.task_key => item },
    { for name, step in local.fan_out_combine : "${name}/${step.state_name}" => merge(step, { task_key = "${name}/${step.state_name}", role_arn = local.model_grants[name].role_arn }) },
  )

  # What differs between the workflows' Task states: the Parameters (the inference workflow's
  # written out in reading order, which jsonencode() would sort; the training workflow's built
  # as an object in training.tf) and the end of the comment. The inference and training state
  # names differ, so the keys <model>/<state name> do too.
  processing_tasks = merge(
    { for key, step in local.inference_task_steps : key => {
      state_name = step.state_name
      next       = step.next
      comment    = "No Catch: a failed job fails this Task, and with it the run (error States.TaskFailed, cause the job's description with its FailureReason), so a redrive (RedriveExecution) starts this Task again, with a new job name, and then what follows."
      parameters = <<-EOT
      {
        "ProcessingJobName.$": ${jsonencode(step.job_name_expr)},
        "RoleArn": ${jsonencode(step.role_arn)},
        "AppSpecification": {
          "ImageUri": ${jsonencode(step.image_uri)}%{if step.entrypoint != null},
          "ContainerEntrypoint": ${jsonencode(step.entrypoint)}%{endif}%{if step.arguments != null},
          "ContainerArguments": ${jsonencode(step.arguments)}%{endif}
        },
        %{if step.inputs_path != null~}
        "ProcessingInputs.$": ${jsonencode(step.inputs_path)},
        %{else~}
        "ProcessingInputs": [
          {
            "InputName": "data",
            "S3Input": {
              "S3Uri.$": ${jsonencode(step.input_expr)},
              "LocalPath": ${jsonencode(step.input_path)},
              "S3DataType": ${jsonencode(step.data_type)},
              "S3InputMode": "File",
              "S3DataDistributionType": ${jsonencode(step.instance_count > 1 ? "ShardedByS3Key" : "FullyReplicated")}
            }
          }%{if step.code_uri != null},
          {
            "InputName": "code",
            "S3Input": {
              "S3Uri": ${jsonencode(step.code_uri)},
              "LocalPath": "/opt/ml/processing/input/code",
              "S3DataType": "S3Prefix",
              "S3InputMode": "File",
              "S3DataDistributionType": "FullyReplicated"
            }
          }%{endif}
        ],
        %{endif~}
        "ProcessingOutputConfig": {
          "Outputs": [
            {
              "OutputName": "output",
              "S3Output": {
                "S3Uri.$": ${jsonencode(step.output_expr)},
                "LocalPath": ${jsonencode(step.output_path)},
                "S3UploadMode": "EndOfJob"
              }
            }
          ]%{if var.kms_key_arn != null},
          "KmsKeyId": ${jsonencode(var.kms_key_arn)}%{endif}
        },
        "ProcessingResources": {
          "ClusterConfig": {
            "InstanceCount": ${step.instance_count},
            "InstanceType.$": ${jsonencode("${step.settings_path}.instance_type")},
            "VolumeSizeInGB.$": ${jsonencode("${step.settings_path}.volume_size")}%{if var.kms_key_arn != null},
            "VolumeKmsKeyId": ${jsonencode(var.kms_key_arn)}%{endif}
          }
        },
        "StoppingCondition": {
          "MaxRuntimeInSeconds.$": ${jsonencode("${step.settings_path}.max_runtime")}
        },
        "Environment": ${jsonencode(step.environment)},
        "NetworkConfig": {
          "EnableNetworkIsolation": ${jsonencode(!step.network)}
        },
        "Tags": ${jsonencode(step.tags)}
      }
      EOT
    } },
    { for item in flatten([for name, workflow in local.training_workflows : [
      for step in workflow.steps : { task_key = "${name}/${step.state_name}", state_name = step.state_name, next = step.next, parameters = jsonencode(step.parameters) }
      ]]) : item.task_key => {
      state_name = item.state_name
      next       = item.next
      comment    = "No Catch: a failed job fails this Task, and with it the run (error States.TaskFailed, cause the job's description with its FailureReason), so a redrive (RedriveExecution) starts this Task again and then what follows. The promotion record is untouched."
      parameters = item.parameters
    } },
  )

  # One SageMaker processing job per Task state, waited for (.sync); see local.retry (main.tf)
  # for why there is no Catch.
  processing_task_states = { for key, task in local.processing_tasks : key => <<-EOT
    {
      "Type": "Task",
      "Resource": "arn:aws:states:::sagemaker:createProcessingJob.sync",
      "Parameters": ${task.parameters},
      "ResultSelector": {
        "ProcessingJobName.$": "$.ProcessingJobName",
        "ProcessingJobArn.$": "$.ProcessingJobArn",
        "ProcessingJobStatus.$": "$.ProcessingJobStatus"
      },
      "ResultPath": ${jsonencode("$.jobs.${task.state_name}")},
      "Retry": ${jsonencode(local.retry)},
      "Comment": ${jsonencode(task.comment)},
      "Next": ${jsonencode(task.next)}
    }
  EOT
  }

  # The execution input's optional overrides of every step's pinned settings, as both workflows'
  # ValidateInput checks them: an ml.* instance type, 1..16384 GB of volume, 1..777600 s of runtime.
  override_choices = <<-EOT
      {"Or": [
        {"Not": {"Variable": "$.instance_type", "IsPresent": true}},
        {"Variable": "$.instance_type", "StringMatches": "ml.*"}
      ]},
      {"Or": [
        {"Not": {"Variable": "$.volume_size", "IsPresent": true}},
        {"And": [
          {"Variable": "$.volume_size", "IsNumeric": true},
          {"Variable": "$.volume_size", "NumericGreaterThanEquals": 1},
          {"Variable": "$.volume_size", "NumericLessThanEquals": 16384}
        ]}
      ]},
      {"Or": [
        {"Not": {"Variable": "$.max_runtime", "IsPresent": true}},
        {"And": [
          {"Variable": "$.max_runtime", "IsNumeric": true},
          {"Variable": "$.max_runtime", "NumericGreaterThanEquals": 1},
          {"Variable": "$.max_runtime", "NumericLessThanEquals": 777600}
        ]}
      ]}
  EOT

  # The settings Terraform pinned for each step, per workflow: <model> (inference),
  # <model>/train (training), <model>/combine (a fan-out's combine step).
  pinned_settings_states = { for key, pinned in merge(
    { for name, workflow in local.workflows : name => workflow.pinned },
    { for name, workflow in local.training_workflows : "${name}/train" => workflow.pinned },
    { for name, step in local.fan_out_combine : "${name}/combine" => { combine = step.pinned } },
    ) : key => <<-EOT
    {
      "Type": "Pass",
      "Comment": "The settings Terraform pinned for each step.",
      "Result": ${jsonencode(pinned)},
      "ResultPath": "$.pinned",
      "Next": "ResolveSettings"
    }
  EOT
  }
}
