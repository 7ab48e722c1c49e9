"""Docker's streaming APIs: builds with step-by-step progress, pushes scanned chunk by chunk.

docker-py's `images.build` returns logs only at the end and a failed push does not raise: the
error arrives inside the stream. Both are consumed here from the low-level API, every chunk
inspected, failures raised with the failing step and the tail of its log.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker
from docker.errors import APIError

from legacylift.console import detail, info
from legacylift.errors import LegacyLiftError
from legacylift.report.progress import BuildProgress, PushProgress

TAIL_LINES = 25
STEP = re.compile(r"^Step \d+/\d+ : ")
PIP_ERROR = re.compile(r"^(ERROR: .*|E: .*)$")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class BuildLog:
    """What a build printed: every line, and which steps came from the cache."""

    image_id: str = ""
    lines: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    cached_steps: list[str] = field(default_factory=list)


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
    step: str | None = None
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
                raise _build_failure(tag, step, message, tail)
            if "aux" in chunk and isinstance(chunk["aux"], dict):
                log.image_id = chunk["aux"].get("ID", log.image_id)
            for line in ANSI.sub("", chunk.get("stream", "")).splitlines():
                line = line.rstrip()
                if not line:
                    continue
                log.lines.append(line)
                tail.append(line)
                if STEP.match(line):
                    step = line
                    log.steps.append(line)
                    bar.step(line)
                elif line.strip() == "---> Using cache" and step:
                    log.cached_steps.append(step)
                    bar.used_cache()
    except APIError as exc:
        raise _build_failure(tag, step, exc.explanation or str(exc), tail) from exc
    finally:
        bar.stop(finished=bool(log.image_id))
    if not log.image_id:
        raise _build_failure(tag, step, "the daemon reported no image", tail)
    return log


def stream_push(
    client: docker.DockerClient,
    repository: str,
    tag: str,
    auth_config: dict[str, str] | None,
) -> str:
    """Push `repository:tag` showing each layer's progress; return the digest from `aux`.

    Every chunk is scanned: a push that fails reports the error in the stream, not as an
    exception, and would otherwise look like success."""
    digest = ""
    bar = PushProgress(f"{repository}:{tag}").start()
    kwargs: dict[str, Any] = {"stream": True, "decode": True}
    if auth_config:
        kwargs["auth_config"] = auth_config
    try:
        for chunk in client.api.push(repository, tag=tag, **kwargs):
            if "error" in chunk or "errorDetail" in chunk:
                message = chunk.get("error") or chunk["errorDetail"].get("message", "")
                raise LegacyLiftError(_push_hint(repository, message))
            aux = chunk.get("aux")
            if isinstance(aux, dict) and aux.get("Digest"):
                digest = aux["Digest"]
            bar.chunk(chunk)
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
