"""A run's input into the object store and its output out of it.

- The input (a local file or directory) goes under the execution's input prefix: hard-linked
  when the store is on the same filesystem and the file is readable by the step (no data
  copied; the store never changes a file in place, so the source stays as it is), else copied,
  each file atomically. Symlinks and special files are reported, never followed. Large inputs
  show progress; an interrupted staging removes what it staged.
- The output is put into a fresh hidden directory beside the destination (hard links of the
  store's files where the filesystem allows, else copies), then renamed into place: the
  destination holds its earlier contents or the complete output, never part of it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import time
from pathlib import Path

from legacylift import console
from legacylift.errors import LegacyLiftError
from legacylift.local import disk
from legacylift.local.datasources import (
    DataSources,
    FileTree,
    LocalObjectStore,
    StagedObject,
    join_uri,
    write_file_atomic,
)

PROGRESS_BYTES = 256 * 1024 * 1024
PROGRESS_FILES = 1000
PROGRESS_EVERY_SECONDS = 2.0


class _Progress:
    """Prints `what: N of M files, X of Y MB` every few seconds for a large transfer."""

    def __init__(self, what: str, objects: list[StagedObject]) -> None:
        self.what = what
        self.files_total = len(objects)
        self.bytes_total = sum(item.size for item in objects)
        self.shown = self.files_total >= PROGRESS_FILES or self.bytes_total >= PROGRESS_BYTES
        self.files = self.bytes = 0
        self._last = time.monotonic()

    def advance(self, size: int) -> None:
        """One more file of `size` bytes done."""
        self.files += 1
        self.bytes += size
        now = time.monotonic()
        done = self.files == self.files_total
        if self.shown and (done or now - self._last >= PROGRESS_EVERY_SECONDS):
            self._last = now
            console.detail(
                f"{self.what}: {self.files} of {self.files_total} files, "
                f"{self.bytes / 1e6:.0f} of {self.bytes_total / 1e6:.0f} MB"
            )


def _step_uid() -> int:
    from legacylift.local.container import step_user

    uid = step_user().split(":")[0]
    return int(uid) if uid.isdigit() else -1


def _link_into(store: LocalObjectStore, uri: str, path: Path, step_uid: int) -> bool:
    """Hard-link `path` to `uri`'s file in the store (atomically); False when it cannot, or
    when the step's user could not read the shared file (a copy gets the store's mode)."""
    info = path.stat()
    if not (info.st_mode & 0o004 or info.st_uid == step_uid):
        return False
    target = store.path_of(uri)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.parent / f".{target.name[:200]}.{secrets.token_hex(4)}.link"
    try:
        os.link(path, temporary)
    except OSError as exc:
        if exc.errno in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            return False
        raise
    os.replace(temporary, target)
    return True


def _link(source: Path, target: Path) -> bool:
    """Hard-link `source` at `target` (a fresh path); False when the filesystem cannot."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError as exc:
        if exc.errno in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.ENOENT):
            return False
        raise
    return True


def stage_input(sources: DataSources, reference: str, uri: str, path: Path | None) -> str:
    """The s3:// URI of the execution's input: `reference` itself when it is one, else the
    local file or directory `path` put under `uri` (removed again when staging is cut short)."""
    if path is None:
        return reference

    def skipped(entry: str) -> None:
        console.info(f"--input: {entry}")

    objects = list(FileTree().list(f"file://{path}", on_skip=skipped))
    if not objects:
        raise LegacyLiftError(f"--input {reference}: no files to stage (it holds no regular file)")
    store = sources.s3 if isinstance(sources.s3, LocalObjectStore) else None
    progress = _Progress(f"staging {reference}", objects)
    step_uid = _step_uid()
    try:
        for staged in objects:
            target_uri = join_uri(uri, staged.relative)
            source_path = path / staged.relative if path.is_dir() else path
            if store is None or not _link_into(store, target_uri, source_path, step_uid):
                with staged.open() as source:
                    sources.put(target_uri, source)
            progress.advance(staged.size)
    except BaseException:
        if store is not None:
            shutil.rmtree(store.path_of(uri), ignore_errors=True)
        raise
    return uri


def fetch_output(
    sources: DataSources, uri: str, destination: Path, kept_at: str | None = None
) -> int:
    """Copy every object under `uri` into the directory `destination`, replacing what it held,
    all at once (see the module docstring); returns the number of files. On Ctrl-C says what was
    kept (`kept_at`: where the complete output stays) and re-raises."""
    objects = sources.list(uri)
    destination.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(4)
    partial = destination.parent / f".{destination.name}.partial-{token}"
    previous = destination.parent / f".{destination.name}.previous-{token}"
    progress = _Progress(f"copying the output to {destination}", objects)
    try:
        partial.mkdir()
        store = getattr(sources, "s3", None)
        store = store if isinstance(store, LocalObjectStore) else None
        for staged in objects:
            target = partial / staged.relative
            if store is None or not _link(store.path_of(join_uri(uri, staged.relative)), target):
                with staged.open() as source:
                    write_file_atomic(target, source)
            progress.advance(staged.size)
        if destination.exists():
            os.rename(destination, previous)
        os.rename(partial, destination)
    except BaseException as exc:
        shutil.rmtree(partial, ignore_errors=True)
        if previous.exists() and not destination.exists():
            os.rename(previous, destination)
        if isinstance(exc, KeyboardInterrupt):
            console.error(
                f"interrupted while copying the output: {destination} was left as it was; the "
                f"complete output stays at {kept_at or uri}"
            )
        if disk.is_full(exc):
            needed = sum(staged.size for staged in objects)
            raise LegacyLiftError(
                f"--output {destination}: {disk.full_message(destination.parent, needed)}; "
                f"{destination} was left as it was and the complete output stays at "
                f"{kept_at or uri}: free space there, or give an --output elsewhere"
            ) from None
        raise
    with contextlib.suppress(OSError):
        shutil.rmtree(previous)
    return len(objects)
