"""Docker's streaming APIs: builds with step-by-step progress, pushes scanned chunk by chunk.

docker-py's `images.build` returns logs only at the end and a failed push does not raise: the
error arrives inside the stream. Both are consumed here from the low-level API, every chunk
inspected, failures raised with the failing step and the tail of its log.
"""

from __future__ import annotations

import queue
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker
from docker.errors import APIError

from legacylift.console import detail, info
from legacylift.errors import LegacyLiftError
from legacylift.report.progress import BuildProgress, PushProgress

TAIL_LINES = 25
# A push is bounded: the daemon retries a dropped layer upload by itself (each retry announced
# as "Retrying in N seconds" in the stream); more than this many retries, or no result within
# the deadline, and the push fails (nothing is pinned).
PUSH_RETRIES = 5
PUSH_DEADLINE_SECONDS = 1800.0
STEP = re.compile(r"^Step \d+/\d+ : ")
STEP_RESULT = re.compile(r"^---> ([0-9a-f]{12})$")
FROM_STEP = re.compile(r"^Step \d+/\d+ : FROM ", re.I)
PIP_ERROR = re.compile(r"^(ERROR: .*|E: .*)$")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class BuildLog:
    """What a build printed: every line, which steps came from the cache, and the short ids
    of the images that ended each stage before the last (multi-stage builds)."""

    image_id: str = ""
    lines: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    cached_steps: list[str] = field(default_factory=list)
    stage_results: list[str] = field(default_factory=list)


def _build_failure(tag: str, step: str | None, error: str, tail: Iterable[str]) -> LegacyLiftError:
    tail = list(tail)
    pip_lines = [line for line in tail if PIP_ERROR.match(line)]
    hint = ""
    if pip_lines:
        hint = f"\n  installer said: {pip_lines[-1]}"
        if "requirements" in (step or "") or "pip install" in "\n".join(tail):
            hint += "\n  fix the model's requirements.txt (names and pinned versions must exist)"
    shown = "\n    ".join(tail)
    return LegacyLiftError(
        f"building {tag} failed at {step or 'the start'}: {error.strip()}{hint}\n"
        f"  last lines of the build log:\n    {shown}"
    )


def stream_build(
    client: docker.DockerClient,
    context: Path,
    tag: str,
    labels: dict[str, str],
    echo: Callable[[str], None] = detail,
    buildargs: dict[str, str] | None = None,
    nocache: bool = False,
) -> BuildLog:
    """Build `context` with the classic builder showing its progress (bars on a terminal,
    each step's line otherwise)."""
    log = BuildLog()
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    last_result = ""
    bar = BuildProgress(tag, echo=echo).start()
    try:
        chunks = client.api.build(
            path=str(context),
            tag=tag,
            labels=labels,
            rm=True,
            forcerm=True,
            pull=False,
            decode=True,
            network_mode="host",  # pip and apt reach their indexes; step containers never do
            buildargs=buildargs or None,
            nocache=nocache,
        )
        for chunk in chunks:
            if "error" in chunk or "errorDetail" in chunk:
                message = chunk.get("error") or chunk["errorDetail"].get("message", "")
                raise _build_failure(tag, _current_step(log), message, tail)
            if "aux" in chunk and isinstance(chunk["aux"], dict):
                log.image_id = chunk["aux"].get("ID", log.image_id)
            for line in ANSI.sub("", chunk.get("stream", "")).splitlines():
                line = line.rstrip()
                if line:
                    tail.append(line)
                    last_result = _read_line(line, log, bar, last_result)
    except APIError as exc:
        raise _build_failure(tag, _current_step(log), exc.explanation or str(exc), tail) from exc
    finally:
        bar.stop(finished=bool(log.image_id))
    if not log.image_id:
        raise _build_failure(tag, _current_step(log), "the daemon reported no image", tail)
    return log


def _current_step(log: BuildLog) -> str | None:
    """The Dockerfile step the build is at (None before the first)."""
    return log.steps[-1] if log.steps else None


