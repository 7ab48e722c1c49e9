"""Zero-copy staging: the object store's directories bind-mounted into a step container.

Used when the Docker daemon runs on this machine (DOCKER_HOST unset or a unix socket) and the
object store is the local directory; `LEGACYLIFT_STAGING=tar` turns it off. Then:
- an input whose prefix names a whole directory (`s3://bucket/dir/` or a `file://` directory)
  is mounted read-only at its LocalPath: no data is copied, and the step cannot change it at
  its source. An input holding a symlink or special file, or something the step's user cannot
  read, or a prefix that is not a directory boundary, is streamed as a tar instead, as before;
- each output LocalPath is a fresh directory owned by the step's user, mounted read-write; when
  the job completes, its regular files are moved into the store by rename (symlinks and special
  files are skipped, never followed), and the directory is removed on every path.
A remote daemon (DOCKER_HOST over TCP or SSH) sees none of this machine's files: everything goes
as tar streams through the API.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from docker.types import Mount

from legacylift import settings
from legacylift.local.datasources import (
    FileTree,
    LocalObjectStore,
    StagedObject,
    join_uri,
    split_s3_uri,
)

STAGING_DIR = ".staging"  # under the store root: never a bucket name (those cannot start with .)


def daemon_is_local() -> bool:
    """Whether the daemon shares this machine's filesystem (and mounts are wanted)."""
    if settings.get("LEGACYLIFT_STAGING") == "tar":
        return False
    host = os.environ.get("DOCKER_HOST", "")
    return host == "" or host.startswith("unix://")


def _readable(info: os.stat_result, uid: int, gid: int) -> bool:
    if info.st_uid == uid:
        return bool(info.st_mode & stat.S_IRUSR)
    if info.st_gid == gid:
        return bool(info.st_mode & stat.S_IRGRP)
    return bool(info.st_mode & stat.S_IROTH)


def mountable_tree(root: Path, uid: int, gid: int) -> bool:
    """Whether `root` holds only regular files and directories, all readable (directories
    also searchable) by uid:gid, so a read-only bind mount shows exactly what a tar would."""
    for dirpath, dirnames, filenames in os.walk(root):
        directory = os.lstat(dirpath)
        if not _readable(directory, uid, gid) or not directory.st_mode & 0o111:
            return False
        for name in dirnames + filenames:
            info = os.lstat(os.path.join(dirpath, name))
            if stat.S_ISLNK(info.st_mode) or not (
                stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)
            ):
                return False
            if stat.S_ISREG(info.st_mode) and not _readable(info, uid, gid):
                return False
    return True


def input_directory(store, uri: str, uid: int, gid: int) -> Path | None:
    """The directory to mount for an input URI, or None when it must go as a tar."""
    if isinstance(store, LocalObjectStore):
        _, key = split_s3_uri(uri)
        if key and not key.endswith("/"):
            return None  # a plain string prefix or one object: S3Prefix needs a filtered copy
        directory = store.path_of(uri)
    elif isinstance(store, FileTree):
        directory = store.path_of(uri)
    else:
        return None
    if directory.is_symlink() or not directory.is_dir():
        return None
    return directory if mountable_tree(directory, uid, gid) else None


@dataclass
class OutputMount:
    """One output LocalPath backed by a host directory."""

    name: str
    uri: str
    directory: Path


