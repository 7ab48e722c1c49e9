"""Configuration that is not text, is nested past what a parser follows, or is corrupt: every
command says so in one line naming the file (exit 1, no traceback); list-models reports the
folder and lists the other models; a workspace's tfvars is kept as it was."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest

from legacylift.paths import REPO_ROOT

RANDOM = random.Random(27).randbytes(4096)  # noqa: S311 - test data
DEEP_TOML = "a = " + "{b = " * 100_000 + "1" + "}" * 100_000 + "\n"


def _invoke(*args, env):
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def project(tmp_path):
    """A models directory with a good model and two whose model.toml cannot be read, and a
    tfvars directory; the environment pointing the commands at them."""
    models = tmp_path / "models"
    for name, toml in (
        ("good", b'steps = ["inference"]\n'),
        ("binary", RANDOM),
        ("deep", DEEP_TOML.encode()),
    ):
        folder = models / name
        folder.mkdir(parents=True)
        (folder / "requirements.txt").write_text("")
        (folder / "predict.py").write_text("print('hi')\n")
        (folder / "model.toml").write_bytes(toml)
    tfvars = tmp_path / "tfvars"
    tfvars.mkdir()
    env = {
        **os.environ,
        "LEGACYLIFT_MODELS_DIR": str(models),
        "LEGACYLIFT_TFVARS_DIR": str(tfvars),
        "LEGACYLIFT_LOCAL_DIR": str(tmp_path / "local"),
    }
    return models, tfvars, env


@pytest.mark.parametrize("name", ["binary", "deep"])
@pytest.mark.parametrize("command", ["build-model", "run-local"])
def test_unreadable_model_toml_is_one_line_naming_the_file(project, command, name):
    """Planted bugs `config-bytes-traceback` (UnicodeDecodeError not caught): random bytes give
    a traceback; `config-recursion-traceback` (RecursionError not caught): so does deep
    nesting."""
    models, _, env = project
    args = [command, name] + (["--input", str(models / "good")] if command == "run-local" else [])
    done = _invoke(*args, env=env)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    lines = [line for line in done.stderr.splitlines() if str(models / name / "model.toml") in line]
    assert len(lines) == 1, done.stderr
    assert ("not UTF-8" if name == "binary" else "nested too deeply") in lines[0]


def test_list_models_reports_the_folder_and_carries_on(project):
    """Planted bug `config-bytes-traceback`: list-models aborted for every model."""
    models, _, env = project
    done = _invoke("list-models", env=env)
    assert "Traceback" not in done.stderr + done.stdout
    assert "good" in done.stdout
    for name in ("binary", "deep"):
        assert str(models / name / "model.toml") in done.stdout + done.stderr


def test_tfvars_of_random_bytes_is_one_line_and_kept(project):
    """Planted bug `config-bytes-traceback` (UnicodeDecodeError not caught): a traceback
    instead of the file named."""
    _, tfvars, env = project
    target = tfvars / "local.models.tfvars.json"
    target.write_bytes(RANDOM)
    done = _invoke("list-models", env=env)
    assert "Traceback" not in done.stderr + done.stdout
    assert str(target) in done.stderr + done.stdout
    assert "not JSON text" in done.stderr + done.stdout
    assert target.read_bytes() == RANDOM
