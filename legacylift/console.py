"""Uniform progress and error output for tasks and setup."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

_BOLD, _GREEN, _RED, _DIM, _RESET = "\033[1m", "\033[32m", "\033[31m", "\033[2m", "\033[0m"
_YELLOW = "\033[33m"


def _colour(code: str, text: str) -> str:
    return f"{code}{text}{_RESET}" if sys.stdout.isatty() else text


def info(message: str) -> None:
    """Print one progress line."""
    print(f"{_colour(_BOLD, '•')} {message}", flush=True)


def detail(message: str) -> None:
    """Print a secondary, dimmed line (log output, sub-steps)."""
    print(_colour(_DIM, f"  {message}"), flush=True)


def success(message: str) -> None:
    """Print a completed-step line."""
    print(f"{_colour(_GREEN, '✓')} {message}", flush=True)


def warning(message: str) -> None:
    """Print a warning line to stderr: the run went on, but its result needs attention."""
    print(f"{_colour(_YELLOW, 'warning:')} {message}", file=sys.stderr, flush=True)


def error(message: str) -> None:
    """Print an error line to stderr."""
    print(f"{_colour(_RED, 'error:')} {message}", file=sys.stderr, flush=True)


@contextmanager
def timed(message: str) -> Iterator[None]:
    """Announce a step, then report how long it took."""
    info(f"{message} ...")
    started = time.monotonic()
    yield
    success(f"{message} ({time.monotonic() - started:.1f}s)")
