"""The persisted registry of processing jobs: names unique across runs, as in an AWS account.

One JSON file per job under the jobs directory; creating it with O_EXCL is the reservation, so
two concurrent runs can never both take a name.
"""

from __future__ import annotations

import json
import os
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
        try:
            fd = os.open(self._path(name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            raise validation_error(
                "Job name must be unique within an AWS account and region, and a job with this "
                f"name already exists ({arn}); choose another ProcessingJobName"
            ) from None
        with os.fdopen(fd, "w") as handle:
            json.dump(record, handle, indent=2, sort_keys=True)

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
