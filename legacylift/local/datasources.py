"""Where `s3://` and `file://` URIs live on one machine.

- `s3://bucket/key` is `<object store>/bucket/key` (a directory standing for S3) by default, or
  an S3 endpoint reached through boto3 when one is configured;
- `file:///abs/path` is a local file or directory (a local extension, as in SageMaker local mode).

S3Prefix semantics, as SageMaker applies them to a ProcessingInput: every object whose key starts
with the prefix (a plain string prefix, not a directory boundary) is staged at
`LocalPath/<key without the prefix up to its last '/'>`; so `s3://b/data/` puts `data/x/y.csv` at
`LocalPath/x/y.csv`, and a URI naming a single object `s3://b/data/y.csv` puts it at
`LocalPath/y.csv`.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO

from legacylift.errors import LegacyLiftError
from legacylift.local.settings import LocalSettings


@dataclass(frozen=True)
class StagedObject:
    """One object to stage: its path relative to the LocalPath, size and a way to read it."""

    relative: str
    size: int
    open: Callable[[], BinaryIO]


def split_s3_uri(uri: str) -> tuple[str, str]:
    """(bucket, key prefix) of an s3:// URI, every character of the key kept (urlparse would
    drop tabs and newlines, which S3 keys may hold, merging distinct objects)."""
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    if not uri.startswith("s3://") or not bucket:
        raise LegacyLiftError(f"{uri!r} is not an s3://bucket/key URI")
    return bucket, key


def _relative(key: str, prefix: str) -> str:
    return key[prefix.rfind("/") + 1 :]


# A manifest is a list of keys, not data: read at most this much of it.
MANIFEST_BYTES = 1024 * 1024

# S3's bucket naming rules (lowercase letters, digits, dots and hyphens, 3 to 63 characters).
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def normalise_key(uri: str, bucket: str, key: str) -> str:
    """`key` with empty and `.` segments dropped and `..` applied, a trailing `/` kept; raises
    when the key would leave its bucket, or when the bucket or key cannot be a directory entry."""
    if not BUCKET_NAME.match(bucket) or ".." in bucket:
        raise LegacyLiftError(
            f"{uri!r}: {bucket!r} is not a valid S3 bucket name (3-63 lowercase letters, digits, "
            "dots and hyphens); name a bucket such as s3://legacylift-local/..."
        )
    if "\0" in key:
        raise LegacyLiftError(f"{uri!r}: an S3 key cannot contain a NUL character")
    parts: list[str] = []
    for segment in key.split("/"):
        if segment == "..":
            if not parts:
                raise LegacyLiftError(
                    f"{uri!r}: the key leaves bucket {bucket!r} through '..'; name an object "
                    "inside the bucket (S3 keys of the local store cannot climb out of it)"
                )
            parts.pop()
        elif segment not in ("", "."):
            parts.append(segment)
    normalised = "/".join(parts)
    if key.endswith("/") and normalised:
        normalised += "/"
    return normalised


SkipReporter = Callable[[str], None]


def _walk(root: Path, on_skip: SkipReporter | None) -> Iterator[tuple[Path, int]]:
    """(path, size) of every regular file under `root`, sorted (a directory's files, then its
    subdirectories); symlinks (to files or directories) and special files are reported to
    `on_skip` and neither followed nor yielded. One lstat per file."""
    with os.scandir(root) as scan:
        entries = sorted(scan, key=lambda entry: entry.name)
    subdirectories = []
    for entry in entries:
        if entry.is_symlink() or not (entry.is_file() or entry.is_dir()):
            if on_skip is not None:
                kind = "symlink" if entry.is_symlink() else "not a regular file"
                on_skip(f"{entry.path} ({kind}, skipped: never followed)")
        elif entry.is_dir(follow_symlinks=False):
            subdirectories.append(entry.path)
        else:
            yield Path(entry.path), entry.stat(follow_symlinks=False).st_size
    for directory in subdirectories:
        yield from _walk(Path(directory), on_skip)


class LocalObjectStore:
    """A directory standing for S3: `s3://bucket/key` is `<root>/bucket/key`, never outside it."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _bucket_and_key(self, uri: str) -> tuple[str, str]:
        bucket, key = split_s3_uri(uri)
        return bucket, normalise_key(uri, bucket, key)

    def path_of(self, uri: str) -> Path:
        """The file a URI names in the store (inside its bucket's directory, always)."""
        bucket, key = self._bucket_and_key(uri)
        return self.root / bucket / key

    def list(self, uri: str, on_skip: SkipReporter | None = None) -> Iterator[StagedObject]:
        """Objects under the URI's prefix (S3Prefix semantics); symlinks and special files are
        no objects: each is passed to `on_skip` (never followed)."""
        bucket, prefix = self._bucket_and_key(uri)
        bucket_dir = self.root / bucket
        if not bucket_dir.is_dir():
            return
        # Walk only the deepest directory the prefix fully names.
        start = bucket_dir / prefix[: prefix.rfind("/") + 1] if "/" in prefix else bucket_dir
        if not start.is_dir() or start.is_symlink():
            return
        for path, size in _walk(start, on_skip):
            key = path.relative_to(bucket_dir).as_posix()
            if key.startswith(prefix):
                yield StagedObject(_relative(key, prefix), size, partial(path.open, "rb"))

    def put(self, uri: str, source: BinaryIO) -> None:
        """Write one object (atomically: readers never see half an object)."""
        bucket, key = self._bucket_and_key(uri)
        if not key or key.endswith("/"):
            raise LegacyLiftError(f"{uri!r} names a prefix, not an object: give the object's key")
        target = self.root / bucket / key
        write_file_atomic(target, source, inside=self.root / bucket)


