"""The recorded histories the report tests replay: one from a real local run, one of the
rendered cloud workflow (tests/aws/fixtures/histories, recorded by tests.aws.histories)."""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path
from typing import Any

from legacylift.report.cloud import replay
from legacylift.report.reporter import Reporter
from tests.aws.recorded import recorded_execution

LOCAL = Path(__file__).parent / "fixtures" / "local_failed_history.json"
CLOUD_LOG_TAIL = [
    "inference line 39",
    "Traceback (most recent call last):",
    "KeyError: 'petal_width'",
]


def local_document() -> dict[str, Any]:
    """The recorded local run."""
    return json.loads(LOCAL.read_text())


def local_reporter(mode: str = "quiet") -> Reporter:
    """A reporter fed the recorded local run, with its container logs and exit codes."""
    document = local_document()
    reporter = replay(document["events"], document["executionArn"], mode)
    for job, lines in document["job_logs"].items():
        for line in lines:
            reporter.job_logs.setdefault(job, deque()).append(line)
    reporter.exit_codes.update(document["exit_codes"])
    return reporter


def cloud_reporter(mode: str = "quiet", logs: bool = True) -> Reporter:
    """A reporter fed the recorded execution of the rendered workflow whose Inference job
    failed (and a CloudWatch log tail)."""
    document = recorded_execution("step_failed")
    reporter = replay(document["events"], document["executionArn"], mode)
    if logs:
        job = reporter.failure()["job"]
        reporter.logs_from(lambda _: list(CLOUD_LOG_TAIL), [job])
    return reporter
