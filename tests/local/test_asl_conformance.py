"""Conformance: each pure-state definition gives the same outcome in our interpreter and in
moto's Step Functions interpreter (LocalStack-derived), except where AWS's documentation says
moto is wrong; those cases assert the documented behaviour and cite it."""

from __future__ import annotations

import copy
import logging

import pytest

from legacylift.local.asl.interpreter import Execution
from tests.local.asl_cases import CASES
from tests.local.sfn_oracle import MotoStepFunctions

ERRORS_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html"
CONTEXT_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html"
INTRINSICS_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html"
CHOICE_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html"
ITEMS_PATH_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemspath.html"
LOCATED = "An error occurred while executing the state '{}' (entered at the event id #{}). "

# case id -> (the outcome, cause included, that must equal ours; the page documenting it and how
# moto differs). AWS documents the status, output and error name; where it documents no cause
# wording, the cause is ours, in the form AWS's own causes take (the state and event it occurred
# in, then the reason), and the citation says so.
DOCUMENTED = {
    "format": (
        {
            "status": "SUCCEEDED",
            "output": {"s": "Hello Ada, 3 and {}"},
            "error": None,
            "cause": None,
        },
        f"{INTRINSICS_DOC}: reserved characters ' {{ }} \\ are escaped with a backslash "
        "(moto crashes with KeyError on \\{)",
    ),
    "array-getitem-out-of-range": (
        {
            "status": "FAILED",
            "error": "States.IntrinsicFailure",
            "cause": "ArrayGetItem index 5 is out of bounds (length 1)",
        },
        f"{ERRORS_DOC}: States.IntrinsicFailure, an intrinsic function failed within a payload "
        "template (moto reports a Python IndexError as States.Runtime); cause wording ours",
    ),
    "choice-no-match": (
        {
            "status": "FAILED",
            "error": "States.NoChoiceMatched",
            "cause": "No Choice Rules matched in the Choice state 'C'",
        },
        f"{ERRORS_DOC}: States.NoChoiceMatched, a Choice state failed to match any rule and has "
        "no Default (moto raises a Python RuntimeError as States.Runtime); cause wording ours",
    ),
    "choice-missing-variable": (
        {
            "status": "FAILED",
            "error": "States.Runtime",
            "cause": LOCATED.format("C", 2) + "Invalid path '$.nope': The choice state's "
            "condition path references an invalid value.",
        },
        f"{CHOICE_DOC}: comparing a Variable that is not in the input is a runtime error; guard "
        "it with IsPresent (moto silently takes the Default)",
    ),
    "map-not-an-array": (
        {
            "status": "FAILED",
            "error": "States.QueryEvaluationError",
            "cause": LOCATED.format("S", 2) + "Map state input must be an array but was: string",
        },
        f"{ITEMS_PATH_DOC}: ItemsPath must evaluate to a JSON array or object; a string is "
        "neither (same error as moto; moto's cause prints Python's <class 'str'>)",
    ),
    "runtime-error-not-caught": (
        {
            "status": "FAILED",
            "error": "States.Runtime",
            "cause": LOCATED.format("F", 3) + "Invalid path '$.missing' : No results for path: "
            "$['missing']",
        },
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
    """Each interpreter gets its own deep copy of the definition and input: one mutating what
    it was given cannot change what the other sees."""
    mine = ours(copy.deepcopy(definition), copy.deepcopy(execution_input))
    theirs = moto_sfn.run(copy.deepcopy(definition), copy.deepcopy(execution_input))
    if case_id in DOCUMENTED:
        documented, citation = DOCUMENTED[case_id]
        assert set(documented) == {"status", "output", "error", "cause"} - (
            {"output"} if documented["status"] != "SUCCEEDED" else set()
        ), f"{case_id}: state every field, the cause included"
        assert "https://docs.aws.amazon.com/" in citation, f"{case_id}: cite the page"
        for key, value in documented.items():
            assert mine[key] == value, f"{case_id}: {key} differs from AWS's documented {citation}"
        assert mine != theirs, f"{case_id}: moto now agrees; move it out of DOCUMENTED"
        return
    assert mine == theirs


# --- AWS's own behaviour: each case's outcome is what AWS documents or was observed to give ---

from tests.local.asl_cases import AWS_CASES, LOCAL_ONLY_CASES  # noqa: E402

# Where moto 5.2.5 departs from AWS on those cases (checked below, so a change in moto shows):
# case id -> how, and the AWS source that decides (each case's own source, in AWS_CASES).
MOTO_DEPARTS = {
    "wait-timestamp-too-far": "moto waits (for 73 years) instead of failing at once",
    "wait-secondspath-too-long": "moto waits instead of failing at once",
    "mathadd-rounds-half-up": "moto's parser refuses non-integer arguments (AttributeError)",
    "mathrandom-non-integer-bounds": "moto's parser refuses non-integer arguments",
    "map-over-object-pairs": "moto fails with States.QueryEvaluationError (it iterates arrays "
    "only)",
    **{
        case_id: "moto evaluates JSONata, and the variables JSONPath states read, through a "
        "Java bridge that is not there: every expression fails with TypeError (or its parser "
        "refuses Assign in a JSONPath state)"
        for case_id, *_ in AWS_CASES
        if case_id.startswith(("jsonata-", "variables-"))
    },
}
# moto failing with one of its own Python errors as the cause is a departure even where the
# error name happens to be the expected States.Runtime.
MOTO_CRASH = ("TypeError(", "ValueError(", "AttributeError(", "'NoneType' object")


def _agrees(outcome: dict, expected: dict) -> bool:
    for key, value in expected.items():
        if key == "output_keys":
            output = outcome["output"] or {}
            if {name: sorted(output.get(name) or []) for name in value} != value:
                return False
        elif outcome.get(key) != value:
            return False
    return True


@pytest.mark.parametrize(
    ("case_id", "definition", "execution_input", "expected", "source"),
    AWS_CASES + LOCAL_ONLY_CASES,
    ids=[c[0] for c in AWS_CASES + LOCAL_ONLY_CASES],
)
def test_behaves_as_aws(case_id, definition, execution_input, expected, source):
    """Our outcome is AWS's. Planted once each, and the matching cases went red: inner scopes
    allowed to assign outer variables (variables-parallel-cannot-assign-outer), inner
    assignments leaking outwards (variables-map-iteration-scope-stays-inside), the 256 KiB
    state output check removed (state-output-too-large), an inline Map refusing
    ToleratedFailureCount (inline-map-accepts-tolerated-failures), the negative
    ToleratedFailureCount check removed (toleratedfailurecountpath-negative), $range of one
    value as an array (jsonata-range-of-one-value-is-that-value), a JSONata Timestamp that is no
    timestamp as States.Runtime (jsonata-wait-timestamp-not-a-timestamp), the `.$` key refusal
    in JSONata Output (jsonata-output-literal-key-ending-in-dollar), a Map over a JSON object
    refused as not an array (map-over-object-pairs, jsonata-map-over-object-pairs)."""
    mine = ours(definition, execution_input)
    assert _agrees(mine, expected), f"{case_id}: {mine} is not what AWS gives ({source})"


def test_where_moto_departs_from_aws(moto_sfn):
    """Runs every AWS case in moto too; the cases where moto departs are exactly those listed
    in MOTO_DEPARTS (with the AWS source that decides)."""
    departs = {}
    for case_id, definition, execution_input, expected, _source in AWS_CASES:
        try:
            # A Wait AWS refuses at once may run for years in moto: 3 s tells which it does.
            timeout = 3 if case_id.startswith("wait-") else 60
            theirs = moto_sfn.run(definition, execution_input, timeout=timeout)
        except Exception as exc:  # moto refusing the definition is a departure too
            theirs = {"status": f"refused: {type(exc).__name__}"}
        crashed = any(sign in (theirs.get("cause") or "") for sign in MOTO_CRASH)
        if crashed or not _agrees(theirs, expected):
            departs[case_id] = theirs
    assert sorted(departs) == sorted(MOTO_DEPARTS), departs
