"""`[schedule]` and `[trigger]` in model.toml, and the schedule evaluator behind `invoke schedule`
and `run-local --as-of`: EventBridge Scheduler's cron/rate syntax, IANA time zones with their
daylight-saving changes, and the input template of the day that just ended."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from legacylift import schedule
from legacylift.errors import LegacyLiftError
from legacylift.models import load_model
from tests.containerise.conftest import copy_sample

NIGHTLY = (
    '[schedule]\nexpression = "cron(30 2 * * ? *)"\ntime_zone = "Europe/Paris"\n'
    'input = "s3://{bucket}/{model}/input/{date}/"\n'
)


def _model(models_dir, toml, name="scheduled"):
    (copy_sample("iris", models_dir, name) / "model.toml").write_text(toml)
    return load_model(name)


def _utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def test_a_nightly_schedule_reaches_tfvars_with_its_defaults(models_dir):
    model = _model(models_dir, NIGHTLY)
    written = model.tfvars_settings()["schedule"]
    offsets = written.pop("utc_offsets")
    assert written == {
        "expression": "cron(30 2 * * ? *)",
        "time_zone": "Europe/Paris",
        "input": "s3://{bucket}/{model}/input/{date}/",
        "output": "s3://{bucket}/{model}/output/{date}/",
    }
    # Paris: CET, then CEST and CET again each year the build covers.
    assert {offset for _, offset in offsets} == {60, 120}
    assert len(offsets) == 1 + 2 * (schedule.OFFSET_YEARS[1] - schedule.OFFSET_YEARS[0] + 1)


def test_the_day_that_just_ended_is_a_leap_day(models_dir):
    """Planted bug: `render` takes the scheduled start's own date (or subtracts 24 hours from a
    date without a calendar): the run of 1 March 2028 must read 29 February's input."""
    model = _model(models_dir, NIGHTLY)
    runs = schedule.upcoming(model, _utc(2028, 2, 27, 12), "legacylift-local", count=3)
    assert [run.start.isoformat() for run in runs] == [
        "2028-02-28T02:30:00+01:00",
        "2028-02-29T02:30:00+01:00",
        "2028-03-01T02:30:00+01:00",
    ]
    assert runs[2].input_uri == "s3://legacylift-local/scheduled/input/2028-02-29/"
    assert runs[2].output_uri == "s3://legacylift-local/scheduled/output/2028-02-29/"
    leap = schedule.next_starts("cron(0 6 29 2 ? *)", "UTC", _utc(2026, 12, 6), count=2)
    assert [start.date().isoformat() for start in leap] == ["2028-02-29", "2032-02-29"]


def test_a_start_the_spring_change_skips_does_not_run(models_dir):
    """Planted bug: `_local_time` keeps a local time that does not exist: 02:30 on 28 March
    2027 in Paris (the clocks go from 02:00 to 03:00) would become a run at 03:30."""
    model = _model(models_dir, NIGHTLY)
    runs = schedule.upcoming(model, _utc(2027, 3, 26, 12), "b", count=3)
    assert [run.start.isoformat() for run in runs] == [
        "2027-03-27T02:30:00+01:00",
        "2027-03-29T02:30:00+02:00",
        "2027-03-30T02:30:00+02:00",
    ]
    # The run after the gap still reads the day that just ended, 28 March.
    assert runs[1].input_uri == "s3://b/scheduled/input/2027-03-28/"


def test_a_start_the_autumn_change_repeats_runs_once():
    starts = schedule.next_starts("cron(30 2 * * ? *)", "Europe/Paris", _utc(2027, 10, 30, 12), 2)
    assert [start.astimezone(UTC).isoformat() for start in starts] == [
        "2027-10-31T00:30:00+00:00",  # 02:30 CEST, the first of the two 02:30s
        "2027-11-01T01:30:00+00:00",
    ]


def test_a_rate_counts_fixed_durations_across_a_change():
    """Planted bug: adding the period on the wall clock (aware local datetime + timedelta): a
    day-long rate would stay at 02:00 local across the spring change instead of 24 hours."""
    starts = schedule.next_starts("rate(1 day)", "Europe/Paris", _utc(2027, 3, 27, 1), 2)
    assert [start.isoformat() for start in starts] == [
        "2027-03-28T03:00:00+02:00",
        "2027-03-29T03:00:00+02:00",
    ]


