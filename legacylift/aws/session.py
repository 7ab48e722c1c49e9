"""AWS clients over the standard credential chain, and an early, clear credentials check."""

from __future__ import annotations

import boto3
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)

from legacylift.errors import CREDENTIALS_HELP, LegacyLiftError, describe_aws_error


def region_of_arn(arn: str) -> str:
    """The region field of an ARN (arn:partition:service:region:account:...)."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        raise LegacyLiftError(f"{arn!r} is not an ARN")
    return parts[3]


def session(region: str | None = None) -> boto3.session.Session:
    """A boto3 session on the standard chain (env, profile, SSO, instance role)."""
    return boto3.session.Session(region_name=region or None)


def check_credentials(aws: boto3.session.Session) -> dict[str, str]:
    """Ask STS who we are; raise naming the fix when credentials or region are missing."""
    try:
        identity = aws.client("sts").get_caller_identity()
    except (NoCredentialsError, PartialCredentialsError) as exc:
        raise LegacyLiftError(f"no usable AWS credentials ({exc}): {CREDENTIALS_HELP}") from exc
    except NoRegionError as exc:
        raise LegacyLiftError(f"no AWS region set: {CREDENTIALS_HELP}") from exc
    except ClientError as exc:
        raise LegacyLiftError(describe_aws_error("checking the AWS credentials", exc)) from exc
    except BotoCoreError as exc:
        raise LegacyLiftError(f"cannot reach AWS STS ({exc}): {CREDENTIALS_HELP}") from exc
    return {"account": identity["Account"], "arn": identity["Arn"]}
