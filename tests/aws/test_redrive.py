"""`invoke redrive`: the refusals said before AWS is called, and a redriven execution followed
from the redrive on.

Step Functions side: moto 5.2.5 has no RedriveExecution (nor Step Functions' redrive fields),
and cannot run SageMaker `createProcessingJob.sync` tasks, so, as in test_executions, the
histories are recorded ones (tests.aws.histories) replayed through botocore's Stubber, which
checks every request and response, RedriveExecution's included, against the API model. The
redriven execution is the recorded `succeeded` history stopped while Inference ran (an ABORTED
execution: redrive restarts its aborted state) followed, after the ExecutionRedriven event, by
the same recording's events from Inference on, renumbered.
"""

from __future__ import annotations

import copy
from datetime import timedelta

import boto3
import pytest
from botocore.stub import Stubber

from legacylift.aws import executions
from legacylift.aws.redrive import refusal, start_redrive
from legacylift.errors import LegacyLiftError
from legacylift.report.reporter import Reporter
from tests.aws.recorded import describe_response, recorded_execution

REGION = "eu-west-1"


def _entered(events, name):
    return next(
        n for n, e in enumerate(events) if e.get("stateEnteredEventDetails", {}).get("name") == name
    )


def _aborted_then_redriven():
    """(aborted execution document, events after its redrive)."""
    recorded = recorded_execution("succeeded")
    events = recorded["events"]
    start = _entered(events, "Inference")
    before = copy.deepcopy(events[: start + 3])  # entered, scheduled, started
    last = before[-1]
    before.append(
        {
            "id": last["id"] + 1,
            "previousEventId": last["id"],
            "timestamp": last["timestamp"] + timedelta(seconds=5),
            "type": "ExecutionAborted",
            "executionAbortedEventDetails": {"error": "stopped by an operator"},
        }
    )
    aborted = {**recorded, "events": before}
    redriven_at = before[-1]["timestamp"] + timedelta(minutes=10)
    after = [
        {
            "id": before[-1]["id"] + 1,
            "previousEventId": before[-1]["id"],
            "timestamp": redriven_at,
            "type": "ExecutionRedriven",
            "executionRedrivenEventDetails": {"redriveCount": 1},
        }
    ]
    shift = redriven_at - events[start]["timestamp"] + timedelta(seconds=1)
    for event in copy.deepcopy(events[start:]):
        event["id"] = after[-1]["id"] + 1
        event["previousEventId"] = after[-1]["id"]
        event["timestamp"] += shift
        after.append(event)
    return aborted, after


def _describe(document, status, **extra):
    return {**describe_response(document, status), **extra}


def test_refusals_are_one_line_each_and_name_the_fix():
    """Planted bugs (tests/planted_bugs.py): `redrive-window-unchecked`, the 14-day window not
    checked, the too-old execution then redriven; `redrive-of-a-fail-state`, an execution that
    failed in a Fail state redriven, to fail again at once."""
    failed = recorded_execution("step_failed")
    stopped = failed["events"][-1]["timestamp"]
    events = failed["events"]
    recent = stopped + timedelta(days=13)
    assert refusal(_describe(failed, "FAILED"), events, recent) is None
    cases = {
        "succeeded: there is nothing to redrive": (
            _describe(recorded_execution("succeeded"), "SUCCEEDED"),
            events,
            recent,
        ),
        "redrives an execution only within 14 days of its stop": (
            _describe(failed, "FAILED"),
            events,
            stopped + timedelta(days=15),
        ),
        "failed before its first state (States.Runtime)": (
            _describe(failed, "FAILED"),
            [
                events[0],
                {
                    **events[-1],
                    "id": 2,
                    "previousEventId": 1,
                    "executionFailedEventDetails": {"error": "States.Runtime"},
                },
            ],
            recent,
        ),
        "child execution of a Distributed Map run": (
            _describe(
                failed,
                "FAILED",
                mapRunArn="arn:aws:states:eu-west-1:123456789012:"
                "mapRun:legacylift-dev-iris/Batches:1",
            ),
            events,
            recent,
        ),
        "is RUNNING: only a FAILED, TIMED_OUT or ABORTED execution": (
            _describe(failed, "RUNNING"),
            events,
            recent,
        ),
        "has 24999 history events": (
            _describe(failed, "FAILED"),
            events + [{**events[1], "id": n} for n in range(len(events) + 1, 25000)],
            recent,
        ),
        "failed in its Fail state InvalidInput (LegacyLift.InvalidInput)": (
            _describe(recorded_execution("invalid_input"), "FAILED"),
            recorded_execution("invalid_input")["events"],
            recent,
        ),
        "cannot be redriven: Execution history event limit exceeded": (
            _describe(
                failed,
                "FAILED",
                redriveStatus="NOT_REDRIVABLE",
                redriveStatusReason="Execution history event limit exceeded",
            ),
            events,
            recent,
        ),
    }
    for expected, (describe, history, now) in cases.items():
        why = refusal(describe, history, now)
        assert why is not None and expected in why, (expected, why)
        assert "\n" not in why and (
            "`invoke run`" in why or "`invoke status`" in why or "parent execution" in why
        )


