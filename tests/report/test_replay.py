"""One reporter for both worlds: a recorded local run and a recorded Step Functions execution,
each with a successful Preprocessing and a failed Inference, replayed into the same text and
the same JSON shape."""

from __future__ import annotations

import json
import re
import time

import pytest

from legacylift.history import parse
from legacylift.local.asl.errors import StatesError
from legacylift.local.asl.interpreter import Execution
from legacylift.report.reporter import Reporter
from tests.report.recorded import cloud_reporter, local_document, local_reporter


def _shape(text: str) -> list[str]:
    """Lines with durations, job names, execution names and log lines made generic."""
    text = re.sub(r"\((\d+h)?(\d+m)?\d+(\.\d)?s\)", "(T)", text)
    text = re.sub(r"after (\d+h)?(\d+m)?\d+(\.\d)?s", "after T", text)
    text = re.sub(r"after -", "after T", text)
    text = re.sub(r"job [\w-]+,", "job J,", text)
    text = re.sub(r"execution [\w-]+ ", "execution E ", text)
    text = re.sub(r"exit code [\d-]+", "exit code C", text)
    shown = text.splitlines()
    lines = [line for line in shown if not line.startswith(("  | ", "exit message", "    "))]
    return [re.sub(r"last \d+ log lines", "last N log lines", line) for line in lines]


def _replayed_text(make, capsys) -> list[str]:
    reporter = make("text")
    print(reporter.failure_text())
    out = capsys.readouterr()
    return _shape(out.out + out.err)


def test_local_and_cloud_failures_read_the_same(capsys):
    local = _replayed_text(local_reporter, capsys)
    cloud = _replayed_text(cloud_reporter, capsys)
    # Progress lines go to stdout, failures to stderr: compare each stream's lines as a set
    # of shapes, then the failure block in order.
    assert local == cloud, f"local:\n{local}\ncloud:\n{cloud}"
    assert "✓ Preprocessing (T)" in local
    assert "failing step: Inference (job J, status Failed, exit code C)" in local
    assert "failure reason: AlgorithmError: See job logs for more information" in local


def test_local_and_cloud_json_have_the_same_shape():
    local, cloud = local_reporter().result(), cloud_reporter().result()
    assert local.keys() == cloud.keys()
    assert local["failure"].keys() == cloud["failure"].keys()
    tasks = [
        [(s["name"], s["status"], s["attempts"]) for s in r["steps"] if s["type"] == "Task"]
        for r in (local, cloud)
    ]
    assert tasks[0] == tasks[1] == [("Preprocessing", "succeeded", 1), ("Inference", "failed", 1)]
    for result in (local, cloud):
        json.dumps(result)  # serialisable as it is
        assert result["status"] == "FAILED"
        assert result["failure"]["step"] == "Inference"
        assert result["failure"]["error"] == "States.TaskFailed"
        assert result["failure"]["log_tail"], "the failing job's log tail is part of the result"
        assert all(s["seconds"] is not None for s in result["steps"])
    assert local["failure"]["exit_code"] == 1  # the local engine knows the container's code
    assert cloud["failure"]["exit_code"] is None  # SageMaker does not report it


def test_local_failure_names_the_container_output():
    failure = local_reporter().failure()
    assert failure["exit_message"] == "column 'price' not found"
    assert "ValueError: column 'price' not found" in failure["log_tail"]


class _FlakyTasks:
    """Task runner whose first call of each state fails with a retryable error."""

    def __init__(self, fail_first: set[str], fail_always: set[str] = frozenset()) -> None:
        self.fail_first, self.fail_always = set(fail_first), set(fail_always)

    def supports(self, resource: str) -> bool:
        return True

    def run(self, resource, parameters, task):
        time.sleep(parameters.get("sleep", 0))
        if task.state_name in self.fail_always:
            raise StatesError("States.TaskFailed", '{"FailureReason": "boom"}')
        if task.state_name in self.fail_first:
            self.fail_first.discard(task.state_name)
            raise StatesError("Throttling", "slow down")
        return {"ProcessingJobName": parameters["ProcessingJobName"], "ok": True}


RETRIED = {
    "StartAt": "Work",
    "States": {
        "Work": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sagemaker:createProcessingJob.sync",
            "Parameters": {"ProcessingJobName.$": "States.Format('job-{}', States.UUID())"},
            "Retry": [{"ErrorEquals": ["Throttling"], "IntervalSeconds": 1, "MaxAttempts": 2}],
            "End": True,
        }
    },
}


def test_a_task_retried_then_succeeded_is_not_failed(capsys):
    """(Planted bug: a visit counted as failed when any attempt failed; this test went red.)"""
    reporter = Reporter("text", live=False)
    result = Execution(
        RETRIED, {}, task_runner=_FlakyTasks({"Work"}), time_scale=0.001, on_event=reporter.event
    ).run()
    assert result.status == "SUCCEEDED"
    (visit,) = reporter.trace.tasks()
    assert visit.status == "succeeded" and visit.retries == 1
    assert [a.outcome for a in visit.attempts] == ["failed", "succeeded"]
    assert reporter.failure() is None and reporter.failure_text() == ""
    out = capsys.readouterr()
    # A failed attempt that a Retry recovers is progress, not an error: nothing on stderr
    # says the step failed. (Planted bug: the attempt printed as "error: Work failed after";
    # this assertion went red.)
    assert re.search(r"Work: attempt 1 failed after [\d.]+s: Throttling: slow down$", out.out, re.M)
    assert "failed" not in out.err
    assert "Work: retrying (attempt 2)" in out.out
    assert "✓ Work (" in out.out and "1 retry" in out.out


