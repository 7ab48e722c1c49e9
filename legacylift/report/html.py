"""The run report: one self-contained HTML file (no script, no external resource) showing the
workflow graph coloured by outcome, a timeline of states and jobs drawn to scale, and per job
its request, timings, exit code, FailureReason, log tail and where its outputs went."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

from legacylift.atomic import write_text_atomic
from legacylift.history import Attempt, Visit, format_duration
from legacylift.report.graph import OUTCOME_COLOURS
from legacylift.report.reporter import Reporter

TIMELINE_WIDTH = 900.0  # px for the whole execution
ROW_HEIGHT = 18
LABEL_WIDTH = 260
LOG_LINES_SUCCEEDED = 10  # a succeeded job's log tail in the report; failed jobs keep all kept
BAR_COLOURS = {
    "succeeded": "#43a047",
    "failed": "#e53935",
    "retried": "#fb8c00",
    "timed_out": "#e53935",
    "running": "#1e88e5",
    "wait": "#8e24aa",
}

CSS = """
body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.status{display:inline-block;padding:2px 8px;border-radius:4px;color:#fff;font-weight:bold}
.SUCCEEDED{background:#43a047} .FAILED,.TIMED_OUT,.ABORTED{background:#e53935}
.RUNNING{background:#1e88e5}
.meta{color:#555;font-size:13px}
.failure{background:#ffebee;border-left:4px solid #e53935;padding:8px 12px;margin:12px 0;
white-space:pre-wrap;font-family:monospace;font-size:12px}
.graph svg{max-width:100%;height:auto}
.legend span{display:inline-block;margin-right:12px;font-size:12px}
.legend i{display:inline-block;width:12px;height:12px;border:1px solid #999;margin-right:4px;
vertical-align:middle}
table.jobs{border-collapse:collapse;font-size:12px;width:100%}
table.jobs td.wrap{overflow-wrap:anywhere} table.jobs td.log{min-width:320px}
table.jobs td,table.jobs th{border:1px solid #ddd;padding:4px 6px;vertical-align:top;
text-align:left}
tr.failed td{background:#ffebee} tr.retried td{background:#fff8e1}
pre{margin:0;font-size:11px;white-space:pre-wrap;max-height:240px;overflow:auto;
background:#fafafa}
.badge{font-weight:bold;color:#e53935} .reused{font-weight:bold;color:#1e88e5}
svg.timeline text{font-size:11px;font-family:Helvetica,Arial,sans-serif}
"""


@dataclass
class ReportInput:
    """What a report shows besides the history: the definition, outputs, where it ran."""

    title: str
    definition: str | dict[str, Any] | None = None
    where: str = "local"  # "local" or the AWS region
    outputs: list[tuple[str, str]] = field(default_factory=list)  # (text, href)
    note: str = ""


def _px(seconds: float, scale: float) -> float:
    return round(max(seconds, 0.0) * scale, 2)


def _timeline(reporter: Reporter) -> str:
    trace = reporter.trace
    start = trace.started or (trace.visits[0].entered if trace.visits else None)
    if start is None:
        return "<p>The execution has not started.</p>"
    end = trace.stopped or max(
        [v.exited or v.entered for v in trace.visits] + [start], default=start
    )
    span = max((end - start).total_seconds(), 0.001)
    scale = TIMELINE_WIDTH / span
    rows: list[str] = []
    pairs = trace.attempts()
    waits = [v for v in trace.visits if v.kind == "Wait"]

    def x(moment: datetime) -> float:
        return LABEL_WIDTH + _px((moment - start).total_seconds(), scale)

    y = 24
    for visit in (v for v in trace.visits if v.kind in ("Map", "Parallel")):
        seconds = visit.seconds(end) or 0.0
        rows.append(
            f'<g class="row"><text x="4" y="{y + 12}">{escape(visit.label)} '
            f"({visit.kind.lower()})</text>"
            f'<rect class="bar state group {visit.status}" x="{x(visit.entered)}" y="{y + 4}" '
            f'width="{_px(seconds, scale)}" height="{ROW_HEIGHT - 8}" fill="#90a4ae" '
            f'data-seconds="{seconds:.3f}"><title>{escape(visit.label)}: {visit.status}, '
            f"{format_duration(seconds)}</title></rect></g>"
        )
        y += ROW_HEIGHT
    for visit, attempt in pairs:
        rows.append(_job_row(visit, attempt, y, x, scale, end))
        y += ROW_HEIGHT
    for visit in waits:
        seconds = visit.seconds(end) or 0.0
        rows.append(
            f'<g class="row"><text x="4" y="{y + 12}">{escape(visit.label)} (wait)</text>'
            f'<rect class="bar state wait" x="{x(visit.entered)}" y="{y + 2}" '
            f'width="{_px(seconds, scale)}" height="{ROW_HEIGHT - 4}" fill="{BAR_COLOURS["wait"]}" '
            f'data-seconds="{seconds:.3f}"><title>{escape(visit.label)}: '
            f"{format_duration(seconds)}</title></rect></g>"
        )
        y += ROW_HEIGHT
    ticks = []
    step = _tick_step(span)
    moment = 0.0
    while moment <= span + 1e-9:
        tx = LABEL_WIDTH + _px(moment, scale)
        ticks.append(
            f'<line x1="{tx}" y1="16" x2="{tx}" y2="{y}" stroke="#eee"/>'
            f'<text x="{tx + 2}" y="12" fill="#777">{format_duration(moment)}</text>'
        )
        moment += step
    height = y + 8
    width = LABEL_WIDTH + TIMELINE_WIDTH + 60  # room for the last tick's label
    return (
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" data-scale="{scale:.6f}">'
        + "".join(ticks)
        + "".join(rows)
        + "</svg>"
    )


def _tick_step(span: float) -> float:
    for step in (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200):
        if span / step <= 12:
            return float(step)
    return span / 10


def _job_outcome(visit: Visit, attempt: Attempt) -> str:
    if attempt.outcome == "succeeded":
        return "succeeded"
    if attempt.outcome == "running":
        return "running"
    return "retried" if attempt is not visit.attempts[-1] else "failed"


def _job_row(visit: Visit, attempt: Attempt, y: int, x, scale: float, end: datetime) -> str:
    queued, running, ended = attempt.job_times()
    ended = ended or end
    outcome = _job_outcome(visit, attempt)
    seconds = max((ended - attempt.scheduled).total_seconds(), 0.0)
    number = visit.attempts.index(attempt) + 1
    label = visit.label + (f" #{number}" if len(visit.attempts) > 1 else "")
    parts = [f'<g class="row"><text x="4" y="{y + 12}">{escape(label)}</text>']
    waited = ((running or ended) - queued).total_seconds()
    title = (
        f"{escape(label)}: {attempt.job_name or '-'} {outcome}, {format_duration(seconds)}"
        f" (queued {format_duration(waited)})"
    )
    parts.append(
        f'<rect class="bar job {outcome}" x="{x(attempt.scheduled)}" y="{y + 2}" '
        f'width="{_px(seconds, scale)}" height="{ROW_HEIGHT - 4}" fill="{BAR_COLOURS[outcome]}" '
        f'data-job="{escape(attempt.job_name or "")}" data-state="{escape(visit.label)}" '
        f'data-seconds="{seconds:.3f}"><title>{title}</title></rect>'
    )
    if running is not None and running > queued:
        parts.append(
            f'<rect class="queued" x="{x(queued)}" y="{y + 2}" '
            f'width="{_px((running - queued).total_seconds(), scale)}" height="{ROW_HEIGHT - 4}" '
            f'fill="#ffffff" fill-opacity="0.55"><title>queued</title></rect>'
        )
    parts.append("</g>")
    return "".join(parts)


def _request_cells(parameters: dict[str, Any]) -> str:
    cluster = parameters.get("ProcessingResources", {}).get("ClusterConfig", {})
    app = parameters.get("AppSpecification", {})
    inputs = [
        f"{item.get('S3Input', {}).get('S3Uri', '')} → {item.get('S3Input', {}).get('LocalPath')}"
        for item in parameters.get("ProcessingInputs", [])
    ]
    outputs = [
        f"{item['S3Output'].get('LocalPath')} → {item['S3Output'].get('S3Uri')}"
        for item in parameters.get("ProcessingOutputConfig", {}).get("Outputs", [])
        if "S3Output" in item
    ]
    instance = f"{cluster.get('InstanceType', '-')} ×{cluster.get('InstanceCount', 1)}"
    entrypoint = " ".join(app.get("ContainerEntrypoint", []))
    return (
        f"<td>{escape(instance)}<br>{escape(str(cluster.get('VolumeSizeInGB', '-')))} GB</td>"
        f'<td class="wrap">{escape(app.get("ImageUri", "-"))}<br><code>{escape(entrypoint)}'
        "</code></td>"
        f'<td class="wrap">{"<br>".join(escape(i) for i in inputs) or "-"}</td>'
        f'<td class="wrap">{"<br>".join(escape(o) for o in outputs) or "-"}</td>'
    )


def _jobs_table(reporter: Reporter) -> str:
    trace = reporter.trace
    failed = trace.failed_visit()
    rows = []
    for visit, attempt in trace.attempts():
        outcome = _job_outcome(visit, attempt)
        queued, running, ended = attempt.job_times()
        total = ((ended - attempt.scheduled).total_seconds()) if ended else None
        run_seconds = (ended - running).total_seconds() if ended and running else None
        describe = attempt.describe
        job = attempt.job_name or ""
        code = reporter.exit_codes.get(job)
        lines = list(reporter.job_logs.get(job, []))
        if outcome == "succeeded":
            lines = lines[-LOG_LINES_SUCCEEDED:]
        is_failing = visit is failed and attempt is visit.attempts[-1]
        badge = ' <span class="badge">failed the execution</span>' if is_failing else ""
        if job in reporter.reused:
            run = escape(reporter.reused[job]["run"])
            badge += f' <span class="reused">reused from {run}</span>'
        message = describe.get("ExitMessage")
        log_text = escape("\n".join(lines)) or "(no log lines)"
        reason = describe.get("FailureReason") or attempt.error or ""
        if attempt.error and describe.get("FailureReason"):
            reason = f"{attempt.error}: {describe['FailureReason']}"
        rows.append(
            f'<tr class="{outcome}{" failing" if is_failing else ""}" id="job-{escape(job)}">'
            f"<td>{escape(visit.label)}{badge}<br><code>{escape(job or '-')}</code></td>"
            f"<td>{escape(describe.get('ProcessingJobStatus') or attempt.outcome)}</td>"
            + _request_cells(attempt.parameters)
            + f"<td>{format_duration(total)}<br><small>running {format_duration(run_seconds)}"
            f"</small></td><td>{'-' if code is None else code}</td>"
            f"<td>{escape(reason)}"
            + (f"<br><code>{escape(message)}</code>" if message else "")
            + (f"<br>{escape(reporter.job_notes[job])}" if job in reporter.job_notes else "")
            + f'</td><td class="log"><pre>{log_text}</pre></td></tr>'
        )
    if not rows:
        return "<p>No processing job ran.</p>"
    head = (
        "<tr><th>step / job</th><th>status</th><th>instance</th><th>image</th><th>inputs</th>"
        "<th>outputs</th><th>duration</th><th>exit code</th><th>failure reason</th>"
        "<th>log tail</th></tr>"
    )
    return f'<table class="jobs">{head}{"".join(rows)}</table>'


def _graph_section(reporter: Reporter, definition) -> str:
    if definition is None:
        return "<p>No definition available for the graph.</p>"
    from legacylift.errors import LegacyLiftError
    from legacylift.report.graph import svg_text

    try:
        svg = svg_text(definition, reporter.trace)
    except LegacyLiftError as exc:
        return f"<p>Graph unavailable: {escape(str(exc))}</p>"
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and DOCTYPE
    legend = "".join(
        f'<span><i style="background:{colour}"></i>{escape(name)}</span>'
        for name, colour in OUTCOME_COLOURS.items()
    )
    return f'<div class="legend">{legend}</div><div class="graph">{svg}</div>'


def _cost_line(reporter: Reporter) -> str:
    from legacylift.errors import LegacyLiftError
    from legacylift.report.cost import cost_line

    try:
        cost = reporter.cost()
    except LegacyLiftError as exc:  # an unreadable LEGACYLIFT_PRICE_TABLE
        return f'<br><span class="cost">cost: {escape(str(exc))}</span>'
    if cost is None:
        return ""
    reused = f" ({len(reporter.reused)} reused jobs cost nothing)" if reporter.reused else ""
    return f'<br><span class="cost">cost: {escape(cost_line(cost))}{escape(reused)}</span>'


def render_report(reporter: Reporter, info: ReportInput) -> str:
    """The report's HTML text."""
    trace = reporter.trace
    failure = reporter.failure_text()
    outputs = "".join(
        f'<li><a href="{escape(href)}">{escape(text)}</a></li>'
        if href
        else f"<li>{escape(text)}</li>"
        for text, href in info.outputs
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(info.title)}</title><style>{CSS}</style></head><body>"
        f'<h1>{escape(info.title)} <span class="status {escape(trace.status)}">'
        f"{escape(trace.status)}</span></h1>"
        f'<div class="meta">execution {escape(trace.name)} · {escape(info.where)} · started '
        f"{trace.started.strftime('%Y-%m-%d %H:%M:%S UTC') if trace.started else '-'} · "
        f"{format_duration(trace.seconds())}"
        + (f"<br>{escape(trace.arn)}" if trace.arn else "")
        + (f"<br>{escape(info.note)}" if info.note else "")
        + _cost_line(reporter)
        + "</div>"
        + (f'<div class="failure" id="failure">{escape(failure)}</div>' if failure else "")
        + "<h2>Workflow</h2>"
        + _graph_section(reporter, info.definition)
        + '<h2>Timeline</h2><p class="meta">one bar per processing job attempt, drawn to '
        "scale (lighter part: queued before the container ran); orange: attempts that were "
        "retried, red: failed</p>"
        + _timeline(reporter)
        + "<h2>Jobs</h2>"
        + _jobs_table(reporter)
        + "<h2>Outputs</h2>"
        + (f"<ul>{outputs}</ul>" if outputs else "<p>No outputs.</p>")
        + "</body></html>\n"
    )


def write_report(path: Path, reporter: Reporter, info: ReportInput) -> Path:
    """Write the report atomically; return its path."""
    write_text_atomic(Path(path), render_report(reporter, info))
    return Path(path)


def write_index(path: Path, entries: list[tuple[str, str, Path]], title: str) -> Path:
    """An index page linking reports: (name, status, report path) each."""
    path = Path(path)
    rows = "".join(
        f'<tr><td>{escape(name)}</td><td><span class="status {escape(status)}">{escape(status)}'
        f'</span></td><td><a href="{escape(report.resolve().as_uri())}">{escape(report.name)}</a>'
        "</td></tr>"
        for name, status, report in entries
    )
    text = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title><style>{CSS}</style></head><body><h1>{escape(title)}</h1>"
        f'<table class="jobs"><tr><th>model</th><th>status</th><th>report</th></tr>{rows}'
        "</table></body></html>\n"
    )
    write_text_atomic(path, text)
    return path
