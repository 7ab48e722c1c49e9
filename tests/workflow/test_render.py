"""modules/workflow rendered by real Terraform: the wiring of each definition."""

from __future__ import annotations

import json

import pytest

from tests.workflow.asl_validation import assert_valid_asl
from tests.workflow.conftest import FRAMEWORK_IMAGE, ROLE_ARN, base_vars, model_entry

SAGEMAKER_TASK = "arn:aws:states:::sagemaker:createProcessingJob.sync"


@pytest.fixture(scope="module")
def three_step(workflow):
    """Outputs and decoded definition of one model with all three steps and defaults."""
    outputs = workflow.render(base_vars({"iris": model_entry("iris")}))
    return outputs, json.loads(outputs["definitions"]["iris"])


def task_states(definition: dict) -> list[tuple[str, dict]]:
    """The processing Task states in execution order, following Next from StartAt."""
    states, name, order = definition["States"], definition["StartAt"], []
    while name:
        state = states[name]
        if state.get("Resource") == SAGEMAKER_TASK:
            order.append((name, state))
        name = state.get("Next") or (state.get("Choices") or [{}])[0].get("Next")
    return order


def test_three_step_definition_is_valid_asl(three_step):
    outputs, _ = three_step
    assert_valid_asl(outputs["definitions"]["iris"])


def test_three_steps_in_order_with_images_and_entrypoints(three_step):
    _, definition = three_step
    tasks = task_states(definition)
    assert [name for name, _ in tasks] == ["Preprocessing", "Inference", "Postprocessing"]
    apps = {name: state["Parameters"]["AppSpecification"] for name, state in tasks}
    assert apps["Preprocessing"] == {
        "ImageUri": FRAMEWORK_IMAGE,
        "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/preprocessing.py"],
    }
    assert apps["Inference"]["ImageUri"] == model_entry("iris")["image_uri"]
    assert apps["Inference"]["ContainerEntrypoint"] == ["python3", "/opt/ml/code/predict.py"]
    assert apps["Postprocessing"]["ContainerEntrypoint"][-1].endswith("/code/postprocessing.py")
    for _, state in tasks:
        assert state["Parameters"]["RoleArn"] == ROLE_ARN
        assert state["Type"] == "Task"
