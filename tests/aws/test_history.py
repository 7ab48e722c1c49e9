"""Parsing execution histories recorded from executions of the rendered workflow
(tests.aws.histories: success, Retry then success, capacity failure then restart, caught
failure, a job stopped at its MaxRuntimeInSeconds, Retry then failure)."""

from __future__ import annotations

import json
from datetime import datetime

import boto3
import pytest
from botocore.stub import Stubber

from legacylift.aws import executions, history
from legacylift.local.processing import ALGORITHM_ERROR
from tests.aws.histories import SCENARIOS
from tests.aws.recorded import describe_response, recorded_execution


def _events(document, kind, name=None):
    return [
        e
        for e in document["events"]
        if e["type"] == kind
        and (name is None or e.get("stateEnteredEventDetails", {}).get("name") == name)
    ]


def _transitions(document):
    parsed, seen = history.History(), []
    for event in document["events"]:
        seen += [(kind, step.name) for kind, step in parsed.add(event)]
    return parsed, seen


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_recorded_history_is_a_valid_get_execution_history_response(scenario):
    """botocore's Stubber validates each response against Step Functions' API model: the
    interpreter's events have the fields, types and names GetExecutionHistory has."""
    document = recorded_execution(scenario)
    sfn = boto3.client("stepfunctions", region_name="eu-west-1")
    with Stubber(sfn) as stub:
        stub.add_response(
            "get_execution_history",
            {"events": document["events"]},
            {"executionArn": document["executionArn"]},
        )
        events = executions.history_events(sfn, document["executionArn"])
    assert [e["id"] for e in events] == list(range(1, len(document["events"]) + 1))
    parsed = history.parse(events)
    assert parsed.status == document["status"]
    assert (parsed.failure is None) == (document["status"] == "SUCCEEDED")


def test_success_has_three_exited_tasks_and_no_failure():
    parsed, seen = _transitions(recorded_execution("succeeded"))
    tasks = [s for s in parsed.steps if s.kind == "Task"]
    assert [s.name for s in tasks] == ["Preprocessing", "Inference", "Postprocessing"]
    assert all(s.exited and not s.failed and s.retries == 0 for s in tasks)
    assert parsed.failure is None and parsed.status == "SUCCEEDED"
    assert [k for k, _ in seen if k in ("failed", "retrying")] == []
    assert [job.split("-")[3] for job in parsed.job_names()] == ["pre", "inf", "pos"]


def test_task_retried_by_its_retry_field_then_succeeding_is_not_failed():
    """Inference's CreateProcessingJob is throttled once; Retry starts it again and it
    completes. Planted bug (the parser before this fix): the step stayed failed, its exit time
    was the throttling's and `failure` was set in a SUCCEEDED execution."""
    document = recorded_execution("retried_then_succeeded")
    parsed, seen = _transitions(document)
    inference = next(s for s in parsed.steps if s.name == "Inference")
    assert not inference.failed and inference.retries == 1
    assert inference.error.error == "SageMaker.AmazonSageMakerException"
    assert inference.error.step == "Inference" and inference.error.job_name == inference.jobs[0]
    assert "ThrottlingException" in inference.error.cause
    exited = [e for e in document["events"] if e["type"] == "TaskStateExited"]
    inference_exit = next(e for e in exited if e["stateExitedEventDetails"]["name"] == "Inference")
    assert inference.exited == inference_exit["timestamp"]
    assert parsed.failure is None and parsed.status == "SUCCEEDED"
    assert ("retrying", "Inference") in seen and ("exited", "Inference") in seen
    assert not any(kind == "failed" for kind, _ in seen)
    assert len(inference.jobs) == 2 and inference.job_name == inference.jobs[-1]
    assert len(parsed.job_names()) == 4  # every attempt's job, for `invoke logs`


def test_capacity_failure_then_restart_leaves_the_execution_unfailed():
    """The first Inference attempt failed on capacity (caught, restarted after a wait): that
    attempt is failed, the restarted one is not, and the execution has no failure."""
    parsed, seen = _transitions(recorded_execution("capacity_then_restarted"))
    first, second = [s for s in parsed.steps if s.name == "Inference"]
    assert first.failed and not second.failed
    assert "CapacityError" in history.readable_cause(first.error.cause)
    assert [s.kind for s in parsed.steps if s.name == "InferenceWaitForCapacity"] == ["Wait"]
    assert parsed.failure is None and parsed.status == "SUCCEEDED"
    assert seen.count(("failed", "Inference")) == 1 and seen.count(("exited", "Inference")) == 1


