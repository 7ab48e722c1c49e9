"""Choose the Terraform every command runs, link it onto the project's PATH, and write the
project-owned CLI config that installs providers from a filesystem mirror where one exists."""

from __future__ import annotations

from legacylift.atomic import write_text_atomic
from legacylift.console import detail, success
from legacylift.terraform_env import cli_config_path, find_provider_mirror, render_cli_config
from legacylift.terraform_select import TerraformChoice, select_terraform, tools_bin_dir


def ensure_terraform() -> TerraformChoice:
    """Link the selected Terraform (LEGACYLIFT_TERRAFORM, a fitting one on PATH, or the bundled
    1.0.3) into .legacylift/bin, where commands and a hand-run `terraform` find it; say which."""
    choice = select_terraform()
    link = tools_bin_dir() / "terraform"
    previous = link.resolve() if link.is_symlink() else None
    if previous != choice.path.resolve():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.unlink(missing_ok=True)
        link.symlink_to(choice.path)
        if previous is not None:
            detail(f"{link} pointed at {previous} before")
    success(f"{choice.describe()}, linked as {link}")
    detail("set LEGACYLIFT_TERRAFORM=PATH and rerun ./bootstrap to choose another")
    return choice


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
