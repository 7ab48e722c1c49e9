"""Recorded execution histories (tests/aws/fixtures/histories/, written by tests.aws.histories
from executions of the rendered workflow) replayed through botocore's Stubber, which checks
every request and response against the service's API model."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

HISTORIES = Path(__file__).parent / "fixtures" / "histories"


def recorded_execution(scenario: str) -> dict[str, Any]:
    """A recorded execution (tests.aws.histories.SCENARIOS names them), timestamps as datetimes
    as boto3 returns them."""
    document = json.loads((HISTORIES / f"{scenario}.json").read_text())
    for event in document["events"]:
        event["timestamp"] = datetime.fromisoformat(event["timestamp"])
    return document


def failed_execution() -> dict[str, Any]:
    """A hand-built history of a failed Inference job, kept for the report tests that were
    written against it. It does not match the rendered workflow (task outputs lack the
    `jobs.<Step>` results, the Fail state's input lacks `error`): new tests use
    `recorded_execution`."""
    document = json.loads((HISTORIES.parent / "failed_execution_history.json").read_text())
    for event in document["events"]:
        event["timestamp"] = datetime.fromisoformat(event["timestamp"])
    return document


def describe_response(document: dict[str, Any], status: str) -> dict[str, Any]:
    """A DescribeExecution response for the recorded execution in `status`."""
    events = document["events"]
    response = {
        "executionArn": document["executionArn"],
        "stateMachineArn": document["stateMachineArn"],
        "name": document["executionArn"].rsplit(":", 1)[1],
        "status": status,
        "startDate": events[0]["timestamp"],
        "input": events[0]["executionStartedEventDetails"]["input"],
    }
    if status != "RUNNING":
        response["stopDate"] = events[-1]["timestamp"]
    return response
