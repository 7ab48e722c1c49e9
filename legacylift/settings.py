"""Every `LEGACYLIFT_*` environment variable, declared once, and the machine-level settings.

`VARIABLES` is the one declaration of each variable (name, default, meaning); `get()` is the only
place LegacyLift reads one (a test checks that no other module does), and `docs/settings.md` lists
them in one table (a test keeps it in sync with `VARIABLES`). What setup resolves (the base
image it built, the registry's credentials file) is recorded in the machine cache's state.json
so every command and test agrees on it.

This module imports nothing of LegacyLift's at import time, so every other module can use it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_BASE_IMAGE = "python:3.11-slim"
DEFAULT_REGISTRY_ADDRESS = "127.0.0.1:5000"


@dataclass(frozen=True)
class Variable:
    """One environment variable: its default (None: unset) and what it does."""

    name: str
    default: str | None
    meaning: str
    area: str


VARIABLES: dict[str, Variable] = {
    variable.name: variable
    for variable in (
        Variable(
            "LEGACYLIFT_SETUP_ARGS",
            None,
            "extra arguments of `./bootstrap`'s setup, e.g. `--registry` (read by the shell "
            "script before Python exists)",
            "setup",
        ),
        Variable(
            "LEGACYLIFT_TERRAFORM",
            None,
            "the Terraform binary every command and setup runs; default: the first `terraform` "
            "on PATH satisfying `required_version`, else the bundled 1.0.3",
            "setup",
        ),
        Variable(
            "LEGACYLIFT_TF_MIRROR",
            None,
            "a provider filesystem mirror (the directory holding `registry.terraform.io/`); "
            "default: searched under /opt, /usr/share, ...",
            "setup",
        ),
        Variable(
            "LEGACYLIFT_STATE_DIR",
            None,
            "per-checkout state (tool links, Terraform CLI config); default `.legacylift/`",
            "setup",
        ),
        Variable(
            "LEGACYLIFT_CACHE_DIR",
            None,
            "machine-wide cache (base image rootfs, registry data); default "
            "`$XDG_CACHE_HOME/legacylift` or `~/.cache/legacylift`",
            "setup",
        ),
        Variable(
            "LEGACYLIFT_BASE_IMAGE",
            DEFAULT_BASE_IMAGE,
            "base image of every model image",
            "build",
        ),
        Variable(
            "LEGACYLIFT_REGISTRY",
            DEFAULT_REGISTRY_ADDRESS,
            "host:port of the local development registry (loopback only)",
            "build",
        ),
        Variable(
            "LEGACYLIFT_TARGET_REGISTRY",
            "ecr",
            "default `--registry` of `build-model`/`build-all`: `ecr`, `local` or HOST:PORT",
            "build",
        ),
        Variable(
            "LEGACYLIFT_ECR_REPOSITORY_PREFIX",
            "legacylift/",
            "repository prefix of model images; match the workspace's `ecr_repository_prefix`",
            "build",
        ),
        Variable(
            "LEGACYLIFT_CA_BUNDLE",
            None,
            "CA bundle pip trusts inside builds; default `PIP_CERT` or the host's bundle",
            "build",
        ),
        Variable(
            "LEGACYLIFT_MODELS_DIR",
            None,
            "where model folders live; default `legacy_models/`",
            "build",
        ),
        Variable(
            "LEGACYLIFT_TFVARS_DIR",
            None,
            "where the build writes `<workspace>.models.tfvars.json`; default `terraform/tfvars/`",
            "build",
        ),
        Variable(
            "LEGACYLIFT_LOCAL_DIR",
            None,
            "the local engine's state (object store, job records); default `.legacylift/local/`",
            "local",
        ),
        Variable(
            "LEGACYLIFT_S3_DIR",
            None,
            "the directory standing for S3 in local runs; default `LEGACYLIFT_LOCAL_DIR/s3`",
            "local",
        ),
        Variable(
            "LEGACYLIFT_S3_ENDPOINT_URL",
            None,
            "an S3 endpoint (moto, MinIO, AWS) local runs use through boto3 instead of the "
            "directory",
            "local",
        ),
        Variable(
            "LEGACYLIFT_STEP_USER",
            None,
            "uid:gid step containers run as (never root); default the invoking user, or "
            "1000:1000 under root",
            "local",
        ),
        Variable(
            "LEGACYLIFT_STEP_NETWORK",
            "legacylift-steps",
            "Docker network of a step whose request allows networking: by default an internal "
            "bridge with no route to the host; `host` only when named (with a warning)",
            "local",
        ),
        Variable(
            "LEGACYLIFT_LOCAL_CONCURRENCY",
            None,
            "how many fan-out batches run at once locally, overriding the cap from this "
            "machine's cores and memory per instance type (tiny or I/O-bound steps)",
            "local",
        ),
        Variable(
            "LEGACYLIFT_STAGING",
            "mount",
            "how step data reaches containers: `mount` (read-only bind mounts where the daemon "
            "is local) or `tar` (streams through the Docker API)",
            "local",
        ),
        Variable(
            "LEGACYLIFT_PRICE_TABLE",
            None,
            "a JSON price table (USD per instance-hour by region and instance type, with its "
            "`as_of` date) replacing the shipped `legacylift/prices.json` in run cost estimates",
            "local",
        ),
        Variable(
            "LEGACYLIFT_RECORD_STATE",
            None,
            "`1`: the address-move test rewrites its recorded state skeleton "
            "(tests/aws/fixtures/per_kind_state.json) from the state it applies",
            "tests",
        ),
        Variable(
            "LEGACYLIFT_TEST_ARTIFACTS",
            None,
            "where the report tests keep their screenshots; default `.legacylift/test-artifacts/`",
            "tests",
        ),
        Variable(
            "LEGACYLIFT_TERRAFORM_DIR",
            None,
            "the deployment root `deploy`, `run`, `status` and `logs` use; default `terraform/`",
            "aws",
        ),
        Variable(
            "LEGACYLIFT_BACKEND_CONFIG",
            None,
            "the backend file `terraform init` gets; default `terraform/backend.hcl` when present",
            "aws",
        ),
    )
}


def get(name: str) -> str | None:
    """The value of a declared LEGACYLIFT_* variable: the environment's (when non-empty), else
    its default. Reading an undeclared one is a programming error."""
    variable = VARIABLES[name]
    return os.environ.get(name) or variable.default


def configured_base_image() -> str:
    """The base image users asked for (LEGACYLIFT_BASE_IMAGE), default python:3.11-slim."""
    return get("LEGACYLIFT_BASE_IMAGE")


def registry_address() -> str:
    """host:port of the local development registry (LEGACYLIFT_REGISTRY), loopback only."""
    return get("LEGACYLIFT_REGISTRY")


def machine_cache_dir() -> Path:
    """Machine-wide cache shared by every checkout: base image rootfs, registry data."""
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "legacylift"
    return Path(get("LEGACYLIFT_CACHE_DIR") or default)


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
    from legacylift.atomic import write_json_atomic

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
