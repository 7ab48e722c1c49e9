"""A full filesystem, said plainly: which one (the path and its mount point), how much is free
of how much, and how much was needed when that is known."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)
NEARLY_FULL_BYTES = 1024 * 1024  # less free than this after a failed step: say the disk is full


def is_full(exc: BaseException) -> bool:
    """Whether `exc` is "no space left on device" (or over a disk quota)."""
    return isinstance(exc, OSError) and exc.errno in FULL_ERRNOS


def _existing(path: Path) -> Path:
    path = Path(path).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def mount_point(path: Path) -> Path:
    """The mount point of the filesystem holding `path` (or its nearest existing parent)."""
    path = _existing(path)
    device = os.stat(path).st_dev
    while path != path.parent and os.stat(path.parent).st_dev == device:
        path = path.parent
    return path


def free_bytes(path: Path) -> int:
    """Bytes free for this user on the filesystem holding `path`."""
    return shutil.disk_usage(_existing(path)).free


def size_text(count: float) -> str:
    """A byte count as people read it (decimal units)."""
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.1f} GB"  # pragma: no cover - the loop returns


def tree_bytes(path: Path) -> int:
    """The size of the regular files under `path` (0 when it is gone)."""
    total = 0
    for dirpath, _, filenames in os.walk(path):
        for name in filenames:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                continue
    return total


def full_message(path: Path, needed: int | None = None, what: str = "") -> str:
    """'no space left on the filesystem holding PATH (mounted at M; F free of T now[, N
    needed])': said after the failed write, when some space may have been freed again."""
    usage = shutil.disk_usage(_existing(path))
    held = f"{what} {path}" if what else str(path)
    wanted = f", {size_text(needed)} needed" if needed is not None else ""
    return (
        f"no space left on the filesystem holding {held} (mounted at {mount_point(path)}; "
        f"{size_text(usage.free)} free of {size_text(usage.total)} now{wanted})"
    )
