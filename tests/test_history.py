"""The one execution-history model (`legacylift.history`), read from histories recorded from
executions of the rendered workflow (tests.aws.histories: success, Retry then success, capacity
failure, a failure in a step, a redriven failure, a job stopped at its MaxRuntimeInSeconds,
Retry then failure) and from sparse hand-built events; a local run's imports."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber

from legacylift import history
from legacylift.aws import executions
from legacylift.local.asl.errors import StatesError
from legacylift.local.asl.interpreter import Execution
from legacylift.local.processing import ALGORITHM_ERROR
from legacylift.report.reporter import Reporter
from tests.aws.histories import SCENARIOS
from tests.aws.recorded import describe_response, recorded_execution


def _events(document, kind, name=None):
    return [
        e
        for e in document["events"]
        if e["type"] == kind
        and (name is None or e.get("stateEnteredEventDetails", {}).get("name") == name)
    ]


def _transitions(events):
    parsed, seen = history.Trace(), []
    for event in events:
        seen += [(kind, visit.name if visit else None) for kind, visit in parsed.add(event)]
    return parsed, seen


def _visit(parsed, name, index=0):
    return [v for v in parsed.visits if v.name == name][index]


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
    assert (parsed.failed_visit() is None) == (document["status"] == "SUCCEEDED")


def test_success_has_three_succeeded_tasks_and_no_failure():
    parsed, seen = _transitions(recorded_execution("succeeded")["events"])
    tasks = parsed.tasks()
    assert [v.name for v in tasks] == ["Preprocessing", "Inference", "Postprocessing"]
    assert all(v.exited and v.status == "succeeded" and v.retries == 0 for v in tasks)
    assert parsed.failed_visit() is None and parsed.status == "SUCCEEDED"
    assert [k for k, _ in seen if k in ("failed", "caught", "retrying", "attempt failed")] == []
    assert [job.split("-")[3] for job in parsed.job_names()] == ["pre", "inf", "pos"]
    top = [v.seconds() for v in parsed.visits]
    assert parsed.seconds_in_states() == pytest.approx(sum(top)) and sum(top) > 0


def test_task_retried_by_its_retry_field_then_succeeding_is_not_failed():
    """Inference's CreateProcessingJob is throttled once; Retry starts it again and it
    completes. Planted bug (retried-task-reported-failed): a visit with any failed attempt
    reported as failed; this test went red."""
    document = recorded_execution("retried_then_succeeded")
    parsed, seen = _transitions(document["events"])
    inference = _visit(parsed, "Inference")
    assert inference.status == "succeeded" and inference.retries == 1
    first, last = inference.attempts
    assert first.outcome == "failed" and first.error == "SageMaker.AmazonSageMakerException"
    assert "ThrottlingException" in first.cause and last.outcome == "succeeded"
    (inference_exit,) = [
        e
        for e in _events(document, "TaskStateExited")
        if e["stateExitedEventDetails"]["name"] == "Inference"
    ]
    assert inference.exited == inference_exit["timestamp"]
    assert parsed.failed_visit() is None and parsed.status == "SUCCEEDED"
    assert ("retrying", "Inference") in seen and ("succeeded", "Inference") in seen
    assert not any(kind in ("failed", "caught") for kind, _ in seen)
    assert parsed.job_names()[1:3] == [first.job_name, last.job_name] != [None, None]
    assert len(parsed.job_names()) == 4  # every attempt's job, for `invoke logs`


def test_capacity_failure_fails_the_run_in_its_task():
    """Inference failed on capacity: no Catch, so the Inference Task is the state the run
    failed in (the one a redrive starts again), failed with the job's reason."""
    parsed, seen = _transitions(recorded_execution("capacity_failed")["events"])
    (inference,) = [v for v in parsed.visits if v.name == "Inference"]
    assert inference.status == "failed" and parsed.failed_visit() is inference
    assert "CapacityError" in history.readable_cause(inference.cause)
    assert parsed.status == "FAILED" and parsed.error == "States.TaskFailed"
    assert seen.count(("failed", "Inference")) == 1


