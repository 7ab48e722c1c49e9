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
FAILURE_STATUS = {"ExecutionFailed": "FAILED", "ExecutionTimedOut": "TIMED_OUT",
                  "ExecutionAborted": "ABORTED"}  # fmt: skip
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
    and left, and the processing job it started.

    A Task that fails and is retried by its Retry field stays one Step (`retries` counts the
    attempts after the first, `job_name` is the latest attempt's job); it is `failed` only when
    its last attempt failed. Its `error` is that attempt's failure, whether or not a Catch then
    handled it."""

    name: str
    kind: str
    entered: datetime
    exited: datetime | None = None
    job_name: str | None = None
    failed: bool = False
    retries: int = 0
    error: Failure | None = None
    closed: bool = False  # the state was left (StateExited) or the execution ended in it
    jobs: list[str] = field(default_factory=list)  # every attempt's job, oldest first

    def duration(self, now: datetime | None = None) -> float | None:
        """Seconds spent in the state (until `now` while it still runs)."""
        end = self.exited or now
        return None if end is None else (end - self.entered).total_seconds()


@dataclass
class Failure:
    """Where and why an execution (or one attempt of a step) failed."""

    step: str | None
    error: str
    cause: str
    job_name: str | None = None


# States that only move data or decide: a failure they end in (a Fail state after a Catch)
# belongs to the last failed step before them.
ROUTING_KINDS = {"Choice", "Pass", "Fail", "Succeed"}


@dataclass
class History:
    """The parsed history of one execution; feed it events as they arrive.

    `failure` is set only when the execution itself failed, timed out or was aborted; a step
    failure that a Retry or Catch handled is on that step (`Step.error`), not here."""

    steps: list[Step] = field(default_factory=list)
    failure: Failure | None = None
    last_event_id: int = 0
    status: str = "RUNNING"

    def add(self, event: dict[str, Any]) -> list[tuple[str, Step]]:
        """Take one event; return the step transitions it causes: "entered", "exited",
        "retrying" (a Retry starts the failed Task again) or "failed"."""
        self.last_event_id = max(self.last_event_id, int(event["id"]))
        kind = event["type"]
        current = self.steps[-1] if self.steps else None
        if kind.endswith("StateEntered"):
            name = event["stateEnteredEventDetails"]["name"]
            step = Step(name, kind.removesuffix("StateEntered"), event["timestamp"])
            self.steps.append(step)
            return [("entered", step)]
        if kind.endswith("StateExited") and current:
            current.closed = True
            if current.failed:  # a caught failure exits the state: it stays failed
                return [("failed", current)]
            current.exited = event["timestamp"]
            return [("exited", current)]
        if kind == "TaskScheduled" and current:
            transitions = []
            if current.failed:  # the Retry field starts the failed task again
                current.failed, current.exited, current.retries = False, None, current.retries + 1
                transitions.append(("retrying", current))
            current.job_name = _job_name(event["taskScheduledEventDetails"].get("parameters"))
            if current.job_name:
                current.jobs.append(current.job_name)
            return transitions
        if kind in TASK_FAILURE_EVENTS and current:
            details = event.get(TASK_FAILURE_EVENTS[kind], {})
            current.failed = True
            current.exited = event["timestamp"]
            current.error = Failure(
                current.name, details.get("error", kind), details.get("cause", ""), current.job_name
            )
            return []
        if kind == "ExecutionSucceeded":
            self.status = "SUCCEEDED"
            return []
        if kind in FAILURE_EVENTS:
            return self._execution_failed(kind, event, current)
        return []

    def _execution_failed(
        self, kind: str, event: dict[str, Any], current: Step | None
    ) -> list[tuple[str, Step]]:
        details = event.get(FAILURE_EVENTS[kind], {})
        self.status = FAILURE_STATUS[kind]
        step = current
        if current and current.kind in ROUTING_KINDS:
            step = next((s for s in reversed(self.steps) if s.failed), current)
        elif current and current.closed and not current.failed:
            step = None  # ended between states (aborted): no step failed
        transitions = []
        if current and not current.closed:  # the execution ended inside this state
            current.closed = True
            if current.exited is None:
                current.exited = event["timestamp"]
            if current.kind not in ROUTING_KINDS:
                current.failed = True
                transitions.append(("failed", current))
        attempt = step.error if step else None
        self.failure = Failure(
            step.name if step else None,
            details.get("error") or (attempt.error if attempt else kind),
            details.get("cause") or (attempt.cause if attempt else ""),
            step.job_name if step else None,
        )
        return transitions

    def job_names(self) -> list[str]:
        """The processing jobs the execution scheduled, in order (a retried step's every one)."""
        return [job for step in self.steps for job in step.jobs]


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
