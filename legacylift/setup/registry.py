"""A local Docker registry standing in for ECR: Debian's docker-registry, on 127.0.0.1 only,
htpasswd (bcrypt) auth on. Its data, config and credentials live in the machine cache."""

from __future__ import annotations

import secrets
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

from legacylift.atomic import write_json_atomic, write_text_atomic
from legacylift.console import info, success
from legacylift.errors import LegacyLiftError
from legacylift.settings import machine_cache_dir, registry_address
from legacylift.setup.system import ensure_commands, run, start_background, wait_until

USERNAME = "legacylift"


def registry_dir():
    """Directory with the registry's config, htpasswd, credentials, data and log."""
    return machine_cache_dir() / "registry"


def registry_status(address: str) -> int | None:
    """HTTP status of GET /v2/ (401 means up with auth on), None when nothing answers."""
    try:
        with urllib.request.urlopen(f"http://{address}/v2/", timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def _write_config(address: str) -> None:
    folder = registry_dir()
    credentials = folder / "credentials.json"
    if not credentials.exists():
        ensure_commands({"htpasswd": "apache2-utils"})
        password = secrets.token_urlsafe(24)
        hashed = run(["htpasswd", "-niB", USERNAME], input=password, echo=False).stdout.strip()
        write_text_atomic(folder / "htpasswd", hashed + "\n", mode=0o600)
        write_json_atomic(
            credentials,
            {"address": address, "username": USERNAME, "password": password},
            mode=0o600,
        )
    config = f"""version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: {folder / "data"}
  delete:
    enabled: true
http:
  addr: {address}
  secret: {secrets.token_hex(16)}
auth:
  htpasswd:
    realm: legacylift-registry
    path: {folder / "htpasswd"}
"""
    write_text_atomic(folder / "config.yml", config, mode=0o600)


def _stop_distribution_service() -> None:
    """Debian's package starts its own registry under systemd, on every interface with no auth,
    and on our port: stop and disable it (only where systemd runs)."""
    if not Path("/run/systemd/system").is_dir() or shutil.which("systemctl") is None:
        return
    active = subprocess.run(
        ["systemctl", "is-enabled", "docker-registry.service"], capture_output=True, check=False
    )
    if active.returncode == 0:
        info("disabling Debian's docker-registry.service (all interfaces, no auth)")
        run(["systemctl", "disable", "--now", "docker-registry.service"])


def ensure_registry(start_timeout: float = 20) -> str:
    """Start the local registry unless it already answers; return its address."""
    address = registry_address()
    host = address.rsplit(":", 1)[0]
    if host not in ("127.0.0.1", "localhost"):
        raise LegacyLiftError(
            f"LEGACYLIFT_REGISTRY={address}: the local registry listens on 127.0.0.1 only"
        )
    _stop_distribution_service()
    status = registry_status(address)
    if status == 401 and (registry_dir() / "credentials.json").exists():
        success(f"local registry answers on {address} (auth on)")
        return address
    if status is not None:
        raise LegacyLiftError(
            f"something else answers on {address} (HTTP {status}): stop it, or choose another "
            "port with LEGACYLIFT_REGISTRY=127.0.0.1:PORT"
        )
    ensure_commands({"docker-registry": "docker-registry"})
    _stop_distribution_service()  # the package may just have started it
    _write_config(address)
    log = registry_dir() / "registry.log"
    info(f"starting docker-registry on {address} (log: {log})")
    start_background(["docker-registry", "serve", str(registry_dir() / "config.yml")], log)
    wait_until(lambda: registry_status(address) == 401, start_timeout, "docker-registry", log)
    success(f"local registry started on {address} (auth on)")
    return address
