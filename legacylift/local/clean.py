"""`invoke clean-local`: old runs' data out of the local object store.

Only the engine's own layout in its own buckets (`legacylift-WORKSPACE`) is touched:
- `MODEL/runs/EXECUTION/` (intermediate data) and `MODEL/output/EXECUTION/` (default outputs)
  are removed when nothing in them changed for `older_than_days`;
- `MODEL/input/EXECUTION/` (the copies of local inputs that run-local staged) only when asked;
- `.staging/` leftovers of killed engines, by the same age.
Objects a user put anywhere else, `MODEL/code/` (content-hashed, shared by runs) and the job
records (job names stay unique, as in an AWS account) are kept.

Whatever its age, nothing a live run uses is touched: the folders of an execution some
local run (run-local, train) holds a claim on (see claims.py), and, from the job records, the
scratch folder and the store folders of every job whose engine is still running.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from legacylift.errors import LegacyLiftError
from legacylift.local import orphans
from legacylift.local.claims import live_claims
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
    kept_live: int = 0  # in use by a run still going, whatever its age


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


def _uris(value: object) -> list[str]:
    """Every s3:// URI in a job record."""
    if isinstance(value, dict):
        return [uri for item in value.values() for uri in _uris(item)]
    if isinstance(value, list):
        return [uri for item in value for uri in _uris(item)]
    return [value] if isinstance(value, str) and value.startswith("s3://") else []


def _in_use(settings: LocalSettings, store: Path) -> tuple[set[Path], set[str]]:
    """Store paths live runs use, and the job names whose engine is alive (their scratch)."""
    paths: set[Path] = set()
    for held in live_claims(settings):
        if {"bucket", "model", "execution"} <= held.keys():
            model = store / str(held["bucket"]) / str(held["model"])
            paths.update(
                model / kind / str(held["execution"]) for kind in (*RUN_DATA, STAGED_INPUTS)
            )
    jobs: set[str] = set()
    jobs_dir = Path(settings.jobs_dir)
    for owner_file in sorted(jobs_dir.glob("*.owner")) if jobs_dir.is_dir() else ():
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError, AttributeError):
            if orphans.owner_gone(owner_file.read_text().strip()):
                continue
            record = json.loads(owner_file.with_suffix(".json").read_text())
            jobs.add(record["ProcessingJobName"])
            for uri in _uris(record):
                bucket, _, key = uri[len("s3://") :].partition("/")
                paths.add(store / bucket / key.rstrip("/"))
    return paths, jobs


def _used(path: Path, paths: set[Path], jobs: set[str], staging: Path) -> bool:
    if path.parent == staging:
        return any(path.name.startswith(f"{job}-") for job in jobs)
    return any(
        path == used or path.is_relative_to(used) or used.is_relative_to(path) for used in paths
    )


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
    if not (math.isfinite(older_than_days) and older_than_days > 0):
        raise LegacyLiftError(
            f"--older-than {older_than_days}: give a number of days above 0 (e.g. 7, or 0.01 "
            "for about a quarter of an hour)"
        )
    cutoff = time.time() - older_than_days * 86400
    report = CleanReport()
    store = Path(settings.object_store)
    if not store.is_dir():
        return report
    paths, jobs = _in_use(settings, store)
    for path in _candidates(store, include_inputs):
        if _used(path, paths, jobs, store / STAGING_DIR):
            report.kept_live += 1
            continue
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
