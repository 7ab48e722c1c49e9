"""A JSONata Task's Output and Assign read `$states.input` (what the state received) and
`$states.result` (what the task returned) as two different documents
(https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html: "$states.input:
the original input to the state"; "$states.result: the API or sub-workflow's result"). The
task here returns something else than its input, so mixing the two shows."""

from __future__ import annotations

from legacylift.local.asl.interpreter import Execution

RESOURCE = "arn:aws:states:::test:double"


class Doubling:
    """A task runner whose result is unlike its arguments: {"doubled": 2 n}."""

    def supports(self, resource):
        return resource == RESOURCE

    def run(self, resource, parameters, task):
        return {"doubled": parameters["n"] * 2}


def _run(task: dict, execution_input: dict):
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": RESOURCE, "Next": "After", **task},
            "After": {
                "Type": "Pass",
                "End": True,
                "Output": {"passed": "{% $states.input %}", "seen": "{% $seen %}"},
            },
        },
    }
    result = Execution(definition, execution_input, task_runner=Doubling()).run()
    assert result.status == "SUCCEEDED", result.cause
    return result.output


def test_a_task_output_reads_the_state_input_and_the_result_apart():
    """Planted bug (the Task's `$states.input` bound to its result in Output and Assign):
    `from_input` becomes null (the result has no `n`), red."""
    output = _run(
        {
            "Arguments": {"n": "{% $states.input.n %}"},
            "Assign": {"seen": "{% [$states.input.n, $states.result.doubled] %}"},
            "Output": {
                "from_input": "{% $states.input.n %}",
                "from_result": "{% $states.result.doubled %}",
                "tag": "{% $states.input.tag %}",
            },
        },
        {"n": 21, "tag": "t"},
    )
    assert output == {"passed": {"from_input": 21, "from_result": 42, "tag": "t"}, "seen": [21, 42]}


def test_a_task_without_output_passes_its_result_on():
    output = _run(
        {"Arguments": {"n": 5}, "Assign": {"seen": "{% $states.input %}"}}, {"n": 1, "other": True}
    )
    assert output == {"passed": {"doubled": 10}, "seen": {"n": 1, "other": True}}
