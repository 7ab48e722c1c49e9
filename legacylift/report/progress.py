"""Progress of long work (image builds and pushes): rich progress bars on a terminal, the same
events as plain lines otherwise, so CI logs stay readable.

Only one live display can own a terminal: a second one at the same time (parallel builds)
prints plain lines instead.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable
from typing import Any, TextIO

from legacylift.console import detail

LIVE_DISPLAY = threading.Lock()  # held by whichever live display owns the terminal
STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")
DONE_STATUSES = ("Pushed", "Layer already exists", "Mounted from")


def is_terminal(stream: TextIO | None = None) -> bool:
    """Whether `stream` (stdout by default) is an interactive terminal."""
    stream = stream or sys.stdout
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _Bars:
    """A rich Progress that owns the terminal, or nothing (plain mode)."""

    def __init__(self, stream: TextIO | None, interactive: bool | None, bytes_columns: bool):
        self.stream = stream or sys.stdout
        wanted = is_terminal(self.stream) if interactive is None else interactive
        self.progress = None
        if wanted and LIVE_DISPLAY.acquire(blocking=False):
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            columns: list[Any] = [TextColumn("{task.description}", style="bold"), BarColumn()]
            columns += (
                [TextColumn("{task.fields[size]}"), TimeElapsedColumn()]
                if bytes_columns
                else [MofNCompleteColumn(), TimeElapsedColumn()]
            )
            console = Console(file=self.stream, force_terminal=True)
            self.progress = Progress(*columns, console=console, transient=False)
            self.progress.start()

    @property
    def live(self) -> bool:
        return self.progress is not None

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
            LIVE_DISPLAY.release()


class PushProgress:
    """A push stream's progress: a bar per layer (bytes) and an overall bar (layers done);
    off a terminal, one line when a layer starts pushing and one when it is done."""

    def __init__(
        self,
        title: str,
        stream: TextIO | None = None,
        interactive: bool | None = None,
        echo: Callable[[str], None] = detail,
    ) -> None:
        self.title = title
        self.echo = echo
        self._stream, self._interactive = stream, interactive
        self.layers: dict[str, str] = {}  # layer id -> last status shown
        self._tasks: dict[str, Any] = {}
        self._overall = None
        self.bars: _Bars | None = None

    def start(self) -> PushProgress:
        """Take the terminal (when it is one and free); returns self."""
        self.bars = _Bars(self._stream, self._interactive, bytes_columns=True)
        if self.bars.live:
            self._overall = self.bars.progress.add_task(f"push {self.title}", total=None, size="")
        return self

    def stop(self) -> None:
        """Leave the bars as they are on screen and give the terminal back."""
        if self.bars:
            self.bars.stop()

    def __enter__(self) -> PushProgress:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def chunk(self, chunk: dict[str, Any]) -> None:
        """Take one chunk of Docker's push stream."""
        layer, status = chunk.get("id"), chunk.get("status", "")
        if not layer or status.startswith(("The push refers", "Preparing", "Waiting")):
            if layer and layer not in self.layers and status.startswith(("Preparing", "Wait")):
                self.layers[layer] = status
                self._add(layer)
            return
        done = status.startswith(DONE_STATUSES)
        if self.bars and self.bars.live:
            self._update_live(layer, status, chunk.get("progressDetail") or {}, done)
        elif done and self.layers.get(layer) != status:
            self.echo(f"{layer}: {status}")
        elif status == "Pushing" and self.layers.get(layer) != "Pushing":
            self.echo(f"{layer}: pushing")
        self.layers[layer] = status

    def _add(self, layer: str) -> None:
        if self.bars and self.bars.live and layer not in self._tasks:
            self._tasks[layer] = self.bars.progress.add_task(f"  {layer}", total=None, size="")

    def _update_live(self, layer: str, status: str, progress: dict, done: bool) -> None:
        self._add(layer)
        bars = self.bars.progress
        task = bars.tasks[self._tasks[layer]]
        if done:
            total = task.total or 1
            size = _size(total, total) if task.total else ""
            bars.update(
                task.id,
                description=f"  {layer} {status.lower()}",
                total=total,
                completed=total,
                size=size,
            )
        elif progress.get("total"):
            current, total = progress.get("current", 0), progress["total"]
            bars.update(task.id, total=total, completed=current, size=_size(current, total))
        self._update_overall(layer if done else None)

    def _update_overall(self, just_done: str | None) -> None:
        """Overall: how many layers are done, and the bytes of those with a known size."""
        bars = self.bars.progress
        finished = sum(
            1
            for name in self._tasks
            if name == just_done or self.layers.get(name, "").startswith(DONE_STATUSES)
        )
        sized = [t for t in (bars.tasks[i] for i in self._tasks.values()) if t.fields.get("size")]
        total, completed = sum(t.total for t in sized), sum(t.completed for t in sized)
        text = f"{finished}/{len(self._tasks)} layers"
        if total:
            text += f", {_size(completed, total)}"
        share = completed / total if total else finished / max(len(self._tasks), 1)
        bars.update(self._overall, total=1000, completed=round(share * 1000), size=text)


def _size(current: float, total: float) -> str:
    """`3.0/12.8 MB`: both in the unit of the total."""
    for unit, name in ((1e9, "GB"), (1e6, "MB"), (1e3, "kB")):
        if total >= unit:
            return f"{current / unit:.1f}/{total / unit:.1f} {name}"
    return f"{current:.0f}/{total:.0f} bytes"


class BuildProgress:
    """A classic build's progress: an overall bar over its Dockerfile steps (each one a
    layer) and the step running now; off a terminal, each step's line as it starts."""

    def __init__(
        self,
        title: str,
        stream: TextIO | None = None,
        interactive: bool | None = None,
        echo: Callable[[str], None] = detail,
    ) -> None:
        self.title = title
        self.echo = echo
        self._stream, self._interactive = stream, interactive
        self.bars: _Bars | None = None
        self._overall = None
        self._step = None
        self.cached = 0

    def start(self) -> BuildProgress:
        """Take the terminal (when it is one and free); returns self."""
        self.bars = _Bars(self._stream, self._interactive, bytes_columns=False)
        if self.bars.live:
            self._overall = self.bars.progress.add_task(f"build {self.title}", total=None)
        return self

    def stop(self, finished: bool = True) -> None:
        """Fill the bars when the build `finished`, then give the terminal back."""
        if self.bars and self.bars.live and finished:
            progress = self.bars.progress
            total = progress.tasks[self._overall].total
            progress.update(self._overall, completed=total)
            if self._step is not None:
                progress.update(self._step, completed=1)
        if self.bars:
            self.bars.stop()

    def __enter__(self) -> BuildProgress:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop(finished=exc_info[0] is None)

    def step(self, line: str) -> None:
        """A `Step n/m : INSTRUCTION` line of the build output."""
        match = STEP.match(line)
        if not (self.bars and self.bars.live and match):
            self.echo(line)
            return
        number, total, instruction = int(match[1]), int(match[2]), match[3]
        progress = self.bars.progress
        progress.update(self._overall, total=total, completed=number - 1)
        if self._step is not None:
            progress.update(self._step, completed=1)
        text = instruction if len(instruction) <= 60 else instruction[:59] + "…"
        self._step = progress.add_task(f"  {number}/{total} {text}", total=1)

    def used_cache(self) -> None:
        """The current step came from the build cache."""
        self.cached += 1
        if self.bars and self.bars.live and self._step is not None:
            task = self.bars.progress.tasks[self._step]
            self.bars.progress.update(self._step, description=f"{task.description} (cached)")
