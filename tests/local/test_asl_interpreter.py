"""Interpreter behaviour moto cannot judge: Task states with a task runner, Retry timing,
TimeoutSeconds, the time scale, the execution history, and definitions refused up front."""

from __future__ import annotations

import threading
import time

import pytest

from legacylift.local.asl.definition import DefinitionError
from legacylift.local.asl.errors import StatesError
from legacylift.local.asl.interpreter import Execution

RESOURCE = "arn:aws:states:::test:echo"


class ScriptedTasks:
    """A task runner whose calls fail with the scripted errors first, then echo parameters."""

    def __init__(self, failures=(), delay=0.0):
        self.failures = list(failures)
        self.calls = []
        self.delay = delay
        self.active = 0
        self.peak = 0
        self._lock = threading.Lock()

    def supports(self, resource):
        return resource == RESOURCE

    def run(self, resource, parameters, task):
        with self._lock:
            self.calls.append((task.state_name, parameters, task.context["State"]["RetryCount"]))
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            time.sleep(self.delay)
            if self.failures:
                raise StatesError(*self.failures.pop(0))
            return {"echo": parameters}
        finally:
            with self._lock:
                self.active -= 1


def task_state(**fields):
    return {"Type": "Task", "Resource": RESOURCE, "End": True, **fields}


def machine(state):
    return {"StartAt": "T", "States": {"T": state}}


def test_retry_backoff_and_max_delay_then_success():
    tasks = ScriptedTasks(failures=[("Flaky", "1"), ("Flaky", "2"), ("Flaky", "3")])
    retry = [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 2, "BackoffRate": 3,
              "MaxAttempts": 3, "MaxDelaySeconds": 10}]  # fmt: skip
    execution = Execution(machine(task_state(Retry=retry, Parameters={"x": 1})), {},
                          task_runner=tasks, time_scale=0.001)  # fmt: skip
    result = execution.run()
    assert result.status == "SUCCEEDED"
    assert result.output == {"echo": {"x": 1}}
    assert execution.retry_delays == [2, 6, 10]  # 2, 2*3, min(2*9, 10)
    assert [call[2] for call in tasks.calls] == [0, 1, 2, 3]  # $$.State.RetryCount


def test_retries_exhausted_then_caught_with_result_path():
    tasks = ScriptedTasks(failures=[("States.TaskFailed", "boom")] * 3)
    definition = {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": RESOURCE, "Next": "Never",
                        "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2,
                                "IntervalSeconds": 1}],
                        "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error",
                                "Next": "Recovered"}]},
        "Never": {"Type": "Succeed"},
        "Recovered": {"Type": "Pass", "End": True}}}  # fmt: skip
    result = Execution(definition, {"keep": 1}, task_runner=tasks, time_scale=0.001).run()
    assert len(tasks.calls) == 3
    assert result.output == {"keep": 1, "error": {"Error": "States.TaskFailed", "Cause": "boom"}}


def test_task_failed_wildcard_does_not_match_timeout():
    tasks = ScriptedTasks(failures=[("States.Timeout", None)])
    catch = [{"ErrorEquals": ["States.TaskFailed"], "Next": "X"}]
    definition = {"StartAt": "T", "States": {"T": {**task_state(Catch=catch)},
                                             "X": {"Type": "Succeed"}}}  # fmt: skip
    result = Execution(definition, {}, task_runner=tasks).run()
    assert (result.status, result.error) == ("FAILED", "States.Timeout")


def test_execution_timeout_and_time_scaled_wait():
    waiting = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1000, "End": True}}}
    started = time.monotonic()
    assert Execution(waiting, {}, time_scale=0.0005).run().status == "SUCCEEDED"
    assert time.monotonic() - started < 5
    timed = {**waiting, "TimeoutSeconds": 100}
    result = Execution(timed, {}, time_scale=0.001).run()
    assert (result.status, result.error) == ("TIMED_OUT", "States.Timeout")
    assert result.history[-1]["type"] == "ExecutionTimedOut"


def test_map_max_concurrency_is_respected():
    tasks = ScriptedTasks(delay=0.05)
    state = {"Type": "Map", "End": True, "MaxConcurrency": 2,
             "ItemProcessor": {"StartAt": "T", "States": {"T": task_state()}}}  # fmt: skip
    result = Execution(machine(state), list(range(6)), task_runner=tasks).run()
    assert result.output == [{"echo": item} for item in range(6)]
    assert tasks.peak == 2


def test_history_is_shaped_like_get_execution_history():
    tasks = ScriptedTasks()
    result = Execution(machine(task_state(Parameters={"a": 1})), {"in": 1}, task_runner=tasks).run()
    types = [event["type"] for event in result.history]
    assert types == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
                     "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]  # fmt: skip
    assert [event["id"] for event in result.history] == list(range(1, 8))
    scheduled = result.history[2]["taskScheduledEventDetails"]
    assert scheduled["parameters"] == '{"a": 1}' and scheduled["region"] == "us-east-1"
    # Every Task event names the integration as AWS does: type, then the API (and .sync).
    for event in result.history[2:5]:
        details = next(v for k, v in event.items() if k.endswith("EventDetails"))
        assert (details["resourceType"], details["resource"]) == ("test", "echo"), event
    assert result.history[1]["stateEnteredEventDetails"] == {"name": "T", "input": '{"in": 1}'}


def test_resource_not_runnable_locally_names_the_state():
    definition = machine(task_state(Resource="arn:aws:states:::lambda:invoke"))
    with pytest.raises(DefinitionError, match="state 'T'.*lambda:invoke.*not runnable locally"):
        Execution(definition, {}, task_runner=ScriptedTasks())


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ({**machine({"Type": "Pass", "End": True}), "QueryLanguage": "JSONata"}, "JSONata"),
        (machine({"Type": "Pass", "End": True, "Assign": {"x": 1}}), "Assign"),
        (machine({"Type": "Pass", "Next": "Nowhere"}), "names no state"),
        (machine({"Type": "Pass"}), "needs Next or End"),
        (machine({"Type": "Map", "End": True, "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "P",
            "States": {"P": {"Type": "Pass", "End": True}}}}), "only INLINE Map"),
    ],
)  # fmt: skip
def test_definitions_refused_before_running(definition, message):
    with pytest.raises(DefinitionError, match=message):
        Execution(definition, {})


def test_abort_stops_at_the_next_state():
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}}}
    execution = Execution(definition, {})
    threading.Timer(0.2, execution.abort).start()
    assert execution.run().status == "ABORTED"
