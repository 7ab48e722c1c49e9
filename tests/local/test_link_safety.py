"""Symlinks, hard links, devices and FIFOs on both sides of a processing job, without Docker.

Outputs: `staging.read_archive` reads the tar stream Docker's get_archive returns for the output
directory and hands only regular files on. Inputs: every kind of input URI (the local object
store standing for `s3://`, and `file://` directories) stages only regular files, never
following a symlink out of the tree nor opening a FIFO (which would hang the run).
"""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from legacylift.local.datasources import DataSources, FileTree, LocalObjectStore
from legacylift.local.settings import LocalSettings
from legacylift.local.staging import read_archive


def _member(name: str, kind: bytes, **fields) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    for key, value in fields.items():
        setattr(info, key, value)
    return info


def _output_archive() -> list[bytes]:
    """The archive of an output directory holding every kind of entry a script can leave."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        archive.addfile(_member("output", tarfile.DIRTYPE, mode=0o755))
        data = b"prediction\n1\n"
        archive.addfile(_member("output/result.csv", tarfile.REGTYPE, size=len(data)),
                        io.BytesIO(data))  # fmt: skip
        # An entry escaping the directory comes before others: it is skipped, not the end.
        archive.addfile(_member("output/../escape.csv", tarfile.REGTYPE, size=1), io.BytesIO(b"e"))
        archive.addfile(_member("output/sub", tarfile.DIRTYPE, mode=0o755))
        archive.addfile(_member("output/sub/part.csv", tarfile.REGTYPE, size=2), io.BytesIO(b"x\n"))
        archive.addfile(_member("output/passwd", tarfile.SYMTYPE, linkname="/etc/passwd"))
        archive.addfile(_member("output/hard", tarfile.LNKTYPE, linkname="output/result.csv"))
        archive.addfile(_member("output/shadow", tarfile.LNKTYPE, linkname="etc/shadow"))
        archive.addfile(_member("output/null", tarfile.CHRTYPE, devmajor=1, devminor=3))
        archive.addfile(_member("output/disk", tarfile.BLKTYPE, devmajor=8, devminor=0))
        archive.addfile(_member("output/pipe", tarfile.FIFOTYPE))
    data = buffer.getvalue()
    return [data[i : i + 700] for i in range(0, len(data), 700)]  # several chunks, as Docker


def test_outputs_keep_regular_files_only():
    """Planted bug: the `isreg()` check narrowed to `issym()` (hard links and devices no longer
    skipped); the hard link, device and FIFO entries then reach the sink and this turns red."""
    received = {}

    def sink(relative, source):
        received[relative] = source.read()

    report = read_archive(_output_archive(), sink)
    assert received == {"result.csv": b"prediction\n1\n", "sub/part.csv": b"x\n"}
    assert report.files == ["result.csv", "sub/part.csv"]
    assert sorted(report.skipped) == sorted([
        "passwd (symlink, not followed)",
        "hard (link, not followed)",
        "shadow (link, not followed)",
        "null (special, not followed)",
        "disk (special, not followed)",
        "pipe (special, not followed)",
        "output/../escape.csv (outside the output directory)",
    ])  # fmt: skip
    assert report.bytes == len(b"prediction\n1\n") + 2


@pytest.fixture
def tree(tmp_path) -> Path:
    """A data directory holding a file, a nested file, and every kind of non-regular entry,
    next to a secret outside it."""
    secret_dir = tmp_path / "secret"
    secret_dir.mkdir()
    (secret_dir / "key.pem").write_text("SECRET")
    data = tmp_path / "store" / "bucket" / "data"
    (data / "nested").mkdir(parents=True)
    (data / "a.csv").write_text("a")
    (data / "nested" / "b.csv").write_text("b")
    (data / "key.pem").symlink_to(secret_dir / "key.pem")  # a file outside
    (data / "linked-dir").symlink_to(secret_dir, target_is_directory=True)  # a folder outside
    (data / "dangling").symlink_to(tmp_path / "nowhere")
    (data / "inner-link.csv").symlink_to(data / "a.csv")  # even one pointing inside
    os.mkfifo(data / "pipe")
    return tmp_path


def _staged(objects) -> dict[str, bytes]:
    result = {}
    for staged in objects:
        with staged.open() as handle:
            result[staged.relative] = handle.read()
    return result


def test_file_uri_inputs_never_follow_symlinks_nor_open_fifos(tree):
    """Planted bug: the `is_symlink()` check removed from `file://` listing; the symlinked
    secret is then staged and this turns red."""
    data = tree / "store" / "bucket" / "data"
    staged = _staged(FileTree().list(f"file://{data}"))
    assert staged == {"a.csv": b"a", "nested/b.csv": b"b"}
    (single,) = FileTree().list(f"file://{data}/nested/b.csv")  # a URI naming one file
    assert (single.relative, single.size) == ("b.csv", 1)
    with single.open() as handle:
        assert handle.read() == b"b"


def test_s3_inputs_from_the_local_store_never_follow_symlinks_nor_open_fifos(tree):
    store = LocalObjectStore(tree / "store")
    assert _staged(store.list("s3://bucket/data/")) == {"a.csv": b"a", "nested/b.csv": b"b"}
    assert _staged(store.list("s3://bucket/data/key")) == {}  # key.pem is a symlink
    assert _staged(store.list("s3://bucket/data/a.csv")) == {"a.csv": b"a"}


def test_every_input_kind_through_data_sources(tree):
    """What a ProcessingInput stages, whatever its scheme (code inputs are s3:// too)."""
    sources = DataSources(LocalSettings.under(tree / "local", object_store=tree / "store"))
    data = tree / "store" / "bucket" / "data"
    for uri in (f"file://{data}", f"file://{data}/", "s3://bucket/data/"):
        assert {o.relative for o in sources.list(uri)} == {"a.csv", "nested/b.csv"}, uri
    # A prefix that is not a folder boundary keeps the last folder's name (S3Prefix).
    staged = {o.relative for o in sources.list("s3://bucket/data")}
    assert staged == {"data/a.csv", "data/nested/b.csv"}
