"""`invoke demo`: every sample model run end to end locally, checked against its expected
output, summarised in a table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from legacylift import console
from legacylift.errors import LegacyLiftError
from legacylift.local.run import LocalRun, expected_matches, run_local
from legacylift.report.html import write_index


@dataclass
class DemoRow:
    """One model's line in the summary."""

    model: str
    steps: str
    status: str
    seconds: float
    check: str
    output: str


def sample_dirs(model_path: Path) -> tuple[Path, Path | None]:
    """A model's sample input directory and expected output directory (None when absent)."""
    sample = model_path / "sample"
    expected = sample / "expected"
    return sample / "input", expected if expected.is_dir() else None


def run_demo(names: list[str] | None = None, workspace: str = "local") -> list[DemoRow]:
    """Run every model that has `sample/input/` (or `names`); raise when any run fails or
    differs from `sample/expected/`, after all have run."""
    from legacylift.models import discover_models, load_model

    rows: list[DemoRow] = []
    reports: list[tuple[str, str, Path]] = []

    def invalid(name: str, error: LegacyLiftError) -> None:
        console.error(f"{name}: not a valid model, skipped: {error}")
        rows.append(DemoRow(name, "-", "INVALID", 0.0, "-", "-"))

    models = [load_model(name) for name in names] if names else discover_models(invalid)
    for model in models:
        sample_input, expected = sample_dirs(model.path)
        if not sample_input.is_dir():
            console.detail(f"{model.name}: no sample/input/, skipped")
            continue
        console.info(f"{model.name}: running its workflow locally on {sample_input}")
        run: LocalRun = run_local(model.name, str(sample_input), workspace=workspace)
        steps = " > ".join(step.name for step in run.steps)
        output = str(run.output_path or run.output_uri)
        check = _check(model.name, run, expected)
        rows.append(DemoRow(model.name, steps, run.result.status, run.seconds, check, output))
        if run.report_path:
            reports.append((model.name, run.result.status, run.report_path))
    print(summary_table(rows))
    if reports:
        index = write_index(reports[0][2].parent / "demo.html", reports, "LegacyLift demo runs")
        console.success(f"reports: {index}")
    bad = [row.model for row in rows if row.status != "SUCCEEDED" or row.check.startswith("DIFF")]
    if not rows:
        raise LegacyLiftError("no model has a sample/input/ folder: nothing to demonstrate")
    if bad:
        raise LegacyLiftError(f"the demo failed for: {', '.join(bad)} (see above)")
    return rows


def _check(name: str, run: LocalRun, expected: Path | None) -> str:
    """What the demo says of a run's output: matches sample/expected/, differs (how), or why
    it was not compared."""
    if not run.succeeded:
        console.error(run.failure or f"{name}: {run.result.status}")
        return "-"
    if expected is None:
        return "no expected output"
    if run.result.output.get("artifacts", "image") != "image":
        # sample/expected/ is the desktop original's output with the image's own artifacts.
        return f"not compared: promoted artifacts {run.result.output['artifacts']}"
    problems = expected_matches(run, expected)
    return "matches expected" if not problems else "DIFFERS: " + "; ".join(problems)


def summary_table(rows: list[DemoRow]) -> str:
    """A plain-text table: model, steps, status, time, check, output."""
    header = ("model", "steps", "status", "time", "check", "output")
    lines = [header] + [
        (r.model, r.steps, r.status, f"{r.seconds:.1f}s", r.check, r.output) for r in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]
    text.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(text)
