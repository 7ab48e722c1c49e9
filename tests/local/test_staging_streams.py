"""The data paths of a processing job without Docker: the tar stream that stages inputs into a
step container, reading single files back, and writing objects into the local stores."""

from __future__ import annotations

import io
import tarfile
from functools import partial

import pytest

from legacylift.errors import LegacyLiftError
from legacylift.local import staging
from legacylift.local.datasources import (
    BotoObjectStore,
    DataSources,
    FileTree,
    LocalObjectStore,
    StagedObject,
    join_uri,
    split_s3_uri,
)
from legacylift.local.settings import LocalSettings
from legacylift.local.staging import Owner, TarStream, read_single_file

OWNER = Owner(uid=1000, gid=1001)


def _members(stream: TarStream, chunk_sizes=None) -> dict[str, tuple[tarfile.TarInfo, bytes]]:
    data = b"".join(stream.chunks())
    assert len(data) % tarfile.RECORDSIZE == 0 or len(data) % tarfile.BLOCKSIZE == 0
    found = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
        for member in archive:
            content = archive.extractfile(member).read() if member.isreg() else b""
            found[member.name] = (member, content)
    return found


def test_tar_stream_holds_files_their_parents_and_owner():
    stream = TarStream(OWNER)
    big = bytes(range(256)) * 4100  # over 1 MB: several chunks, and padding
    stream.file(
        "/opt/ml/processing/input/data/a/big.bin",
        StagedObject("big.bin", len(big), partial(io.BytesIO, big)),
    )
    stream.text("/opt/ml/processing/input/config.json", '{"k": 1}')
    stream.directory("/opt/ml/processing/output")
    assert stream.bytes_total == len(big) + len(b'{"k": 1}')
    members = _members(stream)
    directories = sorted(name for name, (m, _) in members.items() if m.isdir())
    assert directories == [
        "opt",
        "opt/ml",
        "opt/ml/processing",
        "opt/ml/processing/input",
        "opt/ml/processing/input/data",
        "opt/ml/processing/input/data/a",
        "opt/ml/processing/output",
    ]
    info, content = members["opt/ml/processing/input/data/a/big.bin"]
    assert content == big and info.size == len(big) and info.mode == 0o644
    assert members["opt/ml/processing/input/config.json"][1] == b'{"k": 1}'
    for member, _ in members.values():
        assert (member.uid, member.gid) == (1000, 1001)
        assert member.mtime == int(stream.now)
        assert member.mode == (0o755 if member.isdir() else 0o644)


def test_tar_stream_reports_progress_and_refuses_a_shrinking_source():
    stream = TarStream(OWNER)
    stream.file("/in/a", StagedObject("a", 3, partial(io.BytesIO, b"abc")))
    stream.file("/in/b", StagedObject("b", 2, partial(io.BytesIO, b"de")))
    seen = []
    data = b"".join(stream.chunks(progress=seen.append))
    assert seen == [3, 5]
    assert data.endswith(b"\0" * 2 * tarfile.BLOCKSIZE)
    shrinking = TarStream(OWNER)
    shrinking.file("/in/c", StagedObject("c", 10, partial(io.BytesIO, b"short")))
    with pytest.raises(LegacyLiftError, match="staging /in/c: the source shrank"):
        b"".join(shrinking.chunks())


def test_read_single_file_and_chunk_reader():
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        archive.addfile(tarfile.TarInfo("message"), io.BytesIO(b""))
        info = tarfile.TarInfo("message")
        info.size = 11
        archive.addfile(info, io.BytesIO(b"hello world"))
    data = buffer.getvalue()
    chunks = [data[i : i + 100] for i in range(0, len(data), 100)]
    assert read_single_file(chunks, 5) == b""  # the first regular file, even empty
    empty_dir = io.BytesIO()
    with tarfile.open(fileobj=empty_dir, mode="w") as archive:
        directory = tarfile.TarInfo("d")
        directory.type = tarfile.DIRTYPE
        archive.addfile(directory)
    assert read_single_file([empty_dir.getvalue()], 5) is None
    reader = staging._ChunkReader([b"ab", b"", b"cde"])
    assert reader.readable()
    assert reader.read(4) == b"ab" and reader.read(2) == b"cd"  # one chunk at most per read
    assert io.BufferedReader(reader).read() == b"e" and reader.read(1) == b""


