"""Legacy model folders: discovery, the folder contract, and `model.toml` settings.

A model is `legacy_models/NAME/` (contracts §1 and the folder contract in DESIGN.md). Every
problem is reported as a `LegacyLiftError` naming the model, the file or key, and the fix.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from legacylift.errors import LegacyLiftError
from legacylift.paths import MODELS_DIR

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
STEPS = ("preprocessing", "inference", "postprocessing")
SCRIPTS = {
    "preprocessing": "preprocessing.py",
    "inference": "predict.py",
    "postprocessing": "postprocessing.py",
}
IMAGES = ("framework", "model")
DEFAULT_IMAGE = {"preprocessing": "framework", "inference": "model", "postprocessing": "framework"}
INSTANCE_TYPE = re.compile(r"^ml\.[a-z0-9]+\.[a-z0-9]+$")
DEBIAN_PACKAGE = re.compile(r"^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+~:-]+)?$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
RANGES = {"volume_size": (1, 16384), "max_runtime": (1, 777600)}
DEFAULT_KEYS = ("instance_type", "volume_size", "max_runtime", "environment", "network")
STEP_KEYS = (*DEFAULT_KEYS, "image")
TOP_KEYS = ("steps", "system_packages", "defaults", *STEPS)


def models_dir() -> Path:
    """Where model folders live: `legacy_models/`, or LEGACYLIFT_MODELS_DIR (tests, benchmarks)."""
    return Path(os.environ.get("LEGACYLIFT_MODELS_DIR", MODELS_DIR))


@dataclass(frozen=True)
class Model:
    """One legacy model folder and its validated settings."""

    name: str
    path: Path
    steps: tuple[str, ...] = STEPS
    system_packages: tuple[str, ...] = ()
    defaults: dict[str, Any] = field(default_factory=dict)
    step_settings: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def own_dockerfile(self) -> Path | None:
        """The model's own Dockerfile, used instead of the template when present."""
        candidate = self.path / "Dockerfile"
        return candidate if candidate.is_file() else None

    def image_for(self, step: str) -> str:
        """Which image runs `step`: "framework" or "model"."""
        return self.step_settings.get(step, {}).get("image", DEFAULT_IMAGE[step])

    def tfvars_settings(self) -> dict[str, Any]:
        """The settings the workspace tfvars mirror (contracts §2), beside image_uri."""
        settings: dict[str, Any] = {"steps": list(self.steps)}
        if self.defaults:
            settings["defaults"] = dict(self.defaults)
        for step in STEPS:
            settings[step] = dict(self.step_settings.get(step, {}))
        return settings


def validate_name(name: str) -> str:
    """Return `name` if it is a valid model name, else raise naming the rule."""
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise LegacyLiftError(
            f"invalid model name {name!r}: use lowercase letters, digits and hyphens, starting "
            "with a letter, at most 32 characters (e.g. 'churn-v2')"
        )
    return name


def discover_models(
    on_invalid: Callable[[str, LegacyLiftError], None] | None = None,
) -> list[Model]:
    """Every model folder under the models directory, validated, sorted by name. With
    `on_invalid(folder name, error)`, a folder that is not a valid model is reported there and
    left out, so the others still load; without it, the first such folder raises."""
    root = models_dir()
    if not root.is_dir():
        return []
    models = []
    for entry in sorted(root.iterdir()):
        if not entry.is_dir() or entry.name.startswith((".", "_")):
            continue
        try:
            models.append(load_model(entry.name))
        except LegacyLiftError as exc:
            if on_invalid is None:
                raise
            on_invalid(entry.name, exc)
    return models


