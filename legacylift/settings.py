"""Machine-level settings: configured through environment variables, resolved by setup and
recorded in the machine cache's state.json so every command and test agrees on them."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from legacylift.atomic import write_json_atomic
from legacylift.paths import machine_cache_dir

DEFAULT_BASE_IMAGE = "python:3.11-slim"
DEFAULT_REGISTRY_ADDRESS = "127.0.0.1:5000"


def configured_base_image() -> str:
    """The base image users asked for (LEGACYLIFT_BASE_IMAGE), default python:3.11-slim."""
    return os.environ.get("LEGACYLIFT_BASE_IMAGE", DEFAULT_BASE_IMAGE)


def registry_address() -> str:
    """host:port of the local development registry (LEGACYLIFT_REGISTRY), loopback only."""
    return os.environ.get("LEGACYLIFT_REGISTRY", DEFAULT_REGISTRY_ADDRESS)


def state_file() -> Path:
    """Where setup records what it resolved (base image, registry credentials file)."""
    return machine_cache_dir() / "state.json"


def read_state() -> dict[str, Any]:
    """The recorded machine state, empty when setup has not run."""
    try:
        return json.loads(state_file().read_text())
    except FileNotFoundError:
        return {}


def update_state(**values: Any) -> None:
    """Merge values into the machine state atomically."""
    state = read_state()
    state.update(values)
    write_json_atomic(state_file(), state)


def base_image() -> str:
    """The base image builds use: the configured one, or the equivalent setup built for it."""
    resolved = read_state().get("base_images", {})
    configured = configured_base_image()
    return resolved.get(configured, configured)


def registry_credentials() -> dict[str, str]:
    """Address, username and password of the local registry that setup started."""
    path = machine_cache_dir() / "registry" / "credentials.json"
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        from legacylift.errors import LegacyLiftError

        raise LegacyLiftError(
            "no local registry is set up: run `./bootstrap` with LEGACYLIFT_SETUP_ARGS=--registry "
            "(./bootstrap test does this)"
        ) from None
