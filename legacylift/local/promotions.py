"""Which version of each model is promoted: the training workflow's records, read for
`invoke list-models` from the local object store and, on request, from each deployed
workspace's data bucket."""

from __future__ import annotations

import json
from collections.abc import Callable

from legacylift.errors import LegacyLiftError
from legacylift.local.settings import LocalSettings


def describe(record: dict) -> str:
    """`<source execution> (<metric> = <value>)`, or "-" for no record."""
    if not record:
        return "-"
    metric = record.get("metric", {})
    return f"{record.get('source_execution', '?')} ({metric.get('name')} = {metric.get('value')})"


def training_data_warning(model: str, output: dict | None) -> str | None:
    """The warning a training run's output calls for when it was evaluated on its own
    training data (no evaluation data given), else None."""
    output = output or {}
    evaluated_on_training = output.get("evaluated_on_training_data") or output.get(
        "record", {}
    ).get("evaluated_on_training_data")
    if not evaluated_on_training:
        return None
    return (
        f"{model} was evaluated on its training data (no evaluation data given): its metric "
        "overstates how it does on new data; give --evaluation (the promotion record says "
        "evaluated_on_training_data = true)"
    )


def local_reader(settings: LocalSettings | None = None) -> Callable[[str], str]:
    """Model name -> its promoted version in the local workspace's object store."""
    from legacylift.local.training import promotion_record

    settings = settings or LocalSettings.from_env()
    return lambda name: describe(promotion_record("local", name, settings))


def aws_reader(workspace: str) -> Callable[[str], str]:
    """Model name -> its promoted version in `workspace`'s data bucket (needs credentials; the
    workspace's outputs are read once)."""
    from botocore.exceptions import ClientError

    from legacylift.aws import stack
    from legacylift.aws.session import check_credentials, session

    check_credentials(session())
    records = dict(stack.load_stack(workspace).outputs.get("promotion_records") or {})
    s3 = session().client("s3")

    def read(name: str) -> str:
        uri = records.get(name)
        if uri is None:
            return "not deployed"
        bucket, key = uri.removeprefix("s3://").split("/", 1)
        try:
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NoSuchKey", "404"):
                return "-"
            raise LegacyLiftError(f"reading {uri}: {exc}") from None
        return describe(json.loads(body))

    return read
