"""modules/workflow rendered by real Terraform: the wiring of each per-model definition, checked
on the text and by evaluating its JSONPath in moto's interpreter (tasks as echoing Pass states)."""

from __future__ import annotations

import json
import re

import pytest

from tests.workflow.asl_evaluation import SAGEMAKER_TASK, evaluated_requests
from tests.workflow.asl_validation import assert_valid_asl
from tests.workflow.conftest import (
    FRAMEWORK_IMAGE,
    base_vars,
    code_uris,
    model_entry,
    model_image,
    role_arn,
    uncaught_job_tasks,
)

pytestmark = pytest.mark.terraform_matrix

JOB_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")  # SageMaker's ProcessingJobName
LONG_PREFIX = "legacylift-" + "x" * 29  # the longest name_prefix allowed (40)
LONG_A, LONG_B = "a" * 31 + "b", "a" * 31 + "c"  # 32 characters, equal but for the last
LONGEST_EXECUTION = "e" * 80
TEMPLATE_LOOKALIKE = "${HOME} %{ if x } $${y}"

MIXED = {
    "iris": model_entry("iris"),
    "single": {"image_uri": model_image("single"), "steps": ["inference"]},
    "tuned": model_entry(
        "tuned",
        steps=["preprocessing", "inference"],
        defaults={"instance_type": "ml.c5.2xlarge", "volume_size": 100},
        preprocessing={
            "image": "model",
            "instance_type": "ml.m5.large",
            "max_runtime": 7200,
            "environment": {"LOG_LEVEL": "info", "TEMPLATE": TEMPLATE_LOOKALIKE},
            "network": True,
        },
        inference={"environment": {"OMP_NUM_THREADS": "1"}},
    ),
    "unbuilt": {"image_uri": None},
    LONG_A: model_entry(LONG_A),
    LONG_B: model_entry(LONG_B),
}


@pytest.fixture(scope="module")
def three_step(workflow):
    """Outputs of one model with all three steps and every setting defaulted."""
    return workflow.render(base_vars({"iris": model_entry("iris")}))


@pytest.fixture(scope="module")
def mixed(workflow):
    """Outputs of several models: defaults, a single step, tuned settings, unbuilt, long names."""
    return workflow.render(base_vars(MIXED, name_prefix=LONG_PREFIX))


def definition(outputs: dict, name: str) -> dict:
    """The decoded definition of model `name`."""
    return json.loads(outputs["definitions"][name])


def task_states(document: dict) -> list[tuple[str, dict]]:
    """The processing Task states in execution order (following Next from StartAt)."""
    states, name, order = document["States"], document["StartAt"], []
    while name:
        state = states[name]
        if state.get("Resource") == SAGEMAKER_TASK:
            order.append((name, state))
        name = state.get("Next") or (state.get("Choices") or [{}])[0].get("Next")
    return order


def requests(outputs: dict, name: str, execution_input: dict, execution: str) -> dict:
    """Step name -> the CreateProcessingJob request model `name`'s execution would send."""
    result = evaluated_requests(definition(outputs, name), execution_input, execution)
    assert result["status"] == "SUCCEEDED", result
    return result["output"]["jobs"]


def run_input(**overrides) -> dict:
    return {
        "input_uri": "s3://in-bucket/batch/",
        "output_uri": "s3://out-bucket/result/",
    } | overrides


def test_every_definition_is_valid_asl(three_step, mixed):
    for outputs in (three_step, mixed):
        for text in outputs["definitions"].values():
            assert_valid_asl(text)


