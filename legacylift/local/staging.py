"""Moving data into and out of a step container as tar streams (the `docker cp` way): what a
remote daemon gets, and what any input `mounts` cannot mount.

Inputs are copied into the container, so a container can never write to them at their source,
and the files the root-run daemon writes never appear on the host; outputs are read back through
the Docker API and written by this process, as the invoking user.
"""

from __future__ import annotations

import io
import tarfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

from legacylift.errors import LegacyLiftError
from legacylift.local.datasources import StagedObject

CHUNK = 1024 * 1024
BLOCK = tarfile.BLOCKSIZE


@dataclass(frozen=True)
class Owner:
    """uid/gid the staged files belong to inside the container (the step's user)."""

    uid: int
    gid: int


def _header(name: str, kind: bytes, size: int, mode: int, owner: Owner, mtime: float) -> bytes:
    info = tarfile.TarInfo(name.lstrip("/"))
    info.type, info.size, info.mode = kind, size, mode
    info.uid, info.gid, info.mtime = owner.uid, owner.gid, int(mtime)
    return info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")


def _parents(path: str) -> list[str]:
    parts = PurePosixPath(path).parts[1:]
    return ["/" + "/".join(parts[: index + 1]) for index in range(len(parts))]


class TarStream:
    """Builds a tar archive as a generator of chunks (no temporary copy of the data)."""

    def __init__(self, owner: Owner) -> None:
        self.owner = owner
        self.now = time.time()
        self.directories: list[str] = []
        self.files: list[tuple[str, StagedObject]] = []
        self.bytes_total = 0
        self.files_staged_from_inputs = 0

    def directory(self, path: str) -> None:
        """Add `path` and its parents as directories owned by the step user."""
        for parent in _parents(path):
            if parent not in self.directories:
                self.directories.append(parent)

    def file(self, path: str, staged: StagedObject) -> None:
        """Add a file whose data is read from `staged` when the stream is consumed."""
        self.directory(str(PurePosixPath(path).parent))
        self.files.append((path, staged))
        self.bytes_total += staged.size

    def text(self, path: str, content: str) -> None:
        """Add a small file with the given text."""
        data = content.encode()
        self.file(path, StagedObject(PurePosixPath(path).name, len(data), lambda: io.BytesIO(data)))

    def chunks(self, progress=None) -> Iterator[bytes]:
        """The archive, chunk by chunk; `progress(bytes_done)` is called as data flows."""
        for directory in self.directories:
            yield _header(directory, tarfile.DIRTYPE, 0, 0o755, self.owner, self.now)
        done = 0
        for path, staged in self.files:
            yield _header(path, tarfile.REGTYPE, staged.size, 0o644, self.owner, self.now)
            remaining = staged.size
            with staged.open() as source:
                while remaining:
                    chunk = source.read(min(CHUNK, remaining))
                    if not chunk:
                        raise LegacyLiftError(
                            f"staging {path}: the source shrank while being copied; retry the job"
                        )
                    remaining -= len(chunk)
                    done += len(chunk)
                    yield chunk
                    if progress:
                        progress(done)
            padding = -staged.size % BLOCK
            if padding:
                yield b"\0" * padding
        yield b"\0" * (2 * BLOCK)


class _ChunkReader(io.RawIOBase):
    """A read-only file over an iterator of byte chunks (what docker's get_archive returns)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return 0
        count = min(len(target), len(self._buffer))
        target[:count] = self._buffer[:count]
        self._buffer = self._buffer[count:]
        return count


@dataclass
class ExtractReport:
    """What an output extraction did: files written and entries skipped (with why)."""

    files: list[str]
    skipped: list[str]
    bytes: int = 0


def read_archive(chunks: Iterable[bytes], sink) -> ExtractReport:
    """Hand every regular file of a get_archive stream to `sink(relative_path, fileobj)`.

    The archive's top entry is the directory asked for; paths are given relative to it.
    Symlinks, hard links and devices are skipped (never followed), as are names escaping the
    directory.
    """
    report = ExtractReport(files=[], skipped=[])
    stream = io.BufferedReader(_ChunkReader(chunks), buffer_size=CHUNK)
    with tarfile.open(fileobj=stream, mode="r|") as archive:
        for member in archive:
            parts = PurePosixPath(member.name).parts[1:]
            relative = "/".join(parts)
            if member.isdir():
                continue
            if not relative or ".." in parts or member.name.startswith("/"):
                report.skipped.append(f"{member.name} (outside the output directory)")
                continue
            if not member.isreg():
                kind = "symlink" if member.issym() else "link" if member.islnk() else "special"
                report.skipped.append(f"{relative} ({kind}, not followed)")
                continue
            source: BinaryIO = archive.extractfile(member)
            sink(relative, source)
            report.files.append(relative)
            report.bytes += member.size
    return report


def read_single_file(chunks: Iterable[bytes], limit: int) -> bytes | None:
    """The first `limit` bytes of the one regular file in a get_archive stream, else None."""
    stream = io.BufferedReader(_ChunkReader(chunks), buffer_size=CHUNK)
    with tarfile.open(fileobj=stream, mode="r|") as archive:
        for member in archive:
            if member.isreg():
                return archive.extractfile(member).read(limit)
    return None
