"""A legacy project taken as it is: the `demand` sample (the original pattern's style: its own
script names and LocalPaths, unpinned requirements, its own Dockerfile with only a CMD,
scripts writing into their working directory and HOME), `new-model --from` on its legacy
tree, and `run-definition` on an existing definition + input in the original pattern's shape.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from legacylift.errors import LegacyLiftError
from legacylift.local.definition_run import parse_stages, run_definition
from legacylift.local.image_map import ImageMap, parse_mappings, twin_difference
from legacylift.local.run import expected_matches, run_local
from legacylift.models import MODELS_DIR, load_model
from legacylift.new_model import new_model

DEMAND = MODELS_DIR / "demand"
FIXTURES = Path(__file__).parent / "fixtures" / "original_pattern"
DEFINITION = FIXTURES / "definition.json"
INPUT = FIXTURES / "input.json"
BUCKET = "s3://acme-forecasting-data/legacycode"
CUSTOM_IMAGE = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/demand-forecast:latest"
LEGACY_FILES = sorted(p.name for p in (DEMAND / "legacy").iterdir())


def demand_stages() -> list[str]:
    return [
        f"{DEMAND / 'sample/input'}={BUCKET}/data/preproc/input/",
        f"{DEMAND / 'preprocess.py'}={BUCKET}/scripts/",
        f"{DEMAND / 'postprocess.py'}={BUCKET}/scripts/postprocess.py",
    ]


def test_the_legacy_files_are_byte_identical_to_the_project_as_received():
    """Only model.toml (and the sample) was added: every legacy file runs unedited."""
    assert LEGACY_FILES == [
        "Dockerfile",
        "coefficients.json",
        "postprocess.py",
        "predict.py",
        "preprocess.py",
        "requirements.txt",
    ]
    for name in LEGACY_FILES:
        assert (DEMAND / name).read_bytes() == (DEMAND / "legacy" / name).read_bytes(), name
    added = {p.name for p in DEMAND.iterdir()} - set(LEGACY_FILES)
    assert added == {"legacy", "sample", "model.toml"}


def test_the_legacy_model_declares_its_steps():
    model = load_model("demand")
    assert [model.script_for(s) for s in model.steps] == [
        "preprocess.py",
        "predict.py",
        "postprocess.py",
    ]
    assert model.uses_image_entrypoint("inference")
    assert model.input_path_for("inference") == "/opt/ml/processing/input"
    assert model.own_dockerfile is not None


@pytest.mark.docker
@pytest.mark.slow
def test_the_legacy_image_runs_unprivileged_with_a_writable_working_directory(docker_client):
    """The project's own Dockerfile, adapted: uid 1000, its CMD kept, the working directory
    and HOME writable, the code itself not, and no build-time CA bundle in any layer.
    Planting the adaptation without its chmod turns the write checks red."""
    from legacylift.containerise import ensure_model_image

    image = ensure_model_image("demand")
    config = docker_client.images.get(image).attrs["Config"]
    assert config["User"] == "1000:1000"
    assert config["Cmd"] == ["python3", "predict.py"]
    assert config["WorkingDir"] == "/opt/ml/code"
    script = (
        "id -u; touch tmp.csv && mkdir -p $HOME/.cache && echo ok; "
        "(echo x >> predict.py) 2>/dev/null && echo code-writable || echo code-read-only; "
        "rm -f predict.py 2>/dev/null; test -f predict.py && echo kept; "
        "test -e /legacylift-build-ca.crt && echo bundle || echo no-bundle"
    )
    output = (
        docker_client.containers.run(
            image,
            entrypoint=["sh", "-c", script],
            network_disabled=True,
            remove=True,
            labels={"org.legacylift.test": "legacy-project"},
        )
        .decode()
        .split()
    )
    assert output == ["1000", "ok", "code-read-only", "kept", "no-bundle"]
    history = docker_client.api.history(image)
    assert sum(1 for layer in history if layer["Size"] > 0) <= 2  # flattened: the bundle's
    # COPY layer of the throwaway stage is not among them


@pytest.mark.docker
@pytest.mark.slow
def test_new_model_from_the_legacy_tree_runs_unchanged(tmp_path, monkeypatch, local_settings):
    """`new-model --from legacy/` writes the model.toml the sample has, and the new folder
    reproduces the desktop run byte for byte."""
    from legacylift.containerise import ensure_framework_image, ensure_model_image

    images = {"model": ensure_model_image("demand"), "framework": ensure_framework_image()}
    models = tmp_path / "models"
    monkeypatch.setenv("LEGACYLIFT_MODELS_DIR", str(models))
    created = new_model("demand-again", str(DEMAND / "legacy"))
    assert created.path == models / "demand-again"
    for name in LEGACY_FILES:
        assert (created.path / name).read_bytes() == (DEMAND / name).read_bytes()
    model = load_model("demand-again")
    monkeypatch.setenv("LEGACYLIFT_MODELS_DIR", str(MODELS_DIR))
    expected = load_model("demand")
    monkeypatch.setenv("LEGACYLIFT_MODELS_DIR", str(models))
    assert model.steps == expected.steps
    assert model.step_settings == expected.step_settings
    assert any("entrypoint" in guess for guess in created.guesses)
    # The same files make the same image content; reuse the sample's build (CI time).
    run = run_local(
        "demand-again",
        str(DEMAND / "sample/input"),
        settings=local_settings,
        quiet=True,
        images=images,
    )
    assert run.succeeded, run.failure
    assert expected_matches(run, DEMAND / "sample/expected") == []


def test_new_model_never_overwrites_and_checks_its_source(tmp_path, monkeypatch):
    models = tmp_path / "models"
    monkeypatch.setenv("LEGACYLIFT_MODELS_DIR", str(models))
    blank = new_model("blank")
    assert load_model("blank").steps == ("preprocessing", "inference", "postprocessing")
    before = {p: p.read_bytes() for p in blank.path.rglob("*") if p.is_file()}
    with pytest.raises(LegacyLiftError, match="already exists: new-model never overwrites"):
        new_model("blank", str(DEMAND / "legacy"))
    assert {p: p.read_bytes() for p in blank.path.rglob("*") if p.is_file()} == before
    with pytest.raises(LegacyLiftError, match="--from .*missing: not a directory"):
        new_model("other", str(tmp_path / "missing"))
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("no scripts here\n")
    with pytest.raises(LegacyLiftError, match="no script looks like a step"):
        new_model("other", str(empty))
    assert sorted(p.name for p in models.iterdir()) == ["blank"]  # nothing half-written


def test_scikit_learn_images_map_to_the_twin_with_a_version_warning():
    ours = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.4-2-cpu-py3"
    older = "746614075791.dkr.ecr.eu-west-2.amazonaws.com/sagemaker-scikit-learn:0.23-1-cpu-py3"
    assert twin_difference(ours) is None
    warning = twin_difference(older)
    assert "scikit-learn 0.23" in warning and "scikit-learn 1.4" in warning
    assert "Python 3.11" in warning
    assert twin_difference(CUSTOM_IMAGE) is None  # not a scikit-learn image: mapped by hand
    images = ImageMap({}, build_framework=lambda: "twin:local")
    assert images.resolve(older) == "twin:local"
    with pytest.raises(LegacyLiftError, match=f"image {CUSTOM_IMAGE} has no local mapping"):
        images.resolve(CUSTOM_IMAGE)


@pytest.mark.docker
@pytest.mark.slow
def test_an_original_pattern_definition_runs_unchanged(local_settings, capsys):
    """Three states with InputPath and ResultPath null, scripts at a LocalPath of their own,
    an inference state without ContainerEntrypoint, ECR and scikit-learn image URIs and a
    bucket that is not ours: the report equals the desktop run's."""
    run = run_definition(
        str(DEFINITION),
        str(INPUT),
        parse_mappings([f"{CUSTOM_IMAGE}=legacy_models/demand"]),
        parse_stages(demand_stages()),
        settings=local_settings,
        quiet=True,
    )
    assert run.succeeded, run.failure
    assert [step.name for step in run.steps] == [
        "Preprocessing script mode",
        "Inference custom container",
        "Postprocessing script mode",
    ]
    report = f"{BUCKET}/data/report/"
    store = local_settings.object_store
    assert run.outputs[report] == store / "acme-forecasting-data/legacycode/data/report"
    produced = run.outputs[report] / "report.csv"
    assert produced.read_bytes() == (DEMAND / "sample/expected/report.csv").read_bytes()
    assert "scikit-learn 1.2" in capsys.readouterr().out  # the tag differs from the twin
    # The execution's output is its input (ResultPath null on every state).
    assert run.result.output == json.loads(INPUT.read_text())
    # Names used are refused as AWS refuses them, with how to run again.
    with pytest.raises(
        LegacyLiftError, match="already used on this machine.*new ProcessingJobName"
    ):
        run_definition(
            str(DEFINITION),
            str(INPUT),
            parse_mappings([f"{CUSTOM_IMAGE}=x:y"]),
            settings=local_settings,
            quiet=True,
        )


