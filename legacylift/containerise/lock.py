"""requirements.lock.txt: what pip resolved for a model's requirements.txt, reused by later builds.

Legacy requirements are often unpinned (`pandas`). The first build of a model resolves them
freely and records every installed distribution (`pip freeze`) beside requirements.txt, with
the hash of the requirements.txt it came from. Later builds of the same requirements.txt
install those versions as pip constraints; a changed requirements.txt, or
`--refresh-requirements`, resolves again. The lock is part of the build context, so the
content hash covers it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from legacylift.atomic import write_text_atomic
from legacylift.containerise.context import template_path

LOCK_NAME = "requirements.lock.txt"
NO_LOCK = "requirements.lock.none"
RESOLVED_IN_IMAGE = "/opt/venv/legacylift-resolved.txt"
HEADER = "# requirements.txt sha256: "
HEADER_PATTERN = re.compile(r"^# requirements\.txt sha256: ([0-9a-f]{64})$", re.MULTILINE)


def requirements_digest(model_path: Path) -> str:
    """sha256 of the model's requirements.txt."""
    return hashlib.sha256((model_path / "requirements.txt").read_bytes()).hexdigest()


@dataclass(frozen=True)
class LockState:
    """Whether a model's lock applies to its current requirements.txt, and why not."""

    path: Path
    usable: bool
    reason: str


def lock_state(model_path: Path, refresh: bool = False) -> LockState:
    """The model's lock and whether the build installs from it."""
    path = model_path / LOCK_NAME
    if refresh:
        return LockState(path, False, "--refresh-requirements: resolving requirements.txt again")
    if not path.is_file():
        return LockState(path, False, f"no {LOCK_NAME} yet: resolving requirements.txt")
    found = HEADER_PATTERN.search(path.read_text(encoding="utf-8"))
    if not found or found.group(1) != requirements_digest(model_path):
        return LockState(
            path, False, f"requirements.txt changed since {LOCK_NAME}: resolving it again"
        )
    return LockState(path, True, f"installing the versions recorded in {LOCK_NAME}")


def context_lock_file(state: LockState) -> Path:
    """The file the build context carries as requirements.lock.txt: the lock, or a file of
    comments only (pip then resolves freely)."""
    return state.path if state.usable else template_path(NO_LOCK)


def lock_text(model_path: Path, resolved: str) -> str:
    """The lock file's text for what pip `resolved` (pip freeze output)."""
    pins = sorted(
        (line.strip() for line in resolved.splitlines() if line.strip()),
        key=lambda line: line.lower(),
    )
    return (
        f"{HEADER}{requirements_digest(model_path)}\n"
        "# Written by the LegacyLift build: the versions pip resolved for requirements.txt.\n"
        "# Later builds install exactly these; `invoke build-model NAME --refresh-requirements`\n"
        "# resolves again. Commit it with the model.\n" + "".join(f"{pin}\n" for pin in pins)
    )


def write_lock(model_path: Path, resolved: str) -> Path:
    """Record `resolved` as the model's lock (atomically); returns its path."""
    path = model_path / LOCK_NAME
    write_text_atomic(path, lock_text(model_path, resolved))
    return path