def _read_line(line: str, log: BuildLog, bar: BuildProgress, last_result: str) -> str:
    """Record one line of the build's output in `log` and on the progress bar; return the
    short id of the image the latest step produced (a stage's result when a FROM follows)."""
    log.lines.append(line)
    result = STEP_RESULT.match(line.strip())
    if result:
        last_result = result[1]
    if FROM_STEP.match(line) and last_result:
        log.stage_results.append(last_result)  # the stage before this FROM ended
    if STEP.match(line):
        log.steps.append(line)
        bar.step(line)
    elif line.strip() == "---> Using cache" and log.steps:
        log.cached_steps.append(log.steps[-1])
        bar.used_cache()
    return last_result


def _chunks_until(chunks: Iterator[dict[str, Any]], deadline: float) -> Iterator[dict[str, Any]]:
    """The chunks of `chunks`, read on a worker thread so that a registry that stops answering
    cannot hold the caller past `deadline` (time.monotonic()): TimeoutError then."""
    found: queue.Queue[tuple[str, Any]] = queue.Queue()

    def read() -> None:
        try:
            for chunk in chunks:
                found.put(("chunk", chunk))
            found.put(("end", None))
        except BaseException as exc:
            found.put(("error", exc))

    threading.Thread(target=read, daemon=True, name="push-stream").start()
    while True:
        try:
            kind, value = found.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise TimeoutError from None
        if kind == "end":
            return
        if kind == "error":
            raise value
        yield value


def stream_push(
    client: docker.DockerClient,
    repository: str,
    tag: str,
    auth_config: dict[str, str] | None,
    max_retries: int = PUSH_RETRIES,
    deadline_seconds: float = PUSH_DEADLINE_SECONDS,
) -> str:
    """Push `repository:tag` showing each layer's progress; return the digest from `aux`.

    Every chunk is scanned: a push that fails reports the error in the stream, not as an
    exception, and would otherwise look like success. The daemon's retries of dropped uploads
    are counted aloud and bounded by `max_retries`, the whole push by `deadline_seconds`."""
    digest = ""
    retries = 0
    bar = PushProgress(f"{repository}:{tag}").start()
    kwargs: dict[str, Any] = {"stream": True, "decode": True}
    if auth_config:
        kwargs["auth_config"] = auth_config
    deadline = time.monotonic() + deadline_seconds
    try:
        for chunk in _chunks_until(client.api.push(repository, tag=tag, **kwargs), deadline):
            if "error" in chunk or "errorDetail" in chunk:
                message = chunk.get("error") or chunk["errorDetail"].get("message", "")
                raise LegacyLiftError(_push_hint(repository, message))
            status = str(chunk.get("status", ""))
            if status.startswith("Retrying in"):
                retries += 1
                info(
                    f"{repository}: upload dropped by the registry, retry {retries} of at "
                    f"most {max_retries} ({status.lower()})"
                )
                if retries > max_retries:
                    raise LegacyLiftError(
                        f"pushing {repository}:{tag} failed: the registry dropped the upload "
                        f"{retries} times: check the registry is healthy and has space, then "
                        "build again (nothing was pinned)"
                    )
            aux = chunk.get("aux")
            if isinstance(aux, dict) and aux.get("Digest"):
                digest = aux["Digest"]
            bar.chunk(chunk)
    except TimeoutError:
        raise LegacyLiftError(
            f"pushing {repository}:{tag} failed: no result after {deadline_seconds:.0f} s "
            f"({retries} retries): check the registry is reachable and healthy, then build "
            "again (nothing was pinned)"
        ) from None
    except APIError as exc:
        raise LegacyLiftError(_push_hint(repository, exc.explanation or str(exc))) from exc
    finally:
        bar.stop()
    if not digest:
        raise LegacyLiftError(f"pushing {repository}:{tag} reported no digest: push it again")
    info(f"pushed {repository}:{tag} ({digest})")
    return digest


def _push_hint(repository: str, message: str) -> str:
    lowered = message.lower()
    if "unauthorized" in lowered or "authentication required" in lowered or "denied" in lowered:
        fix = "check the registry credentials (for ECR: AWS credentials allowed to push)"
    elif "does not exist" in lowered or "name unknown" in lowered:
        fix = "create the repository first (for ECR: terraform apply creates it)"
    else:
        fix = "check the registry is reachable and has space, then build again"
    return f"pushing {repository} failed: {message.strip()}: {fix}"
