"""End to end: rendered workflows (real Terraform) run by the interpreter, each step a
processing job in the real daemon. Sample models are checked against the output of their
original desktop script; tiny stdlib models cover single-step runs and failures."""

from __future__ import annotations

import json
import uuid

import pytest

from legacylift.local.asl.errors import StatesError
from legacylift.local.datasources import DataSources
from legacylift.local.render import LOCAL_ROLE_ARN
from legacylift.local.run import expected_matches, run_local
from legacylift.local.run_code import upload_code
from legacylift.local.sagemaker_tasks import SageMakerTasks
from legacylift.models import MODELS_DIR, discover_models, load_model
from tests.local.tiny_models import model_image, write_models

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("no_leftover_containers")]

SAMPLE_MODELS = sorted(p.parent.parent.name for p in MODELS_DIR.glob("*/sample/input"))


@pytest.fixture
def tiny(tmp_path, monkeypatch, docker_client, base_image):
    """The tiny models as the models directory; `tiny.images(name)` their images."""
    root = write_models(tmp_path / "models")
    monkeypatch.setenv("LEGACYLIFT_MODELS_DIR", str(root))

    class Tiny:
        def images(self, name):
            return {
                "model": model_image(docker_client, base_image, root / name),
                "framework": base_image,
            }

        def input(self, text="hello\n"):
            folder = tmp_path / f"input-{uuid.uuid4().hex[:6]}"
            folder.mkdir()
            (folder / "note.txt").write_text(text)
            return folder

    return Tiny()


@pytest.mark.slow
@pytest.mark.parametrize("name", SAMPLE_MODELS)
def test_sample_model_matches_the_original_desktop_output(name, local_settings):
    model = load_model(name)
    run = run_local(name, str(model.path / "sample/input"), settings=local_settings, quiet=True)
    assert run.succeeded, run.failure
    assert expected_matches(run, model.path / "sample/expected") == []
    jobs = [step.name for step in run.steps if step.name != "ReadPromotedArtifacts"]
    assert jobs == [s.capitalize() for s in model.steps]
    if model.uses_promoted_artifacts:  # no model promoted in this fresh store: the image's own
        assert run.result.output["artifacts"] == "image"


@pytest.mark.slow
def test_generic_workflow_with_an_original_pattern_input(local_settings):
    name = SAMPLE_MODELS[0]
    model = load_model(name)
    sources = DataSources(local_settings)
    bucket = "legacylift-local"
    code = upload_code(sources, model, bucket)
    base = f"s3://{bucket}/legacycode/{uuid.uuid4().hex[:8]}"
    for path in sorted((model.path / "sample/input").rglob("*")):
        if path.is_file():
            with path.open("rb") as handle:
                sources.put(f"{base}/data/preproc/input/{path.name}", handle)
    from legacylift.containerise import ensure_framework_image, ensure_model_image

    framework, custom = ensure_framework_image(), ensure_model_image(name)
    suffix = uuid.uuid4().hex[:6]

    def step(job, input_uri, output_uri, image, code_uri=None):
        settings = {
            "ProcessingJobName": f"{job}-{suffix}",
            "InputUri": {"S3Uri": input_uri},
            "OutputUri": {"S3Uri": output_uri},
            "InstanceType": "ml.m5.large",
            "VolumeSizeInGB": 5,
            "MaxRuntimeInSeconds": 900,
            "ImageUri": image,
            "RoleArn": LOCAL_ROLE_ARN,
        }
        if code_uri:
            settings["CodeUri"] = {"S3Uri": code_uri}
        return settings

    original_input = {
        "PreProcessing": step(
            "sm-pre-job",
            f"{base}/data/preproc/input/",
            f"{base}/data/predict/input/",
            framework,
            code,
        ),
        "Inference": step(
            "sm-inf-job", f"{base}/data/predict/input/", f"{base}/data/postproc/input/", custom
        ),
        "PostProcessing": step(
            "sm-post-job",
            f"{base}/data/postproc/input/",
            f"{base}/data/postproc/output/",
            framework,
            code,
        ),
    }
    run = run_local(
        name,
        "-",
        settings=local_settings,
        quiet=True,
        generic_input=original_input,
        images={"model": custom, "framework": framework},
    )
    assert run.succeeded, run.failure
    assert [s.name for s in run.steps] == ["PreProcessing", "Inference", "PostProcessing"]
    assert expected_matches(run, model.path / "sample/expected") == []


def test_single_step_model(tiny, local_settings, tmp_path):
    out = tmp_path / "out"
    run = run_local(
        "single",
        str(tiny.input("legacy\n")),
        str(out),
        settings=local_settings,
        quiet=True,
        images=tiny.images("single"),
    )
    assert run.succeeded, run.failure
    assert [step.name for step in run.steps] == ["Inference"]
    assert (out / "note.txt").read_text() == "LEGACY\n"