def test_step_failed_names_the_step_its_end_time_job_and_reason():
    """Inference's job failed: the Task is never left; the execution's end closes it, failed,
    with the job's error and FailureReason, which are the execution's too."""
    document = recorded_execution("step_failed")
    parsed, seen = _transitions(document["events"])
    inference = _visit(parsed, "Inference")
    (task_failed,) = _events(document, "TaskFailed")
    (ended,) = _events(document, "ExecutionFailed")
    assert inference.status == "failed" and inference.exited == ended["timestamp"]
    assert inference.attempts[-1].ended == task_failed["timestamp"]
    assert inference.seconds() == (ended["timestamp"] - inference.entered).total_seconds()
    assert parsed.failed_visit() is inference
    assert parsed.error == "States.TaskFailed"
    assert history.readable_cause(parsed.cause) == ALGORITHM_ERROR
    assert parsed.status == "FAILED"
    assert seen.count(("failed", "Inference")) == 1
    assert ("succeeded", "Inference") not in seen and "Postprocessing" not in {n for _, n in seen}


def test_a_redriven_history_reads_the_failed_and_the_redriven_visit():
    """Postprocessing failed, the execution was redriven and Postprocessing ran again: two
    visits (failed, succeeded), the steps before it visited once, the execution succeeded."""
    parsed, seen = _transitions(recorded_execution("failed_then_redriven")["events"])
    steps = ("Preprocessing", "Inference", "Postprocessing")
    visits = {name: [v.status for v in parsed.visits if v.name == name] for name in steps}
    assert visits == {
        "Preprocessing": ["succeeded"],
        "Inference": ["succeeded"],
        "Postprocessing": ["failed", "succeeded"],
    }
    assert parsed.status == "SUCCEEDED" and parsed.failed_visit() is None
    assert parsed.error is None and len(parsed.job_names()) == 4
    assert seen.count(("execution", None)) == 2  # the failure, then the redriven run's end


def test_stopped_job_fails_its_step_with_the_max_runtime_reason():
    parsed, _ = _transitions(recorded_execution("timed_out")["events"])
    assert parsed.failed_visit().name == "Postprocessing"
    assert parsed.error == "States.TaskFailed"
    assert history.readable_cause(parsed.cause).startswith("MaxRuntimeExceeded")
    assert json.loads(parsed.cause)["ProcessingJobStatus"] == "Stopped"


def test_retry_then_failure_reports_the_last_attempt():
    parsed, seen = _transitions(recorded_execution("retried_then_failed")["events"])
    pre = _visit(parsed, "Preprocessing")
    assert pre.status == "failed" and pre.retries == 1 and len(pre.attempts) == 2
    assert parsed.failed_visit() is pre
    assert parsed.job_names()[:2] == [a.job_name for a in pre.attempts]
    assert history.readable_cause(pre.cause) == ALGORITHM_ERROR
    assert seen.index(("retrying", "Preprocessing")) < seen.index(("failed", "Preprocessing"))


def _event(event_id, kind, **details):
    event = {"id": event_id, "type": kind, "timestamp": datetime(2026, 1, 1, 0, 0, event_id)}
    if details:
        key = "stateEnteredEventDetails" if kind.endswith("StateEntered") else None
        key = key or kind[0].lower() + kind[1:] + "EventDetails"
        event[key] = details
    return event


def test_uncaught_task_failure_and_execution_timeout_close_the_running_step():
    """Histories of a Task without Catch and of an execution that timed out inside a Task:
    the step is failed, left at the execution's end, and reported once. Planted bug
    (failed-step-without-exit-time): the step left open at the execution's end; red."""
    document = recorded_execution("step_failed")
    events = [e for e in document["events"] if e["id"] <= _events(document, "TaskFailed")[0]["id"]]
    end = {"id": len(events) + 1, "timestamp": events[-1]["timestamp"]}
    failed = {**end, "type": "ExecutionFailed"}
    failed["executionFailedEventDetails"] = {"error": "States.TaskFailed"}
    uncaught = history.parse([*events, failed])
    assert uncaught.failed_visit().name == "Inference" and uncaught.error == "States.TaskFailed"
    assert history.readable_cause(uncaught.failed_visit().cause) == ALGORITHM_ERROR
    running = [e for e in events if e["type"] != "TaskFailed"]
    parsed, seen = _transitions([*running, {**end, "type": "ExecutionTimedOut"}])
    inference = parsed.visits[-1]
    assert inference.status == "failed" and inference.exited == end["timestamp"]
    assert parsed.status == "TIMED_OUT" and parsed.failed_visit() is inference
    assert parsed.error == "ExecutionTimedOut"
    assert seen[-2:] == [("failed", "Inference"), ("execution", None)]


