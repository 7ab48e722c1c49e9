"""The one model of an execution's history: GetExecutionHistory events, from Step Functions
(`legacylift.aws` only fetches them) or from the local engine, read as state visits, task
attempts and processing jobs, and the wording every report shares (durations, causes).

Events are attributed by `previousEventId` (each event points at the one before it in its own
branch of the execution), so the interleaved events of Map iterations and Parallel branches land
in the right visit. A Task that failed, was retried and then succeeded is a succeeded visit with
more than one attempt; a failure handled by a Catch is `caught`, not `failed`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# AWS's hard quota: 25,000 events in one execution's history. Event 24,999 is the last an
# execution may spend on its work; event 25,000 is ExecutionSucceeded if the execution ends
# then, else ExecutionFailed (https://docs.aws.amazon.com/step-functions/latest/dg/bp-history-limit.html).
MAX_HISTORY_EVENTS = 25_000
EXECUTION_END = {
    "ExecutionSucceeded": ("SUCCEEDED", "executionSucceededEventDetails"),
    "ExecutionFailed": ("FAILED", "executionFailedEventDetails"),
    "ExecutionTimedOut": ("TIMED_OUT", "executionTimedOutEventDetails"),
    "ExecutionAborted": ("ABORTED", "executionAbortedEventDetails"),
}
ATTEMPT_END = {
    "TaskSucceeded": "succeeded",
    "TaskFailed": "failed",
    "TaskTimedOut": "timed_out",
    "TaskStartFailed": "failed",
    "TaskSubmitFailed": "failed",
}
STATE_FAILED = ("MapStateFailed", "ParallelStateFailed", "MapStateAborted", "ParallelStateAborted")
# States worth a progress line: the processing jobs, the waits before restarting one, and the
# Map and Parallel states holding them. AWS ends a group with its own events (MapStateFailed,
# ParallelStateFailed, ...) and a fan-out's batches are named by their Map iteration, so a
# group is progress as much as a job is; Pass and Choice states take milliseconds.
PROGRESS_KINDS = {"Task", "Wait", "Map", "Parallel"}


def timestamp(value: Any) -> datetime:
    """An event timestamp (datetime from boto3, ISO text from JSON, epoch ms) as aware UTC."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, UTC)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


@dataclass
class Attempt:
    """One try of a Task: TaskScheduled until TaskSucceeded/TaskFailed/TaskTimedOut."""

    scheduled: datetime
    parameters: dict[str, Any]
    resource: str = ""  # as the history names it: "s3:getObject", "createProcessingJob.sync"
    resource_type: str = ""  # "aws-sdk", "sagemaker", ...
    ended: datetime | None = None
    outcome: str = "running"  # running, succeeded, failed, timed_out
    error: str | None = None
    cause: str | None = None
    result: dict[str, Any] | None = None

    @property
    def job_name(self) -> str | None:
        """The processing job's name, from the request."""
        return self.parameters.get("ProcessingJobName") if self.parameters else None

    @property
    def describe(self) -> dict[str, Any]:
        """DescribeProcessingJob as the task returned it (its output, or a failure's cause)."""
        if self.result:
            return self.result
        document = _json(self.cause)
        return document if isinstance(document, dict) else {}

    def job_times(self) -> tuple[datetime, datetime | None, datetime | None]:
        """(queued since, running since, ended): the job's own start and end where it reported
        them within the task's span (clocks that disagree fall back to the task's events)."""
        describe = self.describe
        start, end = describe.get("ProcessingStartTime"), describe.get("ProcessingEndTime")
        running = timestamp(start) if start else None
        ended = timestamp(end) if end else None
        limit = self.ended
        if running and (running < self.scheduled or (limit and running > limit)):
            running = None
        if ended and (running is None or ended < running or (limit and ended > limit)):
            ended = None
        return self.scheduled, running, ended or self.ended


