"""Task states whose resource is the AWS SDK integration for S3 GetObject / PutObject, run on
the local object store (or the S3 endpoint LEGACYLIFT_S3_ENDPOINT_URL names).

As Step Functions' `arn:aws:states:::aws-sdk:s3:...` integration does:
- `getObject` returns the object's content as the string `Body` (with ContentLength,
  ContentType, ETag); a missing key fails the state with `S3.NoSuchKeyException`;
- `putObject` takes `Body` as a string and returns `{"ETag": ...}`; the object appears whole
  (readers never see part of it);
- errors are named `S3.<exception>` after the AWS SDK's exception class.
Only Bucket, Key and the request fields that change nothing locally (content type, encryption
settings) are accepted; any other field, and any other SDK integration, is refused up front.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from legacylift.local.asl.errors import StatesError
from legacylift.local.asl.interpreter import TaskContext
from legacylift.local.datasources import DataSources

GET = "arn:aws:states:::aws-sdk:s3:getObject"
PUT = "arn:aws:states:::aws-sdk:s3:putObject"
# Request fields accepted besides Bucket, Key (and Body for PutObject): they describe how AWS
# stores the object and change nothing in the local store.
PASSIVE_FIELDS = {
    GET: set(),
    PUT: {"ContentType", "ServerSideEncryption", "SsekmsKeyId", "BucketKeyEnabled", "Metadata"},
}
MAX_BODY = 256 * 1024  # a state's payload limit; AWS refuses a larger result


def _request_error(message: str) -> StatesError:
    return StatesError(
        "S3.S3Exception", f"{message} (Service: S3, Status Code: 400, Request ID: local)"
    )


class S3Tasks:
    """The TaskRunner for S3 GetObject / PutObject on the local object store."""

    def __init__(self, sources: DataSources) -> None:
        self.sources = sources

    def supports(self, resource: str) -> bool:
        """Only `aws-sdk:s3:getObject` and `aws-sdk:s3:putObject`."""
        return resource in PASSIVE_FIELDS

    def cancel(self) -> None:
        """Nothing runs in the background."""

    def run(self, resource: str, parameters: Any, task: TaskContext) -> Any:
        """Read or write the object the Parameters name."""
        if not isinstance(parameters, dict):
            raise _request_error("the Task's Parameters must be a JSON object")
        allowed = {
            "Bucket",
            "Key",
            *PASSIVE_FIELDS[resource],
            *(["Body"] if resource == PUT else []),
        }
        unknown = sorted(set(parameters) - allowed)
        if unknown:
            raise StatesError(
                "LegacyLift.NotSupportedLocally",
                f"state '{task.state_name}': {resource} with {', '.join(unknown)} is not "
                f"emulated locally; the local engine accepts {', '.join(sorted(allowed))}",
            )
        bucket, key = parameters.get("Bucket"), parameters.get("Key")
        if not isinstance(bucket, str) or not bucket or not isinstance(key, str) or not key:
            raise _request_error("Bucket and Key must be non-empty strings")
        uri = f"s3://{bucket}/{key}"
        if resource == GET:
            return self._get(uri, key)
        return self._put(uri, parameters.get("Body"))

    def _get(self, uri: str, key: str) -> dict[str, Any]:
        name = key.rsplit("/", 1)[-1]
        found = [item for item in self.sources.list(uri) if item.relative == name]
        if not found or key.endswith("/"):
            raise StatesError(
                "S3.NoSuchKeyException",
                "The specified key does not exist. (Service: S3, Status Code: 404, "
                f"Request ID: local) {uri}",
            )
        with found[0].open() as handle:
            data = handle.read()
        if len(data) > MAX_BODY:
            raise StatesError(
                "States.DataLimitExceeded",
                f"{uri} is {len(data)} bytes: a state's result is limited to {MAX_BODY} bytes",
            )
        try:
            body = data.decode("utf-8")
        except UnicodeDecodeError:
            raise _request_error(f"{uri} is not UTF-8 text") from None
        return {
            "Body": body,
            "ContentLength": len(data),
            "ContentType": "application/octet-stream",
            "ETag": f'"{hashlib.md5(data).hexdigest()}"',  # noqa: S324 - S3's ETag is MD5
        }

    def _put(self, uri: str, body: Any) -> dict[str, Any]:
        if not isinstance(body, str):
            raise _request_error("Body must be a string (use States.JsonToString for JSON)")
        data = body.encode("utf-8")
        self.sources.put(uri, io.BytesIO(data))
        return {"ETag": f'"{hashlib.md5(data).hexdigest()}"'}  # noqa: S324 - S3's ETag is MD5


class LocalTasks:
    """Dispatches each Task resource to the runner that supports it."""

    def __init__(self, *runners: Any) -> None:
        self.runners = runners

    def supports(self, resource: str) -> bool:
        """Whether any runner supports `resource`."""
        return any(runner.supports(resource) for runner in self.runners)

    def cancel(self) -> None:
        """Cancel every runner's work."""
        for runner in self.runners:
            runner.cancel()

    def run(self, resource: str, parameters: Any, task: TaskContext) -> Any:
        """Run `resource` on the runner that supports it."""
        runner = next(runner for runner in self.runners if runner.supports(resource))
        return runner.run(resource, parameters, task)
