"""The AWS SDK integration for S3 GetObject / PutObject on the local object store, run by the
interpreter as a training workflow uses it: a record written, read back, a missing key caught."""

from __future__ import annotations

import io
import json

import pytest

from legacylift.local.asl.errors import DefinitionError
from legacylift.local.asl.interpreter import Execution
from legacylift.local.datasources import DataSources
from legacylift.local.s3_tasks import COPY, GET, PUT, S3Tasks, TaskRunners
from legacylift.local.settings import LocalSettings

BUCKET = "legacylift-test"
RECORD_KEY = "iris/models/promoted.json"


def machine(*states: tuple[str, dict]) -> dict:
    """A definition running `states` in order."""
    named = dict(states)
    names = list(named)
    for index, name in enumerate(names):
        if named[name]["Type"] in ("Task", "Pass") and "Next" not in named[name]:
            if index + 1 < len(names):
                named[name]["Next"] = names[index + 1]
            else:
                named[name]["End"] = True
    return {"StartAt": names[0], "States": named}


def read_record(next_state: str | None = None) -> dict:
    """ReadPromoted as the training workflow renders it."""
    return {
        "Type": "Task",
        "Resource": GET,
        "Parameters": {"Bucket": BUCKET, "Key": RECORD_KEY},
        "ResultSelector": {"exists": True, "record.$": "States.StringToJson($.Body)"},
        "ResultPath": "$.promoted",
        "Catch": [
            {"ErrorEquals": ["S3.NoSuchKeyException"], "ResultPath": "$.error", "Next": "None"}
        ],
        **({"Next": next_state} if next_state else {}),
    }


@pytest.fixture
def settings(tmp_path) -> LocalSettings:
    return LocalSettings.under(tmp_path / "local")


def run(definition: dict, settings: LocalSettings, execution_input: dict | None = None):
    tasks = TaskRunners(S3Tasks(DataSources(settings)))
    return Execution(definition, execution_input or {}, name="run-1", task_runner=tasks).run()


def test_put_then_get_round_trips_a_json_record(settings):
    definition = machine(
        ("Record", {"Type": "Pass", "Result": {"metric": {"value": 0.97}}, "ResultPath": "$.r"}),
        (
            "Promote",
            {
                "Type": "Task",
                "Resource": PUT,
                "Parameters": {
                    "Bucket": BUCKET,
                    "Key": RECORD_KEY,
                    "Body.$": "States.JsonToString($.r)",
                    "ContentType": "application/json",
                },
                "ResultPath": "$.put",
            },
        ),
        ("ReadPromoted", read_record("Done")),
        ("None", {"Type": "Fail", "Error": "Unexpected"}),
        ("Done", {"Type": "Succeed"}),
    )
    result = run(definition, settings)
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["promoted"] == {"exists": True, "record": {"metric": {"value": 0.97}}}
    assert result.output["put"]["ETag"].startswith('"')
    stored = settings.object_store / BUCKET / RECORD_KEY
    assert json.loads(stored.read_text()) == {"metric": {"value": 0.97}}


def test_a_missing_key_is_no_such_key_and_can_be_caught(settings):
    definition = machine(
        ("ReadPromoted", read_record("Found")),
        ("Found", {"Type": "Fail", "Error": "Unexpected"}),
        ("None", {"Type": "Pass", "Result": {"exists": False}, "ResultPath": "$.promoted"}),
    )
    result = run(definition, settings)
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["error"]["Error"] == "S3.NoSuchKeyException"
    assert result.output["promoted"] == {"exists": False}


def test_a_key_that_only_prefixes_another_is_still_missing(settings):
    """`promoted.json` must not be found as a prefix of `promoted.json.bak`."""
    other = settings.object_store / BUCKET / (RECORD_KEY + ".bak")
    other.parent.mkdir(parents=True)
    other.write_text("{}")
    definition = machine(
        ("ReadPromoted", read_record("Found")),
        ("Found", {"Type": "Fail", "Error": "Unexpected"}),
        ("None", {"Type": "Succeed"}),
    )
    assert run(definition, settings).status == "SUCCEEDED"