@dataclass
class Visit:
    """One entry into a state, until it was left (or the execution ended)."""

    id: int
    name: str
    kind: str  # Task, Pass, Choice, Wait, Succeed, Fail, Map, Parallel
    entered: datetime
    parent: Visit | None = None
    iteration: int | None = None  # Map iteration index within the parent
    exited: datetime | None = None
    status: str = "running"  # running, succeeded, failed, caught
    attempts: list[Attempt] = field(default_factory=list)
    error: str | None = None
    cause: str | None = None

    @property
    def label(self) -> str:
        """`Name`, or `Map[3] › Name` inside a Map iteration (`Parallel › Name` in a branch)."""
        if self.parent is None:
            return self.name
        index = f"[{self.iteration}]" if self.iteration is not None else ""
        return f"{self.parent.label}{index} › {self.name}"

    @property
    def path(self) -> tuple[str, ...]:
        """State names from the top-level state down to this one (the graph's node path)."""
        return (*self.parent.path, self.name) if self.parent else (self.name,)

    @property
    def retries(self) -> int:
        """How many attempts were retried."""
        return max(0, len(self.attempts) - 1)

    def seconds(self, now: datetime | None = None) -> float | None:
        """Seconds spent in the state (until `now` while it runs)."""
        end = self.exited or now
        return None if end is None else (end - self.entered).total_seconds()


# Where an event stands: the open visit, its parent group (Map or Parallel) and its Map iteration.
_Position = tuple[Visit | None, Visit | None, int | None]
_Changes = list[tuple[str, Visit | None]]


