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
