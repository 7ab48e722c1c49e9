"""The per-step keys of model.toml (script, arguments, LocalPaths, the image's own entrypoint)
rendered by modules/workflow into the requests each step sends."""

from __future__ import annotations

import pytest

from tests.workflow.conftest import FRAMEWORK_IMAGE, base_vars, model_entry, model_image
from tests.workflow.test_render import definition, requests, run_input, task_states

LEGACY = model_entry(
    "legacy",
    preprocessing={
        "script": "src/preprocess.py",
        "arguments": ["--sep", ";", "${HOME}"],
        "input_path": "/opt/ml/processing/input/raw",
    },
    inference={
        "input_path": "/opt/ml/processing/input",
        "output_path": "/opt/ml/processing/predictions",
        "entrypoint": "image",
    },
    postprocessing={"image": "model", "entrypoint": "image", "arguments": ["postprocess.py"]},
)


@pytest.fixture(scope="module")
def legacy(workflow):
    """Outputs of one model declaring its own scripts, arguments, paths and entrypoints."""
    return workflow.render(base_vars({"legacy": LEGACY}))


def test_declared_scripts_arguments_and_paths_reach_the_requests(legacy):
    tasks = dict(task_states(definition(legacy, "legacy")))
    pre = tasks["Preprocessing"]["Parameters"]
    assert pre["AppSpecification"] == {
        "ImageUri": FRAMEWORK_IMAGE,
        "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/src/preprocess.py"],
        "ContainerArguments": ["--sep", ";", "${HOME}"],
    }
    inputs = {i["InputName"]: i["S3Input"]["LocalPath"] for i in pre["ProcessingInputs"]}
    assert inputs == {
        "data": "/opt/ml/processing/input/raw",
        "code": "/opt/ml/processing/input/code",
    }
    (pre_output,) = pre["ProcessingOutputConfig"]["Outputs"]
    assert pre_output["S3Output"]["LocalPath"] == "/opt/ml/processing/output"

    inference = tasks["Inference"]["Parameters"]
    assert inference["AppSpecification"] == {"ImageUri": model_image("legacy")}
    assert [i["S3Input"]["LocalPath"] for i in inference["ProcessingInputs"]] == [
        "/opt/ml/processing/input"
    ]
    (output,) = inference["ProcessingOutputConfig"]["Outputs"]
    assert output["S3Output"]["LocalPath"] == "/opt/ml/processing/predictions"

    post = tasks["Postprocessing"]["Parameters"]
    assert post["AppSpecification"] == {
        "ImageUri": model_image("legacy"),
        "ContainerArguments": ["postprocess.py"],
    }
    assert [i["InputName"] for i in post["ProcessingInputs"]] == ["data"]


def test_requests_with_step_keys_match_sagemakers_api_model(legacy):
    import botocore.session
    from botocore.validate import ParamValidator

    model = botocore.session.get_session().get_service_model("sagemaker")
    shape = model.operation_model("CreateProcessingJob").input_shape
    jobs = requests(legacy, "legacy", run_input(), "keys-check")
    assert set(jobs) == {"Preprocessing", "Inference", "Postprocessing"}
    for request in jobs.values():
        report = ParamValidator().validate(request, shape)
        assert not report.has_errors(), report.generate_report()