def test_three_steps_in_order_with_images_entrypoints_and_code(three_step):
    tasks = dict(task_states(definition(three_step, "iris")))
    assert list(tasks) == ["Preprocessing", "Inference", "Postprocessing"]
    for name, state in tasks.items():
        parameters = state["Parameters"]
        assert state["Resource"] == SAGEMAKER_TASK
        assert parameters["RoleArn"] == role_arn("iris")
        inputs = {item["InputName"]: item["S3Input"] for item in parameters["ProcessingInputs"]}
        if name == "Inference":
            assert parameters["AppSpecification"] == {
                "ImageUri": model_image("iris"),
                "ContainerEntrypoint": ["python3", "/opt/ml/code/predict.py"],
            }
            assert set(inputs) == {"data"}
        else:
            step = name.lower()
            assert parameters["AppSpecification"] == {
                "ImageUri": FRAMEWORK_IMAGE,
                "ContainerEntrypoint": ["python3", f"/opt/ml/processing/input/code/{step}.py"],
            }
            assert inputs["code"]["S3Uri"] == code_uris("iris")[step]
            assert inputs["code"]["LocalPath"] == "/opt/ml/processing/input/code"
        assert inputs["data"]["LocalPath"] == "/opt/ml/processing/input/data"
        assert (inputs["data"]["S3DataType"], inputs["data"]["S3InputMode"]) == ("S3Prefix", "File")
        (output,) = parameters["ProcessingOutputConfig"]["Outputs"]
        assert output["S3Output"]["LocalPath"] == "/opt/ml/processing/output"
        assert output["S3Output"]["S3UploadMode"] == "EndOfJob"


def test_data_flows_through_the_run_prefix(three_step):
    jobs = requests(three_step, "iris", run_input(), "run-42")
    run = "s3://legacylift-dev-data/iris/runs/run-42/"

    def uris(step):
        request = jobs[step]
        data = next(i for i in request["ProcessingInputs"] if i["InputName"] == "data")
        return data["S3Input"]["S3Uri"], request["ProcessingOutputConfig"]["Outputs"][0][
            "S3Output"
        ]["S3Uri"]

    assert uris("Preprocessing") == ("s3://in-bucket/batch/", run + "preprocessing/")
    assert uris("Inference") == (run + "preprocessing/", run + "inference/")
    assert uris("Postprocessing") == (run + "inference/", "s3://out-bucket/result/")


def test_defaults_and_per_run_overrides(three_step):
    def settings(jobs):
        return {
            step: (
                request["ProcessingResources"]["ClusterConfig"]["InstanceType"],
                request["ProcessingResources"]["ClusterConfig"]["VolumeSizeInGB"],
                request["StoppingCondition"]["MaxRuntimeInSeconds"],
            )
            for step, request in jobs.items()
        }

    pinned = settings(requests(three_step, "iris", run_input(), "pinned"))
    assert set(pinned.values()) == {("ml.m5.xlarge", 30, 3600)}
    overridden = settings(
        requests(
            three_step,
            "iris",
            run_input(instance_type="ml.g4dn.xlarge", volume_size=200, max_runtime=600),
            "overridden",
        )
    )
    assert set(overridden.values()) == {("ml.g4dn.xlarge", 200, 600)}
    partly = settings(requests(three_step, "iris", run_input(volume_size=75), "partly"))
    assert set(partly.values()) == {("ml.m5.xlarge", 75, 3600)}


@pytest.mark.parametrize(
    "bad_input",
    [
        {"input_uri": "s3://in/"},
        {"output_uri": "s3://out/"},
        run_input(input_uri="/home/me/data"),
        run_input(instance_type="m5.large"),
        run_input(volume_size="big"),
        run_input(max_runtime=0),
    ],
)
def test_invalid_execution_input_fails_with_a_clear_error(three_step, bad_input):
    result = evaluated_requests(definition(three_step, "iris"), bad_input, "bad")
    assert result["status"] == "FAILED"
    assert result["error"] == "LegacyLift.InvalidInput"
    assert "input_uri" in result["cause"]


