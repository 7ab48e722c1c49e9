"""S3 as a Step Functions execution sees it, over the local object store (or the S3 endpoint
LEGACYLIFT_S3_ENDPOINT_URL names).

- `arn:aws:states:::aws-sdk:s3:listObjectsV2` (a Task): one ListObjectsV2 page, shaped as the
  API returns it (`Contents`, `CommonPrefixes` with a `Delimiter`, `KeyCount`, `IsTruncated`,
  `NextContinuationToken`; empty lists are left out, as S3 leaves them out);
- `arn:aws:states:::aws-sdk:s3:getObject` (a Task): the object's content as the string `Body`
  (with ContentLength, ContentType, ETag); a missing key fails with `S3.NoSuchKeyException`;
- `arn:aws:states:::aws-sdk:s3:putObject` (a Task): takes `Body` as a string and returns
  `{"ETag": ...}`; the object appears whole (readers never see part of it). For these two, only
  Bucket, Key (Body) and the request fields that change nothing locally (content type,
  encryption settings) are accepted; any other field is refused up front;
- `arn:aws:states:::aws-sdk:s3:copyObject` (a Task): copies `CopySource` ("bucket/key",
  URL-encoded as S3 takes it) to Bucket/Key, bytes unchanged; returns
  `{"CopyObjectResult": {"ETag", "LastModified"}}`; a missing source fails with
  `S3.NoSuchKeyException`;
- a Distributed Map's ItemReader `arn:aws:states:::s3:listObjectsV2` (every object under the
  prefix, all pages) and `arn:aws:states:::s3:getObject` (the object's text);
- its ResultWriter `arn:aws:states:::s3:putObject`.

Errors are named as Step Functions names the AWS SDK's: `S3.<exception>` after the SDK's
exception class, e.g. `S3.NoSuchKeyException`, and `S3.S3Exception` for a missing bucket or a
bad request.
"""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from legacylift.local.asl.errors import StatesError
from legacylift.local.asl.interpreter import TaskContext
from legacylift.local.datasources import DataSources, LocalObjectStore

SDK_LIST = "arn:aws:states:::aws-sdk:s3:listObjectsV2"
GET = "arn:aws:states:::aws-sdk:s3:getObject"
PUT = "arn:aws:states:::aws-sdk:s3:putObject"
COPY = "arn:aws:states:::aws-sdk:s3:copyObject"
READER_LIST = "arn:aws:states:::s3:listObjectsV2"
READER_GET = "arn:aws:states:::s3:getObject"
WRITER_PUT = "arn:aws:states:::s3:putObject"
MAX_KEYS = 1000
# SDK GetObject/PutObject request fields accepted besides Bucket, Key (and Body for PutObject):
# they describe how AWS stores the object and change nothing in the local store.
PASSIVE_FIELDS = {
    GET: set(),
    PUT: {"ContentType", "ServerSideEncryption", "SsekmsKeyId", "BucketKeyEnabled", "Metadata"},
    COPY: {"ServerSideEncryption", "SsekmsKeyId", "BucketKeyEnabled"},
}
MAX_BODY = 256 * 1024  # a state's payload limit; AWS refuses a larger result


def _request_error(message: str) -> StatesError:
    return StatesError(
        "S3.S3Exception", f"{message} (Service: S3, Status Code: 400, Request ID: local)"
    )


