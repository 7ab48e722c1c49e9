"""Local run records: which runs `--resume` accepts (one clear line for the others) and the
last run per model that `list-models` shows with its cost."""

from __future__ import annotations

import pytest

from legacylift.errors import LegacyLiftError
from legacylift.local.run_records import last_runs, resumable_run, write_run_record


def _record(settings, name, model, status, started, cost=None):
    write_run_record(
        settings,
        name,
        {
            "model": model,
            "status": status,
            "started": started,
            "input_uri": "s3://b/in/",
            "cost": cost,
        },
    )


@pytest.mark.parametrize(
    ("name", "model", "message"),
    [
        ("ok-1", "iris", "that run succeeded, there is nothing to resume"),
        ("missing-1", "iris", "no local run of that name"),
        ("failed-1", "churn", "that run is of model 'iris', not 'churn'"),
        ("../failed-1", "iris", "give the execution name of a local run"),
    ],
)
def test_resume_refusals_are_one_line(local_settings, name, model, message):
    _record(local_settings, "ok-1", "iris", "SUCCEEDED", "2026-01-01T00:00:00")
    _record(local_settings, "failed-1", "iris", "FAILED", "2026-01-02T00:00:00")
    with pytest.raises(LegacyLiftError, match=message) as raised:
        resumable_run(local_settings, name, model)
    assert "\n" not in str(raised.value)


def test_a_failed_training_run_is_not_resumed_as_inference(local_settings):
    """A failed training run's record (as the runner writes it: `workflow` = "train") is not
    something `run-local --resume` starts from: one line saying to train again.

    Planted bug (tests/planted_bugs.py `training-run-resumed`): `resumable_run` ignores the
    record's workflow, so run-local would resume a training run as an inference run; red."""
    write_run_record(
        local_settings,
        "trained-1",
        {"model": "iris", "workflow": "train", "status": "FAILED", "input_uri": "s3://b/t/"},
    )
    with pytest.raises(LegacyLiftError, match="is a train run, which is not resumed") as raised:
        resumable_run(local_settings, "trained-1", "iris")
    assert "invoke train iris --input" in str(raised.value) and "\n" not in str(raised.value)


def test_failed_aborted_and_crashed_runs_can_be_resumed(local_settings):
    for name, status in (("f", "FAILED"), ("a", "ABORTED"), ("c", "RUNNING")):
        _record(local_settings, name, "iris", status, "2026-01-01T00:00:00")
        assert resumable_run(local_settings, name, "iris")["status"] == status


def test_last_run_per_model_is_the_latest_that_ended(local_settings, monkeypatch, tmp_path):
    from legacylift.model_table import last_run_costs

    cost = {"instance_hours": 0.5, "estimated_cost": 0.0575, "currency": "USD"}
    _record(local_settings, "old", "iris", "FAILED", "2026-01-01T00:00:00", cost)
    _record(
        local_settings,
        "new",
        "iris",
        "SUCCEEDED",
        "2026-01-03T00:00:00",
        {**cost, "estimated_cost": 0.1},
    )
    _record(local_settings, "live", "iris", "RUNNING", "2026-01-04T00:00:00")
    _record(
        local_settings,
        "churn-1",
        "churn",
        "FAILED",
        "2026-01-02T00:00:00",
        {"instance_hours": 2.0, "estimated_cost": None, "currency": "USD"},
    )
    assert {m: r["execution"] for m, r in last_runs(local_settings).items()} == {
        "iris": "new",
        "churn": "churn-1",
    }
    monkeypatch.setenv("LEGACYLIFT_LOCAL_DIR", str(local_settings.jobs_dir.parent))
    monkeypatch.setenv("LEGACYLIFT_STATE_DIR", str(tmp_path / "state"))
    assert last_run_costs() == {
        "iris": "succeeded $0.1000 (local)",
        "churn": "failed 2.0000 h, unpriced (local)",
    }

    # A run followed on AWS after them is the last run.
    from legacylift.aws.operations import record_cloud_run

    spent = {"instance_hours": 1.0, "estimated_cost": 0.256, "currency": "USD"}
    record_cloud_run("iris", "dev", "arn:aws:states:eu-west-1:1:execution:m:r", "FAILED", spent)
    assert last_run_costs()["iris"] == "failed $0.2560 (AWS dev)"
    assert last_run_costs()["churn"] == "failed 2.0000 h, unpriced (local)"


def test_resume_whose_input_was_cleaned_asks_for_it(local_settings, tmp_path, monkeypatch):
    from legacylift.local.run import run_local
    from tests.local.tiny_models import write_models

    monkeypatch.setenv("LEGACYLIFT_MODELS_DIR", str(write_models(tmp_path / "models", ["noop3"])))
    write_run_record(
        local_settings,
        "noop3-1",
        {
            "model": "noop3",
            "status": "FAILED",
            "input_uri": "s3://legacylift-local/noop3/input/noop3-1/",
        },
    )
    with pytest.raises(LegacyLiftError, match="is no longer in the object store .* --input"):
        run_local("noop3", None, settings=local_settings, quiet=True, resume="noop3-1")
    assert sorted(p.name for p in (local_settings.jobs_dir.parent / "runs").iterdir()) == [
        "noop3-1"
    ]


def test_run_local_without_input_or_resume_is_one_line(capsys):
    from invoke import Context, Exit

    import tasks

    with pytest.raises(Exit) as raised:
        tasks.run_local(Context(), "iris")
    assert raised.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.endswith(
        "--input: give the input (a path or s3:// URI), --resume RUN to rerun a "
        "failed run, or --as-of DATE to run what the schedule would have started"
    )
    assert len(err.splitlines()) == 1
