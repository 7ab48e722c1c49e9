"""Shared locations and the generic workflow's code: the data bucket refused as an extra or
chained location (a plan refusal), the generic role unable to change the code its callers' runs
load (the IAM evaluator over the rendered policy) and the generic input check refusing code
from wherever a generic job may write (the rendered definition run in moto)."""

from __future__ import annotations

import json

import pytest

from tests.iam_evaluation import EXPLICIT_DENY, Request, allowed, decide
from tests.workflow.asl_evaluation import evaluated_requests
from tests.workflow.conftest import GENERIC_ROLE_ARN, base_vars, model_entry

DATA = "legacylift-dev-data"
TEAM = "s3://team-bucket/legacycode/"


@pytest.mark.parametrize(
    "setting",
    [
        {"extra_input_s3_uris": [f"s3://{DATA}/"]},
        {"extra_output_s3_uris": [f"s3://{DATA}/iris/"]},
        {"generic_s3_uris": [f"s3://{DATA}/_generic/code/"]},
        {"extra_input_s3_uris": [f"s3://{DATA}"]},
    ],
)
def test_the_data_bucket_is_refused_as_a_shared_location(workflow, setting):
    """Planted bug: the shared_locations check removed (every model role then got
    `PutObject <data bucket>/*` through extra_output_s3_uris): red."""
    variables = base_vars({"iris": model_entry("iris")}, enable_generic_workflow=True, **setting)
    message = " ".join(workflow.render_error(variables).split())
    assert "may not name the data bucket legacylift-dev-data" in message, message
    assert "name a prefix in another bucket" in message


@pytest.fixture(scope="module")
def generic(workflow):
    outputs = workflow.render(
        base_vars(
            {},
            enable_generic_workflow=True,
            generic_s3_uris=[TEAM],
            extra_input_s3_uris=["s3://models-bucket/released/"],
        )
    )
    return json.loads(outputs["generic_sagemaker_policy"]), json.loads(
        outputs["generic_definition"]
    )


def s3(key: str) -> str:
    return f"arn:aws:s3:::{DATA}/{key}"


def test_the_generic_role_reads_but_never_writes_its_code_area(generic):
    """Planted bug: the GenericCodeIsReadOnly Deny removed (a caller's job could replace the
    scripts other callers' runs load): red."""
    policy, _ = generic
    assert allowed(policy, "s3:GetObject", s3("_generic/code/team-a/preprocessing.py"))
    assert allowed(policy, "s3:PutObject", s3("_generic/chain/part-0.csv"))
    for action in ("s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"):
        request = Request(action, s3("_generic/code/team-a/preprocessing.py"))
        assert decide(policy, request) == EXPLICIT_DENY, action


def step(code_uri: str) -> dict:
    return {
        "InputUri": {"S3Uri": f"s3://{DATA}/_generic/in/"},
        "OutputUri": {"S3Uri": f"s3://{DATA}/_generic/out/"},
        "CodeUri": {"S3Uri": code_uri},
        "RoleArn": GENERIC_ROLE_ARN,
    }


@pytest.mark.parametrize(
    ("code_uri", "accepted"),
    [
        (f"s3://{DATA}/_generic/code/team-a/", True),
        ("s3://models-bucket/released/scripts/", True),  # read-only to every job
        (f"s3://{DATA}/_generic/chain/scripts/", False),  # a generic job's output
        (f"{TEAM}scripts/", False),  # generic_s3_uris: generic jobs write there
    ],
)
def test_the_generic_input_check_refuses_code_a_generic_job_may_write(generic, code_uri, accepted):
    """Planted bug: the CodeUri check left out of ValidateInput: red."""
    _, definition = generic
    result = evaluated_requests(definition, {"PreProcessing": step(code_uri)}, "code-check")
    if accepted:
        assert result["status"] == "SUCCEEDED", result
    else:
        assert result["status"] == "FAILED"
        assert result["error"] == "LegacyLift.InvalidInput"