@pytest.mark.parametrize(
    ("override", "accepted"),
    [
        ({"volume_size": 1}, True),  # the lowest size, at the bound
        ({"volume_size": 0}, False),  # just below
        ({"volume_size": 16384}, True),  # the highest, at the bound
        ({"volume_size": 16385}, False),  # just above
        ({"volume_size": "30"}, False),  # a numeric string is no number
        ({"max_runtime": 1}, True),
        ({"max_runtime": 777600}, True),
        ({"max_runtime": 777601}, False),
    ],
)
def test_run_overrides_are_accepted_up_to_their_documented_bounds(three_step, override, accepted):
    """volume_size 1..16384 GB and max_runtime 1..777600 s (the execution input's documented
    ranges, SageMaker's own limits) at, just below and just above each bound. Planted bug (the
    upper bound checked with NumericLessThan): a 16384 GB volume is refused; red."""
    result = evaluated_requests(definition(three_step, "iris"), run_input(**override), "bound")
    if not accepted:
        assert (result["status"], result["error"]) == ("FAILED", "LegacyLift.InvalidInput")
        return
    assert result["status"] == "SUCCEEDED", result
    ((key, value),) = override.items()
    field = {
        "volume_size": ("ProcessingResources", "ClusterConfig", "VolumeSizeInGB"),
        "max_runtime": ("StoppingCondition", "MaxRuntimeInSeconds"),
    }[key]
    for request in result["output"]["jobs"].values():
        for part in field:
            request = request[part]
        assert request == value


def test_requests_match_sagemakers_api_model(three_step, mixed):
    """botocore's SageMaker service model is the reference for the request shape."""
    import botocore.session
    from botocore.validate import ParamValidator

    model = botocore.session.get_session().get_service_model("sagemaker")
    shape = model.operation_model("CreateProcessingJob").input_shape
    checked = 0
    for outputs in (three_step, mixed):
        for name in outputs["definitions"]:
            for request in requests(outputs, name, run_input(), "api-check").values():
                report = ParamValidator().validate(request, shape)
                assert not report.has_errors(), report.generate_report()
                checked += 1
    assert checked == 3 + 3 + 1 + 2 + 3 + 3


def test_a_failed_job_fails_its_own_task(mixed):
    """Step Functions' redrive restarts the state the execution failed in: every processing-job
    Task is that state itself (no Catch, so no Fail state a redrive would restart and fail in
    again), while the API's transient exceptions are still retried in place.

    Planted bug (tests/planted_bugs.py `job-failure-caught-into-fail-state`): the Task's failure
    caught into a Fail state."""
    checked = []
    for name in mixed["definitions"]:
        document = definition(mixed, name)
        checked += uncaught_job_tasks(document)
    assert len(checked) >= len(mixed["definitions"])


def test_definitions_are_refused_as_express(three_step):
    """.sync integrations need the STANDARD type; the EXPRESS rules reject the definition."""
    from tests.workflow.asl_validation import asl_errors

    errors = asl_errors(three_step["definitions"]["iris"], express=True)
    assert any("sync" in error for error in errors), errors


def test_dynamic_values_use_dollar_keys_and_static_ones_do_not(mixed):
    def walk(value, path=""):
        if isinstance(value, dict):
            for key, item in value.items():
                if key.endswith(".$"):
                    assert isinstance(item, str) and item.startswith(("$", "States.")), path + key
                else:
                    assert not (
                        isinstance(item, str) and item.startswith(("$.", "$$.", "States."))
                    ), f"{path}{key} looks dynamic but has no .$ suffix: {item}"
                    walk(item, f"{path}{key}.")
        elif isinstance(value, list):
            for item in value:
                walk(item, path)

    for name in mixed["definitions"]:
        for _, state in task_states(definition(mixed, name)):
            walk(state["Parameters"])
            assert state["Parameters"]["ProcessingJobName.$"].startswith("States.Format(")


def test_single_step_model_renders_a_single_step_workflow(mixed):
    document = definition(mixed, "single")
    tasks = task_states(document)
    assert [name for name, _ in tasks] == ["Inference"]
    assert not {"Preprocessing", "Postprocessing"} & set(document["States"])
    jobs = requests(mixed, "single", run_input(), "one")
    request = jobs["Inference"]
    assert request["ProcessingInputs"][0]["S3Input"]["S3Uri"] == "s3://in-bucket/batch/"
    assert request["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"] == (
        "s3://out-bucket/result/"
    )


