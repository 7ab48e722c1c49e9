"""Symlinks, hard links, devices and FIFOs on both sides of a processing job, without Docker.

Outputs: `staging.read_archive` reads the tar stream Docker's get_archive returns for the output
directory and hands only regular files on. Inputs: every kind of input URI (the local object
store standing for `s3://`, and `file://` directories) stages only regular files, never
following a symlink out of the tree nor opening a FIFO (which would hang the run); the local
object store maps keys to paths inside their bucket, never outside it, and reports what it
leaves out.
"""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from legacylift.errors import LegacyLiftError
from legacylift.local import cluster
from legacylift.local.datasources import (
    DataSources,
    FileTree,
    LocalObjectStore,
    join_uri,
    normalise_key,
)
from legacylift.local.processing import upload_archive
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
        archive.addfile(
            _member("output/result.csv", tarfile.REGTYPE, size=len(data)), io.BytesIO(data)
        )
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
    assert sorted(report.skipped) == sorted(
        [
            "passwd (symlink, not followed)",
            "hard (link, not followed)",
            "shadow (link, not followed)",
            "null (special, not followed)",
            "disk (special, not followed)",
            "pipe (special, not followed)",
            "output/../escape.csv (outside the output directory)",
        ]
    )
    assert report.bytes == len(b"prediction\n1\n") + 2


# Entries climbing out of the output directory from its top, from a subfolder, through several
# levels, and a name climbing out and back in (still refused: no `..` is ever applied).
TRAVERSALS = (
    "output/../escape.csv",
    "output/sub/../../escape.csv",
    "output/a/b/../../../escape.csv",
    "output/sub/../../../../tmp/escape.csv",
    "output/sub/../../output/back-in.csv",
)


