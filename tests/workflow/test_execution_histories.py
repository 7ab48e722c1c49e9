"""The recorded execution histories (tests/aws/fixtures/histories/) are still what the rendered
workflow produces: each scenario runs again on a fresh render and its events (types, states,
errors, failure reasons) must equal the recorded ones. A change to the workflow template that
changes a history fails here until `python -m tests.aws.histories` records them again."""

from __future__ import annotations

import json

import pytest

from tests.aws import histories


@pytest.fixture(scope="module")
def definitions(workflow) -> dict[str, str]:
    """Scenario -> the iris definition it runs, as the module renders it now (the recorder's
    variables)."""
    return histories.definitions_of(workflow.render(histories.recorder_variables()))


@pytest.mark.parametrize("scenario", sorted(histories.SCENARIOS))
def test_recorded_history_matches_a_fresh_execution(definitions, scenario):
    recorded = json.loads((histories.FIXTURES / f"{scenario}.json").read_text())
    fresh = histories.run_scenario(definitions[scenario], scenario)
    assert fresh["status"] == recorded["status"]
    assert histories.skeleton(fresh) == histories.skeleton(recorded)


def test_recorded_task_outputs_carry_the_result_path_jobs():
    """What a hand-built history got wrong: each Task's output holds its job under
    `jobs.<State>` (ResultPath); a failed job's Task is never left, and the execution fails
    with that Task's error and cause (no Fail state in between)."""
    document = json.loads((histories.FIXTURES / "step_failed.json").read_text())
    exits = {
        e["stateExitedEventDetails"]["name"]: json.loads(e["stateExitedEventDetails"]["output"])
        for e in document["events"]
        if e["type"] == "TaskStateExited"
    }
    assert exits["Preprocessing"]["jobs"]["Preprocessing"]["ProcessingJobStatus"] == "Completed"
    assert "Inference" not in exits
    assert not [e for e in document["events"] if e["type"] == "FailStateEntered"]
    (task_failed,) = [e for e in document["events"] if e["type"] == "TaskFailed"]
    (failed,) = [e for e in document["events"] if e["type"] == "ExecutionFailed"]
    assert failed["executionFailedEventDetails"] == {
        key: task_failed["taskFailedEventDetails"][key] for key in ("error", "cause")
    }


def test_a_redrive_starts_the_failed_job_again_and_only_what_follows(definitions):
    """The rendered workflow on our interpreter: Postprocessing's script fails, the execution
    is redriven (RedriveExecution: it restarts the state the execution failed in) and the
    redrive runs a new Postprocessing job, not Preprocessing's or Inference's, whose results
    stay in the state data. Planted bug (tests/planted_bugs.py
    `job-failure-caught-into-fail-state`): the job's failure caught into a Fail state, which
    the redrive restarts and fails in again at once; red."""
    from legacylift.local.asl.interpreter import Execution, ExecutionNotRedrivable

    tasks = histories.ScriptedSageMaker({"Postprocessing": [histories.ALGORITHM]})
    execution = Execution(
        definitions["failed_then_redriven"],
        histories.EXECUTION_INPUT,
        name="redriven-1",
        task_runner=tasks,
        time_scale=histories.TIME_SCALE,
    )
    first = execution.run()
    assert first.status == "FAILED"
    first_error = first.error  # read now: the result is the execution's, redrive updates it
    assert [state for state, _, _ in tasks.attempts] == [
        "Preprocessing",
        "Inference",
        "Postprocessing",
    ]
    failed_events = len(first.history)

    tasks.outcomes["Postprocessing"] = [histories.COMPLETED]  # the cause went away
    redriven = execution.redrive()
    assert redriven.status == "SUCCEEDED", (redriven.error, redriven.cause)
    after = redriven.history[failed_events:]
    assert after[0]["type"] == "ExecutionRedriven"
    assert after[0]["executionRedrivenEventDetails"] == {"redriveCount": 1}
    rerun = [state for state, _, _ in tasks.attempts[3:]]
    assert rerun == ["Postprocessing"]
    jobs = redriven.output["jobs"]
    assert [jobs[step]["ProcessingJobStatus"] for step in jobs] == ["Completed"] * 3
    first_job, second_job = (name for state, name, _ in tasks.attempts if state == "Postprocessing")
    assert jobs["Postprocessing"]["ProcessingJobName"] == second_job != first_job
    assert jobs["Preprocessing"]["ProcessingJobName"] == tasks.attempts[0][1]
    with pytest.raises(ExecutionNotRedrivable, match="redriven-1 cannot be redriven"):
        execution.redrive()
    assert first_error == "States.TaskFailed"  # the job's own error, not a Fail state's


def _state_events(events) -> list[tuple[str, str]]:
    """(Entered|Exited, state name) of every state event, the state's type left out."""
    rows = []
    for event in events:
        for suffix in ("StateEntered", "StateExited"):
            if event["type"].endswith(suffix):
                details = event[f"state{suffix[5:]}EventDetails"]
                rows.append((suffix[5:], details["name"]))
    return rows


def test_moto_walks_the_same_states_as_the_recorded_success(definitions):
    """moto's interpreter cannot run the SageMaker tasks; with each Task as a Pass state of the
    same Parameters (tests.workflow.asl_evaluation) it must still enter and leave the same
    states, in the same order, as the recorded successful execution."""
    import time

    import boto3
    from moto import mock_aws

    from tests.workflow.asl_evaluation import FAKE_ROLE, tasks_as_passes

    surrogate = tasks_as_passes(json.loads(definitions["succeeded"]))
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        client = boto3.client(
            "stepfunctions",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        machine = client.create_state_machine(
            name="histories", definition=json.dumps(surrogate), roleArn=FAKE_ROLE
        )
        arn = client.start_execution(
            stateMachineArn=machine["stateMachineArn"],
            name="succeeded-1",
            input=json.dumps(histories.EXECUTION_INPUT),
        )["executionArn"]
        deadline = time.monotonic() + 30
        while client.describe_execution(executionArn=arn)["status"] == "RUNNING":
            assert time.monotonic() < deadline, "moto's execution did not finish in 30 s"
            time.sleep(0.05)
        in_moto = client.get_execution_history(executionArn=arn)["events"]
    recorded = json.loads((histories.FIXTURES / "succeeded.json").read_text())
    assert in_moto[-1]["type"] == "ExecutionSucceeded"
    assert len(_state_events(in_moto)) == 14  # seven states entered and left
    assert _state_events(in_moto) == _state_events(recorded["events"])
