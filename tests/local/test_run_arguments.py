"""`run-local` refuses bad arguments before writing anything, naming the argument and the fix.

Each case runs `run_local` with images given (so no Docker is needed: the refusal comes first)
and checks that the local state directory was not created at all."""

from __future__ import annotations

import io
import os
import signal
import threading

import pytest

from legacylift.errors import LegacyLiftError
from legacylift.local.datasources import DataSources, StagedObject
from legacylift.local.run import run_local
from legacylift.local.settings import LocalSettings
from legacylift.local.transfer import fetch_output, stage_input
from tests.local.tiny_models import write_models

IMAGES = {"model": "never-used:tag", "framework": "never-used:tag"}


@pytest.fixture
def setup(tmp_path, monkeypatch):
    """Tiny models as the models directory, an input folder, settings under tmp."""
    models = write_models(tmp_path / "models", ["single"])
    monkeypatch.setenv("LEGACYLIFT_MODELS_DIR", str(models))
    monkeypatch.setenv("LEGACYLIFT_STATE_DIR", str(tmp_path / "state"))
    source = tmp_path / "input"
    source.mkdir()
    (source / "note.txt").write_text("hello\n")
    settings = LocalSettings.under(tmp_path / "local")
    return tmp_path, source, settings


def _refused(settings, match, *args, **kwargs):
    with pytest.raises(LegacyLiftError, match=match):
        run_local("single", *args, settings=settings, quiet=True, images=IMAGES, **kwargs)
    assert not (settings.object_store.parent).exists(), "nothing may be written before refusing"


@pytest.mark.parametrize("workspace", ["../escape", "a b", "UPPER", "x" * 30, "-dash", ""])
def test_bad_workspace_is_refused_naming_the_argument(setup, workspace):
    """Planted bug (workspace unchecked): the model's code was uploaded under a bucket named
    from it before Terraform refused, and this test went red."""
    _, source, settings = setup
    _refused(settings, "--workspace", str(source), workspace=workspace)


def test_input_containing_the_object_store_is_refused(setup):
    """Planted bug (no containment check): the store was copied into itself; red."""
    tmp_path, _, settings = setup
    _refused(settings, "--input .* contains the local object store", str(tmp_path))


def test_input_containing_the_project_state_is_refused(setup, tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / ".legacylift").mkdir(parents=True)
    monkeypatch.setenv("LEGACYLIFT_STATE_DIR", str(project / ".legacylift"))
    _, _, settings = setup
    _refused(settings, "project's state directory", str(project))


def test_output_equal_to_or_inside_the_input_is_refused(setup):
    _, source, settings = setup
    _refused(settings, "--output .* overlaps --input", str(source), str(source))
    _refused(settings, "--output .* overlaps --input", str(source), str(source / "out"))


def test_output_inside_the_models_directory_is_refused(setup):
    tmp_path, source, settings = setup
    _refused(
        settings,
        "overlaps the models directory",
        str(source),
        str(tmp_path / "models" / "single" / "out"),
    )


def test_output_around_the_project_home_or_here_or_in_the_engine_state_is_refused(
    setup, monkeypatch
):
    """Planted bug (only the models directory checked): `--output .. --overwrite` would have
    renamed the current directory away and deleted it; red."""
    tmp_path, source, settings = setup
    here = tmp_path / "work" / "here"
    here.mkdir(parents=True)
    monkeypatch.chdir(here)
    _refused(settings, "contains the current directory", str(source), "..", overwrite=True)
    _refused(settings, "contains the project", str(source), "/", overwrite=True)
    _refused(
        settings,
        "overlaps the local object store",
        str(source),
        str(settings.object_store / "bkt" / "out"),
    )


def test_non_empty_output_is_refused_without_overwrite(setup):
    tmp_path, source, settings = setup
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "stale.csv").write_text("from an earlier run")
    _refused(settings, "not empty.*--overwrite", str(source), str(tmp_path / "out"))


def test_output_naming_a_file_or_unwritable_place_is_refused_first(setup):
    tmp_path, source, settings = setup
    (tmp_path / "a-file").write_text("")
    _refused(settings, "names a file", str(source), str(tmp_path / "a-file"))
    _refused(settings, "not a writable directory", str(source), str(tmp_path / "a-file" / "out"))


