"""What used to surface as a traceback, a five-minute retry or a blocked command is one clear
line: unknown instance types, badly shaped tfvars, a truncated render cache, an invalid model
folder among valid ones, and why a Task failed as each retry happens."""

from __future__ import annotations

import json
import re

import pytest

from legacylift.errors import LegacyLiftError
from legacylift.local.render import render_workflow
from legacylift.models import discover_models, load_model, processing_instance_types
from legacylift.paths import MODULES_DIR
from tests.local.tiny_models import write_models

MODELS = {"m1": {"image_uri": "legacylift/m1:abc", "steps": ["inference"]}}


@pytest.fixture
def models(tmp_path, monkeypatch):
    root = write_models(tmp_path / "models", ["single", "noop3"])
    monkeypatch.setenv("LEGACYLIFT_MODELS_DIR", str(root))
    return root


def test_unknown_instance_type_is_refused_by_model_toml(models):
    """Planted bug (the old ml.<family>.<size> pattern only): ml.m5.huge loaded; red."""
    (models / "single" / "model.toml").write_text(
        'steps = ["inference"]\n[inference]\ninstance_type = "ml.m5.huge"\n'
    )
    with pytest.raises(LegacyLiftError, match="'ml.m5.huge': not a SageMaker Processing instance"):
        load_model("single")


def test_terraform_lists_exactly_the_api_models_instance_types():
    text = (MODULES_DIR / "workflow" / "variables.tf").read_text()
    lists = re.findall(r'contains\(split\(" ", "([^"]+)"\)', text)
    assert len(lists) == 2, "models[*] instance types and default_instance_type"
    for listed in lists:
        assert tuple(listed.split(" ")) == processing_instance_types()


@pytest.mark.parametrize(
    ("models", "overrides"),
    [
        ({"m1": {**MODELS["m1"], "inference": {"instance_type": "ml.m5.huge"}}}, {}),
        (MODELS, {"default_instance_type": "ml.m5.huge"}),
    ],
    ids=["model-setting", "default"],
)
def test_unknown_instance_type_is_refused_by_terraform(tmp_path, models, overrides):
    with pytest.raises(LegacyLiftError, match="ProcessingInstanceType"):
        render_workflow(models, "legacylift/f:x", cache_dir=tmp_path, **overrides)


def test_a_truncated_render_cache_entry_is_a_miss(tmp_path):
    """Planted bug (json.loads of the cached file unguarded): JSONDecodeError; red."""
    first = render_workflow(MODELS, "legacylift/f:x", cache_dir=tmp_path)
    (entry,) = tmp_path.glob("*.json")
    entry.write_text(entry.read_text()[:40])
    assert render_workflow(MODELS, "legacylift/f:x", cache_dir=tmp_path) == first
    assert json.loads(entry.read_text()), "the entry was rewritten whole"


@pytest.mark.parametrize(
    "content",
    [{"models": {"iris": "oops"}}, {"models": {"iris": {"image_uri": 5}}}],
    ids=["entry-not-an-object", "image-uri-not-a-string"],
)
def test_badly_shaped_tfvars_is_a_sentence(tmp_path, monkeypatch, content):
    from legacylift.tfvars import read_models

    monkeypatch.setenv("LEGACYLIFT_TFVARS_DIR", str(tmp_path))
    (tmp_path / "dev.models.tfvars.json").write_text(json.dumps(content))
    with pytest.raises(LegacyLiftError, match=r'models\["iris"\] must be an object'):
        read_models("dev")


def test_an_invalid_model_folder_is_reported_and_the_others_still_load(models):
    """Planted bug (discover_models raising on the first bad folder): red."""
    (models / "Broken Name").mkdir()
    (models / "no-scripts").mkdir()
    with pytest.raises(LegacyLiftError):
        discover_models()
    problems = []
    found = discover_models(on_invalid=lambda name, error: problems.append((name, str(error))))
    assert [model.name for model in found] == ["noop3", "single"]
    assert [name for name, _ in problems] == ["Broken Name", "no-scripts"]
    assert "invalid model name" in problems[0][1] and "missing" in problems[1][1]


