"""Conformance: each pure-state definition gives the same outcome in our interpreter and in
moto's Step Functions interpreter (LocalStack-derived), except where AWS's documentation says
moto is wrong; those cases assert the documented behaviour and cite it."""

from __future__ import annotations

import logging

import pytest

from legacylift.local.asl.interpreter import Execution
from tests.local.asl_cases import CASES
from tests.local.sfn_oracle import MotoStepFunctions

ERRORS_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html"
CONTEXT_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html"
INTRINSICS_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html"
CHOICE_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html"

# case id -> (what AWS documents, where, the fields that must equal it)
DOCUMENTED = {
    "format": (
        {"status": "SUCCEEDED", "output": {"s": "Hello Ada, 3 and {}"}},
        f"{INTRINSICS_DOC}: reserved characters ' {{ }} \\ are escaped with a backslash "
        "(moto crashes with KeyError on \\{)",
    ),
    "array-getitem-out-of-range": (
        {"status": "FAILED", "error": "States.IntrinsicFailure"},
        f"{ERRORS_DOC}: States.IntrinsicFailure, an intrinsic function failed within a payload "
        "template (moto reports a Python IndexError as States.Runtime)",
    ),
    "choice-no-match": (
        {"status": "FAILED", "error": "States.NoChoiceMatched"},
        f"{ERRORS_DOC}: States.NoChoiceMatched, a Choice state failed to match any rule and has "
        "no Default (moto raises a Python RuntimeError as States.Runtime)",
    ),
    "choice-missing-variable": (
        {"status": "FAILED", "error": "States.Runtime"},
        f"{CHOICE_DOC}: comparing a Variable that is not in the input is a runtime error; guard "
        "it with IsPresent (moto silently takes the Default)",
    ),
    "map-not-an-array": (
        {"status": "FAILED", "error": "States.QueryEvaluationError"},
        "same error as moto; only the cause's type name differs (moto prints Python's "
        "<class 'dict'>, we print the JSON type 'object')",
    ),
    "runtime-error-not-caught": (
        {"status": "FAILED", "error": "States.Runtime"},
        f"{ERRORS_DOC}: States.ALL cannot catch States.Runtime; the execution fails (moto "
        "crashes re-raising it from the branch)",
    ),
}


@pytest.fixture(scope="module")
def moto_sfn():
    logging.getLogger("moto").setLevel(logging.CRITICAL)  # its interpreter logs every failure
    with MotoStepFunctions() as oracle:
        yield oracle


def ours(definition, execution_input) -> dict:
    result = Execution(definition, execution_input, time_scale=0.01).run()
    return {
        "status": result.status,
        "output": result.output if result.status == "SUCCEEDED" else None,
        "error": result.error,
        "cause": result.cause,
    }


def test_at_least_forty_definitions():
    assert len(CASES) >= 40
    assert len({case_id for case_id, _, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(
    ("case_id", "definition", "execution_input"), CASES, ids=[c[0] for c in CASES]
)
def test_same_outcome_as_moto(moto_sfn, case_id, definition, execution_input):
    mine = ours(definition, execution_input)
    theirs = moto_sfn.run(definition, execution_input)
    if case_id in DOCUMENTED:
        documented, citation = DOCUMENTED[case_id]
        for key, value in documented.items():
            assert mine[key] == value, f"{case_id}: {key} differs from AWS's documented {citation}"
        assert mine != theirs, f"{case_id}: moto now agrees; move it out of DOCUMENTED"
        return
    assert mine == theirs
