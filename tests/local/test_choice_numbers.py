"""Choice numeric comparisons across int and float, at, just below and just above the value
compared with, in our interpreter and in moto's (the oracle): JSON has one number type, so
`1` and `1.0` are the same number to every Numeric operator (AWS: "NumericEquals ... compares
numbers"; https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html)."""

from __future__ import annotations

import logging

import pytest

from legacylift.local.asl.interpreter import Execution
from tests.local.sfn_oracle import MotoStepFunctions

OPERATORS = {
    "NumericEquals": lambda a, b: a == b,
    "NumericLessThan": lambda a, b: a < b,
    "NumericGreaterThan": lambda a, b: a > b,
    "NumericLessThanEquals": lambda a, b: a <= b,
    "NumericGreaterThanEquals": lambda a, b: a >= b,
}
BOUND = 2
# The value just below, at and just above the bound, each written as an int and as a float.
VALUES = [(1, 1.0), (2, 2.0), (3, 3.0), (1.5,), (2.5,)]
SIDES = [(value, bound) for group in VALUES for value in group for bound in (BOUND, 2.0)]


def _machine(operator: str, rule_operand) -> dict:
    """A Map comparing each item's value with the operand (a literal, or `$.bound` by Path):
    one execution judges every pair."""
    rule = {"Variable": "$.value", "Next": "Yes"}
    if rule_operand == "$.bound":
        rule[operator + "Path"] = rule_operand
    else:
        rule[operator] = rule_operand
    judge = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [rule], "Default": "No"},
            "Yes": {"Type": "Pass", "Result": True, "End": True},
            "No": {"Type": "Pass", "Result": False, "End": True},
        },
    }
    return {
        "StartAt": "M",
        "States": {"M": {"Type": "Map", "ItemsPath": "$.pairs", "Iterator": judge, "End": True}},
    }


def _cases():
    """(operator, the rule's operand, the pairs it judges)."""
    for operator in OPERATORS:
        for bound in (BOUND, float(BOUND)):  # the literal bound written as an int, as a float
            yield operator, bound, [pair for pair in SIDES if pair[1] == bound]
        yield operator, "$.bound", SIDES


@pytest.fixture(scope="module")
def moto_sfn():
    logging.getLogger("moto").setLevel(logging.CRITICAL)
    with MotoStepFunctions() as oracle:
        yield oracle


@pytest.mark.parametrize(("operator", "operand", "pairs"), list(_cases()))
def test_numeric_comparisons_treat_an_int_and_the_same_float_as_one_number(
    moto_sfn, operator, operand, pairs
):
    """Every value below, at and above the bound, int or float on either side, literal or
    `...Path`. Planted bug (a comparison only between numbers of the same Python type, so
    `NumericEquals` 1 vs 1.0 is false and `NumericLessThan` 1 vs 1.5 too): red."""
    machine = _machine(operator, operand)
    document = {"pairs": [{"value": value, "bound": bound} for value, bound in pairs]}
    expected = [OPERATORS[operator](value, bound) for value, bound in pairs]
    result = Execution(machine, document).run()
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == expected, list(zip(pairs, result.output, strict=True))
    assert moto_sfn.run(machine, document)["output"] == expected  # the oracle agrees
