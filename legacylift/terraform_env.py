"""The Terraform binary and environment every LegacyLift command and test uses.

Which binary runs is `legacylift.terraform_select`'s choice. The project writes its own CLI
config (`.legacylift/terraform.rc`) so that providers install from a filesystem mirror where the
public registry is unreachable, without touching the user's own `~/.terraformrc`.
"""

from __future__ import annotations

import os
from pathlib import Path

from legacylift import settings
from legacylift.errors import LegacyLiftError
from legacylift.paths import project_state_dir
from legacylift.terraform_select import current_terraform, tools_bin_dir

MIRROR_SEARCH_ROOTS = ("/opt", "/usr/share", "/usr/local/share", "/var/lib", "/srv")


def terraform_binary() -> Path:
    """The Terraform binary commands run (see `legacylift.terraform_select` for the choice)."""
    return current_terraform().path


def cli_config_path() -> Path:
    """The project-owned Terraform CLI configuration file."""
    return project_state_dir() / "terraform.rc"


def find_provider_mirror() -> Path | None:
    """A filesystem mirror of providers: $LEGACYLIFT_TF_MIRROR, or a `registry.terraform.io`
    directory found within four levels of the usual roots (as a machine image ships it)."""
    given = settings.get("LEGACYLIFT_TF_MIRROR")
    if given:
        path = Path(given)
        if not (path / "registry.terraform.io").is_dir():
            raise LegacyLiftError(
                f"LEGACYLIFT_TF_MIRROR={given} holds no registry.terraform.io/ directory: point it "
                "at the directory that contains registry.terraform.io/hashicorp/aws/..."
            )
        return path
    for root in MIRROR_SEARCH_ROOTS:
        base = Path(root)
        if not base.is_dir():
            continue
        for depth in range(1, 4):
            for match in base.glob("/".join(["*"] * depth)):
                if match.name == "registry.terraform.io" and match.is_dir():
                    return match.parent
    return None


def mirrored_providers(mirror: Path) -> list[str]:
    """Source addresses (host/namespace/type) of the providers a mirror holds."""
    return sorted(
        "/".join(path.relative_to(mirror).parts) for path in mirror.glob("*/*/*") if path.is_dir()
    )


def render_cli_config(mirror: Path | None) -> str:
    """CLI config text: providers the mirror holds install from it (offline); every other
    provider still comes from its registry."""
    if mirror is None:
        return "# Written by LegacyLift's setup: no provider mirror found, using the registry.\n"
    held = ", ".join(f'"{address}"' for address in mirrored_providers(mirror))
    return (
        "# Written by LegacyLift's setup; your own CLI config is left untouched.\n"
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{mirror}"\n'
        f"    include = [{held}]\n"
        "  }\n"
        "  direct {\n"
        f"    exclude = [{held}]\n"
        "  }\n"
        "}\n"
    )


def terraform_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """An environment for running Terraform: the project's binary first on PATH and its CLI
    config (a filesystem mirror's providers are symlinked by `init`, not copied)."""
    env = dict(os.environ if base is None else base)
    env["PATH"] = f"{tools_bin_dir()}{os.pathsep}{env.get('PATH', '')}"
    if cli_config_path().exists():
        env["TF_CLI_CONFIG_FILE"] = str(cli_config_path())
    env.setdefault("TF_IN_AUTOMATION", "1")
    env.setdefault("CHECKPOINT_DISABLE", "1")
    return env
