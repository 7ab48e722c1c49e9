"""The persisted registry of processing jobs: names unique across runs, as in an AWS account.

One JSON file per job under the jobs directory; creating it with O_EXCL is the reservation, so
two concurrent runs can never both take a name.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from legacylift.atomic import write_json_atomic
from legacylift.errors import LegacyLiftError
from legacylift.local.errors import SageMakerApiError, validation_error


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
        try:
            self.jobs_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self._path(name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
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
        if owner:
            self._owner_path(name).write_text(owner)
        with os.fdopen(fd, "w") as handle:
            json.dump(record, handle, indent=2, sort_keys=True)

    def record(self, name: str, record: dict[str, Any]) -> None:
        """Replace the stored description of job `name` (a finished job loses its owner)."""
        write_json_atomic(self._path(name), record)
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
        self, gone: Callable[[str], bool], reason: str, pid_of: Callable[[str], str]
    ) -> list[str]:
        """Stop every InProgress job whose owner `gone` says has ended; their names."""
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
        return stopped

    def describe(self, name: str) -> dict[str, Any]:
        """The stored DescribeProcessingJob response of `name`."""
        try:
            return json.loads(self._path(name).read_text())
        except FileNotFoundError:
            raise SageMakerApiError(
                "ResourceNotFound", f"Processing job {name} not found"
            ) from None
