"""Choice rules beyond numbers, in our interpreter and in moto's (the oracle): Not, And and Or
(reading the context and variables inside them), the type tests (a boolean is no number, a
number no timestamp), timestamps written with `Z` or an offset, and StringMatches across line
breaks and with escaped `*` and `\\`. Each rule judges many documents in one Map execution."""

from __future__ import annotations

import logging

import pytest

from legacylift.local.asl.interpreter import Execution
from tests.local.sfn_oracle import MotoStepFunctions

# rule -> [(document, whether the rule matches it)]
RULES = {
    "not": (
        {"Not": {"Variable": "$.v", "NumericEquals": 1}},
        [({"v": 1}, False), ({"v": 2}, True), ({"v": 1.0}, False)],
    ),
    "and-reads-the-context": (
        {
            "And": [
                {"Variable": "$$.State.Name", "StringEquals": "C"},
                {"Variable": "$.v", "NumericGreaterThan": 0},
            ]
        },
        [({"v": 1}, True), ({"v": 0}, False)],
    ),
    "or-reads-the-context": (
        {
            "Or": [
                {"Variable": "$$.State.Name", "StringEquals": "C"},
                {"Variable": "$.v", "NumericGreaterThan": 0},
            ]
        },
        [({"v": 0}, True), ({"v": 5}, True)],
    ),
    "or-without-match": (
        {
            "Or": [
                {"Variable": "$$.State.Name", "StringEquals": "other"},
                {"Variable": "$.v", "NumericGreaterThan": 0},
            ]
        },
        [({"v": 0}, False), ({"v": 5}, True)],
    ),
    "not-reads-the-context": (
        {"Not": {"Variable": "$$.State.Name", "StringEquals": "X"}},
        [({"v": 1}, True)],
    ),
    "variable-from-the-context": (
        {"Variable": "$$.State.Name", "StringEquals": "C"},
        [({"v": 1}, True)],
    ),
    "is-present": (
        {"Variable": "$.v", "IsPresent": True},
        [({"v": 1}, True), ({"v": None}, True), ({"w": 1}, False)],
    ),
    "is-present-in-the-context": (
        {"Variable": "$$.State.Name", "IsPresent": True},
        [({"v": 1}, True)],
    ),
    "is-string": (
        {"Variable": "$.v", "IsString": True},
        [({"v": "a"}, True), ({"v": 1}, False), ({"v": None}, False)],
    ),
    "is-boolean": (
        {"Variable": "$.v", "IsBoolean": True},
        [({"v": False}, True), ({"v": 0}, False), ({"v": "true"}, False)],
    ),
    "a-rule-with-a-comment": (
        {"Variable": "$.v", "Comment": "one", "NumericEquals": 1},
        [({"v": 1}, True), ({"v": 2}, False)],
    ),
    "string-matches-a-non-string": (
        {"Variable": "$.v", "StringMatches": "*"},
        [({"v": 1}, False), ({"v": ""}, True)],
    ),
    "timestamp-against-a-non-timestamp": (
        {"Variable": "$.v", "TimestampLessThan": "2026-01-01T00:00:00Z"},
        [({"v": "yesterday"}, False), ({"v": "2025-01-01T00:00:00Z"}, True)],
    ),
    "is-numeric": (
        {"Variable": "$.v", "IsNumeric": True},
        [
            ({"v": True}, False),
            ({"v": 0}, True),
            ({"v": 1.5}, True),
            ({"v": "1"}, False),
            ({"v": None}, False),
        ],
    ),
    "is-timestamp": (
        {"Variable": "$.v", "IsTimestamp": True},
        [
            ({"v": "2026-01-01T00:00:00Z"}, True),
            ({"v": 20260101}, False),
            ({"v": "2026-01-01"}, False),
            ({"v": "2026-01-01T00:00:00"}, False),
            ({"v": "2026-01-01T01:00:00+01:00"}, True),
        ],
    ),
    "timestamp-equals-across-offsets": (
        {"Variable": "$.v", "TimestampEquals": "2026-01-01T00:00:00Z"},
        [
            ({"v": "2026-01-01T00:00:00Z"}, True),
            ({"v": "2026-01-01T01:00:00+01:00"}, True),
            ({"v": "2026-01-01T00:00:01Z"}, False),
            ({"v": 5}, False),
        ],
    ),
    "timestamp-less-than": (
        {"Variable": "$.v", "TimestampLessThan": "2026-01-01T00:00:00Z"},
        [
            ({"v": "2025-12-31T23:59:59Z"}, True),
            ({"v": "2026-01-01T00:00:00Z"}, False),
            ({"v": "2026-01-01T00:00:01Z"}, False),
        ],
    ),
    "string-matches-across-lines": (
        {"Variable": "$.v", "StringMatches": "log*.txt"},
        [
            ({"v": "log.txt"}, True),
            ({"v": "log\nold.txt"}, True),
            ({"v": "log.txt\n"}, False),
            ({"v": "blog.txt"}, False),
        ],
    ),
    "string-matches-a-line-break": (
        {"Variable": "$.v", "StringMatches": "a\nb*"},
        [({"v": "a\nb"}, True), ({"v": "a\nbc"}, True), ({"v": "ab"}, False)],
    ),
    "string-matches-escapes": (
        {"Variable": "$.v", "StringMatches": "a\\*b\\\\c*"},
        [
            ({"v": "a*b\\c"}, True),
            ({"v": "a*b\\cdef"}, True),
            ({"v": "axb\\c"}, False),
            ({"v": "a*bc"}, False),
        ],
    ),
}

