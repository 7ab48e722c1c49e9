"""Reports of local runs: written next to the local engine's job records, linking the output
files in the local object store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from legacylift import console
from legacylift.local import disk
from legacylift.report.html import ReportInput, write_report

MAX_OUTPUT_LINKS = 200


def reports_dir(settings) -> Path:
    """Where local run reports go: `<local dir>/reports/` (beside `jobs/`)."""
    return Path(settings.jobs_dir).parent / "reports"


def output_links(output_path: Path | None, output_uri: str) -> list[tuple[str, str]]:
    """(text, file:// link) of each output file; the output URI unlinked when there is no
    local output (a failed run, or an S3 endpoint)."""
    if output_path is None or not Path(output_path).is_dir():
        return [(f"{output_uri} (no local output)", "")] if output_uri else []
    files = sorted(p for p in Path(output_path).rglob("*") if p.is_file())
    links = [
        (p.relative_to(output_path).as_posix(), p.resolve().as_uri())
        for p in files[:MAX_OUTPUT_LINKS]
    ]
    if len(files) > MAX_OUTPUT_LINKS:
        links.append(
            (
                f"… {len(files) - MAX_OUTPUT_LINKS} more in {output_path}",
                Path(output_path).resolve().as_uri(),
            )
        )
    return links


def write_local_report(run: Any, definition: str | dict, settings) -> Path | None:
    """Write the HTML report of a finished local run (a `LocalRun`); return its path (None,
    said on stderr, when its filesystem is full: the run's own outcome stands)."""
    path = reports_dir(settings) / f"{run.execution_name}.html"
    info = ReportInput(
        title=f"{run.model}: local run",
        definition=definition,
        where="local Docker",
        outputs=output_links(run.output_path, run.output_uri),
    )
    try:
        return write_report(path, run.reporter, info)
    except OSError as exc:
        if not disk.is_full(exc):
            raise
        console.error(f"report not written: {disk.full_message(path.parent)}")
        return None
