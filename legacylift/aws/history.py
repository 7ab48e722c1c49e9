"""Reading a Step Functions execution history (GetExecutionHistory events, oldest first):
steps with durations, the processing jobs started, and why an execution failed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

FAILURE_EVENTS = {
    "ExecutionFailed": "executionFailedEventDetails",
    "ExecutionTimedOut": "executionTimedOutEventDetails",
    "ExecutionAborted": "executionAbortedEventDetails",
}
TASK_FAILURE_EVENTS = {
    "TaskFailed": "taskFailedEventDetails",
    "TaskTimedOut": "taskTimedOutEventDetails",
    "TaskStartFailed": "taskStartFailedEventDetails",
    "TaskSubmitFailed": "taskSubmitFailedEventDetails",
}


# States worth a progress line: the processing jobs and the waits before restarting one;
# Pass/Choice states take milliseconds.
PROGRESS_KINDS = {"Task", "Wait"}


@dataclass
class Step:
    """One state's run: its type (Task, Pass, Choice, Wait, Fail, ...), when it was entered
    and left, and the processing job it started."""

    name: str
    kind: str
    entered: datetime
    exited: datetime | None = None
    job_name: str | None = None
    failed: bool = False

    def duration(self, now: datetime | None = None) -> float | None:
        """Seconds spent in the state (until `now` while it still runs)."""
        end = self.exited or now
        return None if end is None else (end - self.entered).total_seconds()


@dataclass
class Failure:
    """Where and why an execution failed."""

    step: str | None
    error: str
    cause: str
    job_name: str | None = None


@dataclass
class History:
    """The parsed history of one execution; feed it events as they arrive."""

    steps: list[Step] = field(default_factory=list)
    failure: Failure | None = None
    last_event_id: int = 0

    def add(self, event: dict[str, Any]) -> list[tuple[str, Step]]:
        """Take one event; return the step transitions it causes ("entered"/"exited"/"failed")."""
        self.last_event_id = max(self.last_event_id, int(event["id"]))
        kind = event["type"]
        current = self.steps[-1] if self.steps else None
        if kind.endswith("StateEntered"):
            name = event["stateEnteredEventDetails"]["name"]
            step = Step(name, kind.removesuffix("StateEntered"), event["timestamp"])
            self.steps.append(step)
            return [("entered", step)]
        if kind.endswith("StateExited") and current:
            if current.failed:  # a caught failure still exits the state: it stays failed
                return []
            current.exited = event["timestamp"]
            return [("exited", current)]
        if kind == "TaskScheduled" and current:
            current.job_name = _job_name(event["taskScheduledEventDetails"].get("parameters"))
            return []
        if kind in TASK_FAILURE_EVENTS and current:
            details = event.get(TASK_FAILURE_EVENTS[kind], {})
            current.failed = True
            current.exited = event["timestamp"]
            self.failure = Failure(
                current.name,
                details.get("error", kind),
                details.get("cause", ""),
                current.job_name,
            )
            return [("failed", current)]
        if kind in FAILURE_EVENTS:
            details = event.get(FAILURE_EVENTS[kind], {})
            if self.failure is None or details.get("error"):
                failed_step = next((s for s in reversed(self.steps) if s.failed), current)
                self.failure = Failure(
                    failed_step.name if failed_step else None,
                    details.get("error") or (self.failure.error if self.failure else kind),
                    details.get("cause") or (self.failure.cause if self.failure else ""),
                    failed_step.job_name if failed_step else None,
                )
        return []

    def job_names(self) -> list[str]:
        """The processing jobs the execution scheduled, in order."""
        return [step.job_name for step in self.steps if step.job_name]


def _job_name(parameters: str | None) -> str | None:
    """ProcessingJobName from a TaskScheduled event's parameters (a JSON string)."""
    try:
        return json.loads(parameters or "{}").get("ProcessingJobName")
    except (json.JSONDecodeError, AttributeError):
        return None


def readable_cause(cause: str) -> str:
    """A SageMaker task's cause is DescribeProcessingJob JSON: show its FailureReason."""
    try:
        document = json.loads(cause)
    except (json.JSONDecodeError, TypeError):
        return cause
    if isinstance(document, dict) and document.get("FailureReason"):
        return document["FailureReason"]
    if isinstance(document, dict) and document.get("errorMessage"):
        return document["errorMessage"]
    return cause


def parse(events: list[dict[str, Any]]) -> History:
    """A History from a complete list of events (oldest first)."""
    history = History()
    for event in sorted(events, key=lambda e: int(e["id"])):
        history.add(event)
    return history


def format_duration(seconds: float | None) -> str:
    """`1h02m03s`, `4m05s`, `6.0s`; `-` when unknown."""
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"