def _sales_without_units(tmp_path: Path, job_suffix: str) -> tuple[list[str], str]:
    """The --stage list with a sales file lacking the `units` column (preprocessing fails on
    it), and the path of the execution input with `job_suffix` on every job name."""
    bad = tmp_path / "sales.csv"
    bad.write_text("store,week,promo\nnorth,2026-W01,0\n")
    stages = demand_stages()
    stages[0] = f"{bad}={BUCKET}/data/preproc/input/sales.csv"
    execution_input = json.loads(INPUT.read_text())
    for step in execution_input.values():
        step["ProcessingJobName"] += job_suffix
    return stages, _write(tmp_path / "input.json", execution_input)


def _write(path: Path, document) -> str:
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return str(path)


def _bad_definitions(tmp_path: Path) -> dict[str, tuple[str, str, str]]:
    definition = json.loads(DEFINITION.read_text())
    lambda_task = json.loads(DEFINITION.read_text())
    lambda_task["States"]["Inference custom container"]["Resource"] = (
        "arn:aws:states:::lambda:invoke"
    )
    no_start = {"States": definition["States"]}
    bad_role = json.loads(INPUT.read_text())
    bad_role["Inference"]["RoleArn"] = "AmazonSageMaker-ExecutionRole"
    return {
        "not JSON": (_write(tmp_path / "a.json", "{not json"), str(INPUT), "not valid JSON"),
        "not ASL": (_write(tmp_path / "b.json", no_start), str(INPUT), "StartAt"),
        "unsupported resource": (
            _write(tmp_path / "c.json", lambda_task),
            str(INPUT),
            "lambda:invoke",
        ),
        "missing input": (str(DEFINITION), str(tmp_path / "none.json"), "no such file"),
        "unmapped image": (str(DEFINITION), str(INPUT), f"image {CUSTOM_IMAGE} has no local"),
        "bad role": (
            str(DEFINITION),
            _write(tmp_path / "d.json", bad_role),
            "is not an IAM role ARN",
        ),
    }