def test_follow_shows_a_retry_without_reporting_a_failure(capsys):
    """`invoke run` follows an execution whose Inference was retried: the step succeeds, and
    the trace `follow` returns is the reporter's."""
    document = recorded_execution("retried_then_succeeded")
    sfn = boto3.client("stepfunctions", region_name="eu-west-1")
    arn = document["executionArn"]
    reporter = Reporter("text", live=False)
    with Stubber(sfn) as stub:
        stub.add_response(
            "describe_execution", describe_response(document, "SUCCEEDED"), {"executionArn": arn}
        )
        stub.add_response(
            "get_execution_history", {"events": document["events"]}, {"executionArn": arn}
        )
        status, followed = executions.follow(sfn, arn, sleep=lambda _: None, reporter=reporter)
    out = capsys.readouterr()
    assert status == "SUCCEEDED" and followed is reporter.trace
    assert followed.failed_visit() is None
    assert not any(v.status in ("failed", "caught") for v in followed.visits)
    shown = out.out + out.err
    # The reporter names the failed attempt, then the retry, then the step's success.
    assert shown.index("Inference: retrying (attempt 2)") < shown.index("Inference (")
    assert "1 retry" in shown and "Postprocessing (" in shown


def test_refused_input_fails_in_the_fail_state_with_its_cause():
    """No Task ran: the failure is the Fail state's own, with the execution's cause."""
    parsed = history.parse(recorded_execution("invalid_input")["events"])
    assert [v.name for v in parsed.visits] == ["ValidateInput", "InvalidInput"]
    assert parsed.failed_visit().name == "InvalidInput" and parsed.tasks() == []
    assert parsed.error == "LegacyLift.InvalidInput"
    assert parsed.cause.startswith("The execution input must be")
    assert parsed.job_names() == []


def test_sparse_events_fall_back_to_the_event_type_and_no_cause():
    """Details AWS may leave out: a TaskTimedOut without error or cause, an execution failure
    without details, an execution that failed before entering any state."""
    events = [
        _event(1, "ExecutionStarted"),
        _event(2, "TaskStateEntered", name="T"),
        _event(3, "TaskScheduled", parameters="not json"),
        {"id": 4, "type": "TaskTimedOut", "timestamp": datetime(2026, 1, 1, 0, 0, 4)},
        _event(5, "ExecutionFailed"),
    ]
    parsed = history.parse(events)
    (visit,) = parsed.visits
    (attempt,) = visit.attempts
    assert attempt.job_name is None and parsed.job_names() == []
    assert (attempt.outcome, attempt.error, attempt.cause) == ("timed_out", "TaskTimedOut", None)
    assert visit.status == "failed" and visit.seconds() == 3.0  # left when the execution ended
    assert parsed.failed_visit() is visit and (parsed.error, parsed.cause) == (
        "ExecutionFailed",
        None,
    )
    assert parsed.last_event_id == 5 and parsed.seconds() == 4.0
    nothing = history.parse([_event(1, "ExecutionStarted"), _event(2, "ExecutionFailed")])
    assert nothing.failed_visit() is None and nothing.error == "ExecutionFailed"
    told = history.parse([_event(2, "ExecutionFailed", error="E", cause="C"), _event(1, "X")])
    assert (told.error, told.cause, told.last_event_id) == ("E", "C", 2)


def test_abort_between_states_fails_no_step():
    """Aborted after Preprocessing left and before Inference was entered: nothing failed."""
    document = recorded_execution("succeeded")
    exited = _events(document, "TaskStateExited")[0]
    events = [e for e in document["events"] if e["id"] <= exited["id"]]
    parsed, seen = _transitions([*events, _event(len(events) + 1, "ExecutionAborted")])
    assert not any(kind in ("failed", "caught") for kind, _ in seen)
    assert parsed.status == "ABORTED" and parsed.failed_visit() is None
    assert parsed.error == "ExecutionAborted"


