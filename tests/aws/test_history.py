"""Parsing execution histories recorded from executions of the rendered workflow
(tests.aws.histories: success, Retry then success, capacity failure then restart, caught
failure, a job stopped at its MaxRuntimeInSeconds, Retry then failure)."""

from __future__ import annotations

import json

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
    """`invoke run` follows an execution whose Inference was retried: no "failed" line."""
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
    assert "failed" not in out.err
    assert "Inference retrying after SageMaker.AmazonSageMakerException (attempt 2)" in out.out
    assert "Inference (" in out.out and "Postprocessing (" in out.out