def test_a_rate_with_a_start_counts_from_it(models_dir):
    """`start` (Scheduler's StartDate) in the schedule's zone: a rate's starts are the start
    plus whole periods, none before it, however late the listing; the tfvars carry it in UTC
    for the AWS side; a cron runs no start before it. Planted bug (tests/planted_bugs.py
    `rate-start-ignored`): a rate counted from the listing's moment; red."""
    rate = NIGHTLY.replace("cron(30 2 * * ? *)", "rate(6 hours)") + 'start = "2028-03-01T02:30"\n'
    model = _model(models_dir, rate)
    assert model.tfvars_settings()["schedule"]["start_date"] == "2028-03-01T01:30:00Z"
    early = schedule.upcoming(model, _utc(2028, 1, 1), "b", 2)
    assert [run.start.isoformat() for run in early] == [
        "2028-03-01T02:30:00+01:00",
        "2028-03-01T08:30:00+01:00",
    ]
    # 6-hour steps from 01:30 UTC stay on UTC after the spring change (26 March 2028): 01:30
    # UTC is 03:30 in Paris now.
    late = schedule.upcoming(model, _utc(2028, 3, 30, 1, 0), "b", 3)
    assert [run.start.isoformat() for run in late] == [
        "2028-03-30T03:30:00+02:00",
        "2028-03-30T09:30:00+02:00",
        "2028-03-30T15:30:00+02:00",
    ]
    assert late[0].input_uri == "s3://b/scheduled/input/2028-03-29/"
    with pytest.raises(LegacyLiftError, match="starts no run before its start"):
        schedule.as_of(model, "2028-02-29T02:30", "b")
    nightly = _model(models_dir, NIGHTLY + "start = 2028-03-05\n", name="later")
    assert nightly.schedule["start"] == "2028-03-05T00:00"
    starts = schedule.upcoming(nightly, _utc(2028, 3, 1), "b", 1)
    assert starts[0].start.isoformat() == "2028-03-05T02:30:00+01:00"


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("cron(0 9 ? * 6L *)", _utc(2026, 12, 1), ["2026-12-25", "2027-01-29"]),
        ("cron(0 9 ? * MON#1 *)", _utc(2026, 12, 1), ["2026-12-07", "2027-01-04"]),
        ("cron(0 9 15W * ? *)", _utc(2027, 5, 1), ["2027-05-14", "2027-06-15"]),
        ("cron(0 9 L * ? *)", _utc(2027, 2, 1), ["2027-02-28", "2027-03-31"]),
        ("cron(0/30 9 ? * MON-FRI 2027)", _utc(2027, 12, 31, 9, 15), ["2027-12-31"]),
    ],
)
def test_aws_day_rules(expression, after, expected):
    starts = schedule.next_starts(expression, "UTC", after, count=2)
    assert [start.date().isoformat() for start in starts] == expected


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (NIGHTLY.replace("30 2 * * ? *", "30 2 * * *"), "a cron has 6 fields"),
        (NIGHTLY.replace("30 2 * * ? *", "30 2 * * MON *"), "exactly one of day-of-month"),
        (NIGHTLY.replace("30 2 * * ? *", "61 2 * * ? *"), "minutes value '61'"),
        (NIGHTLY.replace("cron(30 2 * * ? *)", "rate(2 weeks)"), "not a cron() or rate()"),
        (NIGHTLY.replace("cron(30 2 * * ? *)", "rate(0 hours)"), "at least 1"),
        (NIGHTLY.replace("Europe/Paris", "Europe/Pariss"), "not an IANA time zone"),
        (NIGHTLY.replace("Europe/Paris", "CEST"), "not an IANA time zone"),
        (NIGHTLY.replace("{date}", "{yesterday}"), "placeholders are among"),
        (NIGHTLY.replace("s3://", "/data/"), "give an s3:// URI"),
        ('[schedule]\nexpression = "rate(1 day)"\n', "needs expression and input"),
        (NIGHTLY + "begin = 1\n", "unknown key 'schedule.begin'"),
        (NIGHTLY + 'start = "yesterday"\n', "start = 'yesterday': give a date"),
        (NIGHTLY + "start = 2028-03-01T02:30:00+01:00\n", "without an offset"),
        (NIGHTLY + "start = 02:30:00\n", "give a date (2028-03-01)"),
        ('[trigger]\non_upload = "other/input/"\n', "inside the model's input area"),
        ('[trigger]\non_upload = "scheduled/input/../../x/"\n', "inside the model's input area"),
        ('[trigger]\non_upload = "scheduled/input"\n', "ending in '/'"),
        ('[trigger]\non_upload = "scheduled/input/a/"\nmarker = "a/b"\n', "trigger.marker"),
    ],
)
def test_bad_schedules_and_triggers_are_one_clear_line(models_dir, toml, message):
    with pytest.raises(LegacyLiftError) as failure:
        _model(models_dir, toml)
    text = str(failure.value)
    assert message in text
    assert "model.toml" in text
    assert "\n" not in text


