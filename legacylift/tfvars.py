"""The per-workspace image tfvars the build writes (contracts §2).

`terraform/tfvars/<workspace>.models.tfvars.json` (directory overridable with
LEGACYLIFT_TFVARS_DIR) maps each model to its pinned image and settings. Writes happen under a
file lock and through an atomic rename, so concurrent builds of different models into one
workspace keep every entry and a reader never sees half a file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from filelock import FileLock

from legacylift import settings
from legacylift.atomic import write_json_atomic
from legacylift.config_files import parse_file
from legacylift.errors import LegacyLiftError
from legacylift.paths import TERRAFORM_ROOT

WORKSPACE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
IMAGE_URI_PATTERN = re.compile(r"^[^\s@]+/[^\s@]+@sha256:[0-9a-f]{64}$")
LOCK_TIMEOUT_SECONDS = 60


def tfvars_dir() -> Path:
    """The directory holding every workspace's models tfvars file."""
    return Path(settings.get("LEGACYLIFT_TFVARS_DIR") or TERRAFORM_ROOT / "tfvars")


def tfvars_path(workspace: str) -> Path:
    """`<dir>/<workspace>.models.tfvars.json`, after checking the workspace name."""
    if not WORKSPACE_PATTERN.match(workspace or ""):
        raise LegacyLiftError(
            f"invalid workspace {workspace!r}: use letters, digits, '-' and '_' (as Terraform "
            "workspace names), e.g. 'dev'"
        )
    return tfvars_dir() / f"{workspace}.models.tfvars.json"


def _lock(path: Path) -> FileLock:
    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(path.parent / f".{path.name}.lock"), timeout=LOCK_TIMEOUT_SECONDS)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = parse_file(
            path, json.loads, "JSON", "fix or remove it; it is rewritten on each build"
        )
    except FileNotFoundError:
        return {"models": {}}
    if not isinstance(data, dict) or not isinstance(data.get("models", {}), dict):
        raise LegacyLiftError(f'{path}: expected {{"models": {{...}}}} at the top level')
    data.setdefault("models", {})
    for name, entry in data["models"].items():
        uri = entry.get("image_uri") if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or not (uri is None or isinstance(uri, str)):
            raise LegacyLiftError(
                f'{path}: models["{name}"] must be an object whose image_uri is a string or '
                f"null (found {json.dumps(entry)[:120]}); fix the entry, or delete it and run "
                f"invoke build-model {name}, which rewrites it"
            )
    return data


def read_models(workspace: str) -> dict[str, dict[str, Any]]:
    """The `models` map of a workspace's tfvars, empty when nothing was pinned yet."""
    return _read(tfvars_path(workspace))["models"]


def pin_image(
    workspace: str,
    name: str,
    image_uri: str | None,
    source_hash: str | None = None,
    settings: dict[str, Any] | None = None,
) -> Path:
    """Record `name -> image_uri` (repository@sha256:digest, or None for "not built yet") with
    the model's settings in the workspace's tfvars, keeping every other entry. Returns the path."""
    if image_uri is not None and not IMAGE_URI_PATTERN.match(image_uri):
        raise LegacyLiftError(
            f"refusing to pin {image_uri!r} for {name}: tfvars take repository@sha256:<digest>"
        )
    path = tfvars_path(workspace)
    entry: dict[str, Any] = dict(settings or {})
    entry["image_uri"] = image_uri
    if source_hash:
        entry["source_hash"] = source_hash
    with _lock(path):
        data = _read(path)
        data["models"][name] = entry
        write_json_atomic(path, data)
    return path
