"""The errors users see, each one line naming the problem and the fix.

`LegacyLiftError` is the one exception type user-facing code raises. The rest is the one
boundary between AWS's errors and the user: every command turns a client error, a failed
transfer or expired credentials into one line naming the action and the fix.
`describe_aws_error` reads boto3/botocore exceptions (a failed upload carries the client error
it wraps); `describe_terraform_aws_error` reads the same codes out of a Terraform run's output,
where the AWS provider reports them as `api error CODE: message`. It lives here, below every
engine, because building (ECR logins) meets AWS's errors as well as operating on AWS does.
"""

from __future__ import annotations

import re

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)


class LegacyLiftError(Exception):
    """An error a user can act on. The message says what is wrong and how to fix it."""


CREDENTIALS_HELP = (
    "configure AWS credentials the standard way: `aws configure` / `aws sso login` with "
    "AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN), "
    "and a region (AWS_REGION or the profile's region)"
)
EXPIRED_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "TokenRefreshRequired",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "InvalidSignatureException",
    }
)
DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "AuthorizationError",
        "Forbidden",
        "403",
    }
)
THROTTLED_CODES = frozenset({"Throttling", "ThrottlingException", "TooManyRequestsException"})
TERRAFORM_API_ERROR = re.compile(r"api error (\w+): ([^\n]+)")
TERRAFORM_OPERATION = re.compile(r"operation error [\w ]+?: (\w+)")


def is_aws_error(exc: BaseException) -> bool:
    """Whether `exc` comes from boto3/botocore (a client error, a failed transfer, credentials)."""
    from boto3.exceptions import Boto3Error

    return isinstance(exc, (ClientError, BotoCoreError, Boto3Error))


def fix_for(code: str, operation: str) -> str:
    """What the user does about an AWS error code."""
    if code in EXPIRED_CODES:
        return (
            "the AWS credentials are expired or invalid: refresh them (`aws sso login`, a new "
            f"session token or access key) and rerun; {CREDENTIALS_HELP}"
        )
    if code in DENIED_CODES:
        return (
            f"the AWS identity in use may not call {operation}: grant it that permission, or "
            "use credentials that have it (AWS_PROFILE), and rerun"
        )
    if code in THROTTLED_CODES:
        return "AWS is throttling the account's requests: wait a minute and rerun"
    return "fix what AWS names above and rerun"


def _client_error_of(exc: BaseException) -> ClientError | None:
    """The ClientError itself, or the one a wrapper (e.g. a failed upload) was raised from."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ClientError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def describe_aws_error(action: str, exc: BaseException) -> str:
    """One line: the action, what AWS said, and the fix."""
    client_error = _client_error_of(exc)
    if client_error is not None:
        error = client_error.response.get("Error", {})
        code = str(error.get("Code") or "Unknown")
        message = " ".join(str(error.get("Message") or "").split()) or "no message"
        operation = client_error.operation_name or "the API"
        return f"{action}: AWS refused {operation} ({code}: {message}): {fix_for(code, operation)}"
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return f"{action}: no usable AWS credentials: {CREDENTIALS_HELP}"
    if isinstance(exc, NoRegionError):
        return f"{action}: no AWS region set: {CREDENTIALS_HELP}"
    if isinstance(exc, EndpointConnectionError):
        return (
            f"{action}: cannot reach AWS ({exc}): check the network, a proxy, or AWS_ENDPOINT_URL"
        )
    text = " ".join(str(exc).split())
    if "token" in text.lower() and ("expired" in text.lower() or "sso" in text.lower()):
        return f"{action}: the AWS session has expired ({text}): run `aws sso login` and rerun"
    return f"{action}: AWS call failed ({type(exc).__name__}: {text}): {CREDENTIALS_HELP}"


def describe_terraform_aws_error(action: str, output: str) -> str | None:
    """One line for a Terraform run that AWS refused for credentials or permissions, else None
    (other Terraform errors keep their full text)."""
    match = TERRAFORM_API_ERROR.search(output or "")
    if not match or match[1] not in EXPIRED_CODES | DENIED_CODES:
        return None
    operation = TERRAFORM_OPERATION.search(output)
    name = operation[1] if operation else "an AWS API"
    message = " ".join(match[2].split())
    return f"{action}: AWS refused {name} ({match[1]}: {message}): {fix_for(match[1], name)}"
