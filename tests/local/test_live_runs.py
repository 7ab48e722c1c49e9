"""A run still going is left alone: clean-local keeps what it uses (from its claim and the job
records), and a second run-local given the same --output is refused, naming the holder."""

from __future__ import annotations

import json
import threading
import time

import pytest

from legacylift.errors import LegacyLiftError
from legacylift.local import orphans
from legacylift.local.arguments import LocalOutput
from legacylift.local.claims import claim, claim_run
from legacylift.local.clean import clean_local
from legacylift.local.names import JobRegistry

SLOW_COPY = """\
import pathlib, shutil, time
time.sleep(4)
src, dst = pathlib.Path("/opt/ml/processing/input/data"), pathlib.Path("/opt/ml/processing/output")
for path in sorted(p for p in src.rglob("*") if p.is_file()):
    shutil.copyfile(path, dst / path.name)
print("copied after a while")
"""
TINY_AGE = 1e-9  # days: everything on disk is older than this


def _store_layout(settings, execution):
    model = settings.object_store / "legacylift-local" / "iris"
    for kind in ("runs", "output", "input"):
        (model / kind / execution).mkdir(parents=True)
        (model / kind / execution / "x.csv").write_text("x")
    return model


@pytest.mark.parametrize("days", [float("nan"), float("inf"), 0.0, -1.0])
def test_older_than_must_be_finite_and_above_zero(local_settings, days):
    """Planted bug `clean-age-nan` (only `< 0` refused): nan compares false with everything and
    selected every run folder."""
    with pytest.raises(LegacyLiftError, match="--older-than .*above 0"):
        clean_local(local_settings, older_than_days=days)


def test_clean_keeps_an_execution_a_live_run_claims(local_settings):
    """Planted bug `clean-ignores-live-runs` (the in-use check skipped): a live run's
    execution folders are removed under it."""
    model = _store_layout(local_settings, "iris-live")
    _store_layout(local_settings, "iris-done")
    held = claim_run(local_settings, "iris", "legacylift-local", "iris-live", LocalOutput())
    report = clean_local(local_settings, older_than_days=TINY_AGE, include_inputs=True)
    assert sorted(p.name for p in report.removed) == ["iris-done"] * 3
    assert report.kept_live == 3
    assert all(
        (model / kind / "iris-live" / "x.csv").exists() for kind in ("runs", "output", "input")
    )
    for item in held:
        item.release()
    clean_local(local_settings, older_than_days=TINY_AGE, include_inputs=True)
    assert not any((model / kind / "iris-live").exists() for kind in ("runs", "output", "input"))


def test_clean_keeps_what_a_job_with_a_live_engine_uses(local_settings):
    """From the job records: an InProgress job whose owner is this (live) process keeps its
    scratch folder and the store folders of its inputs and outputs; a dead owner's do not.
    Planted bug `clean-ignores-job-records` (the owner files not read): both are removed."""
    model = _store_layout(local_settings, "iris-job")
    staging = local_settings.object_store / ".staging"
    (staging / "Job-Live-1a2b3c4d" / "output-0").mkdir(parents=True)
    (staging / "job-dead-5e6f7a8b").mkdir(parents=True)
    registry = JobRegistry(local_settings.jobs_dir)
    uri = "s3://legacylift-local/iris"
    record = {
        "ProcessingJobName": "Job-Live",
        "ProcessingJobStatus": "InProgress",
        "ProcessingInputs": [{"S3Input": {"S3Uri": f"{uri}/input/iris-job/"}}],
        "ProcessingOutputConfig": {
            "Outputs": [{"S3Output": {"S3Uri": f"{uri}/runs/iris-job/preprocessing/"}}]
        },
    }
    registry.reserve("Job-Live", "arn", record, owner=orphans.owner_id())
    dead = {"ProcessingJobName": "job-dead", "ProcessingJobStatus": "InProgress"}
    registry.reserve("job-dead", "arn", dead, owner=f"{orphans.owner_id().rsplit(':', 2)[0]}:1:0")
    report = clean_local(local_settings, older_than_days=TINY_AGE, include_inputs=True)
    removed = sorted(p.relative_to(local_settings.object_store).as_posix() for p in report.removed)
    assert removed == [".staging/job-dead-5e6f7a8b", "legacylift-local/iris/output/iris-job"]
    assert (model / "runs" / "iris-job" / "x.csv").exists()
    assert (staging / "Job-Live-1a2b3c4d" / "output-0").is_dir()


