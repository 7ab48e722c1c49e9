"""Building CreateProcessingJob requests in tests."""

from __future__ import annotations

import uuid

ROLE = "arn:aws:iam::000000000000:role/legacylift-test"


def unique_name(prefix: str = "t") -> str:
    """A job name no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def s3_input(name: str, uri: str, local_path: str, **extra) -> dict:
    """A ProcessingInput staged from `uri` (s3:// or file://)."""
    return {
        "InputName": name,
        "S3Input": {
            "S3Uri": uri,
            "LocalPath": local_path,
            "S3DataType": "S3Prefix",
            "S3InputMode": "File",
            **extra,
        },
    }


def s3_output(name: str, uri: str, local_path: str, mode: str = "EndOfJob") -> dict:
    """A ProcessingOutput uploaded to `uri`."""
    return {
        "OutputName": name,
        "S3Output": {"S3Uri": uri, "LocalPath": local_path, "S3UploadMode": mode},
    }


def processing_request(
    image: str,
    entrypoint: list[str] | None = None,
    arguments: list[str] | None = None,
    inputs: list[dict] | None = None,
    outputs: list[dict] | None = None,
    max_runtime: int = 120,
    environment: dict | None = None,
    name: str | None = None,
    **extra,
) -> dict:
    """A valid CreateProcessingJob request."""
    app: dict = {"ImageUri": image}
    if entrypoint is not None:
        app["ContainerEntrypoint"] = entrypoint
    if arguments is not None:
        app["ContainerArguments"] = arguments
    request = {
        "ProcessingJobName": name or unique_name(),
        "ProcessingResources": {
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.t3.medium",
                "VolumeSizeInGB": 1,
            }
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": max_runtime},
        "AppSpecification": app,
        "RoleArn": ROLE,
        **extra,
    }
    if inputs is not None:
        request["ProcessingInputs"] = inputs
    if outputs is not None:
        request["ProcessingOutputConfig"] = {"Outputs": outputs}
    if environment is not None:
        request["Environment"] = environment
    return request


def shell(script: str) -> list[str]:
    """A ContainerEntrypoint running a shell script."""
    return ["sh", "-c", script]
