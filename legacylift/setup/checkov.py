"""checkov (the IaC scanner the Terraform tests run) in its own virtual environment.

checkov pins dozens of libraries (boto3, networkx, jsonschema...) that would fight the
project's own pins, so it lives in `.legacylift/checkov-venv`, reinstalled only when the
wanted version changes; a second bootstrap only reads a stamp file.
"""

from __future__ import annotations

import sys
import venv
from pathlib import Path

from legacylift.console import info, success
from legacylift.paths import project_state_dir
from legacylift.setup.system import run

CHECKOV_VERSION = "3.3.30"


def checkov_venv() -> Path:
    """The checkov virtual environment's directory."""
    return project_state_dir() / "checkov-venv"


def checkov_binary() -> Path:
    """The checkov command inside its virtual environment."""
    return checkov_venv() / "bin" / "checkov"


def ensure_checkov() -> Path:
    """Install checkov==CHECKOV_VERSION into its venv unless the stamp says it is there."""
    stamp = checkov_venv() / ".legacylift-installed"
    if checkov_binary().exists() and stamp.exists() and stamp.read_text() == CHECKOV_VERSION:
        success(f"checkov {CHECKOV_VERSION} in {checkov_venv()}")
        return checkov_binary()
    info(
        f"installing checkov {CHECKOV_VERSION} into {checkov_venv()} (its own pins, about a minute)"
    )
    if not (checkov_venv() / "bin" / "python").exists():
        venv.EnvBuilder(with_pip=True).create(checkov_venv())
    python = str(checkov_venv() / "bin" / "python")
    run([python, "-m", "pip", "install", "-q", f"checkov=={CHECKOV_VERSION}"])
    stamp.write_text(CHECKOV_VERSION)
    success(f"checkov {CHECKOV_VERSION} in {checkov_venv()}")
    return checkov_binary()


if __name__ == "__main__":
    ensure_checkov()
    sys.exit(0)