MAP = {
    "StartAt": "Batches",
    "States": {
        "Batches": {
            "Type": "Map",
            "MaxConcurrency": 4,
            "ItemProcessor": {
                "StartAt": "Score",
                "States": {
                    "Score": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::sagemaker:createProcessingJob.sync",
                        "Parameters": {"ProcessingJobName.$": "$.job", "sleep.$": "$.sleep"},
                        "End": True,
                    }
                },
            },
            "End": True,
        }
    },
}


@pytest.mark.parametrize("failing", [False, True])
def test_interleaved_map_iterations_land_in_their_own_visits(failing):
    """Four iterations run at once, their events interleaved in one history: each Task visit
    must get its own iteration's job. (Planted bug: the engine's previousEventId set to
    `id - 1` again instead of the branch's previous event; this test went red.)"""
    items = [{"job": f"job-{i}", "sleep": 0.02 * (8 - i)} for i in range(8)]
    tasks = _FlakyTasks(set(), {"Score"} if failing else set())
    if failing:  # only iteration 5 fails
        tasks = _OneFails("job-5")
    live = Reporter("quiet")  # called back from the iterations' threads as events happen
    result = Execution(MAP, items, task_runner=tasks, on_event=live.event).run()
    live.close()
    trace = parse(result.history)
    seen_live = [(v.label, v.status, [a.job_name for a in v.attempts]) for v in live.trace.tasks()]
    assert seen_live == [
        (v.label, v.status, [a.job_name for a in v.attempts]) for v in trace.tasks()
    ]
    visits = trace.tasks()
    assert len(visits) == 8
    by_iteration = {v.iteration: v for v in visits}
    assert sorted(by_iteration) == list(range(8))
    for index, visit in by_iteration.items():
        assert visit.parent is not None and visit.parent.name == "Batches"
        assert [a.job_name for a in visit.attempts] == [f"job-{index}"]
        assert visit.label == f"Batches[{index}] › Score"
    statuses = {v.iteration: v.status for v in visits}
    if failing:
        assert result.status == "FAILED"
        assert statuses[5] == "failed"
        assert trace.failed_visit().label == "Batches[5] › Score"
        assert [i for i, s in statuses.items() if s == "failed"] == [5]
    else:
        assert set(statuses.values()) == {"succeeded"}


class _OneFails(_FlakyTasks):
    def __init__(self, job: str) -> None:
        super().__init__(set())
        self.job = job

    def run(self, resource, parameters, task):
        time.sleep(parameters.get("sleep", 0))
        if parameters["ProcessingJobName"] == self.job:
            raise StatesError("States.TaskFailed", '{"FailureReason": "boom"}')
        return {"ProcessingJobName": parameters["ProcessingJobName"]}


@pytest.mark.parametrize("failing", [False, True])
def test_progress_states_are_tasks_waits_and_the_groups_holding_them(capsys, failing):
    """Which states count as progress (legacylift.history.PROGRESS_KINDS): Task and Wait, and
    Map and Parallel, which AWS ends with their own events (MapStateFailed); Pass and Choice
    never (the recorded histories of test_recorded_reports.py show them left out). Planted bug
    (progress-without-groups): PROGRESS_KINDS back to {"Task", "Wait"}, as the second history
    parser had it; the Map's own lines disappeared and this went red."""
    items = [{"job": f"job-{i}", "sleep": 0.0} for i in range(3)]
    tasks = _OneFails("job-1") if failing else _FlakyTasks(set())
    reporter = Reporter("text", live=False)
    result = Execution(MAP, items, task_runner=tasks, on_event=reporter.event).run()
    reporter.close()
    shown = capsys.readouterr()
    lines = (shown.out + shown.err).splitlines()
    assert result.status == reporter.trace.status == ("FAILED" if failing else "SUCCEEDED")
    assert "• Batches ..." in lines and "• Batches[1] › Score ..." in lines
    if failing:
        assert any(line.startswith("error: Batches failed after") for line in lines)
        assert any(line.startswith("error: Batches[1] › Score failed after") for line in lines)
        assert reporter.failure()["step"] == "Batches[1] › Score"
    else:
        assert any(line.startswith("✓ Batches (") for line in lines)
        assert sorted(reporter.trace.job_names()) == ["job-0", "job-1", "job-2"]
    (group,) = [v for v in reporter.trace.visits if v.parent is None]
    assert reporter.trace.seconds_in_states() == group.seconds() is not None


def test_the_recorded_local_history_is_a_real_run():
    document = local_document()
    types = [event["type"] for event in document["events"]]
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionFailed"
    assert types.count("TaskScheduled") == 2


def test_events_arriving_out_of_order_are_taken_in_order():
    """Iterations' threads may deliver events out of order. (Planted bug: events taken as
    they arrive; this test went red.)"""
    items = [{"job": f"job-{i}", "sleep": 0.0} for i in range(4)]
    result = Execution(MAP, items, task_runner=_FlakyTasks(set())).run()
    reporter = Reporter("quiet")
    for event in reversed(result.history):
        reporter.event(event)
    reporter.close()
    expected = parse(result.history)
    assert reporter.trace.status == expected.status == "SUCCEEDED"
    assert [(v.label, v.status) for v in reporter.trace.visits] == [
        (v.label, v.status) for v in expected.visits
    ]