# Where moto 5.2.5 departs from AWS (checked, so a change in moto shows), and AWS's rule
# (https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html): timestamps are
# RFC3339 with an uppercase T and either Z or a numeric offset (moto takes no offset), and in
# StringMatches `\\*` is a literal star and `\\\\` a literal backslash (moto matches none).
MOTO_DEPARTS = {"is-timestamp", "timestamp-equals-across-offsets", "string-matches-escapes"}


def _machine(rule: dict) -> dict:
    judge = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{**rule, "Next": "Yes"}], "Default": "No"},
            "Yes": {"Type": "Pass", "Result": True, "End": True},
            "No": {"Type": "Pass", "Result": False, "End": True},
        },
    }
    return {
        "StartAt": "M",
        "States": {
            "M": {"Type": "Map", "ItemsPath": "$.documents", "Iterator": judge, "End": True}
        },
    }


@pytest.fixture(scope="module")
def moto_sfn():
    logging.getLogger("moto").setLevel(logging.CRITICAL)
    with MotoStepFunctions() as oracle:
        yield oracle


@pytest.mark.parametrize("name", RULES)
def test_choice_rules_match_as_in_moto(moto_sfn, name):
    """Planted bugs this catches, one each (found by mutation testing): `Not` not negating;
    And/Or evaluating their rules without the context; a boolean counted as numeric; a number
    taken for a timestamp (or crashing the type test); `Z` not read as UTC; StringMatches not
    crossing a line break, or losing its escapes."""
    rule, cases = RULES[name]
    machine = _machine(rule)
    document = {"documents": [case for case, _ in cases]}
    expected = [matches for _, matches in cases]
    result = Execution(machine, document).run()
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == expected, list(zip(cases, result.output, strict=True))
    theirs = moto_sfn.run(machine, document)["output"]
    assert (theirs == expected) is (name not in MOTO_DEPARTS)  # the oracle agrees, or departs


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"NumericEquals": 1}, "Choice rule without Variable: {'NumericEquals': 1"),
        ({"Variable": "$.v", "StringFoo": "a"}, "Unknown Choice comparison operator 'StringFoo'"),
        ({"Variable": "$.v", "NumericFoo": 1}, "Unknown Choice comparison operator 'NumericFoo'"),
        ({"Variable": "$.v"}, "Choice rule has no comparison: {'Variable': '$.v'"),
    ],
)
def test_a_malformed_rule_fails_the_run_naming_it(rule, message):
    """Rules AWS refuses at CreateStateMachine, should one reach the interpreter: the run
    fails with States.Runtime naming the rule (never a silent no-match)."""
    result = Execution(_machine(rule), {"documents": [{"v": 1}]}).run()
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert message in result.cause