def write_file_atomic(target: Path, source: BinaryIO, inside: Path | None = None) -> None:
    """Copy `source` to `target` via a temporary name and a rename, so readers (and an
    interrupted copy) never leave half a file under the final name. With `inside`, refuse a
    target whose directory resolves (through symlinks) outside that directory."""
    # Checked before creating the folders on the way, so none is created outside either.
    if inside is not None and not target.parent.resolve().is_relative_to(inside.resolve()):
        raise LegacyLiftError(
            f"{target}: a directory on the way is a symlink leading out of {inside}; "
            "remove the symlink from the object store"
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name[:200]}.", suffix=".part"
        )
    except OSError as exc:
        raise LegacyLiftError(
            f"cannot write {target} ({exc.strerror}): make {target.parent} writable, or point "
            "LEGACYLIFT_S3_DIR at a writable directory"
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            shutil.copyfileobj(source, handle, 1024 * 1024)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide outputs from other users
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _Unseekable(io.RawIOBase):
    """A plain readable view of a stream (a tar member cannot answer seekable(), which boto3
    asks)."""

    def __init__(self, source: BinaryIO) -> None:
        self._source = source

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        data = self._source.read(len(target))
        target[: len(data)] = data
        return len(data)


class BotoObjectStore:
    """Any S3 endpoint (moto, MinIO, AWS) through boto3, with the host's credentials."""

    def __init__(self, endpoint_url: str | None, region: str) -> None:
        import boto3

        self.client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region)

    def list(self, uri: str) -> Iterator[StagedObject]:
        """Objects under the URI's prefix (S3Prefix semantics)."""
        bucket, prefix = split_s3_uri(uri)
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix=prefix
        ):
            for entry in page.get("Contents", []):
                key = entry["Key"]
                if key.endswith("/"):
                    continue  # "folder" marker objects hold no data

                def opener(key=key):
                    return self.client.get_object(Bucket=bucket, Key=key)["Body"]

                yield StagedObject(_relative(key, prefix), entry["Size"], opener)

    def put(self, uri: str, source: BinaryIO) -> None:
        """Upload one object (from any readable stream, seekable or not)."""
        bucket, key = split_s3_uri(uri)
        self.client.upload_fileobj(io.BufferedReader(_Unseekable(source)), bucket, key)


