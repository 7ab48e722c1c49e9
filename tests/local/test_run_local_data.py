"""run-local end to end with awkward data: file names S3 allows but URLs mangle, symlinks in
the input, a reused output directory."""

from __future__ import annotations

import pytest

from legacylift.local.run import run_local
from tests.local.tiny_models import model_image, write_models

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("no_leftover_containers")]


@pytest.fixture
def single(tmp_path, monkeypatch, docker_client, base_image):
    """The one-step copying model ('noop3' copies in each of its three steps)."""
    root = write_models(tmp_path / "models", ["noop3"])
    monkeypatch.setenv("LEGACYLIFT_MODELS_DIR", str(root))
    return {
        "model": model_image(docker_client, base_image, root / "noop3"),
        "framework": base_image,
    }


def test_every_file_name_arrives_and_symlinks_are_named(single, local_settings, tmp_path, capsys):
    """Planted bug (urlparse in split_s3_uri): two of the three files were lost and the run
    still succeeded; red."""
    source = tmp_path / "input"
    source.mkdir()
    for name, text in (("ab.txt", "plain"), ("a\nb.txt", "newline"), ("a\tb.txt", "tab")):
        (source / name).write_text(text)
    (source / "secret.txt").symlink_to("/etc/hostname")
    out = tmp_path / "out"
    run = run_local("noop3", str(source), str(out), settings=local_settings, images=single)
    assert run.succeeded, run.failure
    assert {p.name: p.read_text() for p in out.iterdir()} == {
        "ab.txt": "plain",
        "a\nb.txt": "newline",
        "a\tb.txt": "tab",
    }
    assert "secret.txt (symlink, skipped: never followed)" in capsys.readouterr().out


def test_overwrite_replaces_a_reused_output_as_a_whole(single, local_settings, tmp_path):
    source = tmp_path / "input"
    source.mkdir()
    (source / "new.txt").write_text("new")
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.txt").write_text("from an earlier run")
    run = run_local(
        "noop3",
        str(source),
        str(out),
        settings=local_settings,
        images=single,
        quiet=True,
        overwrite=True,
    )
    assert run.succeeded, run.failure
    assert sorted(p.name for p in out.iterdir()) == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == []
