"""`invoke redrive`: Step Functions' RedriveExecution of a failed Standard execution, which
restarts it from the states that failed (its completed steps are not run again), and the
refusals said before AWS is called.

What AWS redrives (RedriveExecution's API reference and the developer guide's "Redriving
executions"): a Standard execution that FAILED, TIMED_OUT or was ABORTED, within 14 days of its
stop, with fewer than 24,999 history events, which entered at least one state; not a
Distributed Map's child workflow execution (redriving its parent redrives the Map Run's failed
children). DescribeExecution says so itself where it carries `redriveStatus`; the same rules
are checked here from the status, dates, ARN and history, so
every refusal is one line naming the fix. An execution that failed in a Fail state is refused
too: the redrive would restart that state, which can only fail again (the rendered workflows'
jobs fail their own Task, which a redrive runs again).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from legacylift.history import parse, timestamp

REDRIVE_WINDOW = timedelta(days=14)
HISTORY_LIMIT = 24999  # a redrivable execution has fewer events (RedriveExecution's conditions)
REDRIVABLE = ("FAILED", "TIMED_OUT", "ABORTED")


def is_map_child(describe: dict[str, Any]) -> bool:
    """Whether the execution is a child workflow of a Distributed Map run: DescribeExecution
    names its Map Run, and its ARN's state machine part carries the run's label."""
    machine_part = describe.get("executionArn", "").split(":")
    return bool(describe.get("mapRunArn")) or (len(machine_part) > 6 and "/" in machine_part[6])


def refusal(
    describe: dict[str, Any], events: list[dict[str, Any]], now: datetime | None = None
) -> str | None:
    """Why the execution cannot be redriven (one line with the fix), or None when it can."""
    name = describe.get("name") or describe.get("executionArn", "").rsplit(":", 1)[-1]
    status = describe.get("status")
    now = now or datetime.now(UTC)
    if ":express:" in describe.get("executionArn", ""):
        return (
            f"{name} is an Express execution: only Standard executions can be redriven "
            "(LegacyLift's state machines are Standard); start a new run with `invoke run`"
        )
    if is_map_child(describe):
        return (
            f"{name} is a child execution of a Distributed Map run "
            f"({describe.get('mapRunArn') or 'see its ARN'}): redrive the parent execution "
            "instead, which redrives the Map Run's failed children"
        )
    if status == "SUCCEEDED":
        return f"{name} succeeded: there is nothing to redrive; start a new run with `invoke run`"
    if status not in REDRIVABLE:
        return (
            f"{name} is {status}: only a FAILED, TIMED_OUT or ABORTED execution can be "
            "redriven; wait for it to end (`invoke status`)"
        )
    stopped = describe.get("stopDate")
    if stopped is not None and now - timestamp(stopped) > REDRIVE_WINDOW:
        days = (now - timestamp(stopped)).days
        return (
            f"{name} stopped {days} days ago ({timestamp(stopped):%Y-%m-%d}): Step Functions "
            "redrives an execution only within 14 days of its stop; start a new run with "
            "`invoke run`"
        )
    trace = parse(events)
    if not trace.visits:
        error = trace.error or status
        return (
            f"{name} failed before its first state ({error}): there is no failed state to "
            "restart from; fix the input and start a new run with `invoke run`"
        )
    ended_in = [visit for visit in trace.visits if visit.parent is None][-1]
    if status == "FAILED" and ended_in.kind == "Fail":
        return (
            f"{name} failed in its Fail state {ended_in.name} ({trace.error or 'no error'}): a "
            "redrive restarts that state, which fails again at once; fix the cause and start a "
            "new run with `invoke run`"
        )
    if len(events) >= HISTORY_LIMIT:
        return (
            f"{name} has {len(events)} history events: a redrive appends at least two more and "
            f"Step Functions needs the history to stay under {HISTORY_LIMIT + 1}; start a new run "
            "with `invoke run`"
        )
    if describe.get("redriveStatus") == "NOT_REDRIVABLE":
        reason = describe.get("redriveStatusReason") or "Step Functions says it is not redrivable"
        return f"{name} cannot be redriven: {reason}; start a new run with `invoke run`"
    return None


def start_redrive(sfn, arn: str, now: datetime | None = None) -> int:
    """Check that execution `arn` can be redriven (a LegacyLiftError naming the fix when it
    cannot: RedriveExecution is then never called) and redrive it; the id of its last event
    before the redrive, after which its new events follow."""
    from legacylift.aws.executions import history_events
    from legacylift.errors import LegacyLiftError

    events = history_events(sfn, arn)  # an unknown execution: one line naming it
    describe = sfn.describe_execution(executionArn=arn)
    why_not = refusal(describe, events, now)
    if why_not:
        raise LegacyLiftError(f"redrive: {why_not}")
    sfn.redrive_execution(executionArn=arn)
    return max((int(event["id"]) for event in events), default=0)
