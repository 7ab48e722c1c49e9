"""Executes an ASL state machine: states, paths, Retry/Catch, Parallel, Map, timeouts."""

from __future__ import annotations

import copy
import json
import random
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from legacylift.local.asl import choice, definition, payload
from legacylift.local.asl.errors import (
    LOCATED_ERRORS,
    StatesError,
    error_matches,
    runtime_error,
)
from legacylift.local.asl.history import History, now_iso

DEFAULT_RETRY = {"IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2.0}
MAP_MAX_WORKERS = 40  # inline Map's concurrency limit on AWS


@dataclass
class TaskContext:
    """What a task runner gets besides the resource and its parameters."""

    state_name: str
    context: dict[str, Any]
    timeout_seconds: float | None
    history: History


class TaskRunner(Protocol):
    """Runs Task states' resources (service integrations)."""

    def supports(self, resource: str) -> bool:
        """Whether `resource` can run here."""

    def run(self, resource: str, parameters: Any, task: TaskContext) -> Any:
        """The task's result; raise StatesError (e.g. States.TaskFailed) on failure."""


class _NoTasks:
    def supports(self, resource: str) -> bool:
        return False

    def run(self, resource, parameters, task):  # pragma: no cover - validate() refuses first
        raise StatesError("States.Runtime", f"{resource} is not runnable locally")


@dataclass
class ExecutionResult:
    """How an execution ended, like DescribeExecution plus GetExecutionHistory."""

    status: str  # SUCCEEDED, FAILED, TIMED_OUT, ABORTED
    output: Any = None
    error: str | None = None
    cause: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    start_date: str = ""
    stop_date: str = ""


class _Aborted(Exception):
    pass


class Execution:
    """One execution of a state machine definition.

    `time_scale` multiplies Wait durations and Retry intervals (0.01 makes tests fast);
    `on_event` sees every history event as it happens (progress display).
    """

    def __init__(
        self,
        definition_json: str | dict[str, Any],
        execution_input: Any = None,
        name: str | None = None,
        task_runner: TaskRunner | None = None,
        time_scale: float = 1.0,
        state_machine_name: str = "local",
        region: str = "us-east-1",
        account_id: str = "000000000000",
        role_arn: str | None = None,
        on_event: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.machine = definition.load(definition_json)
        self.tasks = task_runner or _NoTasks()
        definition.validate(self.machine, self.tasks.supports)
        self.input = {} if execution_input is None else execution_input
        self.name = name or str(uuid.uuid4())
        self.time_scale = time_scale
        self.region = region
        self.history = History(on_event)
        prefix = f"arn:aws:states:{region}:{account_id}"
        self.base_context = {
            "Execution": {
                "Id": f"{prefix}:execution:{state_machine_name}:{self.name}",
                "Input": copy.deepcopy(self.input),
                "Name": self.name,
                "RoleArn": role_arn or f"arn:aws:iam::{account_id}:role/{state_machine_name}",
                "StartTime": "",
                "RedriveCount": 0,
            },
            "StateMachine": {
                "Id": f"{prefix}:stateMachine:{state_machine_name}",
                "Name": state_machine_name,
            },
        }
        self._deadline: float | None = None
        self._abort = threading.Event()
        self.retry_delays: list[float] = []  # unscaled seconds slept before each retry

    def abort(self) -> None:
        """Stop at the next state boundary (StopExecution)."""
        self._abort.set()

    def run(self) -> ExecutionResult:
        """Run to the end and return the outcome with the full history."""
        start = now_iso()
        self.base_context["Execution"]["StartTime"] = start
        timeout = self.machine.get("TimeoutSeconds")
        if timeout is not None:
            self._deadline = time.monotonic() + timeout * self.time_scale
        self.history.add(
            "ExecutionStarted",
            input=json.dumps(self.input),
            roleArn=self.base_context["Execution"]["RoleArn"],
        )
        result = ExecutionResult(status="RUNNING", start_date=start)
        try:
            result.output = self._run_machine(self.machine, self.input, {})
            result.status = "SUCCEEDED"
            self.history.add("ExecutionSucceeded", output=json.dumps(result.output))
        except _Aborted:
            result.status = "ABORTED"
            self.history.add("ExecutionAborted")
        except StatesError as exc:
            result.error, result.cause = exc.error, exc.cause
            if exc.error == "States.Timeout" and self._deadline_passed():
                result.status = "TIMED_OUT"
                self.history.add("ExecutionTimedOut", error=exc.error, cause=exc.cause)
            else:
                result.status = "FAILED"
                self.history.add("ExecutionFailed", error=exc.error, cause=exc.cause)
        result.stop_date = now_iso()
        result.history = self.history.events
        return result

    # --- machinery ---------------------------------------------------------------------

    def _deadline_passed(self) -> bool:
        return self._deadline is not None and time.monotonic() >= self._deadline

    def _check(self) -> None:
        if self._abort.is_set():
            raise _Aborted
        if self._deadline_passed():
            raise StatesError("States.Timeout", "The execution timed out")

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + max(0.0, seconds) * self.time_scale
        while True:
            self._check()
            remaining = end - time.monotonic()
            if remaining <= 0:
                return
            time.sleep(min(remaining, 0.05))

    def _run_machine(self, machine: dict[str, Any], data: Any, extra: dict[str, Any]) -> Any:
        states = machine["States"]
        current = machine["StartAt"]
        while True:
            self._check()
            state = states[current]
            kind = state["Type"]
            context = {**copy.deepcopy(self.base_context), **extra}
            context["State"] = {"EnteredTime": now_iso(), "Name": current, "RetryCount": 0}
            entered = self.history.add(f"{kind}StateEntered", name=current, input=json.dumps(data))
            handler = getattr(self, f"_state_{kind.lower()}")
            try:
                output, following = handler(current, state, data, context)
            except StatesError as error:
                if error.error in LOCATED_ERRORS and not error.located:
                    error.located = True
                    error.cause = (
                        f"An error occurred while executing the state '{current}' (entered at "
                        f"the event id #{entered}). {error.cause}"
                    )
                raise
            self.history.add(f"{kind}StateExited", name=current, output=json.dumps(output))
            if following is None:
                return output
            current, data = following, output

    def _with_retry_catch(self, name, state, raw, context, body) -> tuple[Any, str | None]:
        attempts: dict[int, int] = {}
        while True:
            try:
                return body(), state.get("Next")
            except StatesError as error:
                retriers = state.get("Retry", [])
                index = next(
                    (
                        i
                        for i, r in enumerate(retriers)
                        if error_matches(r["ErrorEquals"], error.error)
                    ),
                    None,
                )
                if index is not None:
                    retrier = {**DEFAULT_RETRY, **retriers[index]}
                    done = attempts.get(index, 0)
                    if done < retrier["MaxAttempts"]:
                        delay = retrier["IntervalSeconds"] * retrier["BackoffRate"] ** done
                        if "MaxDelaySeconds" in retrier:
                            delay = min(delay, retrier["MaxDelaySeconds"])
                        if retrier.get("JitterStrategy") == "FULL":
                            delay = random.uniform(0, delay)  # noqa: S311 - not cryptographic
                        attempts[index] = done + 1
                        context["State"]["RetryCount"] = sum(attempts.values())
                        self.retry_delays.append(delay)
                        self._sleep(delay)
                        continue
                for catcher in state.get("Catch", []):
                    if error_matches(catcher["ErrorEquals"], error.error):
                        return payload.error_output(catcher, raw, error), catcher["Next"]
                raise

    @staticmethod
    def _next(state: dict[str, Any]) -> str | None:
        return None if state.get("End") else state.get("Next")

    # --- states ------------------------------------------------------------------------

    def _state_pass(self, name, state, raw, context):
        effective = payload.parameters(state, payload.input_path(state, raw, context), context)
        result = state.get("Result", effective)
        document = payload.result_path(state, raw, result)
        return payload.output_path(state, document, context), self._next(state)

    def _state_succeed(self, name, state, raw, context):
        effective = payload.input_path(state, raw, context)
        return payload.output_path(state, effective, context), None

    def _state_fail(self, name, state, raw, context):
        error = state.get("Error")
        cause = state.get("Cause")
        if "ErrorPath" in state:
            error = self._fail_field(state["ErrorPath"], raw, context, "ErrorPath")
        if "CausePath" in state:
            cause = self._fail_field(state["CausePath"], raw, context, "CausePath")
        raise StatesError(error or "States.Fail", cause)

    @staticmethod
    def _fail_field(path, raw, context, field_name):
        from legacylift.local.asl import intrinsics

        if intrinsics.is_intrinsic(path):
            value = intrinsics.evaluate(
                path, lambda p: payload.read_path(p, raw, context, field_name)
            )
        else:
            value = payload.read_path(path, raw, context, field_name)
        if not isinstance(value, str):
            raise runtime_error(f"The {field_name} '{path}' must resolve to a string")
        return value

    def _state_wait(self, name, state, raw, context):
        effective = payload.input_path(state, raw, context)
        if "Seconds" in state:
            seconds = state["Seconds"]
        elif "SecondsPath" in state:
            seconds = payload.read_path(state["SecondsPath"], effective, context, "SecondsPath")
            if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
                raise runtime_error(f"SecondsPath must give a non-negative integer, got {seconds}")
        else:
            stamp = state.get("Timestamp")
            if "TimestampPath" in state:
                stamp = payload.read_path(
                    state["TimestampPath"], effective, context, "TimestampPath"
                )
            target = choice._timestamp(stamp)
            if target is None:
                raise runtime_error(f"Wait: {stamp!r} is not an RFC 3339 timestamp")
            seconds = (target - datetime.now(target.tzinfo)).total_seconds()
        self._sleep(seconds)
        return payload.output_path(state, effective, context), self._next(state)

    def _state_choice(self, name, state, raw, context):
        effective = payload.input_path(state, raw, context)
        for rule in state["Choices"]:
            if choice.evaluate(rule, effective, context):
                return payload.output_path(state, effective, context), rule["Next"]
        if "Default" in state:
            return payload.output_path(state, effective, context), state["Default"]
        raise StatesError(
            "States.NoChoiceMatched", f"No Choice Rules matched in the Choice state '{name}'"
        )

    def _state_task(self, name, state, raw, context):
        def body():
            effective = payload.parameters(state, payload.input_path(state, raw, context), context)
            resource = state["Resource"]
            timeout = state.get("TimeoutSeconds")
            if "TimeoutSecondsPath" in state:
                timeout = payload.read_path(
                    state["TimeoutSecondsPath"], raw, context, "TimeoutSecondsPath"
                )
            named = _resource_fields(resource)
            scheduled = self.history.add(
                "TaskScheduled",
                **named,
                region=self.region,
                parameters=json.dumps(effective),
                **({"timeoutInSeconds": timeout} if timeout else {}),
            )
            self.history.add("TaskStarted", previous=scheduled, **named)
            task = TaskContext(name, context, timeout, self.history)
            try:
                result = self.tasks.run(resource, effective, task)
            except StatesError as error:
                details = {"error": error.error}
                if error.cause is not None:
                    details["cause"] = error.cause
                self.history.add("TaskFailed", **named, **details)
                raise
            self.history.add("TaskSucceeded", **named, output=json.dumps(result))
            return payload.process_output(state, raw, result, context)

        return self._with_retry_catch(name, state, raw, context, body)

    def _state_parallel(self, name, state, raw, context):
        def body():
            effective = payload.parameters(state, payload.input_path(state, raw, context), context)
            branches = state["Branches"]
            with ThreadPoolExecutor(max_workers=max(1, len(branches))) as pool:
                futures = [
                    pool.submit(self._run_machine, branch, copy.deepcopy(effective), {})
                    for branch in branches
                ]
                results = self._gather(futures)
            return payload.process_output(state, raw, results, context)

        return self._with_retry_catch(name, state, raw, context, body)

    def _state_map(self, name, state, raw, context):
        def body():
            effective = payload.input_path(state, raw, context)
            items = effective
            if "ItemsPath" in state:
                items = payload.read_path(state["ItemsPath"], effective, context, "ItemsPath")
            if not isinstance(items, list):
                raise StatesError(
                    "States.QueryEvaluationError",
                    f"Map state input must be an array but was: {_json_type(items)}",
                )
            processor = state.get("ItemProcessor") or state["Iterator"]
            selector = "ItemSelector" if "ItemSelector" in state else "Parameters"
            inputs = []
            for index, item in enumerate(items):
                item_context = {**context, "Map": {"Item": {"Index": index, "Value": item}}}
                if selector in state:
                    inputs.append(payload.apply_template(state[selector], effective, item_context))
                else:
                    inputs.append(item)
            limit = state.get("MaxConcurrency", 0) or MAP_MAX_WORKERS
            with ThreadPoolExecutor(max_workers=max(1, min(limit, MAP_MAX_WORKERS))) as pool:
                futures = [
                    pool.submit(self._iteration, name, processor, index, value)
                    for index, value in enumerate(inputs)
                ]
                results = self._gather(futures)
            return payload.process_output(state, raw, results, context)

        return self._with_retry_catch(name, state, raw, context, body)

    def _iteration(self, name, processor, index, value):
        self.history.add("MapIterationStarted", name=name, index=index)
        try:
            output = self._run_machine(processor, value, {})
        except StatesError:
            self.history.add("MapIterationFailed", name=name, index=index)
            raise
        self.history.add("MapIterationSucceeded", name=name, index=index)
        return output

    def _gather(self, futures) -> list[Any]:
        results, first_error = [], None
        for future in futures:
            try:
                results.append(future.result())
            except StatesError as error:
                first_error = first_error or error
                results.append(None)
            except KeyboardInterrupt:
                # Worker threads never see Ctrl-C: stop them before the pool waits for them.
                self.abort()
                for pending in futures:
                    pending.cancel()
                cancel = getattr(self.tasks, "cancel", None)
                if cancel:
                    cancel()
                raise
        if first_error is not None:
            raise first_error
        return results


def _resource_fields(resource: str) -> dict[str, str]:
    """A Task event's resourceType and resource as GetExecutionHistory gives them:
    `arn:aws:states:::sagemaker:createProcessingJob.sync` is type `sagemaker`, resource
    `createProcessingJob.sync`; another ARN is its service and the ARN itself."""
    if ":::" in resource:
        service, _, api = resource.split(":::", 1)[1].partition(":")
        return {"resourceType": service, "resource": api}
    parts = resource.split(":")
    return {"resourceType": parts[2] if len(parts) > 2 else resource, "resource": resource}


def _json_type(value: Any) -> str:
    for python_type, name in ((bool, "boolean"), (dict, "object"), (str, "string"),
                              (int | float, "number")):  # fmt: skip
        if isinstance(value, python_type):
            return name
    return "null"
