"""The local object store maps keys to paths inside their bucket, never outside it, and reports
what it leaves out."""

from __future__ import annotations

import io

import pytest

from legacylift.errors import LegacyLiftError
from legacylift.local.datasources import FileTree, LocalObjectStore, normalise_key


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
