"""Where LegacyLift keeps things: the repository, project state, and the machine-wide cache."""

from __future__ import annotations

import os
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


def machine_cache_dir() -> Path:
    """Machine-wide cache shared by every checkout: base image rootfs, registry data."""
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "legacylift"
    return Path(settings.get("LEGACYLIFT_CACHE_DIR") or default)
