"""A fan-out run on one machine: how many batches run at once, their progress, and the report
of the batches that failed (README "Many batches").

Progress and the failure report come from the execution history's Map events
(MapStateStarted with the batch count, MapIterationStarted/Succeeded/Failed per batch), so any
reporter that follows the history shows them.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from typing import Any

from legacylift import console, settings
from legacylift.errors import LegacyLiftError
from legacylift.history import parse
from legacylift.local.instances import host_memory_bytes, instance_resources

CONCURRENCY_ENV = "LEGACYLIFT_LOCAL_CONCURRENCY"
DEFAULT_VOLUME_GB = 30  # modules/workflow's default_volume_size
LOG_TAIL_SHOWN = 10


def instance_types(model) -> list[str]:
    """Every instance type the model's fan-out chain and combine step run on."""
    defaults = model.defaults.get("instance_type", "ml.m5.xlarge")
    steps = [model.step_settings.get(step, {}) for step in model.steps]
    steps.append((model.fan_out or {}).get("combine", {}))
    return sorted({settings.get("instance_type", defaults) for settings in steps})


def parallel_cap(types: list[str]) -> int:
    """How many batches this machine runs at once: as many instances of the largest type as
    its cores and memory hold (at least one); LEGACYLIFT_LOCAL_CONCURRENCY overrides (tiny or
    I/O-bound steps, where containers mostly wait)."""
    override = settings.get(CONCURRENCY_ENV)
    if override:
        if not override.isdigit() or int(override) < 1:
            raise LegacyLiftError(f"{CONCURRENCY_ENV}={override!r}: give a whole number from 1")
        return int(override)
    cores, memory = os.cpu_count() or 1, host_memory_bytes()
    caps = []
    for instance_type in types:
        vcpus, needs = instance_resources(instance_type)
        caps.append(min(cores // min(vcpus, cores), max(1, memory // needs)))
    return max(1, min(caps, default=1))


def check_batch_sizes(sources, input_uri: str, model) -> None:
    """Refuse, before any job starts, a batch larger than the volume of the step that receives
    it (its first step), naming the batch, its size and the fix."""
    first = model.steps[0]
    volume = model.step_settings.get(first, {}).get(
        "volume_size", model.defaults.get("volume_size", DEFAULT_VOLUME_GB)
    )
    sizes: dict[str, int] = {}
    # N objects per batch: consecutive in key order (S3's listing order), the batch named
    # after its first object, as the rendered workflow's ItemBatcher groups them.
    per_batch = model.fan_out.get("objects_per_batch", 1)
    objects = sorted(sources.list(input_uri), key=lambda staged: staged.relative)
    for index, staged in enumerate(objects):
        if model.fan_out["split"] == "prefix":
            if "/" not in staged.relative:
                continue  # an object beside the batch folders belongs to no batch
            batch = staged.relative.split("/", 1)[0]
        else:
            batch = objects[index - index % per_batch].relative
        sizes[batch] = sizes.get(batch, 0) + staged.size
    for batch, size in sorted(sizes.items()):
        if size > volume * 1024**3:
            raise LegacyLiftError(
                f"batch {batch!r} of {input_uri} holds {size / 1024**3:.1f} GB, more than the "
                f"{volume} GB volume of its first step ({first}): set {first}.volume_size in "
                f"{model.path / 'model.toml'} to at least {int(size / 1024**3) + 1}, or split "
                "the batch"
            )


@dataclass
class BatchCounts:
    """Batches of the fan-out Map so far."""

    total: int = 0
    started: int = 0
    succeeded: int = 0
    failed: int = 0


class BatchProgress:
    """Prints "batch 37/120 ..." lines from the Map events of the history (thread-safe)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.counts = BatchCounts()
        self._lock = threading.Lock()

    @property
    def active(self) -> bool:
        """Whether a Map state has started (its tasks run concurrently)."""
        return self.counts.total > 0

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        if kind == "MapStateStarted":
            self.counts.total += event["mapStateStartedEventDetails"]["length"]
            self._say(console.info, f"{self.counts.total} batches")
            return
        if not kind.startswith("MapIteration"):
            return
        details = event.get(kind[:1].lower() + kind[1:] + "EventDetails", {})
        number = details.get("index", 0) + 1
        with self._lock:
            if kind == "MapIterationStarted":
                self.counts.started += 1
                return
            if kind == "MapIterationSucceeded":
                self.counts.succeeded += 1
                done = self.counts.succeeded + self.counts.failed
                self._say(
                    console.success,
                    f"batch {number}/{self.counts.total} done "
                    f"({done}/{self.counts.total} finished)",
                )
            elif kind == "MapIterationFailed":
                self.counts.failed += 1
                self._say(
                    console.error,
                    f"batch {number}/{self.counts.total} failed: {details.get('error')}",
                )

    def _say(self, show, text: str) -> None:
        if not self.quiet:
            show(text)


def failed_batches(history: list[dict[str, Any]], jobs: dict[str, Any]) -> list[str]:
    """One block per failed batch: its number, the failing step and job, the batch's input,
    the failure reason and the job's log tail (`jobs`: processing job name -> JobResult)."""
    total = sum(
        e["mapStateStartedEventDetails"]["length"]
        for e in history
        if e["type"] == "MapStateStarted"
    )
    # A batch's failed job fails its own Task: the step is the Task that requested the job.
    steps = {
        attempt.job_name: visit.name
        for visit, attempt in parse(history).attempts()
        if attempt.job_name
    }
    blocks = []
    for event in history:
        if event["type"] != "MapIterationFailed":
            continue
        details = event["mapIterationFailedEventDetails"]
        error, cause = details.get("error", ""), details.get("cause") or ""
        describe = _describe(cause)
        step = steps.get(describe.get("ProcessingJobName"), "?")
        if step == "?" and error.startswith("LegacyLift."):  # a Fail state naming its step
            step = error.split(".")[1]
        lines = [f"batch {details['index'] + 1}/{total}: step {step} failed: {error}"]
        job = jobs.get(describe.get("ProcessingJobName", ""))
        if describe:
            data = [
                i["S3Input"]["S3Uri"]
                for i in describe.get("ProcessingInputs", [])
                if i.get("InputName") == "data"
            ]
            lines.append(f"  job {describe.get('ProcessingJobName')}, input {', '.join(data)}")
            for key in ("FailureReason", "ExitMessage"):
                if describe.get(key):
                    lines.append(f"  {key}: {describe[key].strip()}")
        elif cause:
            lines.append(f"  cause: {cause[:500]}")
        if job is not None and job.log_tail:
            lines += [f"  | {line}" for line in job.log_tail[-LOG_TAIL_SHOWN:]]
        blocks.append("\n".join(lines))
    return blocks


def _describe(cause: str) -> dict[str, Any]:
    try:
        value = json.loads(cause)
    except (json.JSONDecodeError, TypeError):
        return {}
    return value if isinstance(value, dict) else {}