@pytest.mark.parametrize(
    "case",
    ["not JSON", "not ASL", "unsupported resource", "missing input", "unmapped image", "bad role"],
)
def test_bad_definitions_are_refused_before_anything_runs(tmp_path, local_settings, case):
    definition, execution_input, message = _bad_definitions(tmp_path)[case]
    images = {} if case == "unmapped image" else {CUSTOM_IMAGE: "demand-forecast:local"}
    with pytest.raises(LegacyLiftError, match=message.replace("(", r"\(")):
        run_definition(definition, execution_input, images, settings=local_settings, quiet=True)
    assert not local_settings.jobs_dir.exists()  # no job was created
    assert not local_settings.object_store.exists()  # nothing was staged


def test_bad_stage_and_image_options_name_the_fix(tmp_path):
    with pytest.raises(LegacyLiftError, match="does not exist; give an existing file"):
        parse_stages([f"{tmp_path / 'missing.csv'}=s3://bucket/key.csv"])
    with pytest.raises(LegacyLiftError, match="is not an s3://bucket/key URI"):
        parse_stages([f"{DEMAND / 'preprocess.py'}=/tmp/x"])
    with pytest.raises(LegacyLiftError, match="give URI=REF"):
        parse_mappings(["just-an-image:latest"])


def test_the_invoke_task_exits_1_naming_the_problem(tmp_path):
    import subprocess
    import sys

    from legacylift.paths import REPO_ROOT

    broken = tmp_path / "definition.json"
    broken.write_text("{not json")
    done = subprocess.run(
        [sys.executable, "-m", "invoke", "run-definition", str(broken), "--input", str(INPUT)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert f"definition {broken}: not valid JSON" in done.stdout + done.stderr


@pytest.mark.docker
@pytest.mark.slow
def test_a_failing_job_is_reported_like_run_local(tmp_path, local_settings):
    """Sales without a `units` column: the preprocessing job fails; the report names the
    state, the job, its exit code and the script's own error from the log."""
    stages, execution_input = _sales_without_units(tmp_path, "-fails")
    run = run_definition(
        str(DEFINITION),
        execution_input,
        parse_mappings([f"{CUSTOM_IMAGE}=legacy_models/demand"]),
        parse_stages(stages),
        settings=local_settings,
        quiet=True,
    )
    assert not run.succeeded
    assert "failing step: Preprocessing script mode (job demand-pre-0211-1156-fails" in run.failure
    assert "exit code 1" in run.failure
    assert "KeyError" in run.failure and "units" in run.failure
    assert run.outputs == {}


@pytest.mark.docker
@pytest.mark.slow
def test_run_definition_json_names_the_execution_and_the_failure(tmp_path):
    """`invoke run-definition --execution NAME --json` on the failing sales file: stdout is
    one JSON document naming that execution, its failing step and the job's exit code; exit 1.

    Planted bug: --execution not passed on (the default DEFINITION-date name): red."""
    import os

    from tests.cli import invoke_cli

    stages, execution_input = _sales_without_units(tmp_path, "-cli")
    command = ["run-definition", str(DEFINITION), "--input", execution_input]
    command += ["--image", f"{CUSTOM_IMAGE}=legacy_models/demand", "--execution", "sales-1"]
    command += [arg for stage in stages for arg in ("--stage", stage)] + ["--json"]
    env = {**os.environ, "LEGACYLIFT_LOCAL_DIR": str(tmp_path / "local")}
    done = invoke_cli(*command, env=env, timeout=900)
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)
    assert (result["execution"], result["status"]) == ("sales-1", "FAILED")
    assert result["failure"]["step"] == "Preprocessing script mode"
    assert result["failure"]["exit_code"] == 1 and result["outputs"] == {}


def test_preflight_reads_jsonata_arguments_and_skips_expressions(local_settings):
    """A JSONata Task's Arguments are checked like Parameters; `{% ... %}` values are only
    known at run time and are mapped then."""
    from legacylift.local.definition_run import preflight
    from legacylift.local.names import JobRegistry

    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "Score",
        "States": {
            "Score": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sagemaker:createProcessingJob.sync",
                "Arguments": {
                    "ProcessingJobName": "{% $states.input.job %}",
                    "RoleArn": "{% $states.input.role %}",
                    "AppSpecification": {"ImageUri": CUSTOM_IMAGE},
                },
                "End": True,
            }
        },
    }
    jobs = JobRegistry(local_settings.jobs_dir)
    with pytest.raises(LegacyLiftError, match=f"image {CUSTOM_IMAGE} has no local mapping"):
        preflight(machine, {}, ImageMap({}), jobs)
    preflight(machine, {}, ImageMap({CUSTOM_IMAGE: "demand:local"}), jobs)


