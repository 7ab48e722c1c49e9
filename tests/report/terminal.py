"""Running a Python snippet with its output on a pseudo-terminal or a pipe, as a person at a
terminal or a CI log would see it."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

from legacylift.paths import REPO_ROOT
from legacylift.terraform_env import terraform_env

ANSI_CONTROL = "\x1b["


def run_python(code: str, terminal: bool, timeout: float = 300) -> tuple[int, str]:
    """(exit code, everything printed) of `python -c code` with stdout and stderr on a pty
    (`terminal`) or a pipe."""
    env = terraform_env({**os.environ, "COLUMNS": "120", "LINES": "40", "TERM": "xterm-256color"})
    env.pop("CI", None)  # rich treats CI as "not interactive"; here the terminal is real
    command = [sys.executable, "-c", code]
    if not terminal:
        completed = subprocess.run(
            command,
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return completed.returncode, completed.stdout + completed.stderr
    master, slave = pty.openpty()
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdin=slave, stdout=slave, stderr=slave, close_fds=True
    )
    os.close(slave)
    chunks, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif process.poll() is not None:
            break
    os.close(master)
    code_ = process.wait(timeout=30)
    return code_, b"".join(chunks).decode("utf-8", "replace")
