"""`invoke` run as a user runs it, for the tests of the command line."""

from __future__ import annotations

import os
import subprocess
import sys

from legacylift.paths import REPO_ROOT


def invoke_cli(
    *args: str, env: dict[str, str] | None = None, timeout: int = 300
) -> subprocess.CompletedProcess:
    """`python -m invoke ARGS` from the project root (this environment, or `env`); both
    streams captured as text, never raising on a non-zero exit."""
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=REPO_ROOT,
        env=dict(os.environ) if env is None else env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