def test_new_model_guesses_the_image_of_steps_needing_more_than_the_framework(
    tmp_path, monkeypatch
):
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "pre_process.py").write_text(
        "import statsmodels.api as sm\nimport helpers\n"
        "DATA = '/opt/ml/processing/input/data/sales.csv'\n"
        "OUT = '/opt/ml/processing/processed/features.csv'\n"
    )
    (project / "src" / "helpers.py").write_text("")
    (project / "score.py").write_text("print('scoring')\n")
    (project / "Dockerfile").write_text("FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\n")
    monkeypatch.setenv("LEGACYLIFT_MODELS_DIR", str(tmp_path / "models"))
    created = new_model("guessed", str(project))
    model = load_model("guessed")
    assert model.steps == ("preprocessing", "inference")
    assert model.script_for("preprocessing") == "src/pre_process.py"
    assert model.image_for("preprocessing") == "model"  # statsmodels: not in the framework
    assert model.script_for("inference") == "score.py"
    assert not model.uses_image_entrypoint("inference")  # the Dockerfile has no CMD
    assert model.output_path_for("preprocessing") == "/opt/ml/processing/processed"
    assert model.input_path_for("preprocessing") == "/opt/ml/processing/input/data"
    assert any("statsmodels" in guess for guess in created.guesses)
    assert any("WORKDIR is /app" in check for check in created.checks)