def test_list_models_reports_the_invalid_folder_after_the_table(models, docker_client, capsys):
    from invoke import Context, Exit

    import tasks

    (models / "no-scripts").mkdir()
    with pytest.raises(Exit):
        tasks.list_models(Context())
    shown = capsys.readouterr()
    assert re.search(r"^noop3 ", shown.out, re.M) and re.search(r"^single ", shown.out, re.M)
    assert re.search(r"^no-scripts +invalid", shown.out, re.M)
    assert "no-scripts: model 'no-scripts' is missing" in shown.err
    # --json: the same rows keyed by the table's columns, the problems listed, exit 1.
    with pytest.raises(Exit):
        tasks.list_models(Context(), json=True)
    shown = capsys.readouterr()
    document = json.loads(shown.out)
    rows = {row["model"]: row for row in document["models"]}
    assert {"no-scripts", "noop3", "single"} <= set(rows)
    assert rows["no-scripts"]["content hash"] == "invalid"
    assert rows["noop3"]["built"] in {"yes", "no"}
    (problem,) = document["invalid"]
    assert problem.startswith("no-scripts: model 'no-scripts' is missing"), problem


def test_each_failed_attempt_says_why_as_it_happens(capsys):
    from legacylift.report.reporter import Reporter

    reporter = Reporter("text", live=False)
    events = iter(range(1, 100))

    def event(kind, **details):
        key = (
            "stateEnteredEventDetails"
            if kind.endswith("StateEntered")
            else (kind[:1].lower() + kind[1:] + "EventDetails")
        )
        number = next(events)
        reporter.event(
            {
                "id": number,
                "previousEventId": number - 1,
                "type": kind,
                "timestamp": "2026-11-25T10:00:00Z",
                key: details,
            }
        )

    event("ExecutionStarted", input="{}")
    event("TaskStateEntered", name="Inference")
    event("TaskScheduled", parameters='{"ProcessingJobName": "job-1"}')
    refused = "ValidationException: Value 'ml.m5.huge' at 'processingResources..."
    event("TaskFailed", error="SageMaker.AmazonSageMakerException", cause=refused)
    shown = capsys.readouterr().out  # before the Retry's wait, not after it (progress: stdout)
    assert "SageMaker.AmazonSageMakerException: ValidationException: Value 'ml.m5.huge'" in shown
    event("TaskScheduled", parameters='{"ProcessingJobName": "job-2"}')
    event(
        "TaskFailed",
        error="States.TaskFailed",
        cause=json.dumps(
            {"ProcessingJobStatus": "Failed", "FailureReason": "AlgorithmError: See job logs"}
        ),
    )
    assert "States.TaskFailed: AlgorithmError: See job logs" in capsys.readouterr().out


def test_build_all_reports_an_invalid_folder_without_stopping(models, monkeypatch):
    """The valid models are handed to the builder; the invalid folder is one of the failures."""
    from legacylift.containerise import images

    built = []
    monkeypatch.setattr(images, "build_model", lambda name, *a, **k: built.append(name) or None)
    monkeypatch.setattr(images, "ImageBuilder", lambda: None)
    (models / "no-scripts").mkdir()
    with pytest.raises(LegacyLiftError, match=r"1 of 3 models failed:\nno-scripts: model"):
        images.build_all(push=False)
    assert built == ["noop3", "single"]


def test_invoke_run_local_names_the_bad_argument_and_writes_nothing(models, tmp_path):
    import os
    import subprocess
    import sys

    from legacylift.paths import REPO_ROOT

    env = {**os.environ, "LEGACYLIFT_LOCAL_DIR": str(tmp_path / "local")}
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "invoke",
            "run-local",
            "single",
            "--input",
            str(models),
            "--workspace",
            "../../x",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 1
    assert "--workspace '../../x'" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert not (tmp_path / "local").exists()


def test_an_unwritable_job_registry_is_a_sentence(tmp_path):
    from legacylift.local.processing import ProcessingRunner
    from legacylift.local.settings import LocalSettings
    from tests.local.jobs import processing_request

    (tmp_path / "blocker").write_text("")
    runner = ProcessingRunner(LocalSettings.under(tmp_path / "blocker" / "local"))
    with pytest.raises(LegacyLiftError, match="cannot record job .*LEGACYLIFT_LOCAL_DIR"):
        runner.create_processing_job(processing_request("image:never-pulled"))


def test_demo_reports_an_invalid_folder_and_carries_on(models, capsys):
    """The tiny models have no sample/input/ (skipped, nothing to build); the invalid folder
    gets its own row and fails the demo after the others."""
    from legacylift.local.demo import run_demo

    (models / "no-scripts").mkdir()
    with pytest.raises(LegacyLiftError, match="the demo failed for: no-scripts"):
        run_demo()
    shown = capsys.readouterr()
    assert "noop3: no sample/input/, skipped" in shown.out
    assert "single: no sample/input/, skipped" in shown.out
    assert re.search(r"^no-scripts +- +INVALID", shown.out, re.M)
    assert "no-scripts: not a valid model, skipped" in shown.err
