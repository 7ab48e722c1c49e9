"""The persisted registry of processing jobs: names unique across runs, as in an AWS account.

One JSON file per job under the jobs directory; linking a complete record to the job's name is
the reservation (link() refuses an existing name), so two concurrent runs can never both take a
name and a crash never leaves half a record.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from legacylift.atomic import write_json_atomic
from legacylift.local.errors import SageMakerApiError, validation_error


class JobRegistry:
    """Reserve, record and describe processing jobs by name."""

    def __init__(self, jobs_dir: Path) -> None:
        self.jobs_dir = Path(jobs_dir)

    def _path(self, name: str) -> Path:
        # AWS job names are case-insensitive for uniqueness (ARNs are lowercased).
        return self.jobs_dir / f"{name.lower()}.json"

    def reserve(self, name: str, arn: str, record: dict[str, Any]) -> None:
        """Take `name`, or raise the ValidationException AWS gives for a reused job name."""
        self.jobs_dir.mkdir(parents=True, exist_ok=True)
        # The record is written whole to a temporary file, then hard-linked to the job's name:
        # link() fails when the name exists, so the reservation is exclusive, and a crash
        # never leaves a half-written reservation behind.
        fd, tmp = tempfile.mkstemp(dir=self.jobs_dir, prefix=".reserve-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as handle:
                json.dump(record, handle, indent=2, sort_keys=True)
            os.chmod(tmp, 0o644)
            os.link(tmp, self._path(name))
        except FileExistsError:
            raise validation_error(
                "Job name must be unique within an AWS account and region, and a job with this "
                f"name already exists ({arn}); choose another ProcessingJobName"
            ) from None
        finally:
            Path(tmp).unlink(missing_ok=True)

    def record(self, name: str, record: dict[str, Any]) -> None:
        """Replace the stored description of job `name`."""
        write_json_atomic(self._path(name), record)

    def describe(self, name: str) -> dict[str, Any]:
        """The stored DescribeProcessingJob response of `name`."""
        try:
            return json.loads(self._path(name).read_text())
        except FileNotFoundError:
            raise SageMakerApiError(
                "ResourceNotFound", f"Processing job {name} not found"
            ) from None
