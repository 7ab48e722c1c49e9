"""The record of each local run: what `run-local --resume` starts from and what `list-models`
reads a model's last run from. One JSON file per execution, `<local dir>/runs/NAME/run.json`,
written atomically when the run starts and again when it ends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from legacylift.atomic import write_json_with_room
from legacylift.errors import LegacyLiftError
from legacylift.local.step_cache import runs_dir


def record_path(settings, execution: str) -> Path:
    """The run record of `execution`."""
    return runs_dir(settings) / execution / "run.json"


def write_run_record(settings, execution: str, record: dict[str, Any]) -> None:
    """Write (or replace) the run record of `execution` (on a full disk, in the room it kept)."""
    write_json_with_room(record_path(settings, execution), {"execution": execution, **record})


def read_run_record(settings, execution: str) -> dict[str, Any] | None:
    """The run record of `execution`, None when there is none (or it cannot be read)."""
    try:
        return json.loads(record_path(settings, execution).read_text())
    except (OSError, ValueError):
        return None


def resumable_run(settings, execution: str, model: str) -> dict[str, Any]:
    """The record of the run `--resume` names, or one line saying why it cannot be resumed."""
    if not execution or "/" in execution or execution.startswith("."):
        raise LegacyLiftError(
            f"--resume {execution!r}: give the execution name of a local run "
            f"(the name run-local printed, as in {runs_dir(settings)})"
        )
    record = read_run_record(settings, execution)
    if record is None:
        raise LegacyLiftError(
            f"--resume {execution}: no local run of that name in "
            f"{runs_dir(settings)}; give the execution name run-local "
            "printed for the failed run"
        )
    if record.get("model") != model:
        raise LegacyLiftError(
            f"--resume {execution}: that run is of model "
            f"{record.get('model')!r}, not {model!r}; resume it with "
            f"`invoke run-local {record.get('model')} --resume {execution}`"
        )
    if record.get("workflow", "inference") != "inference":
        raise LegacyLiftError(
            f"--resume {execution}: that run is a {record['workflow']} run, which is not "
            f"resumed; run it again with `invoke {record['workflow']} {model} --input ...`"
        )
    if record.get("status") == "SUCCEEDED":
        raise LegacyLiftError(
            f"--resume {execution}: that run succeeded, there is nothing to "
            f"resume; run it again with `invoke run-local {model} --input ...`"
        )
    return record


def last_runs(settings) -> dict[str, dict[str, Any]]:
    """Each model's most recently started local run record that has ended."""
    latest: dict[str, dict[str, Any]] = {}
    root = runs_dir(settings)
    for path in sorted(root.glob("*/run.json")) if root.is_dir() else []:
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        model, started = record.get("model"), record.get("started", "")
        if not isinstance(model, str) or record.get("status") in (None, "RUNNING"):
            continue
        if model not in latest or started > latest[model].get("started", ""):
            latest[model] = record
    return latest
