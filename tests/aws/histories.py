"""Execution histories of the real rendered workflow, recorded from our ASL interpreter.

Each scenario runs a model's definition, as `modules/workflow` renders it with Terraform, in
`legacylift.local.asl` with a scripted SageMaker task runner: each processing job's attempts end
as scripted (completed, throttled by the API, failed on capacity, failed in the algorithm,
stopped at its MaxRuntimeInSeconds), with DescribeProcessingJob responses shaped as the local
processing runner writes them. The histories are written to tests/aws/fixtures/histories/ and
replayed by the tests of `legacylift.history` and `legacylift.aws.executions`;
tests/workflow/test_execution_histories.py runs the scenarios again on a fresh render and checks
the recorded files still match.

Regenerate (Terraform renders the module; about 10 s):
    python -m tests.aws.histories
"""

from __future__ import annotations

import copy
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from legacylift.local.asl.errors import StatesError
from legacylift.local.asl.interpreter import Execution, TaskContext
from legacylift.local.processing import ALGORITHM_ERROR, ECHOED, INPUT_DEFAULTS
from legacylift.local.sagemaker_tasks import SYNC, api_error_name

FIXTURES = Path(__file__).parent / "fixtures" / "histories"
MODEL = "iris"
ACCOUNT = "123456789012"
REGION = "eu-west-1"
STATE_MACHINE = f"legacylift-dev-{MODEL}"
EXECUTION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/legacylift-dev-states"
EXECUTION_INPUT = {
    "input_uri": f"s3://legacylift-dev-data/{MODEL}/inputs/iris.csv",
    "output_uri": f"s3://legacylift-dev-data/{MODEL}/outputs/run-1/",
}
S3_SDK = "arn:aws:states:::aws-sdk:s3:"
# Time scale of Retry intervals and Wait states: the 60 s capacity wait takes 60 ms.
TIME_SCALE = 0.001

# How one attempt of a processing job ends.
COMPLETED = "completed"
THROTTLED = "throttled"  # the CreateProcessingJob call is refused (a Retry starts it again)
CAPACITY = "capacity"  # the job fails with CapacityError (the workflow starts it again)
ALGORITHM = "algorithm"  # the script exits non-zero
MAX_RUNTIME = "max_runtime"  # SageMaker stops the job at MaxRuntimeInSeconds

# scenario -> (what it shows, state name -> its attempts' outcomes; unlisted attempts complete)
SCENARIOS: dict[str, tuple[str, dict[str, list[str]]]] = {
    "invalid_input": ("the execution input has no output_uri; ValidateInput refuses it", {}),
    "succeeded": ("every step completes", {}),
    "retried_then_succeeded": (
        "Inference's CreateProcessingJob is throttled once; the state's Retry starts it again",
        {"Inference": [THROTTLED, COMPLETED]},
    ),
    "capacity_failed": (
        "Inference fails on capacity; the run fails in the Inference Task (a redrive starts it "
        "again)",
        {"Inference": [CAPACITY]},
    ),
    "step_failed": (
        "Inference's script fails; the run fails in the Inference Task",
        {"Inference": [ALGORITHM]},
    ),
    "failed_then_redriven": (
        "Postprocessing's script fails; the redrive starts Postprocessing again (not the steps "
        "before it), and it completes",
        {"Postprocessing": [ALGORITHM, COMPLETED]},
    ),
    "timed_out": (
        "Postprocessing runs past its MaxRuntimeInSeconds and is stopped; the run fails",
        {"Postprocessing": [MAX_RUNTIME]},
    ),
    "retried_then_failed": (
        "Preprocessing is throttled once, then its script fails",
        {"Preprocessing": [THROTTLED, ALGORITHM]},
    ),
    "training_failed": (
        "the training workflow's Train script fails; the run fails in the Train Task",
        {"Train": [ALGORITHM]},
    ),
}
# Scenarios of the model's training workflow (`training_definitions`), not its inference one.
TRAINING_SCENARIOS = {"training_failed"}
# Scenarios whose failed execution is then redriven (RedriveExecution), once.
REDRIVEN_SCENARIOS = {"failed_then_redriven"}
TRAINING_INPUT = {"input_uri": f"s3://legacylift-dev-data/{MODEL}/input/train-1/"}
TRAINING = {
    "train": {"artifact_paths": ["model.joblib"]},
    "evaluate": {},
    "promotion": {"metric": "accuracy", "direction": "higher", "threshold": 0.9},
}


def _now_ms() -> float:
    return round(time.time(), 3)