def test_a_trigger_inside_the_input_area_is_kept_with_its_marker(models_dir):
    model = _model(models_dir, '[trigger]\non_upload = "scheduled/input/daily/"\n')
    assert model.tfvars_settings()["trigger"] == {
        "on_upload": "scheduled/input/daily/",
        "marker": "_SUCCESS",
    }


def test_as_of_a_date_is_that_days_scheduled_start(models_dir):
    model = _model(models_dir, NIGHTLY)
    run = schedule.as_of(model, "2028-03-01", "legacylift-local")
    assert run.start.isoformat() == "2028-03-01T02:30:00+01:00"
    assert run.input_uri == "s3://legacylift-local/scheduled/input/2028-02-29/"
    weekly = _model(models_dir, NIGHTLY.replace("30 2 * * ? *", "0 6 ? * MON *"), name="weekly")
    with pytest.raises(LegacyLiftError, match="starts no run that day"):
        schedule.as_of(weekly, "2028-03-01", "b")  # a Wednesday
    with pytest.raises(LegacyLiftError, match="--as-of 'yesterday'"):
        schedule.as_of(model, "yesterday", "b")


def test_a_schedule_needs_a_built_image_in_the_workspace(models_dir, tfvars_dir):
    from legacylift import tfvars

    tfvars.pin_image("prod", "scheduled", None)
    with pytest.raises(LegacyLiftError, match="no built image in workspace 'prod'") as failure:
        schedule.check_built("scheduled", "prod")
    assert "invoke build-model scheduled --workspace prod" in str(failure.value)


def test_utc_offsets_find_each_change_to_the_minute():
    rows = schedule.utc_offsets("Australia/Lord_Howe", 2027, 2027)
    # Lord Howe moves by 30 minutes, at 02:00 local time.
    assert [offset for _, offset in rows] == [660, 630, 660]
    changes = [datetime.fromtimestamp(ms / 1000, UTC).isoformat() for ms, _ in rows[1:]]
    assert changes == ["2027-04-03T15:00:00+00:00", "2027-10-02T15:30:00+00:00"]


