"""A Task attempt that timed out (TimeoutSeconds, or a .sync job outliving it) ends with a
`TaskTimedOut` event whose details, error `States.Timeout` and its cause, sit under
`taskTimedOutEventDetails`. The events are built in the shape of botocore's Step Functions API
model (HistoryEvent) and checked against it, so the key comes from AWS's model, not from the
code under test. The history model must report the attempt, its step and the execution with
the error and reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import botocore.session
from botocore.validate import ParamValidator

from legacylift.history import Trace, parse

CAUSE = "Task timed out after 60 seconds (processing job legacylift-dev-iris-pre-1 still running)"
RESOURCE = {"resourceType": "sagemaker", "resource": "createProcessingJob.sync"}


def _history_event_shape():
    model = botocore.session.get_session().get_service_model("stepfunctions")
    return model.shape_for("HistoryEvent")


def _events() -> list[dict]:
    shape = _history_event_shape()
    details_key = "taskTimedOutEventDetails"
    assert "TaskTimedOut" in shape.members["type"].enum
    assert details_key in shape.members  # AWS's name, from the API model
    moment = datetime(2026, 1, 1, tzinfo=UTC)

    def event(event_id, kind, key=None, **details):
        entry = {
            "id": event_id,
            "previousEventId": event_id - 1,
            "type": kind,
            "timestamp": moment.replace(second=event_id),
        }
        if key:
            entry[key] = details
        return entry

    events = [
        event(
            1,
            "ExecutionStarted",
            "executionStartedEventDetails",
            input="{}",
            roleArn="arn:aws:iam::123456789012:role/r",
        ),
        event(2, "TaskStateEntered", "stateEnteredEventDetails", name="PreProcessing", input="{}"),
        event(
            3,
            "TaskScheduled",
            "taskScheduledEventDetails",
            region="us-east-1",
            parameters=json.dumps({"ProcessingJobName": "legacylift-dev-iris-pre-1"}),
            timeoutInSeconds=60,
            **RESOURCE,
        ),
        event(4, "TaskStarted", "taskStartedEventDetails", **RESOURCE),
        event(5, "TaskTimedOut", details_key, error="States.Timeout", cause=CAUSE, **RESOURCE),
        event(
            6, "ExecutionFailed", "executionFailedEventDetails", error="States.Timeout", cause=CAUSE
        ),
    ]
    for entry in events:
        report = ParamValidator().validate(entry, shape)
        assert not report.has_errors(), report.generate_report()
    return events


def test_the_trace_reports_a_timed_out_attempt_with_its_error_and_reason():
    """Planted bug (the attempt's details read from `taskFailedEventDetails` whatever the
    event): the attempt says `TaskTimedOut` with no cause; red."""
    trace = Trace()
    changes = [change for event in _events() for change, _ in trace.add(event)]
    assert "attempt failed" in changes
    (visit,) = trace.visits
    (attempt,) = visit.attempts
    assert attempt.outcome == "timed_out"
    assert (attempt.error, attempt.cause) == ("States.Timeout", CAUSE)
    assert (visit.error, visit.cause, visit.status) == ("States.Timeout", CAUSE, "failed")
    assert attempt.job_name == "legacylift-dev-iris-pre-1"


def test_the_parsed_history_reports_a_timed_out_step_and_execution_with_the_reason():
    """Planted bug (the attempt's details read from `taskFailedEventDetails` whatever the
    event): the failed step says `TaskTimedOut` with an empty cause; red."""
    parsed = parse(_events())
    step = parsed.failed_visit()
    assert step is not None and step.name == "PreProcessing"
    assert (step.error, step.cause) == ("States.Timeout", CAUSE)
    assert parsed.job_names() == ["legacylift-dev-iris-pre-1"]
    assert (parsed.status, parsed.error, parsed.cause) == ("FAILED", "States.Timeout", CAUSE)