def test_local_store_put_is_whole_and_leaves_no_temporary(tmp_path):
    store = LocalObjectStore(tmp_path)
    store.put("s3://bucket/out/x/y.csv", io.BytesIO(b"1,2\n"))
    assert (tmp_path / "bucket/out/x/y.csv").read_bytes() == b"1,2\n"
    assert store.path_of("s3://bucket/out/x/y.csv") == tmp_path / "bucket/out/x/y.csv"

    class Broken(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, target):
            raise OSError("source went away")

    with pytest.raises(OSError, match="source went away"):
        store.put("s3://bucket/out/x/y.csv", Broken())
    assert (tmp_path / "bucket/out/x/y.csv").read_bytes() == b"1,2\n"
    assert sorted(p.name for p in (tmp_path / "bucket/out/x").iterdir()) == ["y.csv"]
    tree = FileTree()
    tree.put(f"file://{tmp_path}/plain/z.txt", io.BytesIO(b"z"))
    assert (tmp_path / "plain/z.txt").read_bytes() == b"z"
    with pytest.raises(LegacyLiftError, match="file:///abs/path"):
        tree.path_of("file://otherhost/etc/passwd")


def test_uri_helpers_and_schemes(tmp_path):
    assert split_s3_uri("s3://b/k/x") == ("b", "k/x")
    assert split_s3_uri("s3://b") == ("b", "")
    for bad in ("s3:///k", "http://b/k", "b/k"):
        with pytest.raises(LegacyLiftError, match="is not an s3://bucket/key URI"):
            split_s3_uri(bad)
    assert join_uri("s3://b/out/", "x.csv") == "s3://b/out/x.csv"
    assert join_uri("s3://b/out", "x.csv") == "s3://b/out/x.csv"
    sources = DataSources(LocalSettings.under(tmp_path))
    sources.put("s3://bkt-1/k.txt", io.BytesIO(b"k"))
    assert (tmp_path / "s3/bkt-1/k.txt").read_bytes() == b"k"
    with pytest.raises(LegacyLiftError, match="only s3:// and file://"):
        sources.store_for("https://example.com/x")


def test_read_single_file_stops_at_its_limit_and_a_growing_source_stays_in_its_size():
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("message")
        info.size = 11
        archive.addfile(info, io.BytesIO(b"hello world"))
    assert read_single_file([buffer.getvalue()], 5) == b"hello"
    stream = TarStream(OWNER)
    # Declared 3 bytes, the file has grown to 6 since it was listed: the archive keeps 3.
    stream.file("/in/grown", StagedObject("grown", 3, partial(io.BytesIO, b"abcdef")))
    assert _members(stream)["in/grown"][1] == b"abc"


def test_an_s3_endpoint_lists_and_stores_objects_as_the_local_store_does(
    aws_env, tmp_path, monkeypatch
):
    """With an S3 endpoint configured (moto here), DataSources goes through boto3 with the
    configured endpoint and region (the environment's defaults point elsewhere): S3Prefix
    semantics, "folder" marker objects skipped, an empty prefix, sizes and contents as stored,
    and an upload from a stream that cannot seek (a tar member, as outputs arrive)."""
    import boto3

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # closed: not the endpoint
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    settings = LocalSettings.under(tmp_path, s3_endpoint_url=aws_env.endpoint)
    sources = DataSources(settings)
    store = sources.s3
    assert isinstance(store, BotoObjectStore) and sources.s3 is store  # made once
    assert store.client.meta.region_name == settings.region != "eu-west-3"
    client = boto3.client("s3", endpoint_url=aws_env.endpoint, region_name="us-east-1")
    client.create_bucket(Bucket="boto-store")
    for key, body in (
        ("data/a.csv", b"a"),
        ("data/sub/", b""),
        ("data/sub/b.csv", b"bb"),
        ("database.csv", b"ccc"),
    ):
        client.put_object(Bucket="boto-store", Key=key, Body=body)

    def listed(uri):
        return {o.relative: (o.size, o.open().read()) for o in sources.list(uri)}

    assert listed("s3://boto-store/data/") == {"a.csv": (1, b"a"), "sub/b.csv": (2, b"bb")}
    assert listed("s3://boto-store/data/sub/") == {"b.csv": (2, b"bb")}
    assert listed("s3://boto-store/nothing/") == {}  # a page without "Contents"
    assert listed("s3://boto-store/data") == {
        "data/a.csv": (1, b"a"),
        "data/sub/b.csv": (2, b"bb"),
        "database.csv": (3, b"ccc"),
    }

    class Unseekable(io.RawIOBase):  # what a tar member of Docker's archive looks like
        def __init__(self, data):
            self.data = io.BytesIO(data)

        def readable(self):
            return True

        def seekable(self):
            raise io.UnsupportedOperation("seek")

        def readinto(self, target):
            chunk = self.data.read(len(target))
            target[: len(chunk)] = chunk
            return len(chunk)

    payload = bytes(range(256)) * 36_000  # 9.2 MB, past boto3's 8 MiB multipart threshold
    sources.put("s3://boto-store/out/model.bin", Unseekable(payload))
    stored = client.get_object(Bucket="boto-store", Key="out/model.bin")["Body"].read()
    assert stored == payload
