"""Evaluate a definition's JSONPath and intrinsic functions with moto's Step Functions interpreter.

moto cannot run SageMaker processing jobs, so each `createProcessingJob.sync` Task becomes a
Pass state with the same Parameters and ResultPath: the execution then carries, at each Task's
ResultPath, the CreateProcessingJob request that Step Functions would have sent.
"""

from __future__ import annotations

import json
import time

SAGEMAKER_TASK = "arn:aws:states:::sagemaker:createProcessingJob.sync"
FAKE_ROLE = "arn:aws:iam::123456789012:role/stepfunctions-test"


# moto's lexer reads a "RoleArn.$" key as the Task's Credentials field, so inside a Pass state's
# Parameters it stays unevaluated; the surrogate renames it and the result names it back.
ROLE_KEY, ROLE_STAND_IN = "RoleArn.$", "LegacyLiftRoleArn.$"


def tasks_as_passes(definition: dict) -> dict:
    """A copy of `definition` whose processing Tasks are Pass states echoing their requests."""
    surrogate = json.loads(json.dumps(definition))
    for state in surrogate["States"].values():
        if state.get("Resource") == SAGEMAKER_TASK:
            for key in ("Resource", "Retry", "Catch", "ResultSelector"):
                state.pop(key, None)
            state["Type"] = "Pass"
            parameters = state["Parameters"]
            if ROLE_KEY in parameters:
                parameters[ROLE_STAND_IN] = parameters.pop(ROLE_KEY)
    return surrogate


def _restore_role_keys(value):
    if isinstance(value, dict):
        return {
            ("RoleArn" if key == ROLE_STAND_IN[:-2] else key): _restore_role_keys(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_restore_role_keys(item) for item in value]
    return value


def run_in_moto(definition: dict, execution_input: dict, execution_name: str) -> dict:
    """Run `definition` in moto's interpreter (in process); return status, output, error, cause."""
    import boto3
    from moto import mock_aws

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        client = boto3.client(
            "stepfunctions",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        machine = client.create_state_machine(
            name="evaluation", definition=json.dumps(definition), roleArn=FAKE_ROLE
        )
        execution = client.start_execution(
            stateMachineArn=machine["stateMachineArn"],
            name=execution_name,
            input=json.dumps(execution_input),
        )
        deadline = time.monotonic() + 30
        while True:
            described = client.describe_execution(executionArn=execution["executionArn"])
            if described["status"] != "RUNNING" or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    return {
        "status": described["status"],
        "output": json.loads(described["output"]) if described.get("output") else None,
        "error": described.get("error"),
        "cause": described.get("cause"),
    }


def evaluated_requests(definition: dict, execution_input: dict, execution_name: str) -> dict:
    """The execution's result with the CreateProcessingJob requests its Tasks would send."""
    result = run_in_moto(tasks_as_passes(definition), execution_input, execution_name)
    result["output"] = _restore_role_keys(result["output"])
    return result
