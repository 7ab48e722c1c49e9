"""Records `fixtures/reports/`: what the reporter and the cloud commands say of every recorded
execution history (tests/aws/fixtures/histories/*.json, tests/aws/fixtures/
failed_execution_history.json and the local run in fixtures/local_failed_history.json).

For each history: the reporter's text (progress lines, then the failure explained), its
`--json` document, the processing jobs `invoke logs` prints and the "in steps" time `invoke
run` prints after a success. tests/report/test_recorded_reports.py replays the histories and
compares. Rerun only when a change of that output is intended, and review the diff:

    python -m tests.report.record_reports
"""

from __future__ import annotations

import contextlib
import io
import json
from collections import deque
from pathlib import Path
from typing import Any

from legacylift.history import parse
from legacylift.report.reporter import LOG_LINES_KEPT, Reporter

TESTS = Path(__file__).resolve().parents[1]
HISTORIES = sorted((TESTS / "aws" / "fixtures" / "histories").glob("*.json")) + [
    TESTS / "aws" / "fixtures" / "failed_execution_history.json",
    TESTS / "report" / "fixtures" / "local_failed_history.json",
]
REPORTS = Path(__file__).parent / "fixtures" / "reports"


def report_of(document: dict[str, Any]) -> dict[str, Any]:
    """What the tools say of one recorded history: {"text": lines, "json": the `--json`
    document, "jobs": the jobs `invoke logs` prints, "seconds_in_steps": `invoke run`'s
    total}."""
    arn = document["executionArn"]
    events = sorted(document["events"], key=lambda e: int(e["id"]))
    shown = io.StringIO()
    with contextlib.redirect_stdout(shown), contextlib.redirect_stderr(shown):
        reporter = Reporter("text", live=False)
        reporter.trace.arn, reporter.trace.name = arn, arn.rsplit(":", 1)[-1]
        for job, lines in document.get("job_logs", {}).items():
            reporter.job_logs[job] = deque(lines, maxlen=LOG_LINES_KEPT)
        reporter.exit_codes.update(document.get("exit_codes", {}))
        for event in events:
            reporter.event(event)
        reporter.close()
        text = reporter.failure_text()
        if text:
            print(text)
    parsed = parse(events)
    return {
        "text": shown.getvalue().splitlines(),
        "json": json.loads(json.dumps(reporter.result(), sort_keys=True)),
        "jobs": parsed.job_names(),
        "seconds_in_steps": round(parsed.seconds_in_states(), 3),
    }


def report_path(history: Path) -> Path:
    """Where the recorded report of `history` is kept."""
    return REPORTS / f"{history.stem}.json"


def main() -> None:
    REPORTS.mkdir(parents=True, exist_ok=True)
    for history in HISTORIES:
        report = report_of(json.loads(history.read_text()))
        path = report_path(history)
        path.write_text(json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        print(f"{path.relative_to(TESTS.parent)}: {len(report['text'])} lines")


if __name__ == "__main__":
    main()
