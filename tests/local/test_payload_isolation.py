"""A state's input/output pipeline never changes the document it was given.

Step Functions passes JSON text between states: a state's output cannot alias its input. The
interpreter passes Python objects, so ResultPath, a Catcher's ResultPath and Parameters must
build new documents. Planted bug: `jsonpath.put` placing the result into the caller's document
instead of a copy; every ResultPath case here turns red.
"""

from __future__ import annotations

import copy

import pytest

from legacylift.local.asl import payload
from legacylift.local.asl.errors import StatesError
from legacylift.local.asl.interpreter import Execution

RAW = {"input_uri": "s3://b/in/", "jobs": {"Pre": {"status": "Completed"}}, "list": [1, {"x": 2}]}


@pytest.mark.parametrize(
    "path", ["$.jobs.Inf", "$.jobs.Pre.status", "$.new.deep.key", "$.list[1].x"]
)
def test_result_path_returns_a_new_document(path):
    raw = copy.deepcopy(RAW)
    document = payload.result_path({"ResultPath": path}, raw, {"result": 1})
    assert raw == RAW
    assert document != raw
    document["jobs"]["Pre"]["status"] = "changed"  # the output shares nothing with the input
    document["list"][1]["x"] = "changed"
    assert raw == RAW


def test_catcher_result_path_leaves_the_raw_input_alone():
    raw = copy.deepcopy(RAW)
    info = payload.error_info(StatesError("E", "cause"))
    output = payload.result_path({"ResultPath": "$.error"}, raw, info)
    assert output["error"] == {"Error": "E", "Cause": "cause"}
    assert raw == RAW and "error" not in raw


def test_execution_input_is_unchanged_by_a_run():
    """A Pass with ResultPath, a Parameters copy of `$`, and a Task-free Choice in between:
    the caller's input object is the same after the run."""
    definition = {
        "StartAt": "Add",
        "States": {
            "Add": {
                "Type": "Pass",
                "Result": {"n": 1},
                "ResultPath": "$.jobs.Added",
                "Next": "Copy",
            },
            "Copy": {
                "Type": "Pass",
                "Parameters": {"whole.$": "$"},
                "ResultPath": "$.copy",
                "Next": "Edit",
            },
            "Edit": {
                "Type": "Pass",
                "Result": "edited",
                "ResultPath": "$.copy.whole.input_uri",
                "End": True,
            },
        },
    }
    given = copy.deepcopy(RAW)
    result = Execution(definition, given).run()
    assert result.status == "SUCCEEDED"
    assert given == RAW
    assert result.output["copy"]["whole"]["input_uri"] == "edited"
    assert result.output["input_uri"] == "s3://b/in/"
    assert result.output["jobs"] == {"Pre": {"status": "Completed"}, "Added": {"n": 1}}
