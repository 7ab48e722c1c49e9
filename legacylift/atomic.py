"""Atomic file writes: readers see the old file or the new one, never half of either."""

from __future__ import annotations

import errno
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_text_atomic(path: Path, text: str, mode: int = 0o644) -> None:
    """Write `text` to `path` via a temporary file in the same directory and a rename."""
    write_bytes_atomic(path, text.encode("utf-8"), mode=mode)


def write_json_atomic(path: Path, data: Any, mode: int = 0o644) -> None:
    """Write `data` as indented, key-sorted JSON (stable diffs) atomically."""
    write_text_atomic(path, json.dumps(data, indent=2, sort_keys=True) + "\n", mode=mode)


def write_bytes_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write `data` to `path` via a temporary file in the same directory and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# Room a record keeps after its JSON (trailing spaces, still valid JSON) for a later, larger
# state: end times, a failure reason or an exit message (each at most 1 KB).
RECORD_ROOM = 4096


def json_with_room(data: Any, room: int = RECORD_ROOM) -> str:
    """`data` as indented, key-sorted JSON followed by `room` spaces."""
    return json.dumps(data, indent=2, sort_keys=True) + "\n" + " " * room


def write_json_with_room(path: Path, data: Any, room: int = RECORD_ROOM) -> None:
    """Write a record atomically, keeping `room` for its next state. On a full filesystem,
    where no temporary file can be made, the record is rewritten in place instead, in the
    blocks the file already holds; the OSError stands when even that does not fit."""
    try:
        write_text_atomic(path, json_with_room(data, room))
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT) or not _rewrite_in_place(path, data):
            raise


def _rewrite_in_place(path: Path, data: Any) -> bool:
    encoded = (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8")
    try:
        with open(path, "r+b") as handle:
            size = os.fstat(handle.fileno()).st_size
            if len(encoded) > size:
                return False
            handle.write(encoded + b" " * (size - len(encoded)))
            handle.flush()
            os.fsync(handle.fileno())
    except FileNotFoundError:
        return False
    return True
