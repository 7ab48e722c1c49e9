"""Where LegacyLift keeps things: the repository and project state (the machine-wide cache is
`settings.machine_cache_dir`)."""

from __future__ import annotations

from pathlib import Path

from legacylift import settings

REPO_ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = REPO_ROOT / "legacy_models"
BUILD_ASSETS_DIR = REPO_ROOT / "build"
TERRAFORM_ROOT = REPO_ROOT / "terraform"
MODULES_DIR = REPO_ROOT / "modules"


def project_state_dir() -> Path:
    """Per-checkout state (tool links, Terraform CLI config); never tracked by git."""
    return Path(settings.get("LEGACYLIFT_STATE_DIR") or REPO_ROOT / ".legacylift")