def test_a_claim_is_refused_naming_its_holder_and_freed_when_released(local_settings):
    """Planted bug `claims-not-exclusive` (the lock taken shared): two runs hold one output."""
    first = claim(local_settings, "--output /tmp/somewhere", "run-local of iris (execution a)")
    with pytest.raises(LegacyLiftError, match=r"in use by run-local of iris \(execution a\) \(pid"):
        claim(local_settings, "--output /tmp/somewhere", "run-local of iris (execution b)")
    first.release()
    claim(local_settings, "--output /tmp/somewhere", "run-local of iris (execution b)").release()


@pytest.fixture
def slow_model(tmp_path, monkeypatch, docker_client, base_image):
    """A one-step model whose step takes four seconds; its images and an input folder."""
    from tests.local.tiny_models import one_step_model

    return one_step_model(tmp_path, monkeypatch, docker_client, base_image, "slowcopy", SLOW_COPY)


def _start(target, **kwargs):
    outcome = {}

    def body():
        try:
            outcome["run"] = target(**kwargs)
        except Exception as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread, outcome


def _wait_for_job(settings, seconds=120):
    """Until a job is InProgress and its scratch folder exists: the record is reserved before
    the engine creates the folder, and a clean in between would see only part of the run."""
    deadline = time.monotonic() + seconds
    staging = settings.object_store / ".staging"
    while time.monotonic() < deadline:
        for path in settings.jobs_dir.glob("*.json") if settings.jobs_dir.is_dir() else ():
            record = json.loads(path.read_text())
            if record.get("ProcessingJobStatus") != "InProgress":
                continue
            if staging.is_dir() and any(staging.glob(f"{record['ProcessingJobName']}-*")):
                return
        time.sleep(0.1)
    pytest.fail("no job started")


@pytest.mark.docker
@pytest.mark.usefixtures("no_leftover_containers")
def test_clean_local_under_a_live_run_leaves_it_to_finish(slow_model, local_settings, tmp_path):
    """Real engine: clean-local with an age shorter than the running step. Planted bug
    `clean-ignores-live-runs`: the run's runs/ and .staging/ folders go and the step fails."""
    from legacylift.local.run import run_local

    images, data = slow_model
    thread, outcome = _start(
        run_local,
        name="slowcopy",
        input_ref=str(data),
        output_ref=str(tmp_path / "out"),
        settings=local_settings,
        quiet=True,
        images=images,
    )
    _wait_for_job(local_settings)
    report = clean_local(local_settings, older_than_days=TINY_AGE, include_inputs=True)
    thread.join(180)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["run"].succeeded, outcome["run"].failure
    assert (tmp_path / "out" / "note.txt").read_text() == "kept\n"
    assert report.kept_live >= 2 and report.removed == []


@pytest.mark.docker
@pytest.mark.usefixtures("no_leftover_containers")
def test_two_runs_on_one_output_the_second_is_refused(slow_model, local_settings, tmp_path):
    """Real concurrent run-local pair on one --output. Planted bug `output-unclaimed` (the
    claim on --output not taken): both pass the emptiness check and both report the output."""
    from legacylift.local.run import run_local

    images, data = slow_model
    out = tmp_path / "shared-out"
    runs = [
        _start(
            run_local,
            name="slowcopy",
            input_ref=str(data),
            output_ref=str(out),
            settings=local_settings,
            quiet=True,
            images=images,
        )
        for _ in range(2)
    ]
    for thread, _ in runs:
        thread.join(180)
    outcomes = [outcome for _, outcome in runs]
    succeeded = [o for o in outcomes if "run" in o and o["run"].succeeded]
    refused = [o["error"] for o in outcomes if "error" in o]
    assert len(succeeded) == 1 and len(refused) == 1, outcomes
    assert f"--output {out.resolve()} is in use by run-local of slowcopy" in str(refused[0])
    assert "(pid" in str(refused[0])
    assert (out / "note.txt").read_text() == "kept\n"
