"""Small helpers for setup steps that touch the operating system."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from legacylift.console import detail, info
from legacylift.errors import LegacyLiftError

T = TypeVar("T")
_apt_updated = False


def is_root() -> bool:
    """Whether this process may install packages and start system daemons."""
    return os.geteuid() == 0


def ensure_commands(packages: dict[str, str]) -> None:
    """Make each command available, installing its Debian package (command -> package) if root."""
    missing = {cmd: pkg for cmd, pkg in packages.items() if shutil.which(cmd) is None}
    if not missing:
        return
    names = sorted(set(missing.values()))
    if not is_root() or shutil.which("apt-get") is None:
        raise LegacyLiftError(
            f"missing commands {sorted(missing)}: install the Debian packages {names} "
            f"(apt-get install {' '.join(names)}) or their equivalents, then rerun ./bootstrap"
        )
    apt_install(names)


def apt_install(packages: list[str]) -> None:
    """Install Debian packages quietly, updating the package lists once per process."""
    global _apt_updated
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if not _apt_updated:
        info("updating Debian package lists")
        run(["apt-get", "update", "-qq"], env=env)
        _apt_updated = True
    info(f"installing Debian packages: {' '.join(packages)}")
    # With recommends, the set verified here (docker.io wants apparmor where the kernel has it).
    run(["apt-get", "install", "-y", "-qq", *packages], env=env)


def run(cmd: list[str], echo: bool = True, **kwargs) -> subprocess.CompletedProcess:
    """Run a command; on failure raise with the tail of its output. `echo=False` keeps its
    output (a secret, say) off the console."""
    result = subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise LegacyLiftError(f"`{' '.join(cmd)}` failed (exit {result.returncode}):\n{tail}")
    for line in result.stdout.strip().splitlines()[-3:] if echo else []:
        detail(line)
    return result


def start_background(cmd: list[str], log_path: Path) -> None:
    """Start a long-lived server detached from this process, its output appended to log_path."""
    with log_path.open("ab") as log:
        subprocess.Popen(
            [shutil.which(cmd[0]) or cmd[0], *cmd[1:]],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def wait_until(check: Callable[[], T | None], timeout: float, what: str, log_path: Path) -> T:
    """Poll `check` until it returns a value; on timeout raise with the tail of the server's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-10:])
    raise LegacyLiftError(f"{what} did not answer within {timeout:.0f}s; its log ends:\n{tail}")