def test_a_refused_redrive_never_calls_redrive_execution():
    succeeded = recorded_execution("succeeded")
    arn = succeeded["executionArn"]
    sfn = boto3.client("stepfunctions", region_name=REGION)
    with Stubber(sfn) as stub:  # no RedriveExecution response queued: a call would raise
        stub.add_response(
            "get_execution_history", {"events": succeeded["events"]}, {"executionArn": arn}
        )
        stub.add_response(
            "describe_execution", _describe(succeeded, "SUCCEEDED"), {"executionArn": arn}
        )
        with pytest.raises(LegacyLiftError, match="^redrive: succeeded-1 succeeded"):
            start_redrive(sfn, arn)
        stub.assert_no_pending_responses()


def test_redrive_restarts_the_aborted_step_and_follows_only_what_follows(capsys):
    aborted, after = _aborted_then_redriven()
    arn = aborted["executionArn"]
    now = aborted["events"][-1]["timestamp"] + timedelta(hours=1)
    sfn = boto3.client("stepfunctions", region_name=REGION)
    with Stubber(sfn) as stub:
        stub.add_response(
            "get_execution_history", {"events": aborted["events"]}, {"executionArn": arn}
        )
        stub.add_response(
            "describe_execution", _describe(aborted, "ABORTED"), {"executionArn": arn}
        )
        stub.add_response(
            "redrive_execution", {"redriveDate": after[0]["timestamp"]}, {"executionArn": arn}
        )
        last_id = start_redrive(sfn, arn, now)
        assert last_id == aborted["events"][-1]["id"]
        stub.add_response(
            "describe_execution",
            _describe({**aborted, "events": aborted["events"] + after}, "SUCCEEDED"),
            {"executionArn": arn},
        )
        stub.add_response(
            "get_execution_history", {"events": aborted["events"] + after}, {"executionArn": arn}
        )
        reporter = Reporter("text", live=False)
        status, _ = executions.follow(
            sfn, arn, poll_seconds=0, sleep=lambda _: None, reporter=reporter, after_id=last_id
        )
        stub.assert_no_pending_responses()
    assert status == "SUCCEEDED" and reporter.trace.status == "SUCCEEDED"
    out = capsys.readouterr().out
    assert "Preprocessing" not in out, "the step done before the abort is not shown again"
    assert out.count("Inference ...") == 1 and "Postprocessing (" in out
    steps = [step["name"] for step in reporter.steps() if step["type"] == "Task"]
    assert steps == ["Inference", "Postprocessing"]
    assert reporter.trace.started == after[0]["timestamp"]


def test_invoke_redrive_refuses_in_one_line_against_moto(aws_env, capsys):
    """The command itself against moto's Step Functions: an execution still running, and one
    that does not exist, each refused in one line with exit 1. moto 5.2.5 answers
    RedriveExecution with a 500 (not implemented), so the refusal line proves the call was
    never made."""
    import json

    from invoke import Context, Exit

    import tasks

    sfn = boto3.client("stepfunctions", region_name=REGION, endpoint_url=aws_env.endpoint)
    machine = sfn.create_state_machine(
        name="legacylift-dev-redrive",
        roleArn="arn:aws:iam::123456789012:role/states",
        definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}),
    )["stateMachineArn"]
    running = sfn.start_execution(stateMachineArn=machine, name="still-running")["executionArn"]
    unknown = running.replace("still-running", "never-ran")
    cases = ((running, "still-running is RUNNING: only a FAILED"), (unknown, "no execution"))
    for arn, expected in cases:
        with pytest.raises(Exit) as raised:
            tasks.redrive(Context(), arn)
        assert raised.value.code == 1
        err = capsys.readouterr().err.strip()
        assert expected in err and len(err.splitlines()) == 1, err


def test_the_report_of_a_redriven_execution_reads_its_whole_history():
    """`invoke report` replays every event: the abort, the redrive, the end."""
    from legacylift.report.cloud import replay

    aborted, after = _aborted_then_redriven()
    reporter = replay(aborted["events"] + after, aborted["executionArn"])
    trace = reporter.trace
    assert trace.status == "SUCCEEDED" and trace.error is None and trace.stopped is not None
    assert reporter.failure() is None
    tasks = [(visit.name, visit.status) for visit in trace.tasks()]
    assert tasks == [
        ("Preprocessing", "succeeded"),
        ("Inference", "failed"),
        ("Inference", "succeeded"),
        ("Postprocessing", "succeeded"),
    ]