@dataclass
class MountPlan:
    """The mounts of one job and the scratch directory holding its output directories."""

    mounts: list[Mount] = field(default_factory=list)
    outputs: dict[str, OutputMount] = field(default_factory=dict)
    scratch: Path | None = None
    files_mounted: int = 0
    bytes_mounted: int = 0

    def add_input(self, local_path: str, directory: Path, objects: list[StagedObject]) -> None:
        """Mount `directory` read-only at `local_path`."""
        self.mounts.append(Mount(local_path, str(directory.resolve()), type="bind", read_only=True))
        self.files_mounted += len(objects)
        self.bytes_mounted += sum(item.size for item in objects)

    message_dir: Path | None = None

    def _directory(self, store: LocalObjectStore, job: str, name: str, owner=None) -> Path:
        """A fresh directory in this job's scratch space (given to `owner` when set)."""
        if self.scratch is None:
            base = store.root / STAGING_DIR
            base.mkdir(parents=True, exist_ok=True)
            self.scratch = base.resolve() / f"{job}-{secrets.token_hex(4)}"
            self.scratch.mkdir(mode=0o700)
        directory = self.scratch / name
        directory.mkdir(mode=0o755)
        if owner is not None and os.getuid() != owner.uid:
            os.chown(directory, owner.uid, owner.gid)
        return directory

    def add_output(
        self, store: LocalObjectStore, job: str, name: str, uri: str, local_path: str, owner
    ) -> None:
        """A fresh directory, owned by the step's user, mounted read-write at `local_path`."""
        store.path_of(uri)  # refuses keys that leave their bucket, before the job runs
        directory = self._directory(store, job, f"output-{len(self.outputs)}", owner)
        self.mounts.append(Mount(local_path, str(directory), type="bind", read_only=False))
        self.outputs[local_path] = OutputMount(name, uri, directory)

    def add_job_files(
        self,
        store: LocalObjectStore,
        job: str,
        config: dict[str, str],
        config_dir: str,
        output_dir: str,
        owner,
    ) -> None:
        """The config files mounted read-only at `config_dir`; a directory of the step's user
        at `output_dir` (where a failing step leaves its `message`)."""
        directory = self._directory(store, job, "config")
        for filename, text in config.items():
            (directory / filename).write_text(text)
        self.mounts.append(Mount(config_dir, str(directory), type="bind", read_only=True))
        self.message_dir = self._directory(store, job, "output", owner)
        self.mounts.append(Mount(output_dir, str(self.message_dir), type="bind"))

    def read_message(self, limit: int) -> bytes | None:
        """The first `limit` bytes of the step's `message` file, if it left a regular one."""
        path = self.message_dir / "message"
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return None
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return handle.read(limit)

    def collect(
        self, store: LocalObjectStore, output: OutputMount, written: list[str]
    ) -> list[str]:
        """Move the output's regular files into the store, each URI appended to `written` as
        it lands (so an interruption can say what was kept); returns the entries skipped."""
        skipped = []
        inside: dict[Path, bool] = {}  # store directories checked (created, not leading out)
        root = store.root.resolve()
        for dirpath, dirnames, filenames in os.walk(output.directory):
            directory = Path(dirpath)
            for entry in sorted(dirnames + filenames):
                path = directory / entry
                relative = path.relative_to(output.directory).as_posix()
                info = os.lstat(path)
                if stat.S_ISDIR(info.st_mode):
                    continue
                if not stat.S_ISREG(info.st_mode):
                    kind = "symlink" if stat.S_ISLNK(info.st_mode) else "special"
                    skipped.append(f"{relative} ({kind}, not followed)")
                    continue
                uri = join_uri(output.uri, relative)
                target = store.path_of(uri)
                if target.parent not in inside:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    inside[target.parent] = target.parent.resolve().is_relative_to(root)
                if not inside[target.parent]:
                    skipped.append(f"{relative} (its store directory is a symlink leading out)")
                    continue
                if info.st_uid != os.getuid():  # invoked as root: the store stays root's
                    os.chown(path, os.getuid(), os.getgid())
                os.chmod(path, 0o644)
                os.replace(path, target)
                written.append(uri)
        return skipped

    def cleanup(self) -> None:
        """Remove the scratch directory (whatever the job left in it)."""
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)


def remove_scratch(store: LocalObjectStore, job: str) -> None:
    """Remove the scratch directories a job left (its engine was killed before removing them)."""
    base = store.root / STAGING_DIR
    for directory in base.glob(f"{job}-*") if base.is_dir() else ():
        if directory.name[len(job) + 1 :].isalnum():
            shutil.rmtree(directory, ignore_errors=True)
