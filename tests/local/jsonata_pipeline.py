"""The rendered workflows' shapes written in JSONata with workflow variables.

`jsonata_pipeline`, the model workflow: validate the input, resolve the settings once into
variables (the run prefix among them), three processing jobs whose Arguments read those
variables, a Retry and a Catch per step leading to a Fail state that names the step, and a
Done state whose Output gathers the jobs. `jsonata_generic_pipeline`, the generic workflow."""

from __future__ import annotations

from typing import Any

SYNC = "arn:aws:states:::sagemaker:createProcessingJob.sync"
STEPS = [
    ("PreProcessing", "preprocessing"),
    ("Inference", "predict"),
    ("PostProcessing", "postprocessing"),
]
RETRY = [
    {
        "ErrorEquals": ["SageMaker.AmazonSageMakerException"],
        "IntervalSeconds": 1,
        "MaxAttempts": 2,
        "BackoffRate": 2,
    }
]


def _step(index: int, state: str, script: str, image: str, role_arn: str) -> dict[str, Any]:
    source = "{% $input_uri %}" if index == 0 else f"{{% $run_prefix & '{STEPS[index - 1][1]}/' %}}"
    last = index + 1 == len(STEPS)
    target = "{% $output_uri %}" if last else f"{{% $run_prefix & '{script}/' %}}"
    return {
        "Type": "Task",
        "Resource": SYNC,
        "Arguments": {
            "ProcessingJobName": f"{{% 'jsonata-{script[:4]}-' & $split($uuid(), '-')[4] %}}",
            "RoleArn": role_arn,
            "AppSpecification": {
                "ImageUri": image,
                "ContainerEntrypoint": ["python3", f"/opt/ml/code/{script}.py"],
            },
            "ProcessingInputs": [
                {
                    "InputName": "data",
                    "S3Input": {
                        "S3Uri": source,
                        "LocalPath": "/opt/ml/processing/input/data",
                        "S3DataType": "S3Prefix",
                        "S3InputMode": "File",
                    },
                }
            ],
            "ProcessingOutputConfig": {
                "Outputs": [
                    {
                        "OutputName": "output",
                        "S3Output": {
                            "S3Uri": target,
                            "LocalPath": "/opt/ml/processing/output",
                            "S3UploadMode": "EndOfJob",
                        },
                    }
                ]
            },
            "ProcessingResources": {
                "ClusterConfig": {
                    "InstanceCount": 1,
                    "InstanceType": "{% $settings.instance_type %}",
                    "VolumeSizeInGB": "{% $settings.volume_size %}",
                }
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": "{% $settings.max_runtime %}"},
            "NetworkConfig": {"EnableNetworkIsolation": True},
        },
        "Assign": {
            "jobs": (
                "{% $merge([$jobs, {'" + state + "': {"
                "'ProcessingJobName': $states.result.ProcessingJobName, "
                "'ProcessingJobStatus': $states.result.ProcessingJobStatus}}]) %}"
            )
        },
        "Retry": RETRY,
        "Catch": [
            {
                "ErrorEquals": ["States.ALL"],
                "Next": f"{state}Failed",
                "Assign": {"error": "{% $states.errorOutput %}"},
            }
        ],
        "Next": "Done" if last else STEPS[index + 1][0],
    }


def jsonata_pipeline(image: str, role_arn: str) -> dict[str, Any]:
    """The definition: every step runs `image` (a model image with the three scripts)."""
    states: dict[str, Any] = {
        "ValidateInput": {
            "Type": "Choice",
            "Choices": [
                {
                    "Condition": "{% $type($states.input.input_uri) = 'string' and "
                    "$substring($states.input.input_uri, 0, 5) = 's3://' and "
                    "$type($states.input.output_uri) = 'string' and "
                    "$substring($states.input.output_uri, 0, 5) = 's3://' %}",
                    "Next": "ResolveSettings",
                }
            ],
            "Default": "InvalidInput",
        },
        "InvalidInput": {
            "Type": "Fail",
            "Error": "LegacyLift.InvalidInput",
            "Cause": 'The execution input must be {"input_uri": "s3://...", '
            '"output_uri": "s3://..."}.',
        },
        "ResolveSettings": {
            "Type": "Pass",
            "Assign": {
                "input_uri": "{% $states.input.input_uri %}",
                "output_uri": "{% $states.input.output_uri %}",
                "run_prefix": "{% 's3://legacylift-local/jsonata/runs/' & "
                "$states.context.Execution.Name & '/' %}",
                "settings": "{% $merge([{'instance_type': 'ml.t3.medium', 'volume_size': 1, "
                "'max_runtime': 300}, $states.input.settings ? "
                "$states.input.settings : {}]) %}",
                "jobs": {},
            },
            "Next": STEPS[0][0],
        },
        "Done": {
            "Type": "Pass",
            "End": True,
            "Output": {
                "output_uri": "{% $output_uri %}",
                "run_prefix": "{% $run_prefix %}",
                "jobs": "{% $jobs %}",
            },
        },
    }
    for index, (state, script) in enumerate(STEPS):
        states[state] = _step(index, state, script, image, role_arn)
        states[f"{state}Failed"] = {
            "Type": "Fail",
            "Error": f"{{% 'LegacyLift.{state}.' & $error.Error %}}",
            "Cause": "{% $exists($error.Cause) ? $error.Cause : 'no cause' %}",
        }
    return {
        "Comment": "LegacyLift model workflow, JSONata edition",
        "QueryLanguage": "JSONata",
        "StartAt": "ValidateInput",
        "States": states,
    }


def jsonata_generic_pipeline(role_arn: str) -> dict[str, Any]:
    """The generic workflow's shape (the original pattern's execution input: PreProcessing,
    Inference, PostProcessing objects, any of them omitted) in JSONata: the Choice rule that
    finds a step assigns its settings (defaults merged with the step's object) to `$current`,
    which the Task's Arguments read."""
    defaults = {
        "InstanceType": "ml.t3.medium",
        "VolumeSizeInGB": 1,
        "MaxRuntimeInSeconds": 300,
        "RoleArn": role_arn,
    }
    keys = [state for state, _ in STEPS]
    states: dict[str, Any] = {
        "ValidateInput": {
            "Type": "Choice",
            "Choices": [
                {
                    "Condition": "{% "
                    + " or ".join(f"$exists($states.input.{key})" for key in keys)
                    + " %}",
                    "Next": "ApplyDefaults",
                }
            ],
            "Default": "InvalidInput",
        },
        "InvalidInput": {
            "Type": "Fail",
            "Error": "LegacyLift.InvalidInput",
            "Cause": "The execution input needs PreProcessing, Inference or PostProcessing.",
        },
        "ApplyDefaults": {
            "Type": "Pass",
            "Assign": {"defaults": defaults, "results": {}},
            "Next": f"Has{keys[0]}",
        },
        "Done": {"Type": "Pass", "End": True, "Output": {"Results": "{% $results %}"}},
    }
    for index, (key, script) in enumerate(STEPS):
        following = f"Has{keys[index + 1]}" if index + 1 < len(keys) else "Done"
        states[f"Has{key}"] = {
            "Type": "Choice",
            "Choices": [
                {
                    "Condition": f"{{% $exists($states.input.{key}) %}}",
                    "Next": key,
                    "Assign": {"current": f"{{% $merge([$defaults, $states.input.{key}]) %}}"},
                }
            ],
            "Default": following,
        }
        states[key] = {
            "Type": "Task",
            "Resource": SYNC,
            "Arguments": {
                "ProcessingJobName": "{% $current.ProcessingJobName %}",
                "RoleArn": "{% $current.RoleArn %}",
                "AppSpecification": {
                    "ImageUri": "{% $current.ImageUri %}",
                    "ContainerEntrypoint": ["python3", f"/opt/ml/code/{script}.py"],
                },
                "ProcessingInputs": [
                    {
                        "InputName": "data",
                        "S3Input": {
                            "S3Uri": "{% $current.InputUri.S3Uri %}",
                            "LocalPath": "/opt/ml/processing/input/data",
                            "S3DataType": "S3Prefix",
                            "S3InputMode": "File",
                        },
                    }
                ],
                "ProcessingOutputConfig": {
                    "Outputs": [
                        {
                            "OutputName": "output",
                            "S3Output": {
                                "S3Uri": "{% $current.OutputUri.S3Uri %}",
                                "LocalPath": "/opt/ml/processing/output",
                                "S3UploadMode": "EndOfJob",
                            },
                        }
                    ]
                },
                "ProcessingResources": {
                    "ClusterConfig": {
                        "InstanceCount": 1,
                        "InstanceType": "{% $current.InstanceType %}",
                        "VolumeSizeInGB": "{% $current.VolumeSizeInGB %}",
                    }
                },
                "StoppingCondition": {"MaxRuntimeInSeconds": "{% $current.MaxRuntimeInSeconds %}"},
            },
            "Assign": {
                "results": "{% $merge([$results, {'" + key + "': {'ProcessingJobStatus'"
                ": $states.result.ProcessingJobStatus}}]) %}"
            },
            "Output": "{% $states.input %}",
            "Retry": RETRY,
            "Catch": [
                {
                    "ErrorEquals": ["States.ALL"],
                    "Next": f"{key}Failed",
                    "Assign": {"error": "{% $states.errorOutput %}"},
                }
            ],
            "Next": following,
        }
        states[f"{key}Failed"] = {
            "Type": "Fail",
            "Error": f"{{% 'LegacyLift.{key}.' & $error.Error %}}",
        }
    return {
        "Comment": "LegacyLift generic workflow, JSONata edition",
        "QueryLanguage": "JSONata",
        "StartAt": "ValidateInput",
        "States": states,
    }
