"""Make a Docker daemon available: use a running one, or install and start Debian's dockerd."""

from __future__ import annotations

from pathlib import Path

import docker
from docker.errors import DockerException

from legacylift.console import info, success
from legacylift.errors import LegacyLiftError
from legacylift.setup.system import ensure_commands, is_root, start_background, wait_until

DOCKERD_LOG = Path("/var/log/legacylift-dockerd.log")
# This sandbox (and many CI containers) has neither iptables nor a bridge device: builds use
# host networking and step containers run with networking off, so neither is needed.
DOCKERD_ARGS = ["--iptables=false", "--ip6tables=false", "--bridge=none"]


def daemon_answers() -> str | None:
    """The running daemon's version, or None when none answers."""
    try:
        return docker.from_env(timeout=5).version()["Version"]
    except DockerException:
        return None


def ensure_docker_daemon(start_timeout: float = 60) -> str:
    """Return the daemon version, starting dockerd (as root, on Linux) when none runs."""
    version = daemon_answers()
    if version:
        success(f"Docker daemon {version} answers")
        return version
    if not is_root():
        raise LegacyLiftError(
            "no Docker daemon answers and this user cannot start one: start Docker (Docker "
            "Desktop, or `sudo systemctl start docker`), or set DOCKER_HOST, then rerun ./bootstrap"
        )
    ensure_commands({"dockerd": "docker.io"})
    info(f"starting dockerd {' '.join(DOCKERD_ARGS)} (log: {DOCKERD_LOG})")
    start_background(["dockerd", *DOCKERD_ARGS], DOCKERD_LOG)
    version = wait_until(daemon_answers, start_timeout, "dockerd", DOCKERD_LOG)
    success(f"Docker daemon {version} started")
    return version