def test_three_step_model_output_in_the_local_store(tiny, local_settings):
    run = run_local(
        "noop3",
        str(tiny.input("x\n")),
        settings=local_settings,
        quiet=True,
        images=tiny.images("noop3"),
    )
    assert run.succeeded, run.failure
    assert run.output_path == local_settings.object_store / run.output_uri.removeprefix("s3://")
    assert (run.output_path / "note.txt").read_text() == "x\n"
    jobs = run.result.output["jobs"]
    assert [jobs[s]["ProcessingJobStatus"] for s in jobs] == ["Completed"] * 3


def test_failing_script_fails_the_execution_with_an_aws_shaped_cause(tiny, local_settings):
    run = run_local(
        "fails", str(tiny.input()), settings=local_settings, quiet=True, images=tiny.images("fails")
    )
    assert run.result.status == "FAILED"
    task_failed = [
        e["taskFailedEventDetails"] for e in run.result.history if e["type"] == "TaskFailed"
    ]
    assert [failure["error"] for failure in task_failed] == ["States.TaskFailed"]
    assert json.loads(task_failed[0]["cause"])["ProcessingJobStatus"] == "Failed"
    # No Catch: the execution fails in the Inference Task, with the job's own error.
    assert run.result.error == "States.TaskFailed"
    cause = json.loads(run.result.cause)
    assert cause["ProcessingJobStatus"] == "Failed"
    assert cause["FailureReason"] == "AlgorithmError: See job logs for more information"
    assert cause["ExitMessage"] == "column 'price' not found"
    entered = [
        e["stateEnteredEventDetails"]["name"]
        for e in run.result.history
        if e["type"].endswith("StateEntered")
    ]
    assert entered[-1] == "Inference", "the run fails in the job's Task (what a redrive reruns)"
    assert "failing step: Inference" in run.failure
    assert "exit code 1" in run.failure
    assert "ValueError: column 'price' not found" in run.failure


def test_step_over_its_max_runtime_is_stopped(tiny, local_settings):
    run = run_local(
        "slow", str(tiny.input()), settings=local_settings, quiet=True, images=tiny.images("slow")
    )
    assert run.result.error == "States.TaskFailed"
    cause = json.loads(run.result.cause)
    assert cause["ProcessingJobStatus"] == "Stopped"
    assert cause["StoppingCondition"]["MaxRuntimeInSeconds"] == 2


class _Throttled(SageMakerTasks):
    """The real task runner, with the API throttling the first CreateProcessingJob call."""

    throttled = 0

    def run(self, resource, parameters, task):
        if not self.throttled:
            self.throttled += 1
            raise StatesError(
                "SageMaker.AmazonSageMakerException",
                "Rate exceeded (Service: AmazonSageMaker; Status Code: 400; "
                "Error Code: ThrottlingException; Request ID: local)",
            )
        return super().run(resource, parameters, task)


def test_transient_error_is_retried_by_the_rendered_retry(tiny, local_settings, monkeypatch):
    import legacylift.local.run as run_module

    monkeypatch.setattr(run_module, "SageMakerTasks", _Throttled)
    run = run_local(
        "single",
        str(tiny.input("again\n")),
        settings=local_settings,
        quiet=True,
        images=tiny.images("single"),
        time_scale=0.001,
    )
    assert run.succeeded, run.failure
    failed = [e for e in run.result.history if e["type"] == "TaskFailed"]
    assert [e["taskFailedEventDetails"]["error"] for e in failed] == [
        "SageMaker.AmazonSageMakerException"
    ]


def test_demo_models_have_samples():
    """Every sample model the demo runs has an expected output to compare with."""
    assert SAMPLE_MODELS, "legacy_models/ has no model with sample/input/"
    for model in discover_models():
        if (model.path / "sample/input").is_dir():
            assert (model.path / "sample/expected").is_dir(), model.name


@pytest.mark.slow
def test_invoke_run_local_exits_non_zero_naming_step_exit_code_and_log_tail(tmp_path):
    """The command line itself, images built by the build tooling (contracts §5)."""
    import os
    import subprocess
    import sys

    from legacylift.paths import REPO_ROOT
    from legacylift.terraform_env import terraform_env

    models = write_models(tmp_path / "models", ["fails"])
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "x.txt").write_text("x\n")
    env = terraform_env(
        {
            **os.environ,
            "LEGACYLIFT_MODELS_DIR": str(models),
            "LEGACYLIFT_LOCAL_DIR": str(tmp_path / "local"),
        }
    )
    completed = subprocess.run(
        [sys.executable, "-m", "invoke", "run-local", "fails", "--input", str(tmp_path / "in")],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    shown = completed.stdout + completed.stderr
    assert completed.returncode == 1, shown
    assert "failing step: Inference" in shown
    assert "exit code 1" in shown
    assert "| ValueError: column 'price' not found" in shown