@dataclass
class Trace:
    """A whole execution; `add` takes events as they arrive and returns what they changed."""

    name: str = ""
    arn: str = ""
    status: str = "RUNNING"
    started: datetime | None = None
    stopped: datetime | None = None
    input: Any = None
    output: Any = None
    error: str | None = None
    cause: str | None = None
    visits: list[Visit] = field(default_factory=list)
    last_event_id: int = 0
    _owner: dict[int, tuple[Visit | None, Visit | None, int | None]] = field(
        default_factory=dict, repr=False
    )

    # --- reading events ------------------------------------------------------------------

    def add(self, event: dict[str, Any]) -> list[tuple[str, Visit | None]]:
        """Take one event; return the changes it makes: ("entered"|"attempt failed"|"retrying"|
        "succeeded"|"failed"|"caught", visit) and ("execution", None) when the execution
        ends."""
        event_id = int(event["id"])
        if event_id <= self.last_event_id and event_id in self._owner:
            return []  # seen already (a poll returning the whole history again)
        self.last_event_id = max(self.last_event_id, event_id)
        kind = event["type"]
        when = timestamp(event["timestamp"])
        # Where the event stands: the open visit, its parent group and its Map iteration; each
        # handler returns where the next event in the same branch stands.
        position = self._context(event)
        changes: list[tuple[str, Visit | None]] = []
        handler = _HANDLERS.get(kind)
        if handler is None and kind.endswith("StateEntered"):
            handler = Trace._entered
        elif handler is None and kind.endswith("StateExited"):
            handler = Trace._exited
        if handler is not None:
            position = handler(self, event, when, position, changes)
        self._owner[event_id] = position
        return changes

    def _started(
        self, event: dict[str, Any], when: datetime, position: _Position, changes: _Changes
    ) -> _Position:
        details = event.get("executionStartedEventDetails", {})
        self.started, self.input = when, _json(details.get("input"))
        return position

    def _redriven(
        self, event: dict[str, Any], when: datetime, position: _Position, changes: _Changes
    ) -> _Position:
        """Restarted from its failed states."""
        self.status, self.stopped, self.error, self.cause = "RUNNING", None, None, None
        self.started = self.started or when
        return position

    def _entered(
        self, event: dict[str, Any], when: datetime, position: _Position, changes: _Changes
    ) -> _Position:
        _, parent, iteration = position
        details = event.get("stateEnteredEventDetails", {})
        name, state_type = details.get("name", "?"), event["type"].removesuffix("StateEntered")
        visit = Visit(int(event["id"]), name, state_type, when, parent, iteration)
        self.visits.append(visit)
        changes.append(("entered", visit))
        if visit.kind == "Fail":
            visit.status = "failed"
        return visit, parent, iteration

    def _exited(
        self, event: dict[str, Any], when: datetime, position: _Position, changes: _Changes
    ) -> _Position:
        chained, parent, iteration = position
        visit = self._open(event.get("stateExitedEventDetails", {}).get("name"), chained)
        if visit is None:
            return None, parent, iteration
        visit.exited = when
        if visit.status == "running":
            failed_last = visit.attempts and visit.attempts[-1].outcome != "succeeded"
            visit.status = "caught" if failed_last else "succeeded"
            changes.append((visit.status, visit))
        return None, visit.parent, visit.iteration

    def _scheduled(
        self, event: dict[str, Any], when: datetime, position: _Position, changes: _Changes
    ) -> _Position:
        visit = position[0]
        if visit is None:
            return position
        details = event.get("taskScheduledEventDetails", {})
        if visit.attempts and visit.attempts[-1].outcome != "succeeded":
            changes.append(("retrying", visit))
        visit.attempts.append(
            Attempt(
                when,
                _json(details.get("parameters")) or {},
                details.get("resource", ""),
                details.get("resourceType", ""),
            )
        )
        return position

    def _attempt_ended(
        self, event: dict[str, Any], when: datetime, position: _Position, changes: _Changes
    ) -> _Position:
        visit, kind = position[0], event["type"]
        if visit is None or not visit.attempts:
            return position
        attempt = visit.attempts[-1]
        details = event.get(kind[:1].lower() + kind[1:] + "EventDetails", {})
        attempt.ended, attempt.outcome = when, ATTEMPT_END[kind]
        if kind == "TaskSucceeded":
            output = _json(details.get("output"))
            attempt.result = output if isinstance(output, dict) else None
        else:
            attempt.error = details.get("error", kind)
            attempt.cause = details.get("cause")
            visit.error, visit.cause = attempt.error, attempt.cause
            changes.append(("attempt failed", visit))
        return position

    def _group_failed(
        self, event: dict[str, Any], when: datetime, position: _Position, changes: _Changes
    ) -> _Position:
        _, parent, iteration = position
        group = event["type"].removesuffix("StateFailed").removesuffix("StateAborted")
        visit = next(
            (v for v in reversed(self.visits) if v.kind == group and v.exited is None), None
        )
        if visit is not None:
            details = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
            visit.status, visit.exited = "failed", when
            visit.error = details.get("error", visit.error)
            visit.cause = details.get("cause", visit.cause)
            changes.append(("failed", visit))
        return visit, parent, iteration

    def _iteration_started(
        self, event: dict[str, Any], when: datetime, position: _Position, changes: _Changes
    ) -> _Position:
        details = event.get("mapIterationStartedEventDetails", {})
        return None, position[0], details.get("index")

    def _iteration_failed(
        self, event: dict[str, Any], when: datetime, position: _Position, changes: _Changes
    ) -> _Position:
        visit, parent, iteration = position
        if visit is None or visit.exited is not None:
            return position
        # The iteration ended in this state (a Map's Catch may still handle the failure).
        visit.status, visit.exited = "failed", when
        changes.append(("failed", visit))
        return None, parent, iteration

    def _ended(
        self, event: dict[str, Any], when: datetime, position: _Position, changes: _Changes
    ) -> _Position:
        kind = event["type"]
        self.status, key = EXECUTION_END[kind]
        details = event.get(key, {})
        self.stopped = when
        if kind == "ExecutionSucceeded":
            self.output = _json(details.get("output"))
        else:
            self.error, self.cause = details.get("error", kind), details.get("cause")
            changes += self._close_failed(when)
        changes.append(("execution", None))
        return position

    def _context(self, event: dict[str, Any]) -> tuple[Visit | None, Visit | None, int | None]:
        """(open visit, parent group, iteration) of the event this one follows."""
        previous = int(event.get("previousEventId") or 0)
        if previous in self._owner:
            visit, parent, iteration = self._owner[previous]
            if event["type"].endswith("StateEntered") and visit is not None:
                if visit.kind in ("Map", "Parallel") and visit.exited is None:
                    return None, visit, None  # the first state of a branch
                return None, visit.parent, visit.iteration
            return visit, parent, iteration
        open_visits = [v for v in self.visits if v.exited is None and v.status != "failed"]
        return (open_visits[-1] if open_visits else None), None, None

    def _open(self, name: str | None, chained: Visit | None) -> Visit | None:
        """The open visit of state `name`: the chained one, else the latest such visit."""
        if chained is not None and chained.name == name:
            return chained
        return next((v for v in reversed(self.visits) if v.name == name and v.exited is None), None)

    def _close_failed(self, when: datetime) -> list[tuple[str, Visit | None]]:
        """The execution ended badly: every state still open ends with it."""
        changes: list[tuple[str, Visit | None]] = []
        for visit in self.visits:
            if visit.exited is None:
                visit.exited = when
                if visit.status == "running":
                    visit.status = "failed"
                    changes.append(("failed", visit))
        return changes

    # --- questions -----------------------------------------------------------------------

    def tasks(self) -> list[Visit]:
        """Every Task visit (each holds its attempts and their jobs), in entry order."""
        return [visit for visit in self.visits if visit.kind == "Task"]

    def attempts(self) -> list[tuple[Visit, Attempt]]:
        """Every task attempt with its visit, in the order they were scheduled."""
        pairs = [(visit, attempt) for visit in self.tasks() for attempt in visit.attempts]
        return sorted(pairs, key=lambda pair: pair[1].scheduled)

    def failed_visit(self) -> Visit | None:
        """The Task whose failure ended the execution (or the failed state, if none)."""
        if self.status in ("SUCCEEDED", "RUNNING"):
            return None
        bad = [v for v in self.visits if v.status in ("failed", "caught") and v.kind == "Task"]
        if bad:
            return bad[-1]
        return next((v for v in reversed(self.visits) if v.status == "failed"), None)

    def job_names(self) -> list[str]:
        """The processing jobs the execution requested, in the order they were scheduled (a
        retried Task's every attempt): what `invoke logs` prints."""
        return [attempt.job_name for _, attempt in self.attempts() if attempt.job_name]

    def seconds(self, now: datetime | None = None) -> float | None:
        """The execution's wall time (until `now` while it runs)."""
        end = self.stopped or now
        return None if end is None or self.started is None else (end - self.started).total_seconds()

    def seconds_in_states(self) -> float:
        """Seconds spent in the top-level states, left or not (a group's iterations counted
        once, in the group)."""
        return sum(visit.seconds() or 0 for visit in self.visits if visit.parent is None)


# The handler of each event type that changes the trace (StateEntered and StateExited events
# are matched by their suffix: one per state type).
_HANDLERS = {
    "ExecutionStarted": Trace._started,
    "ExecutionRedriven": Trace._redriven,
    "TaskScheduled": Trace._scheduled,
    "MapIterationStarted": Trace._iteration_started,
    "MapIterationFailed": Trace._iteration_failed,
    **dict.fromkeys(ATTEMPT_END, Trace._attempt_ended),
    **dict.fromkeys(STATE_FAILED, Trace._group_failed),
    **dict.fromkeys(EXECUTION_END, Trace._ended),
}


def parse(events: list[dict[str, Any]], name: str = "", arn: str = "") -> Trace:
    """A Trace of a complete history (events in any order)."""
    trace = Trace(name=name, arn=arn)
    for event in sorted(events, key=lambda e: int(e["id"])):
        trace.add(event)
    if not trace.name and trace.arn:
        trace.name = trace.arn.rsplit(":", 1)[-1]
    return trace


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


def format_duration(seconds: float | None) -> str:
    """`1h02m03s`, `4m05s`, `6.0s`; `-` when unknown."""
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"
