"""Every ASL field that reads a number, given an int, a float of the same value and a numeric
string, in a JSONPath definition: the int runs; a numeric string is refused before anything
runs, with a sentence naming the field (moto's parser, the oracle here, refuses the definition
at CreateStateMachine as AWS's validator does: these fields are JSON numbers, "a positive
integer" or "a number", https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
and https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html); fields
taking any number (BackoffRate, ToleratedFailurePercentage) run with the float too.
The Choice operators across int and float are in test_choice_numbers.py, the tolerances at
their boundary in test_tolerance_boundaries.py."""

from __future__ import annotations

import logging

import pytest
from botocore.exceptions import ClientError

from legacylift.local.asl.errors import DefinitionError
from legacylift.local.asl.interpreter import Execution
from tests.local.sfn_oracle import ROLE, MotoStepFunctions

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
FAIL = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}


def _one(state: dict) -> dict:
    return {"StartAt": "S", "States": {"S": state, "D": {"Type": "Pass", "End": True}}}


def _retry(**fields) -> dict:
    retrier = {"ErrorEquals": ["E"], "MaxAttempts": 1, "IntervalSeconds": 1, **fields}
    return _one(
        {
            "Type": "Parallel",
            "Branches": [FAIL],
            "Retry": [retrier],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "D"}],
            "Next": "D",
        }
    )


def _distributed(**fields) -> dict:
    processor = {**PASS, "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}}
    return _one(
        {"Type": "Map", "ItemsPath": "$.l", "ItemProcessor": processor, "Next": "D", **fields}
    )


# field -> (a definition reading `value` there, whether a float is a valid value).
FIELDS = {
    "Wait.Seconds": (lambda v: _one({"Type": "Wait", "Seconds": v, "Next": "D"}), False),
    "TimeoutSeconds": (lambda v: {"TimeoutSeconds": v, **PASS}, False),
    "Retry.MaxAttempts": (lambda v: _retry(MaxAttempts=v), False),
    "Retry.IntervalSeconds": (lambda v: _retry(IntervalSeconds=v), False),
    "Retry.MaxDelaySeconds": (lambda v: _retry(MaxDelaySeconds=v), False),
    "Retry.BackoffRate": (lambda v: _retry(BackoffRate=v), True),
    "Map.MaxConcurrency": (
        lambda v: _one(
            {
                "Type": "Map",
                "ItemsPath": "$.l",
                "ItemProcessor": PASS,
                "MaxConcurrency": v,
                "Next": "D",
            }
        ),
        False,
    ),
    "Map.ToleratedFailureCount": (lambda v: _distributed(ToleratedFailureCount=v), False),
    "Map.ToleratedFailurePercentage": (lambda v: _distributed(ToleratedFailurePercentage=v), True),
}
INPUT = {"l": [1, 2]}


@pytest.fixture(scope="module")
def moto_sfn():
    logging.getLogger("moto").setLevel(logging.CRITICAL)
    with MotoStepFunctions() as oracle:
        yield oracle


def _moto_accepts(oracle, definition) -> bool:
    import json

    try:
        oracle.client.create_state_machine(
            name="numbers", definition=json.dumps(definition), roleArn=ROLE
        )
    except ClientError:
        return False
    oracle.client.delete_state_machine(
        stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:numbers"
    )
    return True


# Where moto 5.2.5's parser departs from AWS (checked, so a change in moto shows): its grammar
# takes ToleratedFailurePercentage only with a decimal point; AWS's own Distributed Map examples
# write it as an integer (https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html).
MOTO_REFUSES_INTS = {"Map.ToleratedFailurePercentage"}


@pytest.mark.parametrize("field", FIELDS)
def test_a_number_field_runs_with_an_int(moto_sfn, field):
    definition = FIELDS[field][0](1)
    assert _moto_accepts(moto_sfn, definition) is (field not in MOTO_REFUSES_INTS)
    result = Execution(definition, INPUT, time_scale=0.001).run()
    assert result.status == "SUCCEEDED", result.cause


@pytest.mark.parametrize("field", [f for f, (_, floats) in FIELDS.items() if floats])
def test_a_field_taking_any_number_runs_with_a_float(moto_sfn, field):
    definition = FIELDS[field][0](1.0)
    assert _moto_accepts(moto_sfn, definition)
    result = Execution(definition, INPUT, time_scale=0.001).run()
    assert result.status == "SUCCEEDED", result.cause


# Fields the interpreter reads at run time, where it takes a numeric string as its number
# (legacylift/local/asl/numeric_fields.py), while moto's parser refuses the definition: which
# of the two AWS does for a literal string was not observed here, so these only must not crash.
READ_AT_RUN_TIME = {
    "Wait.Seconds",
    "Map.MaxConcurrency",
    "Map.ToleratedFailureCount",
    "Map.ToleratedFailurePercentage",
}


@pytest.mark.parametrize("field", sorted(set(FIELDS) - READ_AT_RUN_TIME))
def test_a_numeric_string_is_refused_before_anything_runs(moto_sfn, field):
    """The bug it catches: a numeric string taken as it is, reaching arithmetic (a Python
    TypeError out of TimeoutSeconds, Retry MaxAttempts or BackoffRate) instead of a
    DefinitionError naming the field before anything runs, as AWS refuses the definition."""
    definition = FIELDS[field][0]("1")
    assert not _moto_accepts(moto_sfn, definition)
    with pytest.raises(DefinitionError, match=field.rsplit(".", 1)[-1]):
        Execution(definition, INPUT, time_scale=0.001)


@pytest.mark.parametrize("field", sorted(READ_AT_RUN_TIME))
def test_a_numeric_string_read_at_run_time_never_crashes(moto_sfn, field):
    """A numeric string where the interpreter reads the number at run time: refused up front,
    run as its number, or failed with States.Runtime; never a Python error out of the run."""
    definition = FIELDS[field][0]("1")
    assert not _moto_accepts(moto_sfn, definition)
    try:
        result = Execution(definition, INPUT, time_scale=0.001).run()
    except DefinitionError as refused:
        assert field.rsplit(".", 1)[-1] in str(refused)
        return
    assert result.status == "SUCCEEDED" or result.error == "States.Runtime", result