def _invoke(models_dir, tmp_path, *args):
    import os
    import subprocess
    import sys

    from legacylift.paths import REPO_ROOT

    environment = {
        **os.environ,
        "LEGACYLIFT_MODELS_DIR": str(models_dir),
        "LEGACYLIFT_TFVARS_DIR": str(tmp_path / "tfvars"),
        "LEGACYLIFT_LOCAL_DIR": str(tmp_path / "local"),
    }
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_invoke_schedule_lists_starts_and_refuses_in_one_line(models_dir, tmp_path):
    _model(models_dir, NIGHTLY)
    listed = _invoke(models_dir, tmp_path, "schedule", "scheduled", "--count", "3")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0] == "scheduled: cron(30 2 * * ? *) in Europe/Paris"
    assert len(lines) == 4
    assert all("input s3://legacylift-local/scheduled/input/" in line for line in lines[1:])
    # --json: the same starts as one document, nothing else on stdout.
    document = json.loads(
        _invoke(models_dir, tmp_path, "schedule", "scheduled", "-c", "3", "-j").stdout
    )
    assert (document["model"], document["workspace"]) == ("scheduled", "local")
    assert (document["expression"], document["time_zone"]) == ("cron(30 2 * * ? *)", "Europe/Paris")
    assert [
        f"{start['start']}  input {start['input']}  output {start['output']}"
        for start in document["starts"]
    ] == lines[1:]
    for args, message in (
        (("schedule", "scheduled", "--workspace", "prod"), "no built image in workspace 'prod'"),
        (("schedule", "nosuch"), "unknown model 'nosuch'"),
        (("run-local", "scheduled"), "--input: give the input"),
        (("run-local", "scheduled", "--input", "x", "--as-of", "2028-03-01"), "--as-of alone"),
        (("run-local", "scheduled", "--as-of", "2028-13-01"), "--as-of '2028-13-01'"),
        # Nothing uploaded for the day that ended: refused before anything runs.
        (("run-local", "scheduled", "--as-of", "2028-03-01"), "input/2028-02-29/"),
    ):
        refused = _invoke(models_dir, tmp_path, *args)
        assert refused.returncode == 1, (args, refused.stdout, refused.stderr)
        errors = [line for line in refused.stderr.splitlines() if line.startswith("error")]
        assert len(errors) == 1 and message in errors[0], (args, refused.stderr)
    _model(models_dir, "", name="plain")
    unscheduled = _invoke(models_dir, tmp_path, "schedule", "plain")
    assert unscheduled.returncode == 1
    assert "has no [schedule]" in unscheduled.stderr


DEPLOYED_BUCKET = "legacylift-prod-data-4d2c"


def _applied_root(root):
    """A deployment root whose `prod` workspace is applied with one output, data_bucket (no
    provider: real Terraform, local state)."""
    import subprocess

    from legacylift.terraform_env import terraform_binary, terraform_env

    root.mkdir(parents=True)
    (root / "main.tf").write_text(f'output "data_bucket" {{\n  value = "{DEPLOYED_BUCKET}"\n}}\n')
    binary, env = str(terraform_binary()), terraform_env()
    for args in (
        ["init", "-input=false", "-no-color"],
        ["workspace", "new", "prod"],
        ["apply", "-auto-approve", "-input=false", "-no-color"],
    ):
        subprocess.run([binary, *args], cwd=root, env=env, check=True, capture_output=True)
    return root


@pytest.mark.terraform_matrix
def test_invoke_schedule_reads_a_cloud_workspaces_bucket(models_dir, tmp_path, monkeypatch):
    """A cloud workspace's runs show its data bucket, read from its Terraform outputs; a
    workspace whose outputs cannot be read keeps the placeholder and says why, in one note.
    (Planted bug: the placeholder printed for every cloud workspace; red.)"""
    from legacylift import tfvars

    _model(models_dir, NIGHTLY)
    monkeypatch.setenv("LEGACYLIFT_TFVARS_DIR", str(tmp_path / "tfvars"))
    for workspace in ("prod", "staging"):
        tfvars.pin_image(workspace, "scheduled", "127.0.0.1:5000/scheduled@sha256:" + "a" * 64)
    monkeypatch.setenv("LEGACYLIFT_TERRAFORM_DIR", str(_applied_root(tmp_path / "root")))
    listed = _invoke(models_dir, tmp_path, "schedule", "scheduled", "--workspace", "prod")
    assert listed.returncode == 0, listed.stderr
    runs = [line for line in listed.stdout.splitlines() if "  input " in line]
    assert len(runs) == 5 and "<data bucket>" not in listed.stdout + listed.stderr
    assert all(f"input s3://{DEPLOYED_BUCKET}/scheduled/input/" in run for run in runs)
    unread = _invoke(models_dir, tmp_path, "schedule", "scheduled", "--workspace", "staging")
    assert unread.returncode == 0, unread.stderr
    runs = [line for line in unread.stdout.splitlines() if "  input " in line]
    assert len(runs) == 5
    assert all("input s3://<data bucket>/scheduled/input/" in run for run in runs)
    (note,) = [line for line in unread.stderr.splitlines() if "<data bucket>" in line]
    assert "workspace 'staging' is shown as <data bucket>" in note
    assert "unknown workspace 'staging'" in note
