"""Bootstrap Terraform's S3 state backend: a versioned, encrypted, private bucket and a
DynamoDB lock table, then `terraform/backend.hcl` for `init -backend-config`.

The backend must exist before the first `terraform init`, so it cannot be created by the
configuration whose state it holds: this is the one piece made by API calls.
"""

from __future__ import annotations

import re
from pathlib import Path

from botocore.exceptions import ClientError

from legacylift import console
from legacylift.atomic import write_text_atomic
from legacylift.errors import LegacyLiftError

BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_SETTING = re.compile(r'^\s*([A-Za-z_]+)\s*=\s*"?([^"\n#]*?)"?\s*$', re.MULTILINE)
DEFAULT_STATE_KEY = "legacylift/terraform.tfstate"


def _create_bucket(s3, bucket: str, region: str) -> None:
    request: dict = {"Bucket": bucket}
    if region != "us-east-1":  # us-east-1 rejects an explicit LocationConstraint
        request["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        s3.create_bucket(**request)
        console.success(f"created bucket {bucket}")
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code == "BucketAlreadyOwnedByYou":
            console.info(f"bucket {bucket} exists (yours): keeping it")
        elif code == "BucketAlreadyExists":
            raise LegacyLiftError(
                f"bucket name {bucket!r} is taken by another account: pick another --bucket"
            ) from exc
        else:
            raise
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )


def _create_lock_table(dynamodb, table: str) -> None:
    try:
        dynamodb.create_table(
            TableName=table,
            AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
            SSESpecification={"Enabled": True},
        )
        dynamodb.get_waiter("table_exists").wait(TableName=table)
        console.success(f"created lock table {table}")
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ResourceInUseException":
            raise
        console.info(f"lock table {table} exists: keeping it")


def render_backend_config(bucket: str, region: str, table: str, key: str) -> str:
    """The `-backend-config` file text (Terraform 1.0 S3 backend settings)."""
    return (
        "# Written by `invoke bootstrap-backend`; passed to `terraform init` by `invoke deploy`.\n"
        f'bucket         = "{bucket}"\n'
        f'key            = "{key}"\n'
        f'region         = "{region}"\n'
        f'dynamodb_table = "{table}"\n'
        "encrypt        = true\n"
    )


def read_backend_settings(config: Path) -> dict[str, str]:
    """The `name = value` settings of a backend config file (what `render_backend_config`
    writes, or a user's own: strings, booleans, numbers; comments skipped)."""
    return {name: value.strip() for name, value in _SETTING.findall(config.read_text())}


def bootstrap_backend(
    aws, bucket: str, config_path: Path, table: str | None = None, key: str = DEFAULT_STATE_KEY
) -> Path:
    """Create (or keep) the state bucket and lock table in the session's region and write the
    backend config file; idempotent."""
    if not BUCKET_NAME.match(bucket):
        raise LegacyLiftError(
            f"invalid bucket name {bucket!r}: 3-63 lowercase letters, digits, '.' and '-'"
        )
    region = aws.region_name
    if not region:
        raise LegacyLiftError("no AWS region: set AWS_REGION (or the profile's region)")
    table = table or f"{bucket}-lock"
    _create_bucket(aws.client("s3"), bucket, region)
    _create_lock_table(aws.client("dynamodb"), table)
    write_text_atomic(Path(config_path), render_backend_config(bucket, region, table, key))
    console.success(f"wrote {config_path}")
    return Path(config_path)
