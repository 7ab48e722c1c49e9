"""One line describing the machine a benchmark ran on (cores, RAM, OS, date)."""

from __future__ import annotations

import os
import platform
import time


def machine_description() -> str:
    """'Machine: N cores, X GiB RAM, OS; Docker version; date (UTC).'"""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    try:
        with open("/etc/os-release") as handle:
            release = dict(line.rstrip().split("=", 1) for line in handle if "=" in line)
        system = release.get("PRETTY_NAME", "").strip('"')
    except OSError:
        system = platform.platform()
    return (
        f"Machine: {os.cpu_count()} cores, {memory:.0f} GiB RAM, {system}, kernel "
        f"{platform.release()}; run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}."
    )