def load_model(name: str) -> Model:
    """The model `name`: its folder checked against the contract, its model.toml parsed."""
    validate_name(name)
    path = models_dir() / name
    if not path.is_dir():
        known = ", ".join(sorted(p.name for p in models_dir().glob("*") if p.is_dir())) or "none"
        raise LegacyLiftError(
            f"unknown model {name!r}: no folder {path} (known models: {known}); add the folder "
            "as described in README.md, 'Adding a legacy model'"
        )
    config = _read_toml(path / "model.toml")
    model = _parse(name, path, config)
    _check_files(model)
    return model


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise LegacyLiftError(f"{path}: not valid TOML ({exc}); fix the syntax") from exc


def _fail(model_path: Path, message: str) -> LegacyLiftError:
    return LegacyLiftError(f"{model_path / 'model.toml'}: {message}")


def _check_keys(path: Path, table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise _fail(path, f"unknown key '{where}{key}'; allowed: {', '.join(allowed)}")


def _parse(name: str, path: Path, config: dict[str, Any]) -> Model:
    _check_keys(path, config, TOP_KEYS, "")
    steps = config.get("steps", list(STEPS))
    if (
        not isinstance(steps, list)
        or not steps
        or any(step not in STEPS for step in steps)
        or len(set(steps)) != len(steps)
        or steps != sorted(steps, key=STEPS.index)
    ):
        raise _fail(
            path,
            f"steps = {steps!r}: give a non-empty ordered subset of {list(STEPS)}, no repeats",
        )
    packages = config.get("system_packages", [])
    if not isinstance(packages, list) or any(
        not isinstance(p, str) or not DEBIAN_PACKAGE.match(p) for p in packages
    ):
        raise _fail(path, f"system_packages = {packages!r}: give a list of Debian package names")
    defaults = _settings(path, config.get("defaults", {}), DEFAULT_KEYS, "defaults.")
    step_settings = {
        step: _settings(path, config.get(step, {}), STEP_KEYS, f"{step}.") for step in STEPS
    }
    return Model(name, path, tuple(steps), tuple(packages), defaults, step_settings)


def _settings(path: Path, table: Any, allowed: tuple[str, ...], where: str) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise _fail(path, f"[{where.rstrip('.')}] must be a table")
    _check_keys(path, table, allowed, where)
    for key, value in table.items():
        _check_value(path, f"{where}{key}", key, value)
    return dict(table)


def _check_value(path: Path, label: str, key: str, value: Any) -> None:
    if key == "instance_type" and not (isinstance(value, str) and INSTANCE_TYPE.match(value)):
        raise _fail(path, f"{label} = {value!r}: use a SageMaker instance type like 'ml.m5.xlarge'")
    if key == "instance_type":
        from legacylift.local.instances import processing_instance_types

        if value not in processing_instance_types():
            raise _fail(
                path,
                f"{label} = {value!r}: not a SageMaker Processing instance type; use one such "
                "as 'ml.m5.xlarge' (the SageMaker API's ProcessingInstanceType values)",
            )
    if key in RANGES:
        low, high = RANGES[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _fail(path, f"{label} = {value!r}: use a whole number from {low} to {high}")
    if key == "image" and value not in IMAGES:
        raise _fail(path, f"{label} = {value!r}: use 'framework' or 'model'")
    if key == "network" and not isinstance(value, bool):
        raise _fail(path, f"{label} = {value!r}: use true or false")
    if key == "environment" and not (
        isinstance(value, dict)
        and all(isinstance(k, str) and ENV_NAME.match(k) for k in value)
        and all(isinstance(v, str) for v in value.values())
    ):
        raise _fail(path, f'{label}: use a table of NAME = "string value" pairs')


def _check_files(model: Model) -> None:
    required = ["requirements.txt", *(SCRIPTS[step] for step in model.steps)]
    missing = [name for name in required if not (model.path / name).is_file()]
    if missing:
        raise LegacyLiftError(
            f"model {model.name!r} is missing {', '.join(missing)} in {model.path}: every model "
            "needs requirements.txt (may be empty) and the script of each step it runs "
            "(preprocessing.py, predict.py, postprocessing.py)"
        )
