"""Run reports opened in a real headless Chromium (Debian's, started by the test): no console
errors, one timeline bar per job attempt with widths proportional to durations, the failed
step marked; a screenshot of each is kept (see the `artifacts` fixture)."""

from __future__ import annotations

import contextlib
import json
import time
from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber

from legacylift.aws.logs import PROCESSING_LOG_GROUP
from legacylift.aws.reports import cloud_report
from legacylift.report.html import write_index
from tests.aws.recorded import failed_execution

pytestmark = pytest.mark.usefixtures("graphviz_dot")

BARS = """[...document.querySelectorAll('svg.timeline rect.job')].map(r => ({
  width: r.getBoundingClientRect().width, seconds: +r.dataset.seconds,
  state: r.dataset.state, job: r.dataset.job, outcome: r.classList[2]}))"""


def check_report(browser, path, trace, screenshot, failed_node="node state failed"):
    """What every report must show in the browser (`failed_node`: the failing Task's node
    class); returns the bars. (Planted bug: bar widths
    growing with the square root of the duration; the cloud report's test went red.)"""
    browser.open(path)
    assert browser.console_errors() == []
    bars = browser.evaluate(BARS)
    attempts = trace.attempts()
    assert len(bars) == len(attempts), "one bar per processing job attempt"
    assert [bar["job"] for bar in bars] == [attempt.job_name for _, attempt in attempts]
    timed = [bar for bar in bars if bar["seconds"] > 0.2]
    assert timed, "no bar long enough to compare"
    ratios = [bar["width"] / bar["seconds"] for bar in timed]
    assert max(ratios) / min(ratios) < 1.02, f"widths not proportional to durations: {bars}"
    failed = [bar for bar in bars if bar["outcome"] == "failed"]
    assert [bar["state"] for bar in failed] == ["Inference"]
    marked = browser.evaluate("[...document.querySelectorAll('tr.failing')].map(r => r.innerText)")
    assert len(marked) == 1 and "failed the execution" in marked[0]
    failure = browser.evaluate("document.getElementById('failure').innerText")
    assert "failing step: Inference" in failure
    node = browser.evaluate(
        "[...document.querySelectorAll('g.node')].filter(g => [...g.querySelectorAll('text')]"
        ".some(t => t.textContent === 'Inference')).map(g => g.getAttribute('class'))"
    )
    assert node == [failed_node], node
    shot = browser.screenshot(screenshot)
    assert shot.stat().st_size > 20_000, "the screenshot is suspiciously small"
    return bars


@pytest.mark.docker
def test_local_run_report(browser, artifacts, tmp_path, docker_client, base_image, monkeypatch):
    """A real local run (tiny two-step model, inference fails) writes its report."""
    from tests.report.record_local import record

    monkeypatch.setenv("LEGACYLIFT_MODELS_DIR", str(tmp_path / "models"))
    run = record(tmp_path, docker_client, base_image)
    assert run.result.status == "FAILED" and run.report_path.is_file()
    check_report(browser, run.report_path, run.reporter.trace, artifacts / "local-report.png")
    text = run.report_path.read_text()
    assert "<script" not in text and "http://" not in text.replace("http://www.w3.org", "")


INF_JOB = "legacylift-dev-iris-inf-c81d0e6a2f93"