def test_a_running_state_has_no_duration_until_asked_with_now():
    visit = history.Visit(1, "T", "Task", datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC))
    assert visit.seconds() is None
    assert visit.seconds(datetime(2026, 1, 1, 0, 1, 30, tzinfo=UTC)) == 90.0


def test_a_local_run_imports_nothing_of_aws():
    """The local engine and its reporter read histories and format durations without
    `legacylift.aws` (which only fetches events). Planted bug: the reporter importing
    `format_duration` from an aws module again; this went red."""
    code = (
        "import sys, legacylift.local.run, legacylift.local.definition_run; "
        "print(sorted(m for m in sys.modules if m.startswith('legacylift.aws')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"


@pytest.mark.parametrize(
    ("cause", "readable"),
    [
        (
            '{"FailureReason": "CapacityError: none", "ProcessingJobStatus": "Failed"}',
            "CapacityError: none",
        ),
        ('{"errorMessage": "boom", "errorType": "KeyError"}', "boom"),
        ('{"FailureReason": "", "errorMessage": ""}', '{"FailureReason": "", "errorMessage": ""}'),
        ('"just a JSON string"', '"just a JSON string"'),
        ("[1, 2]", "[1, 2]"),
        ("not JSON at all", "not JSON at all"),
        ("", ""),
    ],
)
def test_readable_cause(cause, readable):
    assert history.readable_cause(cause) == readable


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (None, "-"),
        (0, "0.0s"),
        (6.04, "6.0s"),
        (59.94, "59.9s"),
        (60, "1m00s"),
        (245, "4m05s"),
        (3599, "59m59s"),
        (3600, "1h00m00s"),
        (3723.9, "1h02m03s"),
    ],
)
def test_format_duration(seconds, shown):
    assert history.format_duration(seconds) == shown


def test_a_poll_returning_events_again_or_out_of_order_changes_nothing_twice():
    """`follow` polls the whole history again: events already taken change nothing; one that
    arrives after a later one is still taken."""
    events = recorded_execution("retried_then_succeeded")["events"]
    parsed, first = _transitions(events)
    assert first and [change for event in events for change in parsed.add(event)] == []
    assert parsed.add(events[-1]) == [] and len(parsed.visits) == len(history.parse(events).visits)
    late = history.Trace()
    late.add(_event(2, "ExecutionFailed", error="E"))
    late.add(_event(1, "ExecutionStarted", input='{"input_uri": "s3://b/k"}'))
    assert late.input == {"input_uri": "s3://b/k"} and late.started == datetime(
        2026, 1, 1, 0, 0, 1, tzinfo=UTC
    )


def test_execution_input_output_times_and_task_requests_are_kept():
    document = recorded_execution("succeeded")
    events = document["events"]
    parsed = history.parse(events, arn=document["executionArn"])
    assert parsed.name == document["executionArn"].rsplit(":", 1)[-1]
    assert history.parse(events, name="mine", arn=document["executionArn"]).name == "mine"
    assert (history.parse(events).name, history.parse(events).arn) == ("", "")
    started = events[0]["executionStartedEventDetails"]["input"]
    assert parsed.input == json.loads(started) and parsed.input["output_uri"]
    (succeeded,) = _events(document, "ExecutionSucceeded")
    output = succeeded["executionSucceededEventDetails"]["output"]
    assert parsed.output == json.loads(output) and parsed.output
    assert (parsed.started, parsed.stopped) == (events[0]["timestamp"], events[-1]["timestamp"])
    assert parsed.seconds() == (parsed.stopped - parsed.started).total_seconds() > 0
    running = history.parse(events[:-1])
    assert running.status == "RUNNING" and running.seconds() is None
    later = events[-1]["timestamp"]
    assert running.seconds(later) == (later - parsed.started).total_seconds()
    pre = parsed.tasks()[0]
    (attempt,) = pre.attempts
    scheduled = _events(document, "TaskScheduled")[0]
    assert attempt.resource == scheduled["taskScheduledEventDetails"]["resource"]
    assert attempt.resource_type == scheduled["taskScheduledEventDetails"]["resourceType"]
    assert attempt.parameters["ProcessingJobName"] == attempt.job_name
    assert attempt.outcome == "succeeded" and attempt.error is None
    assert (
        attempt.result["ProcessingJobName"]
        == attempt.job_name
        == attempt.describe["ProcessingJobName"]
    )


