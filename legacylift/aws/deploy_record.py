"""The fingerprint each split stack was last applied with, kept beside that stack's state in
the S3 state backend (`<state object key>.fingerprint`), so that every machine that deploys (a
fresh CI runner included) sees what was applied, and a deploy plans only stacks whose inputs
changed. One object per stack: stacks applied at the same time, or by two runners deploying
different models, never write the same object.

The objects are written with the encryption the backend's `encrypt` / `kms_key_id` settings ask
for, by the identity that writes the states (s3:GetObject, PutObject, DeleteObject and
ListBucket on the state keys' prefix, as Terraform's S3 backend itself needs).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from legacylift.aws import stack
from legacylift.aws.backend import read_backend_settings
from legacylift.aws.session import session
from legacylift.aws.terraform import check_workspace_name
from legacylift.errors import LegacyLiftError, describe_aws_error
from legacylift.stack_inputs import SHARED

SUFFIX = ".fingerprint"
_READERS = 16


def backend_settings(config: Path | None = None) -> dict[str, str]:
    """The settings of the backend config file (`-backend-config`) split stacks use."""
    return read_backend_settings(config or stack.required_backend_config())


def state_object_key(workspace: str, state_key: str, settings: dict[str, str]) -> str:
    """Where the S3 backend keeps `state_key` of `workspace`: `env:/<W>/<key>` (the
    `workspace_key_prefix` setting), the key itself in the `default` workspace."""
    if check_workspace_name(workspace) == "default":
        return state_key
    return f"{settings.get('workspace_key_prefix') or 'env:'}/{workspace}/{state_key}"


class DeployRecord:
    """The fingerprints of one workspace's stacks in the state bucket."""

    def __init__(self, workspace: str, state_keys, settings: dict[str, str] | None = None):
        """`state_keys(name)` gives a stack's state key (legacylift.aws.stacks.state_key)."""
        self.workspace = check_workspace_name(workspace)
        self.settings = settings if settings is not None else backend_settings()
        self.bucket = self.settings.get("bucket") or ""
        if not self.bucket:
            raise LegacyLiftError(
                f"{stack.backend_config()}: no `bucket` setting; split stacks keep their "
                "states and deploy records in an S3 bucket (`invoke bootstrap-backend`)"
            )
        self._state_keys = state_keys
        endpoint = self.settings.get("endpoint") or None
        self._s3 = session().client(
            "s3", region_name=self.settings.get("region") or None, endpoint_url=endpoint
        )

    def key(self, name: str) -> str:
        """The record object of stack `name`: its state object's key + `.fingerprint`."""
        return self._state_key(name) + SUFFIX

    def _failed(self, action: str, exc: Exception) -> LegacyLiftError:
        return LegacyLiftError(
            f"{describe_aws_error(action, exc)} (deploy records live beside the stack states "
            f"in s3://{self.bucket}: the deploying identity needs s3:ListBucket, GetObject, "
            "PutObject and DeleteObject there)"
        )

    def _state_key(self, name: str) -> str:
        return state_object_key(self.workspace, self._state_keys(name), self.settings)

    def _objects(self, suffix: str) -> dict[str, str]:
        """Stack name -> key of each object `<state object key><suffix>` in the bucket (the
        states themselves for suffix "")."""
        folder = self._state_key(SHARED).rsplit("/", 1)[0] + "/"
        found: dict[str, str] = {}
        try:
            pages = self._s3.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=folder
            )
            for page in pages:
                for item in page.get("Contents") or []:
                    name = self._stack_of(item["Key"], folder, suffix)
                    if name:
                        found[name] = item["Key"]
        except (ClientError, BotoCoreError) as exc:
            raise self._failed(f"listing s3://{self.bucket}/{folder}", exc) from exc
        return found

    def _stack_of(self, key: str, folder: str, suffix: str) -> str | None:
        """The stack an object key belongs to (None for anything else); `suffix` "" for the
        state objects themselves."""
        if not key.endswith(f".tfstate{suffix}"):
            return None
        if key == self._state_key(SHARED) + suffix:
            return SHARED
        leaf = key[len(folder) : len(key) - len(suffix)]
        name = leaf.removeprefix("models/").removesuffix(".tfstate")
        if leaf.startswith("models/") and self._state_key(name) + suffix == key:
            return name
        return None

    def _read_all(self, objects: dict[str, str], parse, fix: str) -> dict[str, Any]:
        """Stack name -> parse(JSON of its object), `_READERS` objects at a time; `fix` says
        what to do with an object that does not parse."""

        def fetch(item: tuple[str, str]) -> tuple[str, Any]:
            name, key = item
            try:
                body = self._s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            except (ClientError, BotoCoreError) as exc:
                raise self._failed(f"reading s3://{self.bucket}/{key}", exc) from exc
            try:
                return name, parse(json.loads(body))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise LegacyLiftError(f"s3://{self.bucket}/{key}: {exc}; {fix}") from exc

        with ThreadPoolExecutor(max_workers=_READERS) as pool:
            return dict(pool.map(fetch, sorted(objects.items())))

    def read(self) -> dict[str, str]:
        """Stack name -> fingerprint last applied ({} before the first split deploy)."""
        return self._read_all(
            self._objects(SUFFIX),
            lambda doc: str(doc["fingerprint"]),
            "not a deploy record: delete it (that stack is then planned again)",
        )

    def model_stack_outputs(self) -> dict[str, dict[str, Any]]:
        """Model stack name -> its root outputs, read from the stack state objects in the
        bucket (state format version 4, which every Terraform from 0.12 on writes) rather than
        by one `terraform output` process per stack."""
        states = {name: key for name, key in self._objects("").items() if name != SHARED}

        def outputs(document: dict[str, Any]) -> dict[str, Any]:
            if document.get("version") != 4:
                raise ValueError(f"state format version {document.get('version')}, not 4")
            return {name: entry["value"] for name, entry in document["outputs"].items()}

        return self._read_all(
            states, outputs, "not a state LegacyLift reads: use a Terraform of 0.12 or later"
        )

    def write(self, name: str, fingerprint: str, details: dict[str, Any] | None = None) -> None:
        """Record that stack `name` was applied with `fingerprint` (one atomic S3 put)."""
        body = json.dumps({"fingerprint": fingerprint, **(details or {})}, sort_keys=True)
        request: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": self.key(name),
            "Body": body.encode(),
            "ContentType": "application/json",
        }
        if self.settings.get("kms_key_id"):
            request.update(ServerSideEncryption="aws:kms", SSEKMSKeyId=self.settings["kms_key_id"])
        elif self.settings.get("encrypt", "").lower() == "true":
            request["ServerSideEncryption"] = "AES256"
        try:
            self._s3.put_object(**request)
        except (ClientError, BotoCoreError) as exc:
            raise self._failed(f"writing s3://{self.bucket}/{request['Key']}", exc) from exc

    def delete(self, name: str) -> None:
        """Forget stack `name` (its model left the workspace and its stack was emptied)."""
        try:
            self._s3.delete_object(Bucket=self.bucket, Key=self.key(name))
        except (ClientError, BotoCoreError) as exc:
            raise self._failed(f"deleting s3://{self.bucket}/{self.key(name)}", exc) from exc
