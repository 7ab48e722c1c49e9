"""The ASL validator itself: it accepts a sound definition and names what is wrong in others."""

from __future__ import annotations

import json

import pytest

from tests.workflow.asl_validation import asl_errors

SOUND = {
    "StartAt": "Check",
    "States": {
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "Work"}],
            "Default": "Stop",
        },
        "Work": {
            "Type": "Pass",
            "Parameters": {"name.$": "States.Format('job-{}', States.UUID())"},
            "End": True,
        },
        "Stop": {"Type": "Fail", "Error": "Custom.Stop", "Cause": "no x"},
    },
}


def broken(change) -> str:
    definition = json.loads(json.dumps(SOUND))
    change(definition)
    return json.dumps(definition)


def test_sound_definition_passes():
    assert asl_errors(json.dumps(SOUND)) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["States"]["Work"].pop("End"), "'Work' has neither Next nor End"),
        (
            lambda d: d["States"]["Work"]["Parameters"].update({"x.$": "States.Bogus(1)"}),
            "StatesFunctionName",
        ),
        (lambda d: d["States"]["Check"].update({"Default": "Nowhere"}), "missing state 'Nowhere'"),
        (lambda d: d["States"].update({"Orphan": {"Type": "Succeed"}}), "'Orphan' is unreachable"),
        # A Wait needs Seconds, SecondsPath, Timestamp or TimestampPath (moto's wording).
        (lambda d: d["States"]["Work"].update({"Type": "Wait"}), "Undefined WaitFunction"),
    ],
)
def test_broken_definitions_are_named(change, expected):
    assert expected, "an empty expectation matches any error"
    errors = asl_errors(broken(change))
    assert errors and expected in " ".join(errors), errors


def _batched(batcher, mode="DISTRIBUTED") -> str:
    """A Map over an S3 listing with `batcher` as its ItemBatcher."""
    processor = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    processor["ProcessorConfig"] = {"Mode": mode, "ExecutionType": "STANDARD"}
    if mode != "DISTRIBUTED":
        processor["ProcessorConfig"] = {"Mode": mode}
    state = {"Type": "Map", "ItemBatcher": batcher, "ItemProcessor": processor, "End": True}
    return json.dumps({"StartAt": "M", "States": {"M": state}})


def test_item_batcher_fields_aws_documents_pass():
    """moto's grammar has no ItemBatcher: the validator checks AWS's documented fields."""
    assert asl_errors(_batched({"MaxItemsPerBatch": 3, "BatchInput": {"a.$": "$.a"}})) == []
    assert asl_errors(_batched({"MaxInputBytesPerBatchPath": "$.bytes"})) == []


@pytest.mark.parametrize(
    ("batcher", "mode", "expected"),
    [
        ({"MaxItems": 3}, "DISTRIBUTED", "ItemBatcher has ['MaxItems']"),
        ({"BatchInput": {}}, "DISTRIBUTED", "needs a MaxItems or MaxInputBytes field"),
        ({"MaxItemsPerBatch": 3}, "INLINE", "needs a Distributed Map"),
        ([3], "DISTRIBUTED", "must be an object"),
    ],
)
def test_item_batchers_outside_what_aws_documents_are_named(batcher, mode, expected):
    errors = asl_errors(_batched(batcher, mode))
    assert errors and expected in " ".join(errors), errors