def test_a_redriven_execution_runs_again_from_its_failure():
    """ExecutionRedriven reopens a failed execution: running, no end, no error, same start."""
    events = recorded_execution("step_failed")["events"]
    parsed = history.parse(events)
    assert parsed.status == "FAILED" and parsed.error and parsed.stopped
    redriven = {
        "id": len(events) + 1,
        "type": "ExecutionRedriven",
        "timestamp": datetime(2027, 1, 1, tzinfo=UTC),
    }
    parsed.add(redriven)
    assert (parsed.status, parsed.stopped, parsed.error, parsed.cause) == (
        "RUNNING",
        None,
        None,
        None,
    )
    assert parsed.started == events[0]["timestamp"]
    alone = history.Trace()
    alone.add(redriven)
    assert alone.started == redriven["timestamp"] and alone.status == "RUNNING"


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 1, 1),
        1767225600000,
        1767225600000.0,
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00+00:00",
        "2026-01-01T00:00:00",
        "2026-01-01T01:00:00+01:00",
    ],
)
def test_event_timestamps_of_every_source_read_as_aware_instants(value):
    """boto3 gives datetimes, recorded JSON ISO text, other clients epoch milliseconds."""
    read = history.timestamp(value)
    assert read == datetime(2026, 1, 1, tzinfo=UTC) and read.tzinfo is not None


def at(second):
    return datetime(2026, 1, 1, 0, 0, second, tzinfo=UTC)


def _attempt(start, end, ended):
    scheduled = datetime(2026, 1, 1, 0, 0, 10, tzinfo=UTC)
    result = {"ProcessingStartTime": start, "ProcessingEndTime": end}
    return history.Attempt(scheduled, {}, ended=ended, result=result), scheduled


def test_job_times_trust_the_job_only_within_its_task():
    """(queued since, running since, ended): the job's own times where they fall inside the
    task's span, the task's events where they do not (clocks that disagree)."""
    attempt, scheduled = _attempt(at(12).isoformat(), at(18).isoformat(), at(20))
    assert attempt.job_times() == (scheduled, at(12), at(18))
    attempt, _ = _attempt(at(5).isoformat(), at(18).isoformat(), at(20))  # before scheduling
    assert attempt.job_times() == (scheduled, None, at(20))
    attempt, _ = _attempt(at(12).isoformat(), at(25).isoformat(), at(20))  # after the task
    assert attempt.job_times() == (scheduled, at(12), at(20))
    attempt, _ = _attempt(at(21).isoformat(), None, at(20))
    assert attempt.job_times() == (scheduled, None, at(20))
    attempt, _ = _attempt(at(15).isoformat(), at(12).isoformat(), at(20))  # ends before start
    assert attempt.job_times() == (scheduled, at(15), at(20))
    running, _ = _attempt(at(12).isoformat(), None, None)
    assert running.job_times() == (scheduled, at(12), None)
    bare = history.Attempt(scheduled, {}, ended=at(20), cause='{"ProcessingStartTime": 1}')
    assert bare.describe == {"ProcessingStartTime": 1} and bare.job_times()[2] == at(20)


def _task(job):
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::sagemaker:createProcessingJob.sync",
        "Parameters": {"ProcessingJobName": job, "fail.$": "$.fail"},
        "End": True,
    }


class _FailWhenAsked:
    def supports(self, resource: str) -> bool:
        return True

    def run(self, resource, parameters, task):
        if parameters.get("fail"):
            raise StatesError("States.TaskFailed", '{"FailureReason": "AlgorithmError: bad"}')
        return {"ProcessingJobName": parameters["ProcessingJobName"]}


