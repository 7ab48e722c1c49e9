"""Evaluation data pinned by the deployment (`evaluation_data_uris`): the training workflow
modules/workflow renders, run in moto's interpreter with its Tasks swapped (as in
tests/workflow/test_training.py), its IAM decided by the project's evaluator, and the plan-time
refusal of a pin outside the model's input area."""

from __future__ import annotations

import json

import pytest

from tests.iam_evaluation import EXPLICIT_DENY, Request, decide
from tests.iam_lint import unaccepted
from tests.workflow.asl_evaluation import run_in_moto
from tests.workflow.test_training import summary, swapped, training_vars

BUCKET = "legacylift-dev-data"
PIN = f"s3://{BUCKET}/iris/input/holdout/"


def s3(key: str) -> str:
    return f"arn:aws:s3:::{BUCKET}/{key}"


@pytest.fixture(scope="module")
def pinned(workflow):
    return workflow.render(training_vars(evaluation_data_uris={"iris": PIN}))


def _run(outputs, execution: dict) -> dict:
    document = json.loads(outputs["training_definitions"]["iris"])
    return run_in_moto(swapped(document, summary(0.95, 0.01), None), execution, "run-1")


def test_a_pinned_run_evaluates_on_the_pinned_data_and_says_so(pinned):
    """Without evaluation_uri, a pinned model's run evaluates on the pinned folder, not on its
    training data, and its record says so. Planted bug: PinnedEvaluationData's evaluation_uri
    taken from the input_uri (the training data) turns the staged-data assertion red."""
    result = _run(pinned, {"input_uri": f"s3://{BUCKET}/iris/input/t/"})
    assert result["status"] == "SUCCEEDED", result
    staged = {
        i["InputName"]: i["S3Input"]["S3Uri"]
        for i in result["output"]["jobs"]["Evaluate"]["ProcessingInputs"]
    }
    assert staged["data"] == PIN
    assert result["output"]["record"]["evaluated_on_training_data"] is False


@pytest.mark.parametrize(
    "execution",
    [
        {"input_uri": f"s3://{BUCKET}/iris/input/t/", "evaluation_uri": f"s3://{BUCKET}/x/"},
        {"input_uri": f"s3://{BUCKET}/iris/input/t/", "evaluation_uri": PIN},
        {"input_uri": PIN + "part-1/"},
    ],
    ids=["another-evaluation", "the-pin-itself", "training-on-the-pin"],
)
def test_the_caller_can_neither_pick_the_evaluation_data_nor_train_on_it(pinned, execution):
    """A pinned model's execution input naming evaluation_uri (any) or training inside the
    pinned folder ends in LegacyLift.InvalidInput before any job. Planted bug: the pinned
    ValidateInput keeping the unpinned evaluation_uri rule turns the first two cases red."""
    result = _run(pinned, execution)
    assert result["status"] == "FAILED"
    assert result["error"] == "LegacyLift.InvalidInput"
    assert "pins" in result["cause"]


def test_an_unpinned_model_keeps_the_callers_choice(pinned):
    """diab has no pin: its evaluation_uri is accepted and used."""
    document = json.loads(pinned["training_definitions"]["diab"])
    execution = {"input_uri": f"s3://{BUCKET}/diab/input/t/", "evaluation_uri": "s3://e/x/"}
    result = run_in_moto(swapped(document, summary(50.0, 0, "lower"), None), execution, "run-2")
    assert result["status"] == "SUCCEEDED", result


def test_training_may_not_read_the_pinned_data_and_evaluation_reads_only_it(pinned):
    """Decided with the Deny: the Train role's GetObject of the pinned folder is explicitly
    denied (whatever input_uri a run names, SageMaker's download of it fails), the rest of its
    input is allowed; the Evaluate role reads the pinned folder and no other input. Planted
    bug: the EvaluationDataIsNotForTraining Deny turned Allow turns the Train assertion red."""
    train = json.loads(pinned["training_sagemaker_policies"]["iris"])
    evaluate = json.loads(pinned["evaluation_sagemaker_policies"]["iris"])
    held_out = s3("iris/input/holdout/part-1/x.csv")
    training = s3("iris/input/t/x.csv")
    assert decide(train, Request("s3:GetObject", held_out)) == EXPLICIT_DENY
    assert decide(train, Request("s3:GetObject", training)) == "allowed"
    assert decide(evaluate, Request("s3:GetObject", held_out)) == "allowed"
    assert decide(evaluate, Request("s3:GetObject", training)) != "allowed"
    listing = {"s3:prefix": "iris/input/holdout/part-1/"}
    assert decide(evaluate, Request("s3:ListBucket", f"arn:aws:s3:::{BUCKET}", listing)) == (
        "allowed"
    )
    unpinned = json.loads(pinned["training_sagemaker_policies"]["diab"])
    assert "EvaluationDataIsNotForTraining" not in json.dumps(unpinned)
    problems, _ = unaccepted({"iris train": train, "iris evaluate": evaluate})
    assert problems == []


@pytest.mark.parametrize(
    ("pins", "named"),
    [
        ({"iris": f"s3://{BUCKET}/diab/input/holdout/"}, "iris"),  # another model's input
        ({"iris": "s3://elsewhere/iris/input/holdout/"}, "iris"),  # not the data bucket
        ({"iris": f"s3://{BUCKET}/iris/output/holdout/"}, "iris"),  # not the input area
        ({"plain": f"s3://{BUCKET}/plain/input/holdout/"}, "plain"),  # no training workflow
    ],
)
def test_a_pin_outside_the_models_input_area_is_refused_at_plan(workflow, pins, named):
    """One line naming the model and the fix."""
    error = " ".join(workflow.render_error(training_vars(evaluation_data_uris=pins)).split())
    assert f"ERROR: evaluation_data_uris of {named}:" in error
    assert f"s3://{BUCKET}/<model>/input/<folder>/" in error
