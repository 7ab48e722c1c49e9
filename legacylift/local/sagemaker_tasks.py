"""Task states whose resource is SageMaker's CreateProcessingJob, run by the local runner.

As Step Functions' optimized integration does:
- `...:createProcessingJob.sync` waits; its output is the full DescribeProcessingJob response;
  a Failed or Stopped job fails the state with `States.TaskFailed`, the response as the Cause;
- `...:createProcessingJob` (request-response) returns CreateProcessingJob's response
  (`{"ProcessingJobArn": ...}`); locally it still runs the job before returning;
- API errors are named `SageMaker.<exception>` after the AWS SDK's exception class, as Step
  Functions names them: modelled errors by their class (SageMaker.ResourceLimitExceededException,
  SageMaker.ResourceInUseException, SageMaker.ResourceNotFoundException,
  SageMaker.ConflictException), every other error code (ValidationException included) as
  SageMaker.AmazonSageMakerException, with the code in the Cause;
- a Task's TimeoutSeconds stops the job and fails the state with `States.Timeout`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from legacylift.local.asl.errors import StatesError
from legacylift.local.asl.interpreter import TaskContext
from legacylift.local.errors import SageMakerApiError
from legacylift.local.processing import ProcessingRunner
from legacylift.local.step_cache import StepCache
from legacylift.local.unsupported import NotSupportedLocally

CREATE = "arn:aws:states:::sagemaker:createProcessingJob"
SYNC = CREATE + ".sync"


# Error codes SageMaker's API model declares as exceptions (the SDK has a class for each).
MODELLED_ERRORS = {
    "ConflictException",
    "ResourceAlreadyExists",
    "ResourceInUse",
    "ResourceLimitExceeded",
    "ResourceNotFound",
}


def api_error_name(code: str) -> str:
    """The Step Functions error name of a SageMaker API error code."""
    if code in MODELLED_ERRORS:
        return "SageMaker." + (code if code.endswith("Exception") else code + "Exception")
    return "SageMaker.AmazonSageMakerException"


class SageMakerTasks:
    """The TaskRunner for the local engine: SageMaker processing jobs in local Docker."""

    def __init__(
        self,
        runner: ProcessingRunner,
        time_scale: float = 1.0,
        cache: StepCache | None = None,
        on_reuse: Callable[[str, str, str, str], Any] | None = None,
    ) -> None:
        self.runner = runner
        self.time_scale = time_scale
        self.cache = cache  # keys and records each job; serves a resumed run's unchanged steps
        self.on_reuse = on_reuse  # (state, requested job name, job reused, its run)
        self.jobs: dict[str, Any] = {}  # job name -> JobResult (every job, Map iterations too)

    def _key(self, parameters: dict[str, Any]) -> str | None:
        """The step's content key, for a well-formed request (the runner refuses the rest)."""
        if self.cache is None:
            return None
        try:
            return self.cache.key(parameters)
        except (KeyError, TypeError, AttributeError, ValueError):
            return None

    def supports(self, resource: str) -> bool:
        """Only SageMaker CreateProcessingJob, request-response or .sync."""
        return resource in (CREATE, SYNC)

    def cancel(self) -> None:
        """Stop every job still running (the execution was interrupted)."""
        self.runner.stop_all()

    def _reused(self, resource: str, parameters: dict[str, Any], task: TaskContext, reused):
        """The Task's result from the job a resumed run completed before (said via on_reuse)."""
        if self.on_reuse:
            self.on_reuse(task.state_name, parameters["ProcessingJobName"], reused.job, reused.run)
        if resource == CREATE:
            return {"ProcessingJobArn": reused.describe["ProcessingJobArn"]}
        return reused.describe

    def run(self, resource: str, parameters: Any, task: TaskContext) -> Any:
        """Run the job the Task's Parameters describe."""
        if not isinstance(parameters, dict):
            raise StatesError(
                "SageMaker.ValidationException", "the Task's Parameters must be a JSON object"
            )
        key = self._key(parameters)
        reused = self.cache.reuse(key, parameters) if self.cache and key else None
        if reused is not None:
            return self._reused(resource, parameters, task, reused)
        limit = task.timeout_seconds * self.time_scale if task.timeout_seconds else None
        try:
            result = self.runner.create_processing_job(parameters, wait_limit=limit)
        except SageMakerApiError as exc:
            raise StatesError(
                api_error_name(exc.code),
                f"{exc.message} (Service: AmazonSageMaker; Status Code: 400; "
                f"Error Code: {exc.code}; Request ID: local)",
            ) from None
        except NotSupportedLocally as exc:
            raise StatesError("LegacyLift.NotSupportedLocally", str(exc)) from None
        self.jobs[result.describe["ProcessingJobName"]] = result
        if self.cache and key and result.status == "Completed":
            self.cache.completed(key, parameters, result.describe, len(result.uploaded))
        if result.caller_timeout:
            raise StatesError("States.Timeout", f"Task '{task.state_name}' timed out")
        if resource == CREATE:
            return {"ProcessingJobArn": result.describe["ProcessingJobArn"]}
        if result.status != "Completed":
            raise StatesError("States.TaskFailed", json.dumps(result.describe))
        return result.describe
