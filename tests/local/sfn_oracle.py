"""moto's Step Functions interpreter as an oracle: run a definition, return its outcome."""

from __future__ import annotations

import contextlib
import json
import time
import uuid

import boto3
from moto import mock_aws

ROLE = "arn:aws:iam::123456789012:role/conformance"


class MotoStepFunctions:
    """moto in-process with execution enabled (`execute_state_machine`); a context manager."""

    def __enter__(self) -> MotoStepFunctions:
        self._mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
        self._mock.start()
        self.client = boto3.client(
            "stepfunctions",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        return self

    def __exit__(self, *exc_info) -> None:
        self._mock.stop()

    def run(self, definition: dict, execution_input, timeout: float = 60) -> dict:
        """{status, output, error, cause} of one execution."""
        arn = self.client.create_state_machine(
            name=f"c-{uuid.uuid4().hex[:12]}", definition=json.dumps(definition), roleArn=ROLE
        )["stateMachineArn"]
        execution = self.client.start_execution(
            stateMachineArn=arn, input=json.dumps(execution_input)
        )["executionArn"]
        deadline = time.monotonic() + timeout
        while True:
            described = self.client.describe_execution(executionArn=execution)
            if described["status"] != "RUNNING" or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        output = described.get("output")
        # moto 5.2.5 returns a top-level string output unencoded ('yes', not '"yes"').
        with contextlib.suppress(json.JSONDecodeError, TypeError):
            output = json.loads(output)
        return {
            "status": described["status"],
            "output": output,
            "error": described.get("error"),
            "cause": described.get("cause"),
        }