def test_model_folder_mappings_name_models_in_the_models_directory(tmp_path):
    built: list[str] = []
    images = ImageMap(
        {"a": "legacy_models/demand", "b": str(DEMAND), "c": str(tmp_path), "d": "legacy_models/x"},
        build_model=lambda name: built.append(name) or f"legacylift/{name}:local",
    )
    assert images.resolve("a") == images.resolve("b") == "legacylift/demand:local"
    with pytest.raises(LegacyLiftError, match="must sit in"):
        images.resolve("c")
    with pytest.raises(LegacyLiftError, match="no such model folder"):
        images.resolve("d")
    assert built == ["demand", "demand"]


@pytest.mark.parametrize(
    "reading",
    [
        'INPUT = "/opt/ml/processing/input/"\nfiles = os.listdir(INPUT)\n',
        'files = [os.path.join("/opt/ml/processing/input", n)\n'
        '         for n in os.listdir("/opt/ml/processing/input")]\n',
        "files = os.listdir('/opt/ml/processing/input')\n",
    ],
)
def test_new_model_recognises_a_bare_input_directory(tmp_path, monkeypatch, reading):
    """A script naming the input directory itself (with or without a trailing slash, or
    joined with a file name at run time) reads /opt/ml/processing/input. Script mode stages
    its code inside that input (/opt/ml/processing/input/code), a nesting AWS accepts, so the
    step keeps the framework image and the model.toml loads. Planted bug (a literal counted as
    an input only when it continues past `/input/`): the default input path silently applies;
    red."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "preprocess.py").write_text(
        f"import os\n{reading}"
        "open('/opt/ml/processing/output/features.csv', 'w').write(str(files))\n"
    )
    (project / "postprocess.py").write_text(
        f"import os\n{reading}"
        "open('/opt/ml/processing/report/summary.txt', 'w').write(str(files))\n"
    )
    monkeypatch.setenv("LEGACYLIFT_MODELS_DIR", str(tmp_path / "models"))
    created = new_model("bare-input", str(project))
    model = load_model("bare-input")
    assert model.steps == ("preprocessing", "postprocessing")
    for step in model.steps:
        assert model.input_path_for(step) == "/opt/ml/processing/input"
        assert model.image_for(step) == "framework"
    assert model.output_path_for("preprocessing") == "/opt/ml/processing/output"
    assert model.output_path_for("postprocessing") == "/opt/ml/processing/report"
    assert any("input_path /opt/ml/processing/input" in guess for guess in created.guesses)
