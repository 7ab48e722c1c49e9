"""Following an execution, reading its history, showing a failure with the job's log tail.

Step Functions side: moto cannot run SageMaker `createProcessingJob.sync` tasks, so the history
is one recorded from an execution of the rendered workflow (tests.aws.histories) replayed
through botocore's Stubber. CloudWatch Logs side: real moto on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import time

import boto3
import pytest
from botocore.stub import Stubber

from legacylift import history
from legacylift.aws import executions
from legacylift.aws.logs import PROCESSING_LOG_GROUP, job_log_lines
from legacylift.errors import LegacyLiftError
from legacylift.local.processing import ALGORITHM_ERROR
from legacylift.report.reporter import Reporter
from tests.aws.recorded import describe_response, recorded_execution

REGION = "eu-west-1"
PRE_JOB, INF_JOB = history.parse(recorded_execution("step_failed")["events"]).job_names()


@pytest.fixture
def recorded():
    return recorded_execution("step_failed")


@pytest.fixture(scope="module")
def logs_client(moto_server):
    """CloudWatch Logs in moto holding both jobs' streams (seeded once per module: the moto
    server lives for the whole session)."""
    client = boto3.client(
        "logs",
        region_name=REGION,
        endpoint_url=moto_server.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    with contextlib.suppress(client.exceptions.ResourceAlreadyExistsException):
        client.create_log_group(logGroupName=PROCESSING_LOG_GROUP)
    now_ms = int(time.time() * 1000)  # CloudWatch drops events far from now
    streams = {
        f"{PRE_JOB}/algo-1-1795774620": ["preprocessing: read 150 rows", "wrote features.csv"],
        f"{INF_JOB}/algo-1-1795774800": [f"inference line {n}" for n in range(40)]
        + ["Traceback (most recent call last):", "KeyError: 'petal_width'"],
        # A job whose name merely starts with the failing job's name must not be mixed in.
        f"{INF_JOB}x/algo-1-1795774999": ["someone else's job"],
    }
    for stream, lines in streams.items():
        client.create_log_stream(logGroupName=PROCESSING_LOG_GROUP, logStreamName=stream)
        client.put_log_events(
            logGroupName=PROCESSING_LOG_GROUP,
            logStreamName=stream,
            logEvents=[{"timestamp": now_ms + n, "message": line} for n, line in enumerate(lines)],
        )
    return client


def test_history_steps_jobs_and_failure(recorded):
    parsed = history.parse(recorded["events"])
    tasks = parsed.tasks()
    assert [visit.name for visit in tasks] == ["Preprocessing", "Inference"]
    assert parsed.job_names() == [PRE_JOB, INF_JOB]
    pre = tasks[0]
    assert pre.seconds() == (pre.exited - pre.entered).total_seconds() > 0
    # No Catch: the run failed in the Inference Task itself, with the job's own error.
    failed = parsed.failed_visit()
    assert failed is tasks[1] and failed.attempts[-1].job_name == INF_JOB
    assert parsed.error == "States.TaskFailed"
    reason = history.readable_cause(parsed.cause)
    assert reason == ALGORITHM_ERROR


def test_follow_prints_steps_then_failure_with_log_tail(recorded, logs_client, capsys):
    sfn = boto3.client("stepfunctions", region_name=REGION)
    arn = recorded["executionArn"]
    events = recorded["events"]
    inference = next(
        n
        for n, e in enumerate(events)
        if e.get("stateEnteredEventDetails", {}).get("name") == "Inference"
    )
    with Stubber(sfn) as stub:
        # Poll 1: still running, Preprocessing done; poll 2: failed, the whole history.
        stub.add_response(
            "describe_execution", describe_response(recorded, "RUNNING"), {"executionArn": arn}
        )
        stub.add_response(
            "get_execution_history", {"events": events[: inference + 1]}, {"executionArn": arn}
        )
        stub.add_response(
            "describe_execution", describe_response(recorded, "FAILED"), {"executionArn": arn}
        )
        stub.add_response("get_execution_history", {"events": events}, {"executionArn": arn})
        sleeps = []
        reporter = Reporter("text", live=False)
        status, followed = executions.follow(
            sfn, arn, poll_seconds=7, sleep=sleeps.append, reporter=reporter
        )
        stub.assert_no_pending_responses()
    assert status == "FAILED" and sleeps == [7]
    summary = executions.report_failure(reporter, logs_client, tail_lines=5)
    out = capsys.readouterr()
    pre_seconds = next(v for v in followed.visits if v.name == "Preprocessing").seconds()
    assert f"Preprocessing ({history.format_duration(pre_seconds)})" in out.out
    assert out.out.count("Inference ...") == 1  # each event shown once across polls
    assert "ValidateInput" not in out.out and "Inference (" not in out.out
    assert "Inference failed after" in out.err
    assert summary == "step 'Inference' failed: States.TaskFailed"
    assert f"failing step: Inference (job {INF_JOB}, status Failed" in out.err
    assert f"failure reason: {ALGORITHM_ERROR}" in out.err
    tail = [line for line in out.err.splitlines() if line.strip().startswith("|")]
    assert len(tail) == 5
    assert tail[-1].strip() == "| KeyError: 'petal_width'"
    shown = out.out + out.err
    assert "someone else's job" not in shown and "preprocessing: read" not in shown


def test_job_log_lines_reads_every_stream_of_a_job(logs_client):
    lines = job_log_lines(logs_client, INF_JOB)
    assert lines[0] == "inference line 0" and lines[-1] == "KeyError: 'petal_width'"
    assert len(lines) == 42
    assert job_log_lines(logs_client, "legacylift-dev-iris-never-ran") == []


def test_print_execution_logs_job_by_job(recorded, logs_client, capsys):
    sfn = boto3.client("stepfunctions", region_name=REGION)
    arn = recorded["executionArn"]
    with Stubber(sfn) as stub:
        stub.add_response(
            "get_execution_history", {"events": recorded["events"]}, {"executionArn": arn}
        )
        printed = executions.print_execution_logs(sfn, logs_client, arn)
    out = capsys.readouterr().out
    assert out.index(f"processing job {PRE_JOB}") < out.index(f"processing job {INF_JOB}")
    assert printed[0] == "preprocessing: read 150 rows" and printed[-1] == "KeyError: 'petal_width'"


def test_unknown_execution_is_a_clear_error(aws_env):
    sfn = boto3.client("stepfunctions", region_name="us-east-1")
    arn = "arn:aws:states:us-east-1:123456789012:execution:legacylift-dev-iris:nope"
    with pytest.raises(LegacyLiftError, match="no execution .*nope"):
        executions.history_events(sfn, arn)


def test_execution_input_checks_uris():
    assert executions.execution_input("s3://bkt-1/in/", "s3://bkt-1/out/") == {
        "input_uri": "s3://bkt-1/in/",
        "output_uri": "s3://bkt-1/out/",
    }
    with pytest.raises(LegacyLiftError, match="--input must be an S3 URI"):
        executions.execution_input("/home/me/data.csv", "s3://bkt-1/out/")