def _traversing_archive() -> list[bytes]:
    """An output directory's archive: one file inside, then every traversal entry."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        archive.addfile(_member("output", tarfile.DIRTYPE, mode=0o755))
        archive.addfile(_member("output/sub/kept.csv", tarfile.REGTYPE, size=1), io.BytesIO(b"k"))
        for name in TRAVERSALS:
            archive.addfile(_member(name, tarfile.REGTYPE, size=1), io.BytesIO(b"e"))
    return [buffer.getvalue()]


def test_traversals_anywhere_in_an_entry_name_are_skipped():
    """Planted bug (only a leading `..` refused: `parts[0] == ".."`): the nested and mid-path
    entries reach the sink; red."""
    received = []
    report = read_archive(_traversing_archive(), lambda relative, source: received.append(relative))
    assert received == ["sub/kept.csv"]
    assert report.skipped == [f"{name} (outside the output directory)" for name in TRAVERSALS]


def test_the_multi_instance_save_writes_nothing_outside_its_directory(tmp_path):
    """cluster's per-instance save (each instance's output kept apart before the upload).
    Planted bug (the mid-path check weakened as above): escape.csv lands beside `out`; red."""
    directory = tmp_path / "scratch" / "algo-1" / "out"
    cluster._save(_traversing_archive(), directory)
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["scratch/algo-1/out/sub/kept.csv"]


def test_the_processing_upload_puts_nothing_outside_its_prefix(tmp_path):
    """The processing runner's output upload (a step's archive into the object store).
    Planted bug (the mid-path check weakened as above): objects land beside the output prefix
    (`s3://bkt/escape.csv`, `s3://bkt/run/back-in.csv`); red."""
    store = LocalObjectStore(tmp_path / "store")
    uploaded = []
    report = upload_archive(_traversing_archive(), "s3://bkt/run/out/", store.put, uploaded)
    assert uploaded == ["s3://bkt/run/out/sub/kept.csv"]
    assert len(report.skipped) == len(TRAVERSALS)
    stored = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert stored == ["store/bkt/run/out/sub/kept.csv"]


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


# The local object store: keys stay in their bucket.


@pytest.fixture
def store(tmp_path):
    root = tmp_path / "s3"
    (root / "bkt").mkdir(parents=True)
    return LocalObjectStore(root)


@pytest.mark.parametrize(
    "uri",
    [
        "s3://legacylift-local/../../x/",
        "s3://bkt/../other-bucket/key",
        "s3://bkt/a/../../escape.csv",
        "s3://bkt/./../x",
        "s3://../x/y",
        "s3://Bad_Bucket/x",
    ],
)
def test_keys_that_leave_their_bucket_are_refused_everywhere(store, tmp_path, uri):
    """Planted bug (path_of joining the raw key): listing staged a host file, put overwrote one,
    and these tests went red."""
    victim = tmp_path / "x" / "y"
    victim.parent.mkdir()
    victim.write_text("host file")
    (tmp_path / "escape.csv").write_text("host file")
    with pytest.raises(LegacyLiftError, match="leaves bucket|not a valid S3 bucket"):
        store.path_of(uri)
    with pytest.raises(LegacyLiftError, match="leaves bucket|not a valid S3 bucket"):
        list(store.list(uri))
    with pytest.raises(LegacyLiftError, match="leaves bucket|not a valid S3 bucket"):
        store.put(uri + "z", io.BytesIO(b"overwritten"))
    assert victim.read_text() == "host file"
    assert (tmp_path / "escape.csv").read_text() == "host file"


def test_dot_segments_inside_the_bucket_are_normalised(store):
    assert normalise_key("u", "bkt", "a/./b/../c.csv") == "a/c.csv"
    assert normalise_key("u", "bkt", "a//b/") == "a/b/"
    store.put("s3://bkt/data/./sub/../x.csv", io.BytesIO(b"1"))
    assert (store.root / "bkt/data/x.csv").read_bytes() == b"1"
    assert [o.relative for o in store.list("s3://bkt/data/sub/../")] == ["x.csv"]


def test_a_symlinked_directory_in_the_store_is_not_written_through(store, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (store.root / "bkt" / "link").symlink_to(outside)
    with pytest.raises(LegacyLiftError, match="symlink leading out"):
        store.put("s3://bkt/link/x.csv", io.BytesIO(b"1"))
    assert list(outside.iterdir()) == []


def test_names_with_newlines_and_tabs_are_kept_apart(store):
    """Planted bug (urlparse splitting the URI: it drops tabs and newlines): one object kept,
    two lost, and this test went red."""
    for name, data in (("ab.csv", b"plain"), ("a\nb.csv", b"newline"), ("a\tb.csv", b"tab")):
        store.put(f"s3://bkt/in/{name}", io.BytesIO(data))
    listed = {o.relative: o.open().read() for o in store.list("s3://bkt/in/")}
    assert listed == {"ab.csv": b"plain", "a\nb.csv": b"newline", "a\tb.csv": b"tab"}


def test_symlinks_in_inputs_are_reported_not_followed(tmp_path):
    source = tmp_path / "input"
    source.mkdir()
    (source / "real.csv").write_text("1")
    (source / "link.csv").symlink_to("/etc/passwd")
    (source / "linkdir").symlink_to("/etc")
    skipped: list[str] = []
    staged = list(FileTree().list(source.as_uri(), on_skip=skipped.append))
    assert [o.relative for o in staged] == ["real.csv"]
    assert sorted(entry.split(" (")[0].rsplit("/", 1)[1] for entry in skipped) == [
        "link.csv",
        "linkdir",
    ]
    assert all("symlink, skipped" in entry for entry in skipped)


def test_an_unwritable_store_is_a_sentence_not_an_oserror(tmp_path):
    """A store directory that cannot be created (a file in its way: unwritable even for root)."""
    (tmp_path / "file").write_text("")
    store = LocalObjectStore(tmp_path / "file" / "s3")
    with pytest.raises(LegacyLiftError, match="cannot write .*LEGACYLIFT_S3_DIR"):
        store.put("s3://bkt/new/x.csv", io.BytesIO(b"1"))


def test_every_skipped_entry_is_reported_once_with_its_kind(tree):
    """What `on_skip` hears, through each store and DataSources: the path and whether it was a
    symlink or a special file, also from subdirectories, and nothing from outside the listed
    prefix. Planted bugs: the reporter not passed on (to the recursion, by FileTree.list, by
    LocalObjectStore.list, by DataSources.list), a symlink reported as a special file, the walk
    starting at the bucket for a prefix with several folders: each turns this red."""
    data = tree / "store" / "bucket" / "data"
    (data / "nested" / "deep-link").symlink_to(tree / "secret")
    expected = sorted(
        [
            f"{data}/dangling (symlink, skipped: never followed)",
            f"{data}/inner-link.csv (symlink, skipped: never followed)",
            f"{data}/key.pem (symlink, skipped: never followed)",
            f"{data}/linked-dir (symlink, skipped: never followed)",
            f"{data}/pipe (not a regular file, skipped: never followed)",
            f"{data}/nested/deep-link (symlink, skipped: never followed)",
        ]
    )
    sources = DataSources(LocalSettings.under(tree / "local", object_store=tree / "store"))
    for lister, uri in (
        (FileTree().list, f"file://{data}"),
        (LocalObjectStore(tree / "store").list, "s3://bucket/data/"),
        (sources.list, "s3://bucket/data/"),
        (sources.list, f"file://{data}"),
    ):
        skipped: list[str] = []
        staged = list(lister(uri, skipped.append))
        assert sorted(skipped) == expected, (lister, uri)
        assert {o.relative: o.size for o in staged} == {"a.csv": 1, "nested/b.csv": 1}
    # A prefix two folders deep walks only its own folder: nothing of data/ is reported.
    skipped = []
    staged = list(LocalObjectStore(tree / "store").list("s3://bucket/data/nested/", skipped.append))
    assert [(o.relative, o.size) for o in staged] == [("b.csv", 1)]
    assert skipped == [f"{data}/nested/deep-link (symlink, skipped: never followed)"]


def test_a_prefix_naming_a_symlinked_folder_lists_nothing(tree):
    """`s3://bucket/data/linked-dir/` names a symlink to a folder outside the store: the walk
    must not start through it. Planted bug: the start directory's `is_symlink()` check dropped
    (or joined with `and`): the secret behind the link is staged and this turns red."""
    store = LocalObjectStore(tree / "store")
    assert list(store.list("s3://bucket/data/linked-dir/")) == []
    assert list(store.list("s3://bucket/data/linked-dir/key")) == []
    assert list(store.list("s3://bucket/no-such-folder/x")) == []
    assert list(store.list("s3://no-such-bucket/x")) == []


@pytest.mark.parametrize(
    ("key", "normalised"),
    [("a/./b", "a/b"), ("a/../c.csv", "c.csv"), ("./a/b/", "a/b/"), ("a/b/..", "a"), ("", "")],
)
def test_dot_segments_are_applied(key, normalised):
    assert normalise_key("u", "bkt", key) == normalised


def test_bucket_and_key_refusals_name_the_uri_and_the_fix(store):
    """The exact sentences (a user's only clue), each beginning with the URI as given."""
    bucket = (
        "{uri!r}: {bucket!r} is not a valid S3 bucket name (3-63 lowercase letters, digits, dots "
        "and hyphens); name a bucket such as s3://legacylift-local/..."
    )
    for uri, bad in (("s3://Bad_Bucket/x", "Bad_Bucket"), ("s3://a..b/x", "a..b")):
        with pytest.raises(LegacyLiftError) as refused:
            store.path_of(uri)
        assert str(refused.value) == bucket.format(uri=uri, bucket=bad)
    with pytest.raises(LegacyLiftError) as refused:
        store.path_of("s3://bkt/a/../../x")
    assert str(refused.value) == (
        "'s3://bkt/a/../../x': the key leaves bucket 'bkt' through '..'; name an object inside "
        "the bucket (S3 keys of the local store cannot climb out of it)"
    )
    with pytest.raises(LegacyLiftError) as refused:
        store.path_of("s3://bkt/a\0b")
    assert str(refused.value) == "'s3://bkt/a\\x00b': an S3 key cannot contain a NUL character"
    for prefix in ("s3://bkt/dir/", "s3://bkt", "s3://bkt/"):
        with pytest.raises(LegacyLiftError) as refused:
            store.put(prefix, io.BytesIO(b"1"))
        assert str(refused.value) == (
            f"{prefix!r} names a prefix, not an object: give the object's key"
        )
    assert sorted(p.name for p in (store.root / "bkt").iterdir()) == []


def test_a_symlink_on_the_way_out_of_the_store_is_refused_with_its_fix(store, tmp_path):
    """Planted bugs: `put` no longer passing its bucket as `inside` (the object is written
    through the symlink, outside the store), the check made after creating the folders on the
    way (`deeper/` created outside): each turns this red."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (store.root / "bkt" / "link").symlink_to(outside)
    with pytest.raises(LegacyLiftError) as refused:
        store.put("s3://bkt/link/deeper/x.csv", io.BytesIO(b"1"))
    assert str(refused.value) == (
        f"{store.root}/bkt/link/deeper/x.csv: a directory on the way is a symlink leading out "
        f"of {store.root}/bkt; remove the symlink from the object store"
    )
    assert list(outside.iterdir()) == []  # not even the folder on the way


def test_object_writes_go_through_a_hidden_temporary_beside_the_target(store, record_renames):
    """The temporary is `.<name>.<random>.part` in the target's directory (one file system,
    hidden from listings, recognisable as partial), the object ends readable by all (0644),
    and an existing folder on the way is reused."""
    from legacylift.local import datasources

    renames = record_renames(datasources)
    store.put("s3://bkt/out/first.csv", io.BytesIO(b"1"))
    store.put("s3://bkt/out/y.csv", io.BytesIO(b"1,2\n"))
    (temporary, target) = renames[-1]
    assert target == store.root / "bkt/out/y.csv"
    assert temporary.parent == target.parent
    assert temporary.name.startswith(".y.csv.") and temporary.name.endswith(".part")
    assert target.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in target.parent.iterdir()) == ["first.csv", "y.csv"]


def test_a_failed_rename_leaves_no_temporary(store, monkeypatch):
    from legacylift.local import datasources

    def failing_replace(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(datasources.os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space left"):
        store.put("s3://bkt/out/y.csv", io.BytesIO(b"1"))
    assert list((store.root / "bkt/out").iterdir()) == []


def test_unwritable_store_message_names_the_directory_and_the_setting(tmp_path):
    (tmp_path / "file").write_text("")
    store = LocalObjectStore(tmp_path / "file" / "s3")
    with pytest.raises(LegacyLiftError) as refused:
        store.put("s3://bkt/new/x.csv", io.BytesIO(b"1"))
    target = tmp_path / "file/s3/bkt/new/x.csv"
    assert str(refused.value) == (
        f"cannot write {target} (Not a directory): make {target.parent} writable, or point "
        "LEGACYLIFT_S3_DIR at a writable directory"
    )


def test_uri_schemes_and_hosts(tmp_path):
    """`file://localhost/...` is a local path; a scheme is only what precedes the first `://`;
    a URI without one is refused; `join_uri` strips only slashes."""
    assert FileTree().path_of("file://localhost/data/x.csv") == Path("/data/x.csv")
    sources = DataSources(LocalSettings.under(tmp_path))
    assert isinstance(sources.store_for("s3://bkt/a://b"), LocalObjectStore)
    assert isinstance(sources.store_for("file:///x://y"), FileTree)
    for schemeless in ("s3", "file", "bkt/key"):
        with pytest.raises(LegacyLiftError, match="only s3:// and file://"):
            sources.store_for(schemeless)
    assert join_uri("s3://b/BOX//", "y") == "s3://b/BOX/y"
