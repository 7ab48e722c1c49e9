"""Conformance with Task states: the same definitions run in our interpreter and in moto's, each
Task calling one integration both sides implement (the AWS SDK integration for S3 listObjectsV2,
putObject and getObject) against one bucket in moto's S3: ours through the local engine's S3
tasks over boto3 (moto in process answers it), moto's through its own SDK integration. Each
Task's result (a listing, an ETag) differs from its input, so a field reading one where the
other is meant (ResultSelector, ResultPath, OutputPath) shows.

moto 5.2.5 evaluates neither JSONata nor variables (see tests/local/test_asl_conformance.py):
the JSONata Task fields (`$states.input` vs `$states.result` in Output, Assign) are checked
against AWS's documentation in tests/local/test_jsonata_task_output.py instead.
"""

from __future__ import annotations

import copy
import logging

import boto3
import pytest

from legacylift.local.asl.interpreter import Execution
from legacylift.local.datasources import DataSources
from legacylift.local.s3_tasks import S3Tasks
from legacylift.local.settings import LocalSettings
from tests.local.sfn_oracle import MotoStepFunctions

BUCKET = "conformance-tasks"
LIST = "arn:aws:states:::aws-sdk:s3:listObjectsV2"
PUT = "arn:aws:states:::aws-sdk:s3:putObject"
GET = "arn:aws:states:::aws-sdk:s3:getObject"
INPUT = {"bucket": BUCKET, "prefix": "in/", "text": "hello", "keep": 1}
SDK_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html"


def _task(resource, parameters, **fields):
    return {"Type": "Task", "Resource": resource, "Parameters": parameters, **fields}


LISTING = {"Bucket.$": "$.bucket", "Prefix.$": "$.prefix"}
SELECT = {"keys.$": "$.Contents[*].Key", "count.$": "$.KeyCount", "sizes.$": "$.Contents[*].Size"}

CASES = [
    (
        "result-selector-into-result-path",
        {
            "StartAt": "T",
            "States": {
                "T": _task(LIST, LISTING, ResultSelector=SELECT, ResultPath="$.listed", End=True)
            },
        },
    ),
    (
        "raw-result-replaces-the-input",
        {"StartAt": "T", "States": {"T": _task(LIST, LISTING, OutputPath="$.KeyCount", End=True)}},
    ),
    (
        "result-path-null-keeps-the-input",
        {"StartAt": "T", "States": {"T": _task(LIST, LISTING, ResultPath=None, End=True)}},
    ),
    (
        "output-path-after-result-path",
        {
            "StartAt": "T",
            "States": {
                "T": _task(
                    LIST,
                    LISTING,
                    ResultSelector=SELECT,
                    ResultPath="$.listed",
                    OutputPath="$.listed.keys",
                    End=True,
                )
            },
        },
    ),
    (
        "put-result-beside-the-input",
        {
            "StartAt": "T",
            "States": {
                "T": _task(
                    PUT,
                    {"Bucket.$": "$.bucket", "Key": "out/x.txt", "Body.$": "$.text"},
                    ResultSelector={"etag.$": "$.ETag"},
                    ResultPath="$.put",
                    End=True,
                )
            },
        },
    ),
    (
        "parameters-from-the-context",
        {
            "StartAt": "T",
            "States": {
                "T": _task(
                    LIST,
                    {"Bucket.$": "$.bucket", "Prefix.$": "States.Format('{}/', $$.State.Name)"},
                    ResultSelector={"count.$": "$.KeyCount"},
                    End=True,
                )
            },
        },
    ),
]

# case id -> (AWS's documented outcome, where documented and how moto differs).
DOCUMENTED = {
    "missing-key-caught": (
        {
            "status": "SUCCEEDED",
            "output": {"error": "S3.NoSuchKeyException", "keep": 1},
            "error": None,
            "cause": None,
        },
        f"{SDK_DOC}: an AWS SDK integration's errors are the service name, a dot and the "
        "exception (S3.NoSuchKeyException); moto names it s3.NoSuchKeyException",
    ),
}
CASES.append(
    (
        "missing-key-caught",
        {
            "StartAt": "T",
            "States": {
                "T": _task(
                    GET,
                    {"Bucket.$": "$.bucket", "Key": "in/none.csv"},
                    Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "C"}],
                    End=True,
                ),
                "C": {
                    "Type": "Pass",
                    "Parameters": {"error.$": "$.error.Error", "keep.$": "$.keep"},
                    "End": True,
                },
            },
        },
    )
)


@pytest.fixture(scope="module")
def moto_sfn():
    """moto in process, with the bucket both interpreters' Tasks read and write."""
    logging.getLogger("moto").setLevel(logging.CRITICAL)
    with MotoStepFunctions() as oracle:
        s3 = boto3.client(
            "s3",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        s3.create_bucket(Bucket=BUCKET)
        for key, body in (("in/a.csv", b"1"), ("in/b.csv", b"22"), ("T/c.csv", b"333")):
            s3.put_object(Bucket=BUCKET, Key=key, Body=body)
        yield oracle


@pytest.fixture
def ours(moto_sfn, tmp_path, monkeypatch):
    """Our interpreter with the local engine's S3 tasks, reaching moto's S3 through boto3."""
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(key, value)
    settings = LocalSettings(
        object_store=tmp_path / "unused",
        jobs_dir=tmp_path / "jobs",
        s3_endpoint_url="https://s3.amazonaws.com",
        region="us-east-1",
    )
    tasks = S3Tasks(DataSources(settings))

    def run(definition, execution_input):
        result = Execution(definition, execution_input, task_runner=tasks, time_scale=0.01).run()
        return {
            "status": result.status,
            "output": result.output if result.status == "SUCCEEDED" else None,
            "error": result.error,
            "cause": result.cause,
        }

    return run


@pytest.mark.parametrize(("case_id", "definition"), CASES, ids=[c[0] for c in CASES])
def test_task_fields_give_the_same_outcome_as_moto(moto_sfn, ours, case_id, definition):
    """Planted bug (a Task's ResultSelector skipped: ResultPath places the raw result): four
    Task cases differ from moto; red."""
    mine = ours(copy.deepcopy(definition), copy.deepcopy(INPUT))
    theirs = moto_sfn.run(copy.deepcopy(definition), copy.deepcopy(INPUT))
    assert mine["status"] == "SUCCEEDED", mine
    if case_id in DOCUMENTED:
        documented, citation = DOCUMENTED[case_id]
        assert mine == documented, f"{case_id}: differs from AWS's documented {citation}"
        assert mine != theirs, f"{case_id}: moto now agrees; move it out of DOCUMENTED"
        return
    assert mine == theirs
