"""The persisted registry of processing jobs: names unique across runs, as in an AWS account.

One JSON file per job under the jobs directory; linking a complete record to the job's name is
the reservation (link() refuses an existing name), so two concurrent runs can never both take a
name and a crash never leaves half a record. The engine's owner file, beside the record while the
job runs, can only be written once the name is reserved: a crash between the two leaves an
InProgress record without an owner, which the sweep stops once it is older than
`OWNERLESS_GRACE` (a live engine writes its owner microseconds after the reservation).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from legacylift.atomic import json_with_room, write_json_with_room, write_text_atomic
from legacylift.errors import LegacyLiftError
from legacylift.local import disk
from legacylift.local.errors import SageMakerApiError, validation_error

# Seconds an InProgress record may lack its owner file before the sweep takes it for a crash
# between the reservation and the owner's write.
OWNERLESS_GRACE = 60.0


class JobRegistry:
    """Reserve, record and describe processing jobs by name."""

    def __init__(self, jobs_dir: Path) -> None:
        self.jobs_dir = Path(jobs_dir)

    def _path(self, name: str) -> Path:
        # AWS job names are case-insensitive for uniqueness (ARNs are lowercased).
        return self.jobs_dir / f"{name.lower()}.json"

    def _owner_path(self, name: str) -> Path:
        return self.jobs_dir / f"{name.lower()}.owner"

    def reserve(
        self, name: str, arn: str, record: dict[str, Any], owner: str | None = None
    ) -> None:
        """Take `name`, or raise the ValidationException AWS gives for a reused job name.
        `owner` (the engine process) is kept beside the record until the job ends."""
        tmp = None
        try:
            self.jobs_dir.mkdir(parents=True, exist_ok=True)
            # The record is written whole to a temporary file, then hard-linked to the job's
            # name: link() fails when the name exists, so the reservation is exclusive, and a
            # crash never leaves a half-written reservation behind.
            fd, tmp = tempfile.mkstemp(dir=self.jobs_dir, prefix=".reserve-", suffix=".tmp")
            with os.fdopen(fd, "w") as handle:
                handle.write(json_with_room(record))  # room for its final state
            os.chmod(tmp, 0o644)
            os.link(tmp, self._path(name))
        except FileExistsError:
            raise validation_error(
                "Job name must be unique within an AWS account and region, and a job with this "
                f"name already exists ({arn}); choose another ProcessingJobName"
            ) from None
        except OSError as exc:
            raise LegacyLiftError(
                f"cannot record job {name} in {self.jobs_dir} ({exc.strerror}): make it "
                "writable, or point LEGACYLIFT_LOCAL_DIR at a writable directory"
            ) from None
        finally:
            if tmp:
                Path(tmp).unlink(missing_ok=True)
        if owner:  # only once the name is ours: never another run's owner file
            write_text_atomic(self._owner_path(name), owner)

    def record(self, name: str, record: dict[str, Any]) -> None:
        """Replace the stored description of job `name` (a finished job loses its owner).

        On a full filesystem, where the temporary file of an atomic write cannot be made, the
        record is rewritten in place, in the room every record keeps for its final state."""
        path = self._path(name)
        try:
            write_json_with_room(path, record)
        except OSError as exc:
            if not disk.is_full(exc):
                raise
            raise LegacyLiftError(
                f"cannot record job {name} in {path}: {disk.full_message(path.parent)}"
            ) from None
        if record.get("ProcessingJobStatus") != "InProgress":
            self._owner_path(name).unlink(missing_ok=True)

    def stop_orphan(self, name: str, reason: str) -> bool:
        """Mark job `name` Stopped with `reason` if it is still InProgress; True if it was."""
        try:
            record = self.describe(name)
        except SageMakerApiError:
            self._owner_path(name).unlink(missing_ok=True)
            return False
        if record.get("ProcessingJobStatus") != "InProgress":
            return False
        now = int(time.time() * 1000)
        record.update(ProcessingJobStatus="Stopped", FailureReason=reason, LastModifiedTime=now)
        record.setdefault("ProcessingEndTime", now)
        self.record(name, record)
        return True

    def sweep(
        self,
        gone: Callable[[str], bool],
        reason: str,
        pid_of: Callable[[str], str],
        grace: float = OWNERLESS_GRACE,
    ) -> list[str]:
        """Stop every InProgress job whose owner `gone` says has ended, and every InProgress
        job without an owner file whose record is older than `grace` seconds (its engine died
        between reserving the name and writing the owner); their names."""
        stopped = []
        for owner_file in sorted(self.jobs_dir.glob("*.owner")):
            with contextlib.suppress(OSError, ValueError, KeyError):
                owner = owner_file.read_text().strip()
                if not gone(owner):
                    continue
                record = json.loads(owner_file.with_suffix(".json").read_text())
                name = record["ProcessingJobName"]
                if self.stop_orphan(name, reason.format(pid=pid_of(owner))):
                    stopped.append(name)
                owner_file.unlink(missing_ok=True)
        stopped += self._sweep_ownerless(reason.format(pid="unknown"), time.time() - grace)
        return stopped

    def _sweep_ownerless(self, reason: str, reserved_before: float) -> list[str]:
        stopped = []
        for path in sorted(self.jobs_dir.glob("*.json")):
            # A record another tool left unreadable or of another shape is not ours to stop.
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError, AttributeError):
                if path.with_suffix(".owner").exists() or path.stat().st_mtime > reserved_before:
                    continue
                record = json.loads(path.read_text())
                if record.get("ProcessingJobStatus") != "InProgress":
                    continue
                # Checked again: an owner written since the first check is a live engine's.
                if not path.with_suffix(".owner").exists():
                    name = record["ProcessingJobName"]
                    if self.stop_orphan(name, reason):
                        stopped.append(name)
        return stopped

    def describe(self, name: str) -> dict[str, Any]:
        """The stored DescribeProcessingJob response of `name`."""
        try:
            return json.loads(self._path(name).read_text())
        except FileNotFoundError:
            raise SageMakerApiError(
                "ResourceNotFound", f"Processing job {name} not found"
            ) from None