def test_uncaught_missing_key_fails_the_execution_with_the_sdk_error_name(settings):
    state = read_record()
    del state["Catch"]
    result = run(machine(("ReadMetric", state)), settings)
    assert result.status == "FAILED"
    assert result.error == "S3.NoSuchKeyException"
    assert RECORD_KEY in result.cause


@pytest.mark.parametrize(
    "resource",
    ["arn:aws:states:::aws-sdk:s3:deleteObject", "arn:aws:states:::aws-sdk:dynamodb:putItem"],
)
def test_other_sdk_integrations_are_refused_up_front_naming_the_state(settings, resource):
    definition = machine(("ListThem", {"Type": "Task", "Resource": resource, "Parameters": {}}))
    with pytest.raises(DefinitionError) as error:
        run(definition, settings)
    message = str(error.value)
    assert "state 'ListThem'" in message and resource in message
    assert "aws-sdk:s3:getObject" in message and "aws-sdk:s3:putObject" in message


@pytest.mark.parametrize(
    ("parameters", "error", "fragment"),
    [
        ({"Bucket": BUCKET, "Key": "k", "Body": {"a": 1}}, "S3.S3Exception", "JsonToString"),
        (
            {"Bucket": BUCKET, "Key": "k", "Body": "x", "Tagging": "a=b"},
            "LegacyLift.NotSupportedLocally",
            "Tagging",
        ),
        ({"Bucket": BUCKET, "Body": "x"}, "S3.S3Exception", "Bucket and Key"),
    ],
)
def test_bad_put_requests_fail_clearly_and_write_nothing(settings, parameters, error, fragment):
    result = run(
        machine(("Put", {"Type": "Task", "Resource": PUT, "Parameters": parameters})), settings
    )
    assert result.status == "FAILED"
    assert result.error == error
    assert fragment in result.cause
    assert not (settings.object_store / BUCKET / "k").exists()


def test_copy_object_copies_bytes_whole_and_a_missing_source_is_no_such_key(settings):
    """CopyObject as the training workflow's sealing runs it: the source's bytes at the new
    key (URL-encoded CopySource decoded); a missing source fails S3.NoSuchKeyException and
    writes nothing.

    Planted bug: the copy written from the source key's text re-encoded (bytes changed): red."""
    sources = DataSources(settings)
    payload = bytes(range(256)) * 3
    sources.put(f"s3://{BUCKET}/iris/models/run-1/artifacts/model one.bin", io.BytesIO(payload))
    copy = {
        "Type": "Task",
        "Resource": COPY,
        "Parameters": {
            "Bucket": BUCKET,
            "CopySource": f"{BUCKET}/iris/models/run-1/artifacts/model%20one.bin",
            "Key": "_sealed/iris/models/run-1/artifacts/model one.bin",
            "ServerSideEncryption": "aws:kms",
        },
        "ResultPath": "$.copied",
    }
    result = run(machine(("Copy", copy)), settings)
    assert result.status == "SUCCEEDED", result.cause
    assert set(result.output["copied"]["CopyObjectResult"]) == {"ETag", "LastModified"}
    sealed = settings.object_store / BUCKET / "_sealed/iris/models/run-1/artifacts/model one.bin"
    assert sealed.read_bytes() == payload
    copy["Parameters"] = {
        **copy["Parameters"],
        "CopySource": f"{BUCKET}/iris/missing.bin",
        "Key": "_sealed/iris/missing.bin",
    }
    failed = run(machine(("Copy", copy)), settings)
    assert failed.status == "FAILED" and failed.error == "S3.NoSuchKeyException"
    assert not (settings.object_store / BUCKET / "_sealed/iris/missing.bin").exists()
