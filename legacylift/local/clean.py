"""`invoke clean-local`: old runs' data out of the local object store.

Only the engine's own layout in its own buckets (`legacylift-WORKSPACE`) is touched:
- `MODEL/runs/EXECUTION/` (intermediate data) and `MODEL/output/EXECUTION/` (default outputs)
  are removed when nothing in them changed for `older_than_days`;
- `MODEL/input/EXECUTION/` (the copies of local inputs that run-local staged) only when asked;
- `.staging/` leftovers of killed engines, by the same age.
Objects a user put anywhere else, `MODEL/code/` (content-hashed, shared by runs) and the job
records (job names stay unique, as in an AWS account) are kept.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from legacylift.errors import LegacyLiftError
from legacylift.local.mounts import STAGING_DIR
from legacylift.local.settings import LocalSettings

RUN_DATA = ("runs", "output")
STAGED_INPUTS = "input"
BUCKET_PREFIX = "legacylift-"


@dataclass
class CleanReport:
    """What was (or, in a dry run, would be) removed, and what was kept for being recent."""

    removed: list[Path] = field(default_factory=list)
    bytes: int = 0
    kept_recent: int = 0


def _newest_and_size(directory: Path) -> tuple[float, int]:
    newest, size = os.lstat(directory).st_mtime, 0
    for dirpath, dirnames, filenames in os.walk(directory):
        for name in dirnames + filenames:
            info = os.lstat(os.path.join(dirpath, name))
            newest = max(newest, info.st_mtime)
            size += info.st_size if name in filenames else 0
    return newest, size


def _candidates(store: Path, include_inputs: bool) -> list[Path]:
    kinds = RUN_DATA + ((STAGED_INPUTS,) if include_inputs else ())
    found = []
    for bucket in sorted(store.glob(f"{BUCKET_PREFIX}*")):
        if bucket.is_symlink() or not bucket.is_dir():
            continue
        for model in sorted(p for p in bucket.iterdir() if p.is_dir() and not p.is_symlink()):
            for kind in kinds:
                folder = model / kind
                if folder.is_dir() and not folder.is_symlink():
                    found += sorted(p for p in folder.iterdir() if not p.is_symlink())
    staging = store / STAGING_DIR
    if staging.is_dir():
        found += sorted(staging.iterdir())
    return found


def clean_local(
    settings: LocalSettings,
    older_than_days: float = 7,
    include_inputs: bool = False,
    dry_run: bool = False,
) -> CleanReport:
    """Remove old runs' data from the local object store (see the module docstring)."""
    if settings.s3_endpoint_url:
        raise LegacyLiftError(
            "clean-local cleans the local object store, but LEGACYLIFT_S3_ENDPOINT_URL points "
            "the engine at an S3 endpoint: clean that with the endpoint's own tools (lifecycle "
            "rules), or unset it"
        )
    if older_than_days < 0:
        raise LegacyLiftError(f"--older-than {older_than_days}: give a number of days, 0 or more")
    cutoff = time.time() - older_than_days * 86400
    report = CleanReport()
    store = Path(settings.object_store)
    if not store.is_dir():
        return report
    for path in _candidates(store, include_inputs):
        newest, size = _newest_and_size(path)
        if newest > cutoff:
            report.kept_recent += 1
            continue
        if not dry_run:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
        report.removed.append(path)
        report.bytes += size
    return report
