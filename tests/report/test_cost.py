"""What a run costs: instance-hours and the estimate from the dated price table, on a recorded
execution history (`tests/aws/fixtures/histories/`) whose jobs are given running times."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from legacylift.errors import LegacyLiftError
from legacylift.report import cost as cost_module
from legacylift.report.cloud import replay
from legacylift.report.cost import cost_line, price_table, run_cost

HISTORIES = Path(__file__).parents[1] / "aws" / "fixtures" / "histories"
START_MS = 1_795_800_000_000


def _history(name: str, minutes: dict[str, tuple[float, int]]) -> tuple[list, str]:
    """The recorded history `name`, each job (by name prefix) running `minutes` on `count`
    instances."""
    recorded = json.loads((HISTORIES / f"{name}.json").read_text())
    events = copy.deepcopy(recorded["events"])
    for event in events:
        for key in ("taskSucceededEventDetails", "taskFailedEventDetails"):
            details = event.get(key)
            field = "output" if key.startswith("taskSucceeded") else "cause"
            if not details or not details.get(field, "").startswith("{"):
                continue
            describe = json.loads(details[field])
            for prefix, (ran, count) in minutes.items():
                if prefix in describe.get("ProcessingJobName", ""):
                    describe["ProcessingStartTime"] = START_MS
                    describe["ProcessingEndTime"] = START_MS + int(ran * 60_000)
                    describe["ProcessingResources"]["ClusterConfig"]["InstanceCount"] = count
            details[field] = json.dumps(describe)
    return events, recorded["executionArn"]


def test_instance_hours_and_estimate_of_a_recorded_execution():
    """Planted bug (tests/planted_bugs.py `cost-ignores-instance-count`): the InstanceCount of
    a job left out of its instance-hours."""
    events, arn = _history("succeeded", {"-pre-": (30, 1), "-inf-": (60, 2), "-pos-": (6, 1)})
    reporter = replay(events, arn)
    cost = reporter.cost()
    assert cost["region"] == "eu-west-1"
    # 0.5 h + 2 instances × 1 h + 0.1 h, all ml.m5.xlarge
    assert cost["instance_hours"] == pytest.approx(2.6)
    price = price_table()["prices"]["eu-west-1"]["ml.m5.xlarge"]
    assert cost["estimated_cost"] == pytest.approx(2.6 * price)
    assert cost["prices_as_of"] == price_table()["as_of"]
    assert reporter.result()["cost"] == cost
    assert "2.6000 instance-hours" in cost_line(cost)


def test_jobs_a_resumed_run_reused_cost_nothing():
    events, arn = _history("succeeded", {"-pre-": (30, 1), "-inf-": (60, 1), "-pos-": (6, 1)})
    reporter = replay(events, arn)
    jobs = [attempt.job_name for _, attempt in reporter.trace.attempts()]
    reporter.job_reused("Preprocessing", jobs[0], "earlier-pre-job", "earlier-run")
    reporter.job_reused("Inference", jobs[1], "earlier-inf-job", "earlier-run")
    assert reporter.cost()["instance_hours"] == pytest.approx(0.1)


def test_an_instance_type_without_a_price_gives_hours_and_the_fix(tmp_path, monkeypatch):
    events, arn = _history("succeeded", {"-pre-": (60, 1), "-inf-": (60, 1), "-pos-": (60, 1)})
    table = tmp_path / "prices.json"
    table.write_text(json.dumps({"as_of": "2030-01-01", "prices": {"eu-west-1": {}}}))
    monkeypatch.setenv("LEGACYLIFT_PRICE_TABLE", str(table))
    cost = run_cost(replay(events, arn).trace, "eu-west-1")
    assert cost["instance_hours"] == pytest.approx(3.0)
    assert cost["estimated_cost"] is None and cost["unpriced"] == ["ml.m5.xlarge"]
    assert "add it with LEGACYLIFT_PRICE_TABLE" in cost_line(cost)

    table.write_text(
        json.dumps({"as_of": "2030-01-01", "prices": {"eu-west-1": {"ml.m5.xlarge": 1.5}}})
    )
    cost_module._load.cache_clear()
    cost = run_cost(replay(events, arn).trace, "eu-west-1")
    assert cost["estimated_cost"] == pytest.approx(4.5)
    assert cost["prices_as_of"] == "2030-01-01"


def test_an_unreadable_price_table_is_one_clear_line(tmp_path, monkeypatch):
    table = tmp_path / "prices.json"
    table.write_text('{"prices": {"eu-west-1": {"ml.m5.xlarge": "cheap"}}}')
    monkeypatch.setenv("LEGACYLIFT_PRICE_TABLE", str(table))
    with pytest.raises(LegacyLiftError, match='needs "as_of"') as raised:
        price_table()
    assert "\n" not in str(raised.value)


def test_the_shipped_table_is_dated_and_prices_every_default_instance_type():
    from legacylift.models import discover_models

    table = price_table()
    assert table["as_of"] and table["source"].startswith("https://aws.amazon.com/")
    used = {"ml.m5.large"}  # modules/workflow's default instance type
    for model in discover_models():
        for section in model.tfvars_settings().values():
            if isinstance(section, dict) and "instance_type" in section:
                used.add(section["instance_type"])
    assert "ml.m5.xlarge" in used, "a sample model's own instance type is read"
    for region in ("us-east-1", "eu-west-1"):
        assert used <= set(table["prices"][region]), region


def test_job_times_in_seconds_or_milliseconds_give_the_same_hours():
    from legacylift.report.cost import job_hours

    cluster = {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large"}}
    in_ms = {
        "ProcessingStartTime": START_MS,
        "ProcessingEndTime": START_MS + 1_800_000,
        "ProcessingResources": cluster,
    }
    in_s = {
        **in_ms,
        "ProcessingStartTime": START_MS / 1000,
        "ProcessingEndTime": (START_MS + 1_800_000) / 1000,
    }
    assert job_hours(in_ms) == pytest.approx(0.5) == job_hours(in_s)
    assert job_hours({**in_ms, "ProcessingEndTime": None}) is None


def test_the_report_shows_the_cost():
    from legacylift.report.html import ReportInput, render_report

    events, arn = _history("succeeded", {"-pre-": (30, 1), "-inf-": (60, 1), "-pos-": (6, 1)})
    page = render_report(replay(events, arn), ReportInput(title="iris"))
    assert "cost: 1.6000 instance-hours, estimated $" in page
