"""What the local runner does not emulate, refused up front with a clear reason."""

from __future__ import annotations

from typing import Any

from legacylift.errors import LegacyLiftError


class NotSupportedLocally(LegacyLiftError):
    """A valid SageMaker request using a feature the local engine does not emulate."""

    code = "NotSupportedLocally"


def _refuse(where: str, what: str, fix: str) -> None:
    raise NotSupportedLocally(f"{where}: {what} is not emulated by the local runner; {fix}")


def check_supported(request: dict[str, Any]) -> None:
    """Raise `NotSupportedLocally` for Pipe, Gzip, Continuous upload, dataset
    definitions and Feature Store outputs (ShardedByS3Key and several instances run: see
    legacylift.local.cluster)."""
    for item in request.get("ProcessingInputs", []):
        where = f"ProcessingInputs '{item['InputName']}'"
        if "DatasetDefinition" in item:
            _refuse(where, "DatasetDefinition (Athena/Redshift)", "use an S3Input")
        s3 = item.get("S3Input")
        if s3 is None:
            _refuse(where, "an input without S3Input", "give it an S3Input")
        if s3.get("S3InputMode", "File") != "File":
            _refuse(where, "S3InputMode Pipe", "use S3InputMode File")
        if s3.get("S3CompressionType", "None") != "None":
            _refuse(where, "S3CompressionType Gzip", "use S3CompressionType None")
    for item in request.get("ProcessingOutputConfig", {}).get("Outputs", []):
        _check_output(item)
    cluster = request["ProcessingResources"]["ClusterConfig"]
    if "InstanceType" not in cluster:
        _refuse("ProcessingResources.ClusterConfig", "InstancePreferences", "set InstanceType")


def _check_output(item: dict[str, Any]) -> None:
    where = f"ProcessingOutputConfig.Outputs '{item['OutputName']}'"
    if "FeatureStoreOutput" in item:
        _refuse(where, "FeatureStoreOutput", "use an S3Output")
    s3 = item.get("S3Output")
    if s3 is None:
        _refuse(where, "an output without S3Output", "give it an S3Output")
    if s3["S3UploadMode"] != "EndOfJob":
        _refuse(where, "S3UploadMode Continuous", "use S3UploadMode EndOfJob")
