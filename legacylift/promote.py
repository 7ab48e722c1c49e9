"""`invoke promote MODEL --from dev --to prod`: carry the exact image tested in one workspace to
another. The digest pinned in the source workspace's tfvars is copied by digest to the target's
registry (registry API, no rebuild, digest verified), pinned in the target's tfvars, and the
promotion appended to `terraform/promotions/<target>.jsonl` (beside the tfvars directory).
Refused unless the digest succeeded in the source workspace (legacylift.aws.tested), except
with `force` and a reason, which the log keeps."""

from __future__ import annotations

import base64
import getpass
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock

from legacylift import tfvars
from legacylift.atomic import write_text_atomic
from legacylift.containerise.copy import Repository, copy_image
from legacylift.containerise.registry import RegistryTarget, repository_name, resolve_target
from legacylift.errors import LegacyLiftError, describe_aws_error

ECR_HOST = re.compile(r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")


@dataclass(frozen=True)
class Evidence:
    """What the source workspace says about a digest: its last succeeded execution with it
    (None: never) and who asked (the AWS identity)."""

    execution: dict[str, Any] | None
    identity: str | None


def promotions_path(workspace: str) -> Path:
    """`<tfvars dir>/../promotions/<workspace>.jsonl`: `terraform/promotions/` by default."""
    tfvars.tfvars_path(workspace)  # checks the name
    return tfvars.tfvars_dir().parent / "promotions" / f"{workspace}.jsonl"


def read_promotions(workspace: str) -> list[dict[str, Any]]:
    """The promotions into `workspace`, oldest first ([] when none)."""
    path = promotions_path(workspace)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise LegacyLiftError(
                f"{path}:{number} is not a JSON line ({exc}): repair that line (the log is "
                "append-only; every other line is a promotion)"
            ) from exc
    return records


def append_promotion(workspace: str, record: dict[str, Any]) -> Path:
    """Append one line to the workspace's promotion log (under a lock, atomically)."""
    path = promotions_path(workspace)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path.parent / f".{path.name}.lock"), timeout=tfvars.LOCK_TIMEOUT_SECONDS):
        existing = path.read_text(encoding="utf-8") if path.exists() else ""
        if existing and not existing.endswith("\n"):
            existing += "\n"
        write_text_atomic(path, existing + json.dumps(record, sort_keys=True) + "\n")
    return path


def split_image_uri(image_uri: str) -> tuple[str, str, str]:
    """(registry address, repository name, digest) of `address/name@sha256:<hex>`."""
    if not tfvars.IMAGE_URI_PATTERN.match(image_uri or ""):
        raise LegacyLiftError(f"{image_uri!r} is not an image pinned by digest")
    reference, digest = image_uri.rsplit("@", 1)
    address, name = reference.split("/", 1)
    return address, name, digest


def _ecr_registry(address: str) -> RegistryTarget:
    """ECR at `address` (any account): an authorization token of this session's identity in
    that registry's region is valid for every registry the identity may access (the other
    account's repository policy decides)."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    region = address.split(".")[3]
    try:
        token = boto3.client("ecr", region_name=region).get_authorization_token()
    except (BotoCoreError, ClientError) as exc:
        raise LegacyLiftError(
            describe_aws_error(f"getting an ECR login for {address}", exc)
        ) from exc
    decoded = base64.b64decode(token["authorizationData"][0]["authorizationToken"]).decode()
    username, _, password = decoded.partition(":")
    return RegistryTarget(address, username, password)


def registry_for(address: str) -> RegistryTarget:
    """The registry at `address` (or `ecr` / `local`) with its credentials: ECR's (this or
    another account) from this AWS session, the local registry's from setup, anonymous
    otherwise."""
    if ECR_HOST.match(address):
        return _ecr_registry(address)
    return resolve_target(address)


def aws_evidence(model: str, workspace: str, digest: str) -> Evidence:
    """Ask the source workspace's Step Functions whether `digest` succeeded there."""
    from legacylift.aws import deployed
    from legacylift.aws.session import check_credentials, region_of_arn, session
    from legacylift.aws.tested import last_succeeded_with

    identity = check_credentials(session())
    machine_arn = deployed.load_stack(workspace).state_machine_arn(model)
    sfn = session(region_of_arn(machine_arn)).client("stepfunctions")
    return Evidence(last_succeeded_with(sfn, machine_arn, digest), identity.get("arn"))


def _destination(model: str, target_workspace: str, registry: str | None) -> Repository:
    if registry:
        return Repository(registry_for(registry), repository_name(model))
    pinned = (tfvars.read_models(target_workspace).get(model) or {}).get("image_uri")
    if not pinned:
        raise LegacyLiftError(
            f"{model} has no image pinned in {target_workspace!r} yet, so its registry is not "
            "known: pass --registry (ecr, local or host:port)"
        )
    address, name, _ = split_image_uri(pinned)
    return Repository(registry_for(address), name)


def promote(
    model: str,
    source: str,
    target: str,
    registry: str | None = None,
    force: bool = False,
    reason: str | None = None,
    evidence: Callable[[str, str, str], Evidence] = aws_evidence,
) -> dict[str, Any]:
    """Promote `model`'s digest pinned in `source` to `target`; return the logged record."""
    if source == target:
        raise LegacyLiftError(f"--from and --to are both {source!r}: promote between workspaces")
    if force and not (reason or "").strip():
        raise LegacyLiftError("--force needs --reason TEXT: the promotion log keeps why")
    entry = tfvars.read_models(source).get(model) or {}
    tfvars.tfvars_path(target)  # an invalid target name fails before anything is read or copied
    if not entry.get("image_uri"):
        raise LegacyLiftError(
            f"{model} has no image pinned in workspace {source!r}: run `invoke build-model "
            f"{model} --workspace {source}` and test it there first"
        )
    address, name, digest = split_image_uri(entry["image_uri"])
    found = evidence(model, source, digest)
    if found.execution is None and not force:
        raise LegacyLiftError(
            f"refusing to promote {model} {digest[:19]}: no execution with it ever succeeded in "
            f"{source!r}; run it there (`invoke run {model} --workspace {source} ...`), or pass "
            "--force --reason TEXT"
        )
    destination = _destination(model, target, registry)
    moved = copy_image(Repository(registry_for(address), name), destination, digest)
    image_uri = f"{destination.target.address}/{destination.name}@{digest}"
    settings = {k: v for k, v in entry.items() if k not in ("image_uri", "source_hash")}
    tfvars.pin_image(target, model, image_uri, entry.get("source_hash"), settings)
    record = {
        "model": model,
        "digest": digest,
        "from": source,
        "to": target,
        "image_uri": image_uri,
        "source_image_uri": entry["image_uri"],
        "who": getpass.getuser() + (f" ({found.identity})" if found.identity else ""),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "tested_execution": found.execution,
        "forced": bool(force and found.execution is None),
        "reason": reason if force else None,
        "blobs_copied": moved,
    }
    append_promotion(target, record)
    return record