@pytest.fixture
def cloud_logs(moto_server):
    """CloudWatch Logs (moto on 127.0.0.1) holding the failed job's stream, removed after the
    test (the moto server is shared by the whole session)."""
    client = boto3.client(
        "logs",
        region_name="eu-west-1",
        endpoint_url=moto_server.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    with contextlib.suppress(client.exceptions.ResourceAlreadyExistsException):
        client.create_log_group(logGroupName=PROCESSING_LOG_GROUP)
    stream = f"{INF_JOB}/algo-1-report"
    with contextlib.suppress(client.exceptions.ResourceAlreadyExistsException):
        client.create_log_stream(logGroupName=PROCESSING_LOG_GROUP, logStreamName=stream)
    now_ms = int(time.time() * 1000)
    lines = ["loading iris", "Traceback (most recent call last):", "KeyError: 'petal_width'"]
    client.put_log_events(
        logGroupName=PROCESSING_LOG_GROUP,
        logStreamName=stream,
        logEvents=[{"timestamp": now_ms + n, "message": line} for n, line in enumerate(lines)],
    )
    yield client
    client.delete_log_stream(logGroupName=PROCESSING_LOG_GROUP, logStreamName=stream)


def moto_s3(moto_server):
    """S3 in moto on 127.0.0.1 (eu-west-1)."""
    return boto3.client(
        "s3",
        region_name="eu-west-1",
        endpoint_url=moto_server.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_cloud_report_from_a_recorded_history(
    browser, artifacts, tmp_path, cloud_logs, moto_server
):
    """The recorded Step Functions history with the definition that ran and the job's
    CloudWatch log renders the same way."""
    from legacylift.local.definitions import rendered_definition

    s3 = moto_s3(moto_server)  # the failed run wrote no output: the prefix is linked

    recorded = failed_execution()
    arn = recorded["executionArn"]
    sfn = boto3.client("stepfunctions", region_name="eu-west-1")
    definition = rendered_definition("iris")
    with Stubber(sfn) as stub:
        stub.add_response(
            "get_execution_history", {"events": recorded["events"]}, {"executionArn": arn}
        )
        stub.add_response(
            "describe_state_machine_for_execution",
            {
                "stateMachineArn": recorded["stateMachineArn"],
                "name": "legacylift-dev-iris",
                "definition": definition,
                "roleArn": "arn:aws:iam::123456789012:role/sfn",
                "updateDate": datetime(2026, 11, 25, tzinfo=UTC),
            },
            {"executionArn": arn},
        )
        path, reporter = cloud_report(sfn, cloud_logs, arn, tmp_path / "cloud.html", s3)
        stub.assert_no_pending_responses()
    # The hand-built history ran a definition whose Catch led Inference's failure into a Fail
    # state: its Inference visit is caught (the rendered workflow has no such Catch now).
    bars = check_report(
        browser, path, reporter.trace, artifacts / "cloud-report.png", "node state caught"
    )
    assert [round(bar["seconds"]) for bar in bars] == [254, 168]
    jobs = browser.evaluate("document.querySelector('table.jobs').innerText")
    assert "KeyError: 'petal_width'" in jobs and "ml.m5.xlarge" in jobs
    outputs = browser.evaluate("[...document.querySelectorAll('ul a')].map(a => a.href)")
    assert outputs and outputs[0].startswith("https://s3.console.aws.amazon.com/s3/buckets/")


def test_demo_index_links_every_report(browser, tmp_path):
    reports = []
    for name in ("iris", "churn"):
        page = tmp_path / f"{name}.html"
        page.write_text(f"<!DOCTYPE html><title>{name}</title>")
        reports.append((name, "SUCCEEDED", page))
    index = write_index(tmp_path / "demo.html", reports, "demo")
    browser.open(index)
    assert browser.console_errors() == []
    links = browser.evaluate("[...document.querySelectorAll('a')].map(a => a.href)")
    assert links == [page.as_uri() for _, _, page in reports]
    json.dumps(links)


def test_cloud_output_links_name_each_file(moto_server):
    from legacylift.report.cloud import output_links

    s3 = moto_s3(moto_server)
    bucket = "legacylift-report-links"
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
    for key in (
        "iris/outputs/run-1/species_report.csv",
        "iris/outputs/run-1/sub/x.json",
        "iris/outputs/run-10/other.csv",
    ):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    links = output_links(s3, f"s3://{bucket}/iris/outputs/run-1/", "eu-west-1")
    assert [text for text, _ in links] == ["species_report.csv", "sub/x.json"]
    console = "https://s3.console.aws.amazon.com/s3"
    assert links[0][1] == (
        f"{console}/object/legacylift-report-links?region=eu-west-1"
        "&prefix=iris/outputs/run-1/species_report.csv"
    )
    missing = output_links(s3, "s3://no-such-bucket-here/x/", "eu-west-1")
    bucket_page = f"{console}/buckets/no-such-bucket-here?region=eu-west-1&prefix=x/"
    assert missing == [("s3://no-such-bucket-here/x/", bucket_page)]
