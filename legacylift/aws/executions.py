"""Start, follow and list executions of a model's state machine."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from legacylift import console
from legacylift.aws.logs import job_log_lines, job_log_tail
from legacylift.errors import LegacyLiftError
from legacylift.history import Trace, parse
from legacylift.report.reporter import Reporter

EXECUTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
FINISHED = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}


def default_execution_name(now: datetime | None = None) -> str:
    """`run-YYYYmmdd-HHMMSS` (UTC): short, sortable, valid in job names derived from it."""
    return (now or datetime.now(UTC)).strftime("run-%Y%m%d-%H%M%S")


def execution_arn(state_machine_arn: str, name: str) -> str:
    """The ARN an execution called `name` of that state machine has; executions started
    through an alias or a version have the state machine's (`execution:NAME:EXECUTION`)."""
    machine = ":".join(state_machine_arn.split(":")[:7])
    return machine.replace(":stateMachine:", ":execution:", 1) + f":{name}"


def check_s3_uri(value: str, what: str) -> str:
    """`value` if it is an s3:// URI with a bucket, else a clear error."""
    if not re.match(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$", value or ""):
        raise LegacyLiftError(f"{what} must be an S3 URI like s3://bucket/prefix/, got {value!r}")
    return value


def execution_input(input_uri: str, output_uri: str) -> dict[str, str]:
    """The per-model workflow's execution input (docs/contracts.md §3: the execution input)."""
    return {
        "input_uri": check_s3_uri(input_uri, "--input"),
        "output_uri": check_s3_uri(output_uri, "--output"),
    }


def start(sfn, state_machine_arn: str, name: str, payload: dict[str, Any]) -> str:
    """Start an execution; an already-used name is an error, never a silent re-run."""
    if not EXECUTION_NAME.match(name):
        raise LegacyLiftError(f"invalid execution name {name!r}: 1-80 letters, digits, '-' or '_'")
    arn = execution_arn(state_machine_arn, name)
    used = f"execution name {name!r} is already used by {arn}: pick another with --name"
    try:
        sfn.describe_execution(executionArn=arn)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ExecutionDoesNotExist":
            raise
    else:
        raise LegacyLiftError(used)
    try:
        response = sfn.start_execution(
            stateMachineArn=state_machine_arn, name=name, input=json.dumps(payload)
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
            raise LegacyLiftError(used) from exc
        raise
    return response["executionArn"]


def history_events(sfn, arn: str, after_id: int = 0) -> list[dict[str, Any]]:
    """History events of an execution with id > `after_id`, oldest first."""
    try:
        events = [
            event
            for page in sfn.get_paginator("get_execution_history").paginate(executionArn=arn)
            for event in page["events"]
            if int(event["id"]) > after_id
        ]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ExecutionDoesNotExist":
            raise LegacyLiftError(f"no execution {arn}: check the name or ARN") from exc
        raise
    return sorted(events, key=lambda e: int(e["id"]))


def follow(
    sfn,
    arn: str,
    poll_seconds: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
    reporter: Reporter | None = None,
    after_id: int = 0,
) -> tuple[str, Trace]:
    """Show each state as it is entered and left (with durations, through `reporter`) until
    the execution ends; return its final status and the reporter's trace of it. `after_id`:
    follow only the events after that one (a redriven execution's new part)."""
    reporter = reporter or Reporter("text")
    reporter.trace.arn, reporter.trace.name = arn, arn.rsplit(":", 1)[-1]
    reporter.start_after(after_id)
    last_id = after_id
    try:
        while True:
            status = sfn.describe_execution(executionArn=arn)["status"]
            if status == "PENDING_REDRIVE":
                status = "RUNNING"  # accepted, not yet restarted
            for event in history_events(sfn, arn, last_id):
                last_id = max(last_id, int(event["id"]))
                reporter.event(event)
            if status in FINISHED:
                return status, reporter.trace
            sleep(poll_seconds)
    finally:
        reporter.close()


def report_failure(reporter: Reporter, logs_client, tail_lines: int = 30) -> str:
    """Show why the execution failed (failing step, error, the job's reason and the tail of
    its CloudWatch log), as local runs do; return the one-line summary."""
    failure = reporter.failure() or {}
    if failure.get("job"):
        reporter.logs_from(lambda job: job_log_tail(logs_client, job, tail_lines), [failure["job"]])
    where = f"step {failure['step']!r}" if failure.get("step") else "the execution"
    summary = f"{where} failed: {failure.get('error')}"
    if reporter.mode == "text":
        console.error(reporter.failure_text())
    return summary


def recent(sfn, state_machine_arn: str, limit: int = 10) -> list[dict[str, Any]]:
    """The latest executions (newest first): name, status, start, duration in seconds."""
    response = sfn.list_executions(stateMachineArn=state_machine_arn, maxResults=limit)
    now = datetime.now(UTC)
    rows = []
    for execution in response["executions"]:
        started = execution["startDate"]
        stopped = execution.get("stopDate")
        rows.append(
            {
                "name": execution["name"],
                "status": execution["status"],
                "started": started,
                "duration": ((stopped or now) - started).total_seconds(),
                "arn": execution["executionArn"],
            }
        )
    return sorted(rows, key=lambda row: row["started"], reverse=True)


def print_execution_logs(sfn, logs_client, arn: str) -> list[str]:
    """Print the logs of every processing job an execution started, job by job."""
    jobs = parse(history_events(sfn, arn)).job_names()
    if not jobs:
        console.info(f"{arn} has started no processing job yet")
    printed: list[str] = []
    for job in jobs:
        console.info(f"processing job {job}")
        lines = job_log_lines(logs_client, job)
        for line in lines or ["(no log events yet)"]:
            print(line)
        printed.extend(lines)
    return printed
