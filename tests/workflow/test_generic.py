"""The generic workflow: the original pattern's execution input, evaluated in moto's interpreter."""

from __future__ import annotations

import json

import pytest

from tests.workflow.asl_evaluation import evaluated_requests
from tests.workflow.asl_validation import assert_valid_asl
from tests.workflow.conftest import FRAMEWORK_IMAGE, ROLE_ARN, base_vars

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
        "RoleArn": ROLE_ARN,
    },
    "Inference": {
        "ProcessingJobName": "sm-inf-job-0211-1156",
        "InputUri": {"S3Uri": f"{BUCKET}/data/predict/input/"},
        "OutputUri": {"S3Uri": f"{BUCKET}/data/postproc/input/"},
        "InstanceType": "ml.c5.2xlarge",
        "VolumeSizeInGB": 40,
        "MaxRuntimeInSeconds": 7200,
        "ImageUri": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/sagemakerstudio:latest",
        "RoleArn": ROLE_ARN,
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
        "RoleArn": ROLE_ARN,
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
    assert request["RoleArn"] == ROLE_ARN
    assert request["ProcessingResources"]["ClusterConfig"]["InstanceType"] == "ml.m5.xlarge"
    assert request["ProcessingResources"]["ClusterConfig"]["VolumeSizeInGB"] == 30
    assert request["StoppingCondition"]["MaxRuntimeInSeconds"] == 3600  # the pattern's default


def test_a_single_step_input_runs_a_single_step(generic):
    only_inference = {"Inference": ORIGINAL_INPUT["Inference"]}
    assert list(run(generic, only_inference)) == ["Inference"]


def test_empty_input_fails_clearly(generic):
    result = evaluated_requests(generic[1], {}, "empty")
    assert (result["status"], result["error"]) == ("FAILED", "LegacyLift.InvalidInput")