def test_caught_failure_names_the_step_its_exit_time_job_and_reason():
    """The Catch sends Inference's failure through InferenceTransientFailure (not a capacity
    error) to InferenceFailed. Planted bug: the failed step left without its exit time (the
    TaskFailed timestamp); the `exited` assertion turns red."""
    document = recorded_execution("caught_failure")
    parsed, seen = _transitions(document)
    inference = next(s for s in parsed.steps if s.name == "Inference")
    (task_failed,) = _events(document, "TaskFailed")
    assert inference.failed and inference.exited == task_failed["timestamp"]
    assert inference.duration() == (task_failed["timestamp"] - inference.entered).total_seconds()
    failure = parsed.failure
    assert failure.step == "Inference" and failure.job_name == inference.job_name
    assert failure.error == "LegacyLift.Inference.States.TaskFailed"
    assert history.readable_cause(failure.cause) == ALGORITHM_ERROR
    assert parsed.status == "FAILED"
    assert seen.count(("failed", "Inference")) == 1
    assert ("exited", "Inference") not in seen and "Postprocessing" not in {n for _, n in seen}


def test_stopped_job_fails_its_step_with_the_max_runtime_reason():
    parsed, _ = _transitions(recorded_execution("timed_out"))
    failure = parsed.failure
    assert failure.step == "Postprocessing"
    assert failure.error == "LegacyLift.Postprocessing.States.TaskFailed"
    assert history.readable_cause(failure.cause).startswith("MaxRuntimeExceeded")
    assert json.loads(failure.cause)["ProcessingJobStatus"] == "Stopped"


def test_retry_then_failure_reports_the_last_attempt():
    parsed, seen = _transitions(recorded_execution("retried_then_failed"))
    pre = next(s for s in parsed.steps if s.name == "Preprocessing")
    assert pre.failed and pre.retries == 1 and len(pre.jobs) == 2
    assert parsed.failure.step == "Preprocessing"
    assert parsed.failure.job_name == pre.jobs[-1]
    assert history.readable_cause(parsed.failure.cause) == ALGORITHM_ERROR
    assert seen.index(("retrying", "Preprocessing")) < seen.index(("failed", "Preprocessing"))


def test_uncaught_task_failure_and_execution_timeout_close_the_running_step():
    """Histories of a Task without Catch and of an execution that timed out inside a Task:
    the step is failed, left at the execution's end, and reported once."""
    document = recorded_execution("caught_failure")
    events = [e for e in document["events"] if e["id"] <= _events(document, "TaskFailed")[0]["id"]]
    end = {"id": len(events) + 1, "timestamp": events[-1]["timestamp"]}
    failed = {**end, "type": "ExecutionFailed"}
    failed["executionFailedEventDetails"] = {"error": "States.TaskFailed"}
    uncaught = history.parse([*events, failed])
    assert uncaught.failure.step == "Inference" and uncaught.failure.error == "States.TaskFailed"
    assert history.readable_cause(uncaught.failure.cause) == ALGORITHM_ERROR
    running = [e for e in events if e["type"] != "TaskFailed"]
    parsed, seen = history.History(), []
    for event in [*running, {**end, "type": "ExecutionTimedOut"}]:
        seen += [(kind, step.name) for kind, step in parsed.add(event)]
    inference = parsed.steps[-1]
    assert inference.failed and inference.exited == end["timestamp"]
    assert parsed.status == "TIMED_OUT" and parsed.failure.step == "Inference"
    assert parsed.failure.error == "ExecutionTimedOut"
    assert seen[-1] == ("failed", "Inference")


def test_follow_shows_a_retry_without_reporting_a_failure(capsys):
    """`invoke run` follows an execution whose Inference was retried: the step succeeds."""
    document = recorded_execution("retried_then_succeeded")
    sfn = boto3.client("stepfunctions", region_name="eu-west-1")
    arn = document["executionArn"]
    with Stubber(sfn) as stub:
        stub.add_response(
            "describe_execution", describe_response(document, "SUCCEEDED"), {"executionArn": arn}
        )
        stub.add_response(
            "get_execution_history", {"events": document["events"]}, {"executionArn": arn}
        )
        status, followed = executions.follow(sfn, arn, sleep=lambda _: None)
    out = capsys.readouterr()
    assert status == "SUCCEEDED" and followed.failure is None
    assert not any(step.failed for step in followed.steps)
    shown = out.out + out.err
    # The reporter names the failed attempt, then the retry, then the step's success.
    assert shown.index("Inference: retrying (attempt 2)") < shown.index("Inference (")
    assert "1 retry" in shown and "Postprocessing (" in shown


