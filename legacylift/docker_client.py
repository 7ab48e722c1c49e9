"""One way to get a Docker client, with a clear error when no daemon answers."""

from __future__ import annotations

import docker
from docker.errors import DockerException

from legacylift.errors import LegacyLiftError

# Large artifacts make builds and pushes slow; docker-py's 60 s default would cut them off.
CLIENT_TIMEOUT_SECONDS = 600


def docker_client(timeout: int = CLIENT_TIMEOUT_SECONDS) -> docker.DockerClient:
    """A client for the daemon named by DOCKER_HOST (or the default socket), checked with a ping."""
    try:
        client = docker.from_env(timeout=timeout)
        client.ping()
    except DockerException as exc:
        raise LegacyLiftError(
            f"cannot reach the Docker daemon ({exc}): start Docker, or run ./bootstrap, which "
            "starts one (Debian's docker.io) where it can"
        ) from exc
    return client