@dataclass
class ScriptedSageMaker:
    """A TaskRunner for `createProcessingJob.sync` whose attempts end as scripted."""

    outcomes: dict[str, list[str]]
    attempts: list[tuple[str, str, str]] = field(default_factory=list)  # state, job, outcome

    def supports(self, resource: str) -> bool:
        """The integrations the rendered workflows use (the training workflow's S3 reads and
        write are accepted but never reached: its scenarios fail before them)."""
        return resource == SYNC or resource.startswith(S3_SDK)

    def run(self, resource: str, parameters: Any, task: TaskContext) -> Any:
        """The job's DescribeProcessingJob response, or the error Step Functions raises."""
        if resource != SYNC:
            raise AssertionError(f"a scenario reached {resource}: script its outcome first")
        planned = self.outcomes.get(task.state_name) or [COMPLETED]
        outcome = planned.pop(0) if len(planned) > 1 else planned[0]
        name = parameters["ProcessingJobName"]
        self.attempts.append((task.state_name, name, outcome))
        time.sleep(0.01)  # the job's run: distinct timestamps
        if outcome == THROTTLED:
            raise StatesError(
                api_error_name("ThrottlingException"),
                "Rate exceeded (Service: AmazonSageMaker; Status Code: 400; "
                "Error Code: ThrottlingException; Request ID: 5b6e1f0c-recorded)",
            )
        status, reason = {
            COMPLETED: ("Completed", None),
            CAPACITY: (
                "Failed",
                "CapacityError: Unable to provision requested ML compute "
                "capacity. Please retry using a different ML instance type.",
            ),
            ALGORITHM: ("Failed", ALGORITHM_ERROR),
            MAX_RUNTIME: (
                "Stopped",
                "MaxRuntimeExceeded: the job ran longer than "
                "MaxRuntimeInSeconds (3600 s) and was stopped",
            ),
        }[outcome]
        describe = _describe(parameters, status, reason)
        if status != "Completed":
            raise StatesError("States.TaskFailed", json.dumps(describe))
        return describe


def _describe(request: dict[str, Any], status: str, reason: str | None) -> dict[str, Any]:
    """DescribeProcessingJob as the local processing runner writes it."""
    describe = {key: copy.deepcopy(request[key]) for key in ECHOED if key in request}
    for item in describe.get("ProcessingInputs", []):
        item["S3Input"] = {**INPUT_DEFAULTS, **item["S3Input"]}
        item.setdefault("AppManaged", False)
    name = request["ProcessingJobName"]
    now = _now_ms()
    describe.update(
        ProcessingJobArn=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:processing-job/{name}",
        ProcessingJobStatus=status,
        CreationTime=now,
        ProcessingStartTime=now,
        ProcessingEndTime=now,
        LastModifiedTime=now,
    )
    if reason:
        describe["FailureReason"] = reason
    return describe


def run_scenario(definition: str, scenario: str) -> dict[str, Any]:
    """Execute `definition` with the scenario's task outcomes; the recorded document:
    executionArn, stateMachineArn, status, scenario, description and the events."""
    description, outcomes = SCENARIOS[scenario]
    tasks = ScriptedSageMaker(copy.deepcopy(outcomes))
    training = scenario in TRAINING_SCENARIOS
    execution_input = copy.deepcopy(TRAINING_INPUT if training else EXECUTION_INPUT)
    if scenario == "invalid_input":
        del execution_input["output_uri"]
    execution = Execution(
        definition,
        execution_input,
        name=f"{scenario.replace('_', '-')}-1",
        task_runner=tasks,
        time_scale=TIME_SCALE,
        state_machine_name=f"{STATE_MACHINE}-train" if training else STATE_MACHINE,
        region=REGION,
        account_id=ACCOUNT,
        role_arn=EXECUTION_ROLE,
    )
    result = execution.run()
    if scenario in REDRIVEN_SCENARIOS:
        result = execution.redrive()
    return {
        "scenario": scenario,
        "description": description,
        "status": result.status,
        "executionArn": execution.base_context["Execution"]["Id"],
        "stateMachineArn": execution.base_context["StateMachine"]["Id"],
        "events": result.history,
    }


def skeleton(document: dict[str, Any]) -> list[tuple]:
    """What must not change between two runs of a scenario: each event's type, state name,
    error and failure reason (ids, timestamps, job names and jitter differ)."""
    rows = []
    for event in document["events"]:
        details = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
        cause = details.get("cause") or ""
        try:
            reason = json.loads(cause).get("FailureReason", "")
        except (json.JSONDecodeError, AttributeError):
            reason = cause
        rows.append((event["type"], details.get("name"), details.get("error"), reason))
    return rows


def recorder_variables() -> dict[str, Any]:
    """modules/workflow's variables of the recordings: the model with a training workflow."""
    from tests.workflow.conftest import base_vars, model_entry

    return base_vars(
        {MODEL: model_entry(MODEL, **TRAINING)},
        step_runner_uri="s3://legacylift-dev-data/_legacylift/code/0123456789abcdef/",
    )


def definitions_of(outputs: dict[str, Any]) -> dict[str, str]:
    """Scenario -> the definition it runs, from the module's outputs."""
    inference = outputs["definitions"][MODEL]
    training = outputs["training_definitions"][MODEL]
    return {s: training if s in TRAINING_SCENARIOS else inference for s in SCENARIOS}


def render_definitions() -> dict[str, str]:
    """Scenario -> its definition rendered by Terraform from modules/workflow (AWS-like
    values)."""
    from legacylift.local.render import render_workflow

    variables = recorder_variables()
    models, framework = variables.pop("models"), variables.pop("framework_image_uri")
    return definitions_of(render_workflow(models, framework, **variables).outputs)


def record(destination: Path = FIXTURES) -> list[Path]:
    """Run every scenario on a fresh render and write its history; return the files."""
    definitions = render_definitions()
    destination.mkdir(parents=True, exist_ok=True)
    written = []
    for scenario in SCENARIOS:
        target = destination / f"{scenario}.json"
        document = run_scenario(definitions[scenario], scenario)
        target.write_text(json.dumps(document, indent=1) + "\n")
        written.append(target)
    return written


if __name__ == "__main__":
    for path in record():
        print(path)
