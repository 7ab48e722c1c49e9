"""The one reporter of executions, local or cloud: fed GetExecutionHistory events as they
arrive, it shows progress (plain lines, or a live step list on a terminal), and afterwards
explains a failure and gives the machine-readable result (`--json`).

Local runs and cloud runs print the same lines: only where the log tail comes from differs
(the step container's output, or the job's CloudWatch stream).
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TextIO

from legacylift import console
from legacylift.history import (
    MAX_HISTORY_EVENTS,
    PROGRESS_KINDS,
    Attempt,
    Trace,
    Visit,
    format_duration,
    readable_cause,
)
from legacylift.report.progress import LIVE_DISPLAY, is_terminal

LOG_LINES_KEPT = 50
LOG_TAIL_SHOWN = 20
# A long run of states that show no step (Pass, Choice loops) still says it is alive.
PROGRESS_EVERY_EVENTS = 1_000
ICONS = {"running": "•", "succeeded": "✓", "failed": "✗", "caught": "✗", "retrying": "↻"}


# C0 controls but tab, DEL and C1 controls: NUL, ESC (colours, clearing the screen), OSC (the
# window title), carriage returns that overwrite a line: a step's log shows them as \xNN.
CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def escape_controls(line: str) -> str:
    """`line` with each control character shown as `\\xNN`."""
    return CONTROLS.sub(lambda found: f"\\x{ord(found.group()):02x}", line)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="milliseconds") if value else None


class Reporter:
    """Follows one execution. `mode`: "text" (progress lines; a live step list when `stream`
    is a terminal), "json" (silent until `result()`), or "quiet"."""

    def __init__(
        self, mode: str = "text", stream: TextIO | None = None, live: bool | None = None
    ) -> None:
        self.mode = mode
        self.stream = stream or sys.stdout
        self.trace = Trace()
        self.job_logs: dict[str, deque[str]] = {}
        self.exit_codes: dict[str, int | None] = {}
        self.job_notes: dict[str, str] = {}  # what the runner saw, e.g. the kernel's OOM kill
        self.reused: dict[str, dict[str, str]] = {}  # requested job -> {"job", "run"} it reused
        interactive = live if live is not None else is_terminal(self.stream)
        self._want_live = mode == "text" and interactive
        self._live: _LiveSteps | None = None
        # The local engine calls back from each Map iteration's thread: events are taken one
        # at a time and in id order, so each one finds the event it follows.
        self._lock = threading.Lock()
        self._pending: dict[int, dict[str, Any]] = {}
        self._next_id = 1

    # --- input ----------------------------------------------------------------------------

    def event(self, event: dict[str, Any]) -> None:
        """Take one history event (local engine callback or a cloud poll), from any thread."""
        with self._lock:
            event_id = int(event["id"])
            if event_id < self._next_id:
                return  # seen already
            self._pending[event_id] = event
            while self._next_id in self._pending:
                self._take(self._pending.pop(self._next_id))
                self._next_id += 1

    def start_after(self, event_id: int) -> None:
        """Take only the events after `event_id` (a redriven execution's new part)."""
        with self._lock:
            self._next_id = max(self._next_id, event_id + 1)

    def _take(self, event: dict[str, Any]) -> None:
        event_id = int(event["id"])
        on_the_way = event_id % PROGRESS_EVERY_EVENTS == 0 and event_id < MAX_HISTORY_EVENTS
        if self.mode == "text" and on_the_way:
            console.info(
                f"{event_id:,} history events so far (an execution ends at "
                f"{MAX_HISTORY_EVENTS:,}, as on AWS)"
            )
        for change, visit in self.trace.add(event):
            if visit is not None and visit.kind in PROGRESS_KINDS:
                self._show(change, visit)

    def job_log(self, job: str, line: str) -> None:
        """Take one log line of a processing job (the local engine's container output); its
        control characters are kept escaped, never sent to the terminal."""
        line = escape_controls(line)
        self.job_logs.setdefault(job, deque(maxlen=LOG_LINES_KEPT)).append(line)
        if self.mode == "text":
            console.detail(f"[{job}] {line}")

    def job_finished(self, job: str, exit_code: int | None, note: str | None = None) -> None:
        """What the local engine knows of a finished job and SageMaker does not report."""
        self.exit_codes[job] = exit_code
        if note:
            self.job_notes[job] = note

    def job_reused(self, state: str, requested: str, job: str, run: str) -> None:
        """A resumed local run served state `state` (the job it requested) from an earlier
        run's job: no job ran."""
        self.reused[requested] = {"job": job, "run": run}
        self.job_notes[requested] = (
            f"reused: job {job} of run {run} (its inputs, code and image are unchanged); no job ran"
        )
        if self.mode == "text":
            console.info(f"{state}: reused job {job} of run {run}")

    def logs_from(self, fetch: Callable[[str], list[str]], jobs: list[str]) -> None:
        """Fill job logs from elsewhere (CloudWatch) for the jobs that have none yet."""
        for job in jobs:
            if job not in self.job_logs:
                lines = (escape_controls(line) for line in fetch(job))
                self.job_logs[job] = deque(lines, maxlen=LOG_LINES_KEPT)

    def close(self) -> None:
        """Take any events still waiting for an earlier one, then stop the live display (it
        stays on screen as printed)."""
        with self._lock:
            for event_id in sorted(self._pending):
                self._take(self._pending.pop(event_id))
        if self._live:
            self._live.stop()
            self._live = None

    # --- progress ---------------------------------------------------------------------------

    def _show(self, change: str, visit: Visit) -> None:
        if self.mode != "text":
            return
        if self._want_live and self._live is None:
            self._live = _LiveSteps.start(self.stream)
            self._want_live = self._live is not None
        if self._live:
            self._live.update(self.trace)
            if change != "attempt failed":  # why an attempt failed is said above the list too
                return
        _say(change, visit)

    # --- results ----------------------------------------------------------------------------

    def failure(self) -> dict[str, Any] | None:
        """Where and why the execution failed: step, error, cause, the job's reason, exit code,
        exit message and log tail; None when it did not fail."""
        trace = self.trace
        if trace.status in ("SUCCEEDED", "RUNNING"):
            return None
        visit = trace.failed_visit()
        attempt = visit.attempts[-1] if visit and visit.attempts else None
        describe = attempt.describe if attempt else {}
        job = attempt.job_name if attempt else None
        tail = list(self.job_logs.get(job, []))[-LOG_TAIL_SHOWN:] if job else []
        return {
            "step": visit.label if visit else None,
            "error": trace.error,
            "cause": readable_cause(trace.cause or "") or None,
            "job": job,
            "job_status": describe.get("ProcessingJobStatus"),
            "exit_code": self.exit_codes.get(job) if job else None,
            "failure_reason": describe.get("FailureReason"),
            "exit_message": (describe.get("ExitMessage") or "").strip() or None,
            "note": self.job_notes.get(job) if job else None,
            "log_tail": tail,
        }

    def failure_text(self) -> str:
        """The failure explained in lines (empty when the execution did not fail)."""
        failure = self.failure()
        if failure is None:
            return ""
        trace = self.trace
        lines = [f"execution {trace.name} {trace.status}: {failure['error']}"]
        if failure["step"]:
            job = ""
            if failure["job"]:
                code = failure["exit_code"]
                job = (
                    f" (job {failure['job']}, status {failure['job_status'] or '-'}, "
                    f"exit code {'-' if code is None else code})"
                )
            lines.append(f"failing step: {failure['step']}{job}")
        if failure["failure_reason"]:
            lines.append(f"failure reason: {failure['failure_reason']}")
        elif failure["cause"]:
            lines.append(f"cause: {failure['cause'][:2000]}")
        if failure["exit_message"]:
            message = failure["exit_message"].replace("\n", "\n    ")
            lines.append(f"exit message: {message}")
        if failure["note"]:
            lines.append(failure["note"])
        if failure["job"]:
            tail = failure["log_tail"]
            if tail:
                lines.append(f"last {len(tail)} log lines:")
                lines += [f"  | {line}" for line in tail]
            else:
                lines.append("no log lines (the job may have failed before its container ran)")
        return "\n".join(lines)

    def steps(self) -> list[dict[str, Any]]:
        """Every state the execution entered, with timings, status and jobs."""
        return [
            {
                "name": visit.label,
                "state": visit.name,
                "type": visit.kind,
                "status": visit.status,
                "started": _iso(visit.entered),
                "stopped": _iso(visit.exited),
                "seconds": _round(visit.seconds()),
                "attempts": len(visit.attempts),
                "jobs": [a.job_name for a in visit.attempts if a.job_name],
                "reused": [
                    self.reused[a.job_name] for a in visit.attempts if a.job_name in self.reused
                ],
            }
            for visit in self.trace.visits
        ]

    def cost(self) -> dict[str, Any] | None:
        """Instance-hours and estimated cost of the jobs this execution ran (reused ones
        excluded), priced in its region (from its ARN); None before the ARN is known."""
        from legacylift.report.cost import run_cost

        parts = (self.trace.arn or "").split(":")
        if len(parts) < 4 or not parts[3]:
            return None
        return run_cost(self.trace, parts[3], set(self.reused))

    def result(
        self,
        output_uri: str | None = None,
        output_path: str | None = None,
        report: str | None = None,
    ) -> dict[str, Any]:
        """The machine-readable result (`--json`)."""
        trace = self.trace
        return {
            "execution": trace.name,
            "arn": trace.arn or None,
            "status": trace.status,
            "started": _iso(trace.started),
            "stopped": _iso(trace.stopped),
            "seconds": _round(trace.seconds()),
            "output": {"uri": output_uri, "path": output_path},
            "steps": self.steps(),
            "failure": self.failure(),
            "cost": self.cost(),
            "report": report,
        }

    def print_json(self, **result_args: Any) -> None:
        """Print `result()` as one JSON document on stdout."""
        print(json.dumps(self.result(**result_args), indent=2, sort_keys=True))


def _round(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)


def _sdk_call(attempt: Attempt) -> bool:
    """Whether the attempt called an AWS SDK integration (not a processing job)."""
    # Histories (AWS's, moto's, the local interpreter's) name the integration by resourceType
    # "aws-sdk" and resource "s3:getObject"; the ARN never appears in an event.
    return attempt.resource_type.startswith("aws-sdk")


def _reason(attempt: Attempt) -> str:
    """One line saying why an attempt failed: its error and the job's FailureReason, so the
    wait before a retry is explained as it happens."""
    cause = attempt.describe.get("FailureReason") or attempt.describe.get("ProcessingJobStatus")
    if not cause and attempt.cause and not attempt.describe:
        cause = readable_cause(attempt.cause)
    cause = " ".join(str(cause or "").split())
    return f"{attempt.error}: {cause[:300]}" if cause else str(attempt.error)


def _say(change: str, visit: Visit) -> None:
    """The line a change of a state's visit prints (none for changes that say nothing)."""
    if change == "entered":
        console.info(f"{visit.label} ...")
    elif change == "succeeded":
        retried = f", {_retries(visit)}" if visit.retries else ""
        console.success(f"{visit.label} ({format_duration(visit.seconds())}{retried})")
    elif change == "attempt failed":  # said as it happens: a Retry's wait is explained
        # Not an error yet: a Retry may still make the state succeed. The state's own
        # failure, if it comes, is said by the "failed" change below.
        attempt = visit.attempts[-1]
        took = format_duration(_attempt_seconds(attempt))
        console.info(
            f"{visit.label}: attempt {len(visit.attempts)} failed after {took}: {_reason(attempt)}"
        )
    elif change == "retrying":  # the new attempt is scheduled: the one before failed
        console.info(f"{visit.label}: retrying (attempt {len(visit.attempts)})")
    elif change == "caught" and visit.attempts and _sdk_call(visit.attempts[-1]):
        # An AWS SDK read may fail on purpose (no promoted model yet): its Catch decides
        # where the run goes, so this is progress, not an error.
        attempt = visit.attempts[-1]
        console.info(f"{visit.label}: {_reason(attempt)} (caught, the workflow goes on)")
    elif change in ("failed", "caught") and visit.attempts:
        attempt = visit.attempts[-1]
        console.error(
            f"{visit.label} failed after {format_duration(visit.seconds())}: {_reason(attempt)}"
        )
    elif change in ("failed", "caught"):
        console.error(f"{visit.label} failed after {format_duration(visit.seconds())}")


def _retries(visit: Visit) -> str:
    return f"{visit.retries} retr{'y' if visit.retries == 1 else 'ies'}"


class _LiveSteps:
    """A step list redrawn in place (rich), for terminals only."""

    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console
        from rich.live import Live

        self.console = Console(file=stream, force_terminal=True)
        self.live = Live(
            console=self.console,
            refresh_per_second=4,
            transient=False,
            redirect_stdout=True,
            redirect_stderr=True,
        )
        self.live.start()

    @classmethod
    def start(cls, stream: TextIO) -> _LiveSteps | None:
        """A live step list, or None when another live display owns the terminal."""
        if not LIVE_DISPLAY.acquire(blocking=False):
            return None
        return cls(stream)

    def update(self, trace: Trace) -> None:
        from rich.table import Table

        table = Table(box=None, show_header=False, pad_edge=False)
        colours = {"succeeded": "green", "failed": "red", "caught": "red", "running": "cyan"}
        now = datetime.now(UTC)
        for visit in trace.visits:
            if visit.kind not in PROGRESS_KINDS:
                continue
            colour = colours.get(visit.status, "white")
            retried = f" ({_retries(visit)})" if visit.retries else ""
            icon = f"[{colour}]{ICONS.get(visit.status, '•')}[/]"
            table.add_row(icon, f"{visit.label}{retried}", format_duration(visit.seconds(now)))
        self.live.update(table)

    def stop(self) -> None:
        self.live.stop()
        LIVE_DISPLAY.release()


def _attempt_seconds(attempt) -> float | None:
    """How long one attempt ran, from scheduled to its end (None while it runs)."""
    return (attempt.ended - attempt.scheduled).total_seconds() if attempt.ended else None
