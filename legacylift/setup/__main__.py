"""`python -m legacylift.setup [--registry] [--no-docker]`: set up this machine for LegacyLift."""

from __future__ import annotations

import argparse
import sys
import time

from legacylift.console import error, success
from legacylift.errors import LegacyLiftError
from legacylift.setup.base_image import ensure_base_image
from legacylift.setup.checkov import ensure_checkov
from legacylift.setup.docker_daemon import ensure_docker_daemon
from legacylift.setup.registry import ensure_registry
from legacylift.setup.report_tools import ensure_report_tools
from legacylift.setup.terraform_setup import ensure_cli_config, ensure_terraform


def main(argv: list[str] | None = None) -> int:
    """Run every setup step in order; exit non-zero with the fix on the first failure."""
    parser = argparse.ArgumentParser(prog="python -m legacylift.setup", description=__doc__)
    parser.add_argument("--registry", action="store_true", help="also start the local registry")
    parser.add_argument("--no-docker", action="store_true", help="skip the daemon and base image")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        ensure_terraform()
        ensure_cli_config()
        ensure_checkov()
        ensure_report_tools()
        if not args.no_docker:
            from legacylift.docker_client import docker_client

            ensure_docker_daemon()
            ensure_base_image(docker_client())
        if args.registry:
            ensure_registry()
    except LegacyLiftError as exc:
        error(str(exc))
        return 1
    success(f"setup done in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