class S3Tasks:
    """A TaskRunner for S3 list/get/put over the local object store (or any S3 endpoint)."""

    def __init__(self, sources: DataSources) -> None:
        self.sources = sources

    def supports(self, resource: str) -> bool:
        """The S3 resources listed in the module docstring."""
        return resource in (SDK_LIST, GET, PUT, COPY, READER_LIST, READER_GET, WRITER_PUT)

    def cancel(self) -> None:
        """Nothing runs in the background."""

    def run(self, resource: str, parameters: Any, task: TaskContext) -> Any:
        """The S3 call's result, as Step Functions passes it on."""
        if resource in PASSIVE_FIELDS:
            return self._sdk_object(resource, parameters, task)
        if not isinstance(parameters, dict) or not isinstance(parameters.get("Bucket"), str):
            raise StatesError(
                "S3.S3Exception", f"{resource}: Parameters need a Bucket name (a string)"
            )
        bucket = parameters["Bucket"]
        if resource == SDK_LIST:
            return self._list_page(bucket, parameters)
        if resource == READER_LIST:
            return self._objects(bucket, str(parameters.get("Prefix", "")))
        if resource == READER_GET:
            return self._text(bucket, str(parameters.get("Key", "")))
        self._put_text(bucket, str(parameters.get("Key", "")), parameters.get("Body", ""))
        return {"Bucket": bucket, "Key": parameters.get("Key")}

    def _sdk_object(self, resource: str, parameters: Any, task: TaskContext) -> dict[str, Any]:
        """The AWS SDK integration's GetObject / PutObject: read or write the named object."""
        if not isinstance(parameters, dict):
            raise _request_error("the Task's Parameters must be a JSON object")
        allowed = {
            "Bucket",
            "Key",
            *PASSIVE_FIELDS[resource],
            *(["Body"] if resource == PUT else []),
            *(["CopySource"] if resource == COPY else []),
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
            return self._get_object(uri, key)
        if resource == COPY:
            return self._copy_object(uri, parameters.get("CopySource"))
        return self._put_object(uri, parameters.get("Body"))

    def _objects(self, bucket: str, prefix: str) -> list[dict[str, Any]]:
        """Every object under `prefix`, sorted by key, as ListObjectsV2 describes them."""
        objects = []
        for staged in self.sources.s3.list(f"s3://{bucket}/{prefix}"):
            key = prefix[: prefix.rfind("/") + 1] + staged.relative
            objects.append(
                {
                    "Key": key,
                    "Size": staged.size,
                    "StorageClass": "STANDARD",
                    "Etag": _etag(key, staged.size),
                    "LastModified": _modified(self.sources.s3, bucket, key),
                }
            )
        return sorted(objects, key=lambda entry: entry["Key"])

    def _list_page(self, bucket: str, parameters: dict[str, Any]) -> dict[str, Any]:
        prefix = str(parameters.get("Prefix", ""))
        delimiter = parameters.get("Delimiter")
        max_keys = int(parameters.get("MaxKeys", MAX_KEYS))
        start = str(parameters.get("ContinuationToken", parameters.get("StartAfter", "")))
        entries: list[tuple[str, dict[str, Any] | None]] = []
        seen_prefixes = set()
        for entry in self._objects(bucket, prefix):
            key = entry["Key"]
            rest = key[len(prefix) :]
            if delimiter and delimiter in rest:
                common = prefix + rest[: rest.index(delimiter) + len(delimiter)]
                if common not in seen_prefixes:
                    seen_prefixes.add(common)
                    entries.append((common, None))
                continue
            entries.append((key, entry))
        entries = [item for item in entries if item[0] > start] if start else entries
        page, rest_of = entries[:max_keys], entries[max_keys:]
        response: dict[str, Any] = {
            "Name": bucket,
            "Prefix": prefix,
            "MaxKeys": max_keys,
            "KeyCount": len(page),
            "IsTruncated": bool(rest_of),
        }
        if delimiter:
            response["Delimiter"] = delimiter
        contents = [entry for _, entry in page if entry is not None]
        prefixes = [{"Prefix": key} for key, entry in page if entry is None]
        if contents:
            response["Contents"] = contents
        if prefixes:
            response["CommonPrefixes"] = prefixes
        if rest_of:
            response["NextContinuationToken"] = page[-1][0]
        return response

    def _read(self, uri: str, key: str) -> bytes:
        """The object's bytes; `S3.NoSuchKeyException` when there is none at `key`."""
        name = key.rsplit("/", 1)[-1]
        found = [item for item in self.sources.s3.list(uri) if item.relative == name]
        if not found or key.endswith("/"):
            raise StatesError(
                "S3.NoSuchKeyException",
                "The specified key does not exist. (Service: S3, Status Code: 404, "
                f"Request ID: local) {uri}",
            )
        with found[0].open() as handle:
            return handle.read()

    def _text(self, bucket: str, key: str) -> str:
        return self._read(f"s3://{bucket}/{key}", key).decode("utf-8")

    def _put_text(self, bucket: str, key: str, body: Any) -> None:
        data = body if isinstance(body, str) else str(body)
        self.sources.put(f"s3://{bucket}/{key}", io.BytesIO(data.encode("utf-8")))

    def _get_object(self, uri: str, key: str) -> dict[str, Any]:
        data = self._read(uri, key)
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

    def _copy_object(self, uri: str, source: Any) -> dict[str, Any]:
        """CopyObject: the source object's bytes written whole at `uri`."""
        if not isinstance(source, str) or "/" not in source.lstrip("/"):
            raise _request_error("CopySource must be 'bucket/key'")
        bucket, key = unquote(source.lstrip("/")).split("/", 1)
        data = self._read(f"s3://{bucket}/{key}", key)
        self.sources.put(uri, io.BytesIO(data))
        return {
            "CopyObjectResult": {
                "ETag": f'"{hashlib.md5(data).hexdigest()}"',  # noqa: S324 - S3's ETag is MD5
                "LastModified": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        }

    def _put_object(self, uri: str, body: Any) -> dict[str, Any]:
        if not isinstance(body, str):
            raise _request_error("Body must be a string (use States.JsonToString for JSON)")
        data = body.encode("utf-8")
        self.sources.put(uri, io.BytesIO(data))
        return {"ETag": f'"{hashlib.md5(data).hexdigest()}"'}  # noqa: S324 - S3's ETag is MD5


def _etag(key: str, size: int) -> str:
    """A stable stand-in for the object's ETag (the local store keeps no MD5s)."""
    return '"' + hashlib.md5(f"{key}:{size}".encode(), usedforsecurity=False).hexdigest() + '"'


def _modified(store: Any, bucket: str, key: str) -> str:
    if isinstance(store, LocalObjectStore):
        stamp = store.path_of(f"s3://{bucket}/{key}").stat().st_mtime
        return datetime.fromtimestamp(stamp, UTC).isoformat(timespec="seconds")
    return datetime.now(UTC).isoformat(timespec="seconds")


class TaskRunners:
    """Several TaskRunners as one: each resource goes to the first that supports it."""

    def __init__(self, *runners: Any) -> None:
        self.runners = runners

    def supports(self, resource: str) -> bool:
        """Whether any runner supports `resource`."""
        return any(runner.supports(resource) for runner in self.runners)

    def run(self, resource: str, parameters: Any, task: TaskContext) -> Any:
        """Run `resource` on the first runner supporting it."""
        runner = next(r for r in self.runners if r.supports(resource))
        return runner.run(resource, parameters, task)

    def cancel(self) -> None:
        """Cancel whatever each runner still runs."""
        for runner in self.runners:
            cancel = getattr(runner, "cancel", None)
            if cancel:
                cancel()