GROUPS = {
    "StartAt": "Both",
    "States": {
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "A", "States": {"A": _task("job-a")}},
                {"StartAt": "B", "States": {"B": _task("job-b")}},
            ],
            "ResultPath": None,
            "Next": "Batches",
        },
        "Batches": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "MaxConcurrency": 1,
            "ItemProcessor": {"StartAt": "Score", "States": {"Score": _task("job-s")}},
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled"}],
            "End": True,
        },
        "Handled": {"Type": "Pass", "End": True},
    },
}


def test_parallel_branches_and_a_caught_map_iteration_land_in_their_states():
    """A real local interpreter run: each Parallel branch's first state belongs to the
    branch, and a Map iteration that failed (the Map's Catch handled it) ends failed, not
    running. Planted bug (iteration-failure-left-running): MapIterationFailed ignored; the
    failed iteration's Task stayed running and this went red."""
    items = [{"fail": False}, {"fail": True}]
    result = Execution(GROUPS, {"fail": False, "items": items}, task_runner=_FailWhenAsked()).run()
    parsed = history.parse(result.history)
    assert result.status == parsed.status == "SUCCEEDED"
    seen = [(v.label, v.kind, v.status) for v in parsed.visits]
    assert seen[:3] == [
        ("Both", "Parallel", "succeeded"),
        ("Both › A", "Task", "succeeded"),
        ("Both › B", "Task", "succeeded"),
    ]
    assert ("Batches[0] › Score", "Task", "succeeded") in seen
    assert ("Batches[1] › Score", "Task", "failed") in seen
    assert all(v.exited is not None for v in parsed.visits)
    failed = next(v for v in parsed.visits if v.status == "failed")
    assert failed.error == "States.TaskFailed" and failed.parent.name == "Batches"
    assert parsed.job_names() == ["job-a", "job-b", "job-s", "job-s"]


def _chained(event_id, previous, kind, **details):
    event = {**_event(event_id, kind, **details), "previousEventId": previous}
    if kind.endswith("StateExited"):
        event["stateExitedEventDetails"] = event.pop(kind[0].lower() + kind[1:] + "EventDetails")
    return event


def test_a_group_ended_by_its_own_failure_event_is_failed_there():
    """Step Functions ends a failed Map or Parallel state with MapStateFailed /
    ParallelStateFailed (the local engine ends it with the execution): the group is failed
    and left at that event, even when a Catch then lets the execution succeed."""
    events = [
        _chained(1, 0, "ExecutionStarted"),
        _chained(2, 1, "MapStateEntered", name="Batches"),
        _chained(3, 2, "MapStateStarted", length=1),
        _chained(4, 3, "MapIterationStarted", name="Batches", index=0),
        _chained(5, 4, "TaskStateEntered", name="Score"),
        _chained(6, 5, "TaskScheduled", parameters='{"ProcessingJobName": "job-0"}'),
        _chained(7, 6, "TaskFailed", error="States.TaskFailed", cause="bad"),
        _chained(8, 7, "MapIterationFailed", name="Batches", index=0),
        _chained(9, 3, "MapStateFailed"),
        _chained(10, 9, "PassStateEntered", name="Handled"),
        _chained(11, 10, "PassStateExited", name="Handled"),
        _chained(12, 11, "ExecutionSucceeded"),
    ]
    parsed, seen = _transitions(events)
    group, score, handled = parsed.visits
    assert (group.label, group.status, group.exited) == ("Batches", "failed", at(9))
    assert (score.label, score.status) == ("Batches[0] › Score", "failed")
    assert score.error == "States.TaskFailed"
    assert group.error is None and group.cause is None  # AWS gives the event no details
    assert seen.count(("failed", "Batches")) == 1 and ("failed", "Score") in seen
    assert handled.status == "succeeded" and parsed.status == "SUCCEEDED"
    told = [
        *events[:8],
        _chained(9, 3, "ParallelStateEntered", name="Other"),
        _chained(10, 3, "MapStateAborted", error="E", cause="C"),
    ]
    aborted = history.parse(told)
    assert (aborted.visits[0].status, aborted.visits[0].error) == ("failed", "E")
    assert aborted.visits[-1].status == "running" and aborted.visits[0].cause == "C"
