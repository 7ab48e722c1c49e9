"""Every recorded execution history, replayed, reads as it did when it was recorded.

The files in tests/report/fixtures/reports/ are the output of running the real code (the
reporter, `invoke logs`' job list and `invoke run`'s time in steps) on each recorded history
before the two history parsers were merged into `legacylift.history` (`training_failed.json`,
whose history was recorded later, by the merged code): honest fixtures, not hand-written
expectations. `python -m tests.report.record_reports` writes them again (only when
a change of that output is intended).
"""

from __future__ import annotations

import json

import pytest

from legacylift.history import parse
from tests.report.record_reports import HISTORIES, report_of, report_path


def _priced_apart(report: dict) -> dict:
    """The report without the price table's figures: cost is priced from prices.json (tested on
    its own, in test_cost.py) and the table's date and prices change without the history
    changing; the instance-hours the history gives stay compared."""
    document = json.loads(json.dumps(report))
    cost = document["json"]["cost"]
    if cost is not None:
        document["json"]["cost"] = {
            "instance_hours": cost["instance_hours"],
            "instance_types": sorted(cost["by_instance_type"]),
        }
    return document


@pytest.mark.parametrize("history", HISTORIES, ids=lambda path: path.stem)
def test_replayed_history_reads_as_recorded(history):
    """Text lines, `--json`, job list and time in steps, equal to the recording. Planted bugs
    (tests/planted_bugs.py; each turned this red): a caught Task read as succeeded
    (caught-read-as-succeeded), a retried Task read as failed (retried-task-reported-failed),
    the jobs `invoke logs` prints read from task outputs (jobs-listed-by-result)."""
    document = json.loads(history.read_text())
    recorded = json.loads(report_path(history).read_text())
    replayed = report_of(document)
    # One deliberate difference: `invoke run`'s time in steps counted a caught Task until its
    # failure, the reporter (and now the one model) until its state was left, as Step
    # Functions does. The recording stays the old code's; the difference is that time exactly.
    caught = sum(
        (visit.exited - visit.attempts[-1].ended).total_seconds()
        for visit in parse(document["events"]).visits
        if visit.status == "caught" and visit.parent is None
    )
    assert replayed.pop("seconds_in_steps") == pytest.approx(
        recorded.pop("seconds_in_steps") + caught, abs=0.0015
    )
    assert _priced_apart(replayed) == _priced_apart(recorded)
    assert replayed["text"] == recorded["text"]  # the progress lines, in order, word for word