class FileTree:
    """`file://` URIs: a local directory (its contents) or a single file."""

    def path_of(self, uri: str) -> Path:
        """The local path a file:// URI names, taken as written (not percent-decoded, every
        character kept, so a file name with a tab or newline stays that file's name)."""
        host, slash, path = uri.removeprefix("file://").partition("/")
        if not uri.startswith("file://") or host not in ("", "localhost") or not slash:
            raise LegacyLiftError(f"{uri!r}: file:// URIs name local paths (file:///abs/path)")
        return Path("/" + path)

    def list(self, uri: str, on_skip: SkipReporter | None = None) -> Iterator[StagedObject]:
        """The file, or every regular file under the directory (symlinks and special files
        passed to `on_skip`, never followed)."""
        root = self.path_of(uri)
        if root.is_file():
            yield StagedObject(root.name, root.stat().st_size, partial(root.open, "rb"))
            return
        for path, size in _walk(root, on_skip):
            yield StagedObject(path.relative_to(root).as_posix(), size, partial(path.open, "rb"))

    def put(self, uri: str, source: BinaryIO) -> None:
        """Write one file atomically."""
        write_file_atomic(self.path_of(uri), source)


class DataSources:
    """Resolves a URI to the store that holds it."""

    def __init__(self, settings: LocalSettings) -> None:
        self.settings = settings
        self._s3 = None
        self._files = FileTree()

    @property
    def s3(self):
        """The S3 stand-in: the object store directory, or boto3 when an endpoint is set."""
        if self._s3 is None:
            if self.settings.s3_endpoint_url:
                self._s3 = BotoObjectStore(self.settings.s3_endpoint_url, self.settings.region)
            else:
                self._s3 = LocalObjectStore(self.settings.object_store)
        return self._s3

    def store_for(self, uri: str):
        """The store serving `uri` (s3:// or file://)."""
        scheme = uri.partition("://")[0] if "://" in uri else ""
        if scheme == "s3":
            return self.s3
        if scheme == "file":
            return self._files
        raise LegacyLiftError(f"{uri!r}: only s3:// and file:// URIs can be staged locally")

    def list(self, uri: str, on_skip: SkipReporter | None = None) -> list[StagedObject]:
        """Objects a ProcessingInput with this URI stages (`on_skip` hears of each symlink or
        special file left out)."""
        store = self.store_for(uri)
        if isinstance(store, BotoObjectStore):
            return list(store.list(uri))
        return list(store.list(uri, on_skip))

    def put(self, uri: str, source: BinaryIO) -> None:
        """Store one object at `uri`."""
        self.store_for(uri).put(uri, source)

    def object(self, uri: str, what: str) -> StagedObject:
        """The one object `uri` names (not every object its key prefixes); `what` names it in
        the error when there is none."""
        name = uri.rstrip("/").rsplit("/", 1)[-1]
        found = [item for item in self.list(uri) if item.relative == name]
        if uri.endswith("/") or not found:
            raise LegacyLiftError(f"{what} {uri} does not exist: no object has that key")
        return found[0]

    def manifest(self, uri: str, limit: int = MANIFEST_BYTES) -> list[StagedObject]:
        """The objects an `S3DataType: ManifestFile` input stages: the manifest at `uri` is a
        JSON array, `{"prefix": "s3://bucket/prefix/"}` then keys relative to that prefix; each
        object is staged at `LocalPath/<relative key>`."""
        staged = self.object(uri, "the manifest")
        with staged.open() as handle:
            text = handle.read(limit + 1)
        try:
            entries = json.loads(text) if len(text) <= limit else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            entries = None
        if not (
            isinstance(entries, list)
            and entries
            and isinstance(entries[0], dict)
            and isinstance(entries[0].get("prefix"), str)
            and entries[0]["prefix"].startswith("s3://")
            and all(isinstance(key, str) and key and not key.endswith("/") for key in entries[1:])
        ):
            raise LegacyLiftError(
                f"the manifest {uri} is not a manifest: give a JSON array (at most "
                f'{limit // 1024} KiB) of {{"prefix": "s3://bucket/prefix/"}} then the '
                'keys relative to it, e.g. [{"prefix": "s3://b/data/"}, "a.csv", "b.csv"]'
            )
        prefix = entries[0]["prefix"]
        objects = []
        for key in entries[1:]:
            item = self.object(join_uri(prefix, key), f"an object the manifest {uri} lists,")
            objects.append(StagedObject(key, item.size, item.open))
        return objects


def join_uri(prefix: str, relative: str) -> str:
    """`prefix/relative` with exactly one slash between them."""
    return prefix.rstrip("/") + "/" + relative
