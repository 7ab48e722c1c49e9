"""AWS's hard limits on one execution, kept by the local engine: 25,000 history events (a
definition that never ends fails there instead of running forever) and 1 MB definitions."""

from __future__ import annotations

import json
import threading
import time

import pytest

from legacylift.history import MAX_HISTORY_EVENTS
from legacylift.local.asl.definition import MAX_DEFINITION_LENGTH, DefinitionError
from legacylift.local.asl.history import HISTORY_LIMIT_CAUSE
from legacylift.local.asl.interpreter import Execution
from legacylift.report.reporter import Reporter

LOOP = {
    "StartAt": "A",
    "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}},
}


def _run_bounded(execution: Execution, seconds: float = 120):
    """Run `execution` on a thread; abort it (and fail the test) if it has not ended in time
    or its history has grown past the limit (so a planted bug cannot eat the machine's memory)."""
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.update(result=execution.run()), daemon=True)
    thread.start()
    deadline = time.monotonic() + seconds
    while thread.is_alive() and time.monotonic() < deadline:
        if len(execution.history.events) > MAX_HISTORY_EVENTS:
            break
        thread.join(0.05)
    if thread.is_alive():
        execution.abort()
        thread.join(30)
        pytest.fail(f"still running with {len(execution.history.events):,} history events")
    return outcome["result"]


def _pass_chain(states: int) -> dict:
    names = [f"S{i}" for i in range(states)]
    chain = {
        name: {"Type": "Pass", "Next": following}
        for name, following in zip(names, names[1:], strict=False)
    }
    chain[names[-1]] = {"Type": "Pass", "End": True}
    return {"StartAt": names[0], "States": chain}


def test_a_definition_that_never_ends_fails_at_the_history_limit():
    """Planted bug `history-unbounded` (History.add without the limit check): the loop runs
    forever, its history growing without bound (the thread guard fails the test)."""
    result = _run_bounded(Execution(LOOP))
    assert result.status == "FAILED"
    assert (result.error, result.cause) == ("States.Runtime", HISTORY_LIMIT_CAUSE)
    assert len(result.history) == MAX_HISTORY_EVENTS  # memory bounded by the history kept
    assert result.history[-1]["type"] == "ExecutionFailed"
    assert result.history[-2]["type"] in ("PassStateEntered", "PassStateExited")


def test_the_last_allowed_event_may_be_the_execution_succeeding():
    """AWS: if event 25,000 is ExecutionSucceeded the execution succeeds; one event more
    fails it. Planted bug `history-limit-off-by-one` (limit counted from the event before):
    the chain that ends exactly at event 25,000 is failed."""
    # ExecutionStarted + Entered/Exited per Pass state + ExecutionSucceeded.
    exact = (MAX_HISTORY_EVENTS - 2) // 2
    result = _run_bounded(Execution(_pass_chain(exact)))
    assert result.status == "SUCCEEDED", result.cause
    assert len(result.history) == MAX_HISTORY_EVENTS
    over = _run_bounded(Execution(_pass_chain(exact + 1)))
    assert (over.status, over.cause) == ("FAILED", HISTORY_LIMIT_CAUSE)
    assert len(over.history) == MAX_HISTORY_EVENTS


def test_catch_all_does_not_catch_the_history_limit():
    """The limit ends the execution even inside a Map whose Catch takes States.ALL. Planted
    bug `history-limit-rewritten` (the execution failing with whatever error the state made of
    the limit): the cause names the Map state instead of the limit."""
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": LOOP,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled"}],
                "End": True,
            },
            "Handled": {"Type": "Succeed"},
        },
    }
    result = _run_bounded(Execution(definition, {"items": [1, 2]}))
    assert (result.status, result.cause) == ("FAILED", HISTORY_LIMIT_CAUSE)
    assert len(result.history) == MAX_HISTORY_EVENTS


def test_long_runs_show_progress(capsys):
    """A loop of Pass states shows no step; the reporter still says how far it is. Planted
    bug `progress-silent` (the line every 1,000 events removed): nothing is printed."""
    reporter = Reporter("text", live=False)
    _run_bounded(Execution(LOOP, on_event=reporter.event))
    reporter.close()
    lines = [line for line in capsys.readouterr().out.splitlines() if "history events" in line]
    assert len(lines) == MAX_HISTORY_EVENTS // 1000 - 1
    assert "1,000 history events so far (an execution ends at 25,000" in lines[0]


def test_definitions_over_one_megabyte_are_refused_with_aws_error():
    """Planted bug `definition-size-unchecked` (the size check removed): a definition AWS's
    CreateStateMachine refuses runs locally."""
    padding = "x" * MAX_DEFINITION_LENGTH
    machine = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Comment": padding, "End": True}}}
    text = json.dumps(machine, separators=(",", ":"))
    with pytest.raises(DefinitionError, match="ValidationException.*1048576"):
        Execution(text)
    with pytest.raises(DefinitionError, match="over AWS's 1,048,576"):
        Execution(machine)
    # Exactly at the limit is accepted.
    fits = padding[: len(padding) - (len(text) - MAX_DEFINITION_LENGTH)]
    at_limit = json.dumps(
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Comment": fits, "End": True}}},
        separators=(",", ":"),
    )
    assert len(at_limit) == MAX_DEFINITION_LENGTH
    assert Execution(at_limit).run().status == "SUCCEEDED"


def test_a_loop_keeps_one_copy_of_the_data_it_carries():
    """Memory bounded by what the history must keep: 12,500 states passing the same 4 KB
    along hold it once (100 MB otherwise). Planted bug `history-texts-copied` (each event
    keeping its own copy of the input and output texts)."""
    result = _run_bounded(Execution(LOOP, {"data": "x" * 4 * 1024}))
    texts = [
        details[name]
        for event in result.history
        for key, details in event.items()
        if key.endswith("EventDetails") and isinstance(details, dict)
        for name in ("input", "output")
        if name in details
    ]
    assert len(texts) > 24_000
    assert len({id(text) for text in texts}) <= 2  # the execution's input, and the data


def test_run_definition_measures_the_file_as_aws_would_receive_it(tmp_path):
    """A 20,001-state definition whose compact JSON fits in 1 MB but whose file (indented, as
    it would be sent) does not: refused before anything runs, naming the file. Planted bug
    `definition-file-size-unchecked` (only the compact form measured): it runs."""
    from legacylift.errors import LegacyLiftError
    from legacylift.local.definition_run import run_definition
    from legacylift.local.settings import LocalSettings

    machine = _pass_chain(20_001)
    assert len(json.dumps(machine, separators=(",", ":"))) < MAX_DEFINITION_LENGTH
    path = tmp_path / "big.json"
    path.write_text(json.dumps(machine, indent=2))
    settings = LocalSettings.under(tmp_path / "local")
    with pytest.raises(LegacyLiftError, match=rf"definition {path}: .* over AWS's 1,048,576"):
        run_definition(str(path), settings=settings, quiet=True)
    assert not (tmp_path / "local").exists()  # nothing written
