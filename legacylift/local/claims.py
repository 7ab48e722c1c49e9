"""Claims on a location for the length of a run: two runs never write the same `--output`,
and clean-local never removes an execution a live run is using.

A claim is an exclusive lock (flock) on a small file in the engine's state directory, named
after the location and holding who took it. The kernel releases the lock when its holder ends,
however it ends (Ctrl-C, kill -9), so a claim is never left behind by a dead run: the file may
stay, but a file nobody holds the lock on claims nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import time
from pathlib import Path
from typing import IO, Any

from legacylift.errors import LegacyLiftError
from legacylift.local.settings import LocalSettings

CLAIMS_DIR = "claims"


def claims_dir(settings: LocalSettings) -> Path:
    """Where claim files live: beside the job records."""
    return Path(settings.jobs_dir).parent / CLAIMS_DIR


def _file(settings: LocalSettings, location: str) -> Path:
    digest = hashlib.sha256(location.encode("utf-8")).hexdigest()[:32]
    return claims_dir(settings) / f"{digest}.json"


class Claim:
    """A held claim; `release()` ends it (the lock also ends with the process)."""

    def __init__(self, handle: IO[str], location: str) -> None:
        self._handle: IO[str] | None = handle
        self.location = location

    def release(self) -> None:
        """Let another run take the location."""
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.truncate(0)
            self._handle.close()  # closing the file releases the lock
            self._handle = None

    def __enter__(self) -> Claim:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def claim(settings: LocalSettings, location: str, holder: str, **details: Any) -> Claim:
    """Take `location` (any text naming it: a resolved path, an s3:// URI, an execution) for
    `holder` (words saying who, e.g. "run-local of model x, execution y"), or raise naming who
    holds it. `details` are kept in the claim for readers such as clean-local."""
    path = _file(settings, location)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole run
    except OSError as exc:
        raise LegacyLiftError(
            f"cannot claim {location} in {path.parent} ({exc.strerror}): make it writable, or "
            "point LEGACYLIFT_LOCAL_DIR at a writable directory"
        ) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        held = _parse(handle.read())
        handle.close()
        who = held.get("holder", "another run")
        since = held.get("since", "?")
        raise LegacyLiftError(
            f"{location} is in use by {who} (pid {held.get('pid', '?')}, since {since}): wait "
            "for that run to end, or give another location"
        ) from None
    record = {
        "location": location,
        "holder": holder,
        "pid": os.getpid(),
        "since": time.strftime("%Y-%m-%d %H:%M:%S"),
        **details,
    }
    handle.seek(0)
    handle.truncate(0)
    handle.write(json.dumps(record, sort_keys=True))
    handle.flush()
    return Claim(handle, location)


def _parse(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def live_claims(settings: LocalSettings) -> list[dict[str, Any]]:
    """The claims some running process holds now (what each recorded when taking it)."""
    directory = claims_dir(settings)
    held = []
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else ():
        with contextlib.suppress(OSError), open(path, encoding="utf-8") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:  # someone holds it: a live claim
                held.append(_parse(handle.read()))
                continue
            fcntl.flock(handle, fcntl.LOCK_UN)
    return held


def claim_run(
    settings: LocalSettings,
    model: str,
    bucket: str,
    execution: str,
    output: Any,
    command: str = "run-local",
) -> list[Claim]:
    """What a local run (of `command`) holds until it ends: its execution's folders in the
    store (so clean-local leaves them) and its `--output` (a LocalOutput: path or s3:// URI),
    if given."""
    holder = f"{command} of {model} (execution {execution})"
    claims = [
        claim(
            settings,
            f"execution {bucket}/{model}/{execution}",
            holder,
            bucket=bucket,
            model=model,
            execution=execution,
        )
    ]
    target = output.path.resolve() if output.path is not None else output.uri
    if target:
        try:
            claims.append(claim(settings, f"--output {target}", holder))
        except LegacyLiftError:
            claims[0].release()
            raise
    return claims