def test_refused_input_fails_in_the_fail_state_with_its_cause():
    """No Task ran: the failure is the Fail state's own, with the execution's cause."""
    document = recorded_execution("invalid_input")
    parsed = history.parse(document["events"])
    assert [s.name for s in parsed.steps] == ["ValidateInput", "InvalidInput"]
    failure = parsed.failure
    assert failure.step == "InvalidInput" and failure.job_name is None
    assert failure.error == "LegacyLift.InvalidInput"
    assert failure.cause.startswith("The execution input must be")
    assert parsed.job_names() == [] and not any(s.failed for s in parsed.steps)


def _event(event_id, kind, **details):
    event = {"id": event_id, "type": kind, "timestamp": datetime(2026, 1, 1, 0, 0, event_id)}
    if details:
        key = "stateEnteredEventDetails" if kind.endswith("StateEntered") else None
        key = key or kind[0].lower() + kind[1:] + "EventDetails"
        event[key] = details
    return event


def test_sparse_events_fall_back_to_the_event_type_and_empty_causes():
    """Details AWS may leave out: a TaskFailed without error or cause, an execution failure
    without details, an execution that failed before entering any state."""
    events = [_event(1, "ExecutionStarted"), _event(2, "TaskStateEntered", name="T"),
              _event(3, "TaskScheduled", parameters="not json"),
              {"id": 4, "type": "TaskTimedOut", "timestamp": datetime(2026, 1, 1, 0, 0, 4)},
              _event(5, "ExecutionFailed")]  # fmt: skip
    parsed = history.parse(events)
    step = parsed.steps[0]
    assert step.job_name is None and step.jobs == []
    assert (step.error.step, step.error.error, step.error.cause) == ("T", "TaskTimedOut", "")
    assert step.closed and step.failed and step.duration() == 2.0
    assert parsed.failure == history.Failure("T", "TaskTimedOut", "", None)
    assert parsed.last_event_id == 5
    nothing = history.parse([_event(1, "ExecutionStarted"), _event(2, "ExecutionFailed")])
    assert nothing.failure == history.Failure(None, "ExecutionFailed", "", None)
    told = history.parse([_event(2, "ExecutionFailed", error="E", cause="C"), _event(1, "X")])
    assert told.failure == history.Failure(None, "E", "C", None) and told.last_event_id == 2


def test_execution_failure_without_its_own_error_takes_the_failed_attempts():
    document = recorded_execution("caught_failure")
    task_failed = _events(document, "TaskFailed")[0]
    events = [e for e in document["events"] if e["id"] <= task_failed["id"]]
    parsed = history.parse([*events, _event(len(events) + 1, "ExecutionFailed")])
    assert parsed.failure.error == "States.TaskFailed"
    assert history.readable_cause(parsed.failure.cause) == ALGORITHM_ERROR


def test_abort_between_states_fails_no_step():
    """Aborted after Preprocessing left and before Inference was entered: nothing failed."""
    document = recorded_execution("succeeded")
    exited = next(e for e in document["events"] if e["type"] == "TaskStateExited")
    events = [e for e in document["events"] if e["id"] <= exited["id"]]
    parsed, seen = history.History(), []
    for event in [*events, _event(len(events) + 1, "ExecutionAborted")]:
        seen += [kind for kind, _ in parsed.add(event)]
    assert "failed" not in seen and not any(s.failed for s in parsed.steps)
    assert parsed.status == "ABORTED" and parsed.failure.step is None
    assert parsed.failure.error == "ExecutionAborted"


def test_a_running_step_has_no_duration_until_asked_with_now():
    step = history.Step("T", "Task", datetime(2026, 1, 1, 0, 0, 0))
    assert step.duration() is None
    assert step.duration(datetime(2026, 1, 1, 0, 1, 30)) == 90.0


@pytest.mark.parametrize(
    ("cause", "readable"),
    [
        ('{"FailureReason": "CapacityError: none", "ProcessingJobStatus": "Failed"}',
         "CapacityError: none"),
        ('{"errorMessage": "boom", "errorType": "KeyError"}', "boom"),
        ('{"FailureReason": "", "errorMessage": ""}', '{"FailureReason": "", "errorMessage": ""}'),
        ('"just a JSON string"', '"just a JSON string"'),
        ("[1, 2]", "[1, 2]"),
        ("not JSON at all", "not JSON at all"),
        ("", ""),
    ],
)  # fmt: skip
def test_readable_cause(cause, readable):
    assert history.readable_cause(cause) == readable


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(None, "-"), (0, "0.0s"), (6.04, "6.0s"), (59.94, "59.9s"), (60, "1m00s"), (245, "4m05s"),
     (3599, "59m59s"), (3600, "1h00m00s"), (3723.9, "1h02m03s")],
)  # fmt: skip
def test_format_duration(seconds, shown):
    assert history.format_duration(seconds) == shown