def test_s3_output_overlapping_the_input_or_holding_objects_is_refused(setup):
    _, source, settings = setup
    sources = DataSources(settings)
    sources.put("s3://legacylift-local/in/x.csv", io.BytesIO(b"1"))
    sources.put("s3://legacylift-local/old-out/y.csv", io.BytesIO(b"1"))
    with pytest.raises(LegacyLiftError, match="overlaps --input"):
        run_local(
            "single",
            "s3://legacylift-local/in/",
            "s3://legacylift-local/in/out/",
            settings=settings,
            quiet=True,
            images=IMAGES,
        )
    with pytest.raises(LegacyLiftError, match="objects exist .*--overwrite"):
        run_local(
            "single",
            "s3://legacylift-local/in/",
            "s3://legacylift-local/old-out",
            settings=settings,
            quiet=True,
            images=IMAGES,
        )
    with pytest.raises(LegacyLiftError, match="leaves bucket"):
        run_local(
            "single", "s3://legacylift-local/../../x/", settings=settings, quiet=True, images=IMAGES
        )


@pytest.mark.parametrize("scale", ["abc", "0", "-1", "nan", "inf"])
def test_bad_time_scale_is_a_sentence(setup, scale):
    _, source, settings = setup
    _refused(settings, "--time-scale", str(source), time_scale=scale)


def test_unwritable_object_store_is_refused_first(setup, tmp_path):
    _, source, _ = setup
    (tmp_path / "blocker").write_text("")
    settings = LocalSettings.under(tmp_path / "blocker" / "local")
    with pytest.raises(LegacyLiftError, match="cannot write to .*LEGACYLIFT_LOCAL_DIR"):
        run_local("single", str(source), settings=settings, quiet=True, images=IMAGES)


def test_interrupted_staging_removes_what_it_staged(setup, monkeypatch):
    _, source, settings = setup
    for index in range(5):
        (source / f"f{index}.txt").write_text("x")
    sources = DataSources(settings)
    calls = []

    def interrupt_on_third(*args, **kwargs):
        calls.append(args)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return False  # copy instead of link

    monkeypatch.setattr("legacylift.local.transfer._link_into", interrupt_on_third)
    uri = "s3://legacylift-local/single/input/run-1/"
    with pytest.raises(KeyboardInterrupt):
        stage_input(sources, str(source), uri, source)
    assert not sources.s3.path_of(uri).exists()


class _Interrupting:
    """DataSources whose listing yields objects, the third one raising Ctrl-C mid-read."""

    def __init__(self, count=5):
        self.count = count

    def list(self, uri):
        def opener(index):
            if index == 2:

                class Reader(io.BytesIO):
                    def read(self, *args):
                        os.kill(os.getpid(), signal.SIGINT)
                        return super().read(*args)

                return Reader(b"half" * 1000)
            return io.BytesIO(f"new {index}".encode())

        return [
            StagedObject(f"f{i}.txt", 4000 if i == 2 else 5, lambda i=i: opener(i))
            for i in range(self.count)
        ]


def test_ctrl_c_while_copying_the_output_leaves_the_destination_as_it_was(tmp_path, capsys):
    """Planted bug (files written straight into the destination): a truncated file appeared
    under its final name and the old contents were mixed with the new; this test went red."""
    assert threading.current_thread() is threading.main_thread()
    destination = tmp_path / "out"
    destination.mkdir()
    (destination / "f0.txt").write_text("old 0")
    with pytest.raises(KeyboardInterrupt):
        fetch_output(_Interrupting(), "s3://b/out/", destination, kept_at="/store/out")
    assert sorted(p.name for p in destination.iterdir()) == ["f0.txt"]
    assert (destination / "f0.txt").read_text() == "old 0"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "no partial directory left"
    assert "complete output stays at /store/out" in capsys.readouterr().err


def test_output_replaces_the_destination_as_a_whole(tmp_path):
    destination = tmp_path / "out"
    destination.mkdir()
    (destination / "stale.txt").write_text("from an earlier run")

    class Sources:
        def list(self, uri):
            return [StagedObject("new.txt", 3, lambda: io.BytesIO(b"new"))]

    assert fetch_output(Sources(), "s3://b/out/", destination) == 1
    assert sorted(p.name for p in destination.iterdir()) == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
