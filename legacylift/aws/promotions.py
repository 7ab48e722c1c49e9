"""Which version of each model is promoted in a deployed workspace: the training workflow's
records, read for `invoke list-models --aws` from the workspace's data bucket."""

from __future__ import annotations

import json
from collections.abc import Callable

from botocore.exceptions import ClientError

from legacylift.aws import deployed
from legacylift.aws.session import check_credentials, session
from legacylift.errors import LegacyLiftError
from legacylift.local.promotions import describe


def aws_reader(workspace: str) -> Callable[[str], str]:
    """Model name -> its promoted version in `workspace`'s data bucket (needs credentials; the
    workspace's outputs are read once)."""
    check_credentials(session())
    records = dict(deployed.load_stack(workspace).outputs.get("promotion_records") or {})
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
