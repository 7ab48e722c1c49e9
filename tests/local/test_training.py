"""End to end: the training workflow of the sample models (iris: scikit-learn, diabetes:
LightGBM) rendered by real Terraform and run locally, each step a processing job in the real
daemon, promotion an S3 PutObject into the local object store; then `run-local` on the
promoted artifacts."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
from invoke import Context

import tasks
from legacylift.errors import LegacyLiftError
from legacylift.local.claims import live_claims
from legacylift.local.run import expected_matches, run_local
from legacylift.local.run_records import read_run_record
from legacylift.local.training import promotion_record, train_local
from legacylift.models import load_model
from legacylift.report.reporter import Reporter

pytestmark = [
    pytest.mark.docker,
    pytest.mark.slow,
    pytest.mark.usefixtures("no_leftover_containers"),
]


def sample(name: str, part: str) -> str:
    return str(load_model(name).path / "sample" / part)


def record_bytes(settings, name: str) -> bytes | None:
    path = settings.object_store / "legacylift-local" / name / "models" / "promoted.json"
    return path.read_bytes() if path.exists() else None


def rewritten(source: str, target: Path, change) -> str:
    """The CSVs under `source` copied to `target` with `change(rows)` applied to their rows."""
    target.mkdir(parents=True)
    for path in sorted(Path(source).glob("*.csv")):
        with path.open() as handle:
            reader = csv.DictReader(handle)
            fields, rows = reader.fieldnames, change(list(reader))
        with (target / path.name).open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=[f for f in fields if f in rows[0]])
            writer.writeheader()
            writer.writerows(rows)
    return str(target)


def shuffled_labels(rows: list[dict]) -> list[dict]:
    labels = [row["species"] for row in rows]
    random.Random(3).shuffle(labels)  # noqa: S311 - a reproducible shuffle, not a secret
    return [{**row, "species": label} for row, label in zip(rows, labels, strict=True)]


def report(run) -> bytes:
    return (run.output_path / "species_report.csv").read_bytes()


def test_iris_good_retrain_is_promoted_bad_is_not_and_a_crash_names_the_step(
    local_settings, tmp_path, monkeypatch, capsys
):
    """Also: each training run is claimed, recorded, costed and reported as an inference run
    is (its record says `workflow` = "train"), `invoke train --json` prints the outcome, and a
    failed training run is not resumed by run-local.

    Planted bug: the runner records every run as an inference run (`"workflow": "inference"`
    in `_run_record`): the good run's record says inference (and run-local would resume the
    crashed training run); red. Planted bug: the runner takes no claim (`claims = []`): no
    claim is held while the crashed run goes; red."""
    good = train_local(
        "iris",
        sample("iris", "training"),
        sample("iris", "evaluation"),
        settings=local_settings,
        quiet=True,
    )
    assert good.succeeded, good.failure
    assert good.promoted, good.output
    record = promotion_record("local", "iris", local_settings)
    assert record["source_execution"] == good.execution_name
    # The record names the sealed copy the training state machine made of the Train step's
    # artifacts, which is what Evaluate scored.
    sealed = f"s3://legacylift-local/_sealed/iris/models/{good.execution_name}/artifacts/"
    assert record["artifact_uri"] == sealed
    assert record["metric"]["name"] == "accuracy" and record["metric"]["value"] >= 0.9
    store = local_settings.object_store / "legacylift-local"
    trained = store / "iris/models" / good.execution_name / "artifacts/model.joblib"
    copy = store / "_sealed/iris/models" / good.execution_name / "artifacts/model.joblib"
    assert copy.read_bytes() == trained.read_bytes()
    # Recorded, costed and reported as inference runs are.
    recorded = read_run_record(local_settings, good.execution_name)
    assert recorded["workflow"] == "train" and recorded["status"] == "SUCCEEDED"
    assert recorded["cost"] == good.cost and good.cost["instance_hours"] > 0
    assert recorded["report"] == str(good.report_path) and good.report_path.is_file()

    # Inference now loads the promoted model.joblib: the confidences differ from those of the
    # image's own model (sample/expected), the species column keeps its format.
    after_good = run_local(
        "iris",
        sample("iris", "input"),
        str(tmp_path / "out-1"),
        settings=local_settings,
        quiet=True,
    )
    assert after_good.succeeded, after_good.failure
    assert after_good.result.output["artifacts"] == record["artifact_uri"]
    assert "species_report.csv differs" in expected_matches(
        after_good, load_model("iris").path / "sample/expected"
    )

    # Shuffled labels train a poor model: the run succeeds without promoting it, says why,
    # and inference keeps the promoted artifacts.
    before = record_bytes(local_settings, "iris")
    bad_data = rewritten(sample("iris", "training"), tmp_path / "bad", shuffled_labels)
    # Through the command line: one JSON document with the outcome.
    monkeypatch.setenv("LEGACYLIFT_LOCAL_DIR", str(local_settings.jobs_dir.parent))
    capsys.readouterr()
    tasks.train(Context(), "iris", bad_data, sample("iris", "evaluation"), json=True)
    bad = json.loads(capsys.readouterr().out)
    assert bad["status"] == "SUCCEEDED", bad["failure"]
    assert bad["training"]["promoted"] is False
    assert "does not reach the bar 0.9" in bad["training"]["summary"]
    assert bad["training"]["metric"]["value"] < 0.9
    assert record_bytes(local_settings, "iris") == before
    after_bad = run_local(
        "iris",
        sample("iris", "input"),
        str(tmp_path / "out-2"),
        settings=local_settings,
        quiet=True,
    )
    assert after_bad.succeeded, after_bad.failure
    assert report(after_bad) == report(after_good)

    # An evaluation set without the label column crashes evaluate.py: the run fails naming
    # the Evaluate step and its error, the promotion record untouched.
    no_labels = rewritten(
        sample("iris", "evaluation"),
        tmp_path / "no-labels",
        lambda rows: [{k: v for k, v in row.items() if k != "species"} for row in rows],
    )
    claims_seen = []

    class Watching(Reporter):
        """Notes the claims held while the run goes (at its first event)."""

        def event(self, event):
            if not claims_seen:
                claims_seen.append(live_claims(local_settings))
            super().event(event)

    crashed = train_local(
        "iris",
        sample("iris", "training"),
        no_labels,
        settings=local_settings,
        reporter=Watching("quiet"),
    )
    # While it ran, its execution's folders were claimed (clean-local leaves them alone).
    (held,) = claims_seen[0]
    assert held["execution"] == crashed.execution_name and held["model"] == "iris"
    assert held["holder"] == f"train of iris (execution {crashed.execution_name})"
    assert live_claims(local_settings) == []  # released when it ended
    assert not crashed.succeeded
    assert crashed.result.error == "States.TaskFailed"  # the Evaluate Task's own failure
    assert "failing step: Evaluate" in crashed.failure
    assert "KeyError: 'species'" in crashed.failure
    assert record_bytes(local_settings, "iris") == before
    assert read_run_record(local_settings, crashed.execution_name)["status"] == "FAILED"
    with pytest.raises(LegacyLiftError, match="is a train run, which is not resumed"):
        run_local("iris", None, resume=crashed.execution_name, settings=local_settings)


def test_diabetes_lightgbm_retrain_is_promoted_and_inference_uses_it(local_settings, tmp_path):
    trained = train_local(
        "diabetes",
        sample("diabetes", "training"),
        sample("diabetes", "evaluation"),
        settings=local_settings,
        quiet=True,
    )
    assert trained.succeeded, trained.failure
    assert trained.promoted, trained.output
    record = json.loads(record_bytes(local_settings, "diabetes"))
    assert record["metric"] == {
        "name": "scores.rmse",
        "value": record["metric"]["value"],
        "direction": "lower",
    }
    assert record["metric"]["value"] <= 70.0
    folder = local_settings.object_store / "legacylift-local/_sealed/diabetes/models"
    assert (folder / trained.execution_name / "artifacts/model/lgbm.txt").is_file()
    run = run_local(
        "diabetes",
        sample("diabetes", "input"),
        str(tmp_path / "out"),
        settings=local_settings,
        quiet=True,
    )
    assert run.succeeded, run.failure
    assert run.result.output["artifacts"] == record["artifact_uri"]
    assert "progression_report.csv differs" in expected_matches(
        run, load_model("diabetes").path / "sample/expected"
    )


def test_invoke_train_json_is_the_run_and_its_promotion(tmp_path):
    """`invoke train iris --json` on the command line: stdout is one JSON document, the run's
    result (as `run --json`) with the training workflow's output under `training`.

    Planted bug: the training output left out of the document (`training` missing): red."""
    import os

    from tests.cli import invoke_cli

    env = {**os.environ, "LEGACYLIFT_LOCAL_DIR": str(tmp_path / "local")}
    done = invoke_cli(
        "train", "iris", "--input", sample("iris", "training"), "--json", env=env, timeout=900
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "SUCCEEDED" and result["failure"] is None
    tasks = [step["name"] for step in result["steps"] if step["type"] == "Task"]
    assert tasks[0] == "Train" and "Evaluate" in tasks
    training = result["training"]
    assert training["promoted"] is True
    assert training["record"]["source_execution"] == result["execution"]
