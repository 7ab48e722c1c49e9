"""The programs behind pictures and reports: Graphviz draws workflow graphs, Chromium (headless)
is the real browser the report tests open pages in. Both are Debian packages."""

from __future__ import annotations

import shutil

from legacylift.console import success
from legacylift.setup.system import ensure_commands

# command -> Debian package
REPORT_COMMANDS = {"dot": "graphviz", "chromium": "chromium"}


def ensure_report_tools() -> None:
    """Install Graphviz and Chromium where missing (root and apt-get), else name the packages."""
    ensure_commands(REPORT_COMMANDS)
    found = ", ".join(f"{cmd} ({shutil.which(cmd)})" for cmd in REPORT_COMMANDS)
    success(f"report tools: {found}")
