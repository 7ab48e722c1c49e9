"""JSONata fields as their errors name them and as their values come out: an expression
returning nothing (undefined) fails with States.QueryEvaluationError naming the expression and
the field (`Arguments/n`, `Output[1]`, `Assign/v` ...), a Condition must give a boolean, AWS's
own functions ($parse) fail with a sentence, integral numbers come out as integers, JSONata's
null as JSON null, and a Catcher without Output passes `$states.errorOutput` on."""

from __future__ import annotations

import pytest

from legacylift.local.asl.interpreter import Execution

RESOURCE = "arn:aws:states:::test:echo"


class Echo:
    """A task runner returning its arguments under "echo"."""

    def supports(self, resource):
        return resource == RESOURCE

    def run(self, resource, parameters, task):
        return {"echo": parameters}


def _run(states: dict, execution_input=None, start="S"):
    definition = {"QueryLanguage": "JSONata", "StartAt": start, "States": states}
    return Execution(definition, execution_input or {"n": 1}, task_runner=Echo()).run()


def _task(**fields):
    return {"Type": "Task", "Resource": RESOURCE, "End": True, **fields}


UNDEFINED = "{% $states.input.missing %}"


@pytest.mark.parametrize(
    ("state", "field"),
    [
        (_task(Arguments={"n": UNDEFINED}), "Arguments/n"),
        (_task(Output=[1, UNDEFINED]), "Output[1]"),
        (_task(Assign={"v": UNDEFINED}), "Assign/v"),
        ({"Type": "Pass", "Output": {"a": {"b": [UNDEFINED]}}, "End": True}, "Output/a/b[0]"),
        (
            {
                "Type": "Map",
                "Items": UNDEFINED,
                "End": True,
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
            },
            "Items",
        ),
        (
            {
                "Type": "Map",
                "Items": [1],
                "ItemSelector": {"k": UNDEFINED},
                "End": True,
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
            },
            "ItemSelector/k",
        ),
        ({"Type": "Wait", "Seconds": UNDEFINED, "End": True}, "Seconds"),
    ],
)
def test_an_undefined_result_names_the_expression_and_its_field(state, field):
    """Planted bug (the field's name dropped or misspelt in the error): red."""
    result = _run({"S": state})
    assert (result.status, result.error) == ("FAILED", "States.QueryEvaluationError")
    assert (
        f"The JSONata expression '$states.input.missing' specified for the field '{field}' "
        "returned nothing (undefined)."
    ) in result.cause


def test_a_condition_must_give_a_boolean():
    result = _run(
        {
            "S": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $states.input.n %}", "Next": "E"}],
                "Default": "E",
            },
            "E": {"Type": "Succeed"},
        }
    )
    assert (result.status, result.error) == ("FAILED", "States.QueryEvaluationError")
    assert "The Condition '{% $states.input.n %}' returned 1, not a boolean." in result.cause
    undefined = _run(
        {
            "S": {
                "Type": "Choice",
                "Choices": [{"Condition": UNDEFINED, "Next": "E"}],
                "Default": "E",
            },
            "E": {"Type": "Succeed"},
        }
    )
    assert undefined.error == "States.QueryEvaluationError"
    assert "specified for the field 'Condition' returned nothing" in undefined.cause


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("$parse(1)", "'Output': its argument must be a string"),
        ("$parse('{nope')", "'Output': not JSON (Expecting property name"),
        ("$parse()", "$parse: wrong number of arguments"),
    ],
)
def test_aws_functions_fail_with_a_sentence(expression, message):
    result = _run({"S": {"Type": "Pass", "Output": "{% " + expression + " %}", "End": True}})
    assert (result.status, result.error) == ("FAILED", "States.QueryEvaluationError")
    assert message in result.cause
    assert "specified for the field 'Output'" in result.cause


def test_values_come_out_as_json():
    """Integral numbers as integers (4 / 2 is 2, not 2.0), JSONata's null as JSON null, an
    expression written without spaces inside its braces, and $parse's value."""
    result = _run(
        {
            "S": {
                "Type": "Pass",
                "End": True,
                "Output": {
                    "half": "{% 4 / 2 %}",
                    "third": "{% 1 / 4 %}",
                    "null": "{% null %}",
                    "product": "{% 1.5 * 2 %}",
                    "tight": "{%$states.input.n%}",
                    "parsed": """{% $parse('[1, {"a": null}]') %}""",
                },
            }
        }
    )
    assert result.status == "SUCCEEDED", result.cause
    output = result.output
    assert output == {
        "half": 2,
        "third": 0.25,
        "null": None,
        "tight": 1,
        "product": 3,
        "parsed": [1, {"a": None}],
    }
    assert all(type(output[key]) is int for key in ("half", "tight", "product"))


def test_a_catcher_without_output_passes_the_error_output_on():
    result = _run(
        {
            "S": {
                "Type": "Task",
                "Resource": RESOURCE,
                "Arguments": {"n": UNDEFINED},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "E"}],
                "End": True,
            },
            "E": {"Type": "Pass", "End": True},
        }
    )
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["Error"] == "States.QueryEvaluationError"
    assert "Arguments/n" in result.output["Cause"]
