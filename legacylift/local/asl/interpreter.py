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

from legacylift.local.asl import choice, definition, numeric_fields
from legacylift.local.asl.errors import (
    LOCATED_ERRORS,
    StatesError,
    error_matches,
    runtime_error,
)
from legacylift.local.asl.history import History, history_limit_error, now_iso
from legacylift.local.asl.jsonata_payload import JSONATA
from legacylift.local.asl.payload import JSONPATH, MISSING
from legacylift.local.asl.variables import Context, Variables, json_size

DEFAULT_RETRY = {"IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2.0}
MAP_MAX_WORKERS = 40  # inline Map's concurrency limit on AWS
DISTRIBUTED_MAX_WORKERS = 10000  # a Distributed Map's child workflow executions at once
WRITER_PUT = "arn:aws:states:::s3:putObject"
MAX_PAYLOAD_BYTES = 256 * 1024  # state input/output and execution input
MAX_WAIT_SECONDS = 2**31 - 1  # a longer Wait fails at once on AWS


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


class ExecutionNotRedrivable(Exception):
    """RedriveExecution's refusal: the execution succeeded, still runs, or never entered a
    state."""


REDRIVABLE = ("FAILED", "TIMED_OUT", "ABORTED")


class Execution:
    """One execution of a state machine definition.

    `time_scale` multiplies Wait durations and Retry intervals (0.01 makes tests fast);
    `on_event` sees every history event as it happens (progress display); `max_parallel`
    caps every Map's concurrency to what this machine can run at once.
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
        max_parallel: int | None = None,
    ) -> None:
        self.machine = definition.load(definition_json)
        self.tasks = task_runner or _NoTasks()
        definition.validate(self.machine, self.tasks.supports)
        self.language = self.machine.get("QueryLanguage", "JSONPath")
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
        self._variables = Variables()  # the top-level scope, kept for a redrive
        self._unsuccessful: tuple[str, Any] | None = None  # (state, its input) being run
        self.retry_delays: list[float] = []  # unscaled seconds slept before each retry
        # What this machine can run at once: caps every Map's MaxConcurrency (None: no cap).
        self.max_parallel = max_parallel

    def abort(self) -> None:
        """Stop at the next state boundary (StopExecution)."""
        self._abort.set()

    def run(self) -> ExecutionResult:
        """Run to the end and return the outcome with the full history."""
        start = now_iso()
        self.base_context["Execution"]["StartTime"] = start
        self.history.add(
            "ExecutionStarted",
            input=json.dumps(self.input),
            roleArn=self.base_context["Execution"]["RoleArn"],
        )
        self._result = ExecutionResult(status="RUNNING", start_date=start)
        return self._drive(self.machine, self.input)

    def redrive(self) -> ExecutionResult:
        """Continue this failed, timed-out or aborted execution as Step Functions'
        RedriveExecution does: the top-level state it ended in (the unsuccessful one) starts
        again with the input it entered with, and the run goes on from there; the states it
        completed are not run again, their results stay in the state data. The history goes
        on after an ExecutionRedriven event, and `$$.Execution.RedriveCount` counts up. (A Map
        or Parallel state it ended in runs again whole here; AWS reruns only its unsuccessful
        iterations and branches.)"""
        result = getattr(self, "_result", None)
        status = result.status if result else "not started"
        if status not in REDRIVABLE or self._unsuccessful is None:
            why = "it entered no state" if status in REDRIVABLE else f"it is {status}"
            raise ExecutionNotRedrivable(f"Execution {self.name} cannot be redriven: {why}")
        execution = self.base_context["Execution"]
        execution["RedriveCount"] += 1
        self._abort.clear()
        self.history.continue_from(len(self.history.events))
        self.history.add("ExecutionRedriven", redriveCount=execution["RedriveCount"])
        state, data = self._unsuccessful
        self._result = ExecutionResult(status="RUNNING", start_date=result.start_date)
        return self._drive({**self.machine, "StartAt": state}, data)

    def _drive(self, machine: dict[str, Any], data: Any) -> ExecutionResult:
        """Run the top-level `machine` from its StartAt with `data` to the execution's end."""
        timeout = self.machine.get("TimeoutSeconds")  # a redrive restarts the clock, as on AWS
        if timeout is not None:
            self._deadline = time.monotonic() + timeout * self.time_scale
        result = self._result
        try:
            if json_size(self.input) > MAX_PAYLOAD_BYTES:
                raise StatesError(
                    "States.DataLimitExceeded",
                    "The execution input exceeds the maximum number of bytes service limit.",
                )
            result.output = self._run_machine(
                machine, data, {}, self._variables, self.language, top_level=True
            )
            result.status = "SUCCEEDED"
            self.history.add("ExecutionSucceeded", output=json.dumps(result.output))
        except _Aborted:
            result.status = "ABORTED"
            self.history.add("ExecutionAborted")
        except StatesError as raised:
            # Whatever a state made of it, a full history ends the execution with its error.
            exc = history_limit_error() if self.history.full else raised
            result.error, result.cause = exc.error, exc.cause
            if exc.error == "States.Timeout" and self._deadline_passed():
                result.status = "TIMED_OUT"
                self.history.add("ExecutionTimedOut", error=exc.error, cause=exc.cause)
            else:
                result.status = "FAILED"
                failed = {"error": exc.error, "cause": exc.cause}
                self.history.add("ExecutionFailed", **{k: v for k, v in failed.items() if v})
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

    def _run_machine(
        self,
        machine: dict[str, Any],
        data: Any,
        extra: dict[str, Any],
        variables: Variables,
        language: str,
        top_level: bool = False,
    ) -> Any:
        """Run a state machine (the top-level one, a branch, an item processor) whose states
        default to `language` and assign in `variables`. In the top-level one, the state
        being run and its input are kept: where a redrive starts if the execution ends there."""
        states = machine["States"]
        current = machine["StartAt"]
        while True:
            if top_level:  # before the check: an abort between states redrives the next one
                self._unsuccessful = (current, copy.deepcopy(data))
            self._check()
            state = states[current]
            kind = state["Type"]
            context = Context({**copy.deepcopy(self.base_context), **extra}, variables)
            # AWS: RetryCount is part of $$.State in Task states only.
            context["State"] = {"EnteredTime": now_iso(), "Name": current}
            if kind == "Task":
                context["State"]["RetryCount"] = 0
            io = JSONATA if definition.state_language(language, state) == "JSONata" else JSONPATH
            entered = self.history.add(f"{kind}StateEntered", name=current, input=json.dumps(data))
            handler = getattr(self, f"_state_{kind.lower()}")
            try:
                output, following, assigned = handler(current, state, data, context, io)
                if json_size(output) > MAX_PAYLOAD_BYTES:
                    raise StatesError(
                        "States.DataLimitExceeded",
                        f"The state/task '{current}' returned a result with a size exceeding the "
                        "maximum number of bytes service limit.",
                    )
                # As on AWS, the state's Assign was evaluated with the values on entry and
                # binds only now, after its output is computed.
                variables.assign(assigned, current)
            except StatesError as error:
                if error.location is not None and not error.located:
                    # AWS records a failed JSONata evaluation as its own history event.
                    self.history.add(
                        "EvaluationFailed",
                        state=current,
                        error=error.error,
                        cause=error.cause,
                        location=error.location,
                    )
                if error.error in LOCATED_ERRORS and not error.located:
                    error.located = True
                    error.cause = (
                        f"An error occurred while executing the state '{current}' (entered at "
                        f"the event id #{entered}). {error.cause}"
                    )
                raise
            exited = {"name": current, "output": json.dumps(output)}
            if assigned:
                exited["assignedVariables"] = {k: json.dumps(v) for k, v in assigned.items()}
                exited["assignedVariablesDetails"] = {"truncated": False}
            self.history.add(f"{kind}StateExited", **exited)
            if following is None:
                return output
            current, data = following, output

    def _with_retry_catch(self, name, state, raw, context, io, body):
        attempts: dict[int, int] = {}
        while True:
            try:
                output, assigned = body()
                return output, self._next(state), assigned
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
                        if "RetryCount" in context["State"]:
                            context["State"]["RetryCount"] = sum(attempts.values())
                        self.retry_delays.append(delay)
                        self._sleep(delay)
                        continue
                for catcher in state.get("Catch", []):
                    if error_matches(catcher["ErrorEquals"], error.error):
                        output, assigned = io.caught(catcher, raw, error, context)
                        return output, catcher["Next"], assigned
                raise

    @staticmethod
    def _next(state: dict[str, Any]) -> str | None:
        return None if state.get("End") else state.get("Next")

    # --- states: each returns (output, next state or None, variables to assign) ---------
    # They read and write data only through `io`, the state's query language pipeline.

    def _state_pass(self, name, state, raw, context, io):
        result = io.pass_result(state, raw, context)
        output, assigned = io.finish(state, raw, result, context)
        return output, self._next(state), assigned

    def _state_succeed(self, name, state, raw, context, io):
        output, assigned = io.finish(state, raw, io.selected(state, raw, context), context)
        return output, None, assigned

    def _state_fail(self, name, state, raw, context, io):
        error, cause = (
            self._fail_field(state, field, raw, context, io) for field in ("Error", "Cause")
        )
        # AWS: with neither Error nor Cause the execution fails with no error and no cause.
        raise StatesError(error, cause)

    @staticmethod
    def _fail_field(state, field_name, raw, context, io):
        value = io.field(state, field_name, raw, context)
        if value is MISSING:
            return None
        if not isinstance(value, str):
            raise runtime_error(
                f"The {field_name} field '{io.source(state, field_name)}' must resolve to a "
                f"string, not {json.dumps(value)}"
            )
        return value

    def _state_wait(self, name, state, raw, context, io):
        effective = io.selected(state, raw, context)
        seconds = io.field(state, "Seconds", effective, context)
        if seconds is not MISSING:
            seconds = _wait_seconds(seconds, state, io)
        else:
            stamp = io.field(state, "Timestamp", effective, context)
            target = choice._timestamp(stamp)
            if target is None:
                given = "TimestampPath" if "TimestampPath" in state else "Timestamp"
                cause = (
                    f"The {given} parameter does not reference a valid ISO-8601 extended "
                    f"offset date-time format string: {io.source(state, 'Timestamp')} == "
                    f"{_shown(stamp)}"
                )
                if io.language == "JSONata":
                    # AWS: the expression's value is wrong, not the path: a query error.
                    error = StatesError("States.QueryEvaluationError", cause)
                    error.location = "Timestamp"
                    raise error
                raise runtime_error(cause)
            seconds = (target - datetime.now(target.tzinfo)).total_seconds()
        if seconds > MAX_WAIT_SECONDS:
            raise runtime_error("Wait state delay is too long.")
        self._sleep(seconds)
        output, assigned = io.finish(state, raw, effective, context)
        return output, self._next(state), assigned

    def _state_choice(self, name, state, raw, context, io):
        effective = io.selected(state, raw, context)
        for rule in state["Choices"]:
            if io.matches(rule, effective, context):
                output, assigned = io.finish(_chosen(state, rule), raw, effective, context)
                return output, rule["Next"], assigned
        if "Default" in state:
            output, assigned = io.finish(state, raw, effective, context)
            return output, state["Default"], assigned
        raise StatesError(
            "States.NoChoiceMatched", f"No Choice Rules matched in the Choice state '{name}'"
        )

    def _state_task(self, name, state, raw, context, io):
        def body():
            effective = io.effective(state, raw, context)
            resource = state["Resource"]
            timeout = numeric_fields.timeout_seconds(
                io.field(state, "TimeoutSeconds", raw, context), state
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
            return io.finish(state, raw, result, context)

        return self._with_retry_catch(name, state, raw, context, io, body)

    def _state_parallel(self, name, state, raw, context, io):
        def body():
            effective = io.effective(state, raw, context)
            branches = state["Branches"]
            parent = self.history.last_id()
            with ThreadPoolExecutor(max_workers=max(1, len(branches))) as pool:
                futures = [
                    pool.submit(
                        self._nested,
                        branch,
                        copy.deepcopy(effective),
                        {},
                        context.variables,
                        io.language,
                        parent,
                    )
                    for branch in branches
                ]
                results = self._gather(futures)
            return io.finish(state, raw, results, context)

        return self._with_retry_catch(name, state, raw, context, io, body)

    def _state_map(self, name, state, raw, context, io):
        def body():
            effective = io.selected(state, raw, context)
            processor = state.get("ItemProcessor") or state["Iterator"]
            distributed = processor.get("ProcessorConfig", {}).get("Mode") == "DISTRIBUTED"
            items = self._map_items(name, state, effective, context, io)
            inputs = []
            for index, item in enumerate(items):
                item_context = context.with_entries(Map={"Item": {"Index": index, "Value": item}})
                inputs.append(io.item_input(state, effective, item_context))
            if "ItemBatcher" in state:
                inputs = _batches(state["ItemBatcher"], inputs, effective, context, io)
            limit = numeric_fields.read(
                io.field(state, "MaxConcurrency", effective, context),
                state,
                "MaxConcurrency",
                io.source(state, "MaxConcurrency"),
            )
            ceiling = DISTRIBUTED_MAX_WORKERS if distributed else MAP_MAX_WORKERS
            workers = max(1, min(limit or ceiling, ceiling, self.max_parallel or ceiling))
            self.history.add("MapStateStarted", length=len(inputs))
            parent = self.history.last_id()
            if distributed:
                results = self._distributed(
                    parent, name, state, processor, inputs, effective, context, io, workers
                )
                return io.finish(state, raw, results, context)
            with ThreadPoolExecutor(max_workers=workers) as pool:
                futures = [
                    pool.submit(
                        self._iteration,
                        parent,
                        name,
                        processor,
                        index,
                        value,
                        context.variables,
                        io.language,
                    )
                    for index, value in enumerate(inputs)
                ]
                results = self._gather(futures)
            return io.finish(state, raw, results, context)

        return self._with_retry_catch(name, state, raw, context, io, body)

    def _map_items(self, name, state, effective, context, io) -> list[Any]:
        """The Map's items: from its ItemReader (S3, through the task runner), else its
        ItemsPath/Items."""
        if "ItemReader" not in state:
            items = object_pairs(io.items(state, effective, context))
        else:
            reader = state["ItemReader"]
            parameters = io.effective(reader, effective, context)
            raw_items = self.tasks.run(
                reader["Resource"], parameters, TaskContext(name, context, None, self.history)
            )
            config = reader.get("ReaderConfig", {})
            most = numeric_fields.max_items(
                io.field(config, "MaxItems", effective, context),
                config,
                io.source(config, "MaxItems"),
            )
            items = _reader_items(reader, raw_items, most)
        if not isinstance(items, list):
            raise StatesError(
                "States.QueryEvaluationError",
                f"Map state input must be an array but was: {_json_type(items)}",
            )
        return items

    def _distributed(self, parent, name, state, processor, inputs, effective, context, io, workers):
        """A Distributed Map's child workflow executions, each its own $$.Execution, with the
        tolerated failures and the ResultWriter; fails with States.ExceedToleratedFailureThreshold
        once more children fail than tolerated (children not yet started are not started)."""
        count, percentage = (
            numeric_fields.read(
                io.field(state, name, effective, context), state, name, io.source(state, name)
            )
            for name in ("ToleratedFailureCount", "ToleratedFailurePercentage")
        )
        count = count or 0
        total, lock, failed, exceeded = len(inputs), threading.Lock(), [], threading.Event()
        machine = self.base_context["StateMachine"]
        label = state.get("Label", uuid.uuid4().hex[:8])
        run_id = str(uuid.uuid4())
        map_run_arn = machine["Id"].replace(":stateMachine:", ":mapRun:") + f"/{label}:{run_id}"

        def over(failures: int) -> bool:
            if percentage is not None and failures * 100 > percentage * total:
                return True
            return failures > count and (percentage is None or count > 0)

        def child(index: int, value: Any) -> dict[str, Any]:
            if exceeded.is_set() or self._abort.is_set():
                return {"Status": "ABORTED", "Input": value}
            child_name = str(uuid.uuid4())
            extra = {
                "Execution": {
                    **self.base_context["Execution"],
                    "Name": child_name,
                    "Input": copy.deepcopy(value),
                    "StartTime": now_iso(),
                    "Id": machine["Id"].replace(":stateMachine:", ":execution:")
                    + f"/{label}:{child_name}",
                }
            }
            record = {"Name": child_name, "Input": value, "StartDate": now_iso()}
            try:
                output = self._iteration(
                    parent, name, processor, index, value, context.variables, io.language, extra
                )
                record.update(Status="SUCCEEDED", Output=output)
            except StatesError as error:
                record.update(Status="FAILED", Error=error.error, Cause=error.cause)
                with lock:
                    failed.append(index)
                    if over(len(failed)):
                        exceeded.set()
            record["StopDate"] = now_iso()
            return record

        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(child, index, value) for index, value in enumerate(inputs)]
            records = self._gather(futures)
        if "ResultWriter" in state:
            result = self._write_results(name, state, records, effective, context, io, map_run_arn)
        else:
            result = [
                r.get("Output")
                if r["Status"] == "SUCCEEDED"
                else {k: r.get(k) for k in ("Error", "Cause")}
                for r in records
            ]
        if over(len(failed)):
            raise StatesError(
                "States.ExceedToleratedFailureThreshold",
                f"The specified tolerated failure threshold was exceeded: {len(failed)} of "
                f"{total} child workflow executions failed (Map Run {map_run_arn})",
            )
        return result

    def _write_results(self, name, state, records, effective, context, io, map_run_arn):
        """ResultWriter: the children's records as SUCCEEDED_0.json / FAILED_0.json under
        <Prefix>/<map run id>/, listed by manifest.json; the state's result names them."""
        writer = state["ResultWriter"]
        target = io.effective(writer, effective, context)
        if not isinstance(target, dict) or not isinstance(target.get("Bucket"), str):
            raise StatesError(
                "States.ResultWriterFailed",
                f"The ResultWriter's parameters need a Bucket (a string): {json.dumps(target)}",
            )
        bucket, prefix = target["Bucket"], str(target.get("Prefix", "")).rstrip("/")
        base = (
            f"{prefix}/{map_run_arn.rsplit(':', 1)[-1]}/"
            if prefix
            else (f"{map_run_arn.rsplit(':', 1)[-1]}/")
        )
        task = TaskContext(name, context, None, self.history)
        files: dict[str, list[dict[str, Any]]] = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
        for status in ("SUCCEEDED", "FAILED"):
            chosen = [
                {
                    **r,
                    "Input": json.dumps(r["Input"]),
                    **({"Output": json.dumps(r["Output"])} if "Output" in r else {}),
                }
                for r in records
                if r["Status"] == status
            ]
            if chosen:
                body = json.dumps(chosen)
                key = f"{base}{status}_0.json"
                self.tasks.run(WRITER_PUT, {"Bucket": bucket, "Key": key, "Body": body}, task)
                files[status].append({"Key": key, "Size": len(body.encode())})
        manifest = {"DestinationBucket": bucket, "MapRunArn": map_run_arn, "ResultFiles": files}
        key = f"{base}manifest.json"
        self.tasks.run(
            WRITER_PUT, {"Bucket": bucket, "Key": key, "Body": json.dumps(manifest)}, task
        )
        return {"MapRunArn": map_run_arn, "ResultWriterDetails": {"Bucket": bucket, "Key": key}}

    def _nested(self, machine, data, extra, outer: Variables, language: str, parent=None):
        """A Parallel branch or Map iteration: its own variable scope inside `outer`; its
        states default to the query language of the state that runs it. `parent`: the history
        event this branch's first event follows."""
        if parent is not None:
            self.history.continue_from(parent)
        scope = outer.inner()
        try:
            return self._run_machine(machine, data, extra, scope, language)
        finally:
            scope.release()

    def _iteration(
        self,
        parent,
        name,
        processor,
        index,
        value,
        outer: Variables,
        language: str,
        extra: dict[str, Any] | None = None,
    ):
        self.history.continue_from(parent)
        self.history.add("MapIterationStarted", name=name, index=index)
        try:
            output = self._nested(processor, value, extra or {}, outer, language)
        except StatesError as error:
            # Beyond AWS's event: the iteration's error, so a report can name each failed one.
            self.history.add(
                "MapIterationFailed",
                name=name,
                index=index,
                error=error.error,
                **({"cause": error.cause} if error.cause else {}),
            )
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


def _chosen(state: dict[str, Any], rule: dict[str, Any]) -> dict[str, Any]:
    """The Choice state's fields with a matched rule's Assign and Output instead of the
    state's own (those apply when the Default is taken)."""
    fields = {key: value for key, value in state.items() if key not in ("Assign", "Output")}
    fields.update({key: rule[key] for key in ("Assign", "Output") if key in rule})
    return fields


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _wait_seconds(seconds: Any, state: dict[str, Any], io) -> int:
    """A Wait's seconds, checked with AWS's wording."""
    given = "SecondsPath" if "SecondsPath" in state else "Seconds"
    description = f"{io.source(state, 'Seconds')} == {_shown(seconds)}"
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        raise runtime_error(
            f"The {given} parameter cannot be parsed as a long value: {description}"
        )
    if seconds < 0:
        raise runtime_error(f"The {given} parameter references a negative value: {description}")
    return seconds


def object_pairs(items: Any) -> Any:
    """A JSON object's key-value pairs as the Map's items, in document order, each passed to
    its iteration as `{"key": name, "value": value}` (AWS: "If the input to the Map state is a
    JSON object, it runs an iteration for each key-value pair in the object"); anything else
    as it is."""
    if isinstance(items, dict):
        return [{"key": key, "value": value} for key, value in items.items()]
    return items


def _json_type(value: Any) -> str:
    for python_type, name in (
        (bool, "boolean"),
        (dict, "object"),
        (str, "string"),
        (int | float, "number"),
    ):
        if isinstance(value, python_type):
            return name
    return "null"


def _reader_items(reader: dict[str, Any], raw: Any, max_items: int | None) -> list[Any]:
    """An ItemReader's items: listObjectsV2's objects as they are; getObject's text parsed as
    ReaderConfig.InputType says (JSON: an array; CSV: rows, headers from the first row or
    CSVHeaders); at most MaxItems of them."""
    config = reader.get("ReaderConfig", {})
    kind = config.get("InputType")
    if isinstance(raw, str):
        if kind == "JSON":
            try:
                items = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise StatesError(
                    "States.ItemReaderFailed", f"The ItemReader's object is not JSON: {exc}"
                ) from None
        elif kind == "CSV":
            items = _csv_items(raw, config)
        else:
            raise StatesError(
                "States.ItemReaderFailed",
                f"ReaderConfig.InputType {kind!r} is not read locally: use JSON or CSV",
            )
    else:
        items = raw
    if max_items and isinstance(items, list):
        items = items[:max_items]
    return items


def _csv_items(text: str, config: dict[str, Any]) -> list[dict[str, str]]:
    import csv
    import io as text_io

    delimiter = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}[
        config.get("CSVDelimiter", "COMMA")
    ]
    rows = list(csv.reader(text_io.StringIO(text), delimiter=delimiter))
    if config.get("CSVHeaderLocation", "FIRST_ROW") == "GIVEN":
        headers = config.get("CSVHeaders", [])
    else:
        headers, rows = (rows[0], rows[1:]) if rows else ([], [])
    return [dict(zip(headers, row, strict=False)) for row in rows if row]


def _batches(batcher, inputs, effective, context, io) -> list[dict[str, Any]]:
    """ItemBatcher: the items in groups of MaxItemsPerBatch (and MaxInputBytesPerBatch),
    each `{"Items": [...]}` plus BatchInput when given."""
    most, limit = (
        numeric_fields.read(
            io.field(batcher, name, effective, context), batcher, name, io.source(batcher, name)
        )
        for name in ("MaxItemsPerBatch", "MaxInputBytesPerBatch")
    )
    most = most or len(inputs) or 1
    limit = limit or MAX_PAYLOAD_BYTES
    extra = {}
    if "BatchInput" in batcher:
        extra["BatchInput"] = (
            io.effective({"Parameters": batcher["BatchInput"]}, effective, context)
            if io.language == "JSONPath"
            else (batcher["BatchInput"])
        )
    groups, current = [], []
    for item in inputs:
        if current and (len(current) >= most or json_size(current + [item]) > limit):
            groups.append(current)
            current = []
        current.append(item)
    if current:
        groups.append(current)
    return [{"Items": group, **extra} for group in groups]
