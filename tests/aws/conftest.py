"""Fixtures of the AWS-operations tests: small Terraform configurations of our own, isolated
state and var-file directories, and a project state dir per test."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from legacylift.errors import LegacyLiftError
from tests.conftest import require

# Provider-free: plans, applies, workspaces and outputs with no provider at all.
PROVIDER_FREE = """
variable "greeting" {
  type    = string
  default = "default"
}

variable "models" {
  type    = any
  default = {}
}

output "greeting" {
  value = var.greeting
}

output "workspace" {
  value = terraform.workspace
}

output "model_names" {
  value = sort(keys(var.models))
}
"""


@pytest.fixture(scope="session")
def terraform_ok():
    """The project's Terraform binary (skip/fail when setup has not installed it)."""
    from legacylift.terraform_env import terraform_binary

    try:
        return terraform_binary()
    except LegacyLiftError as exc:
        require(False, str(exc))


def write_config(directory: Path, text: str) -> Path:
    """Write a one-file Terraform configuration into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "main.tf").write_text(textwrap.dedent(text), encoding="utf-8")
    return directory


@pytest.fixture
def provider_free_dir(tmp_path, terraform_ok):
    """A provider-free configuration in a temporary directory (local backend)."""
    return write_config(tmp_path / "tf", PROVIDER_FREE)


@pytest.fixture(autouse=True)
def private_dirs(tmp_path, monkeypatch):
    """Plan files under a per-test directory; tfvars in a temporary one (contracts §2)."""
    from legacylift.paths import project_state_dir

    real_state = project_state_dir()
    state = tmp_path / "legacylift-state"
    state.mkdir()
    # Keep the real tool links and CLI config: only plan files move.
    (state / "bin").symlink_to(real_state / "bin")
    if (real_state / "terraform.rc").exists():
        (state / "terraform.rc").symlink_to(real_state / "terraform.rc")
    monkeypatch.setenv("LEGACYLIFT_STATE_DIR", str(state))
    monkeypatch.setenv("LEGACYLIFT_TFVARS_DIR", str(tmp_path / "tfvars"))
    return state