def test_step_settings_fall_back_step_then_model_then_module(mixed):
    jobs = requests(mixed, "tuned", run_input(), "tuned-run")
    assert list(jobs) == ["Preprocessing", "Inference"]
    pre, inf = jobs["Preprocessing"], jobs["Inference"]
    # preprocessing runs its script in the model's own image: no code input
    assert pre["AppSpecification"] == {
        "ImageUri": model_image("tuned"),
        "ContainerEntrypoint": ["python3", "/opt/ml/code/preprocessing.py"],
    }
    assert [i["InputName"] for i in pre["ProcessingInputs"]] == ["data"]
    assert pre["ProcessingResources"]["ClusterConfig"]["InstanceType"] == "ml.m5.large"  # step
    assert pre["ProcessingResources"]["ClusterConfig"]["VolumeSizeInGB"] == 100  # model default
    assert pre["StoppingCondition"]["MaxRuntimeInSeconds"] == 7200  # step
    assert inf["ProcessingResources"]["ClusterConfig"]["InstanceType"] == "ml.c5.2xlarge"
    assert inf["StoppingCondition"]["MaxRuntimeInSeconds"] == 3600  # module default
    assert pre["Environment"] == {"LOG_LEVEL": "info", "TEMPLATE": TEMPLATE_LOOKALIKE}
    assert inf["Environment"] == {"OMP_NUM_THREADS": "1"}
    assert pre["NetworkConfig"] == {"EnableNetworkIsolation": False}  # network = true
    assert inf["NetworkConfig"] == {"EnableNetworkIsolation": True}  # off by default
    # the last of a subset writes the execution's output
    assert inf["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"] == (
        "s3://out-bucket/result/"
    )


def test_unbuilt_model_has_no_workflow_but_keeps_its_layout(mixed):
    assert "unbuilt" not in mixed["definitions"]
    assert "unbuilt" not in mixed["state_machine_names"]
    assert "unbuilt" not in mixed["state_machine_policies"]
    assert mixed["s3_layout"]["models"]["unbuilt"]["runs"] == (
        "s3://legacylift-dev-data/unbuilt/runs/"
    )
    assert mixed["state_machine_names"]["iris"] == f"{LONG_PREFIX}-iris"


def test_job_names_fit_sagemaker_for_the_longest_names(mixed):
    prefixes = mixed["job_name_prefixes"]
    assert len(set(prefixes.values())) == len(prefixes)
    seen = set()
    for name in (LONG_A, LONG_B, "iris"):
        for execution in (LONGEST_EXECUTION, "x"):
            for request in requests(mixed, name, run_input(), execution).values():
                job = request["ProcessingJobName"]
                assert len(job) <= 63 and JOB_NAME.match(job), job
                assert job.startswith(prefixes[name] + "-")
                assert job not in seen
                seen.add(job)
    assert len(seen) == 2 * (3 + 3 + 3)
    assert len(f"{LONG_PREFIX}-{LONG_A}-pre-") + 12 > 63  # the case truncation must handle


def test_execution_role_names_fit_iam_for_the_longest_names(mixed):
    """One role per built model, distinct, within IAM's 64 characters (role names follow the
    job name prefixes, which the longest names truncate and hash)."""
    names = mixed["sagemaker_role_names"]
    assert LONG_A in names and LONG_B in names and "unbuilt" not in names
    assert len(set(names.values())) == len(names)
    assert all(len(name) <= 64 for name in names.values()), names


def test_template_lookalikes_in_values_come_through_verbatim(mixed):
    text = mixed["definitions"]["tuned"]
    assert json.dumps(TEMPLATE_LOOKALIKE)[1:-1] in text
