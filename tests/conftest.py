"""Shared fixtures: the real Docker daemon, base image, local registry and Terraform.

A fixture whose piece is missing skips the test with the reason on a developer's machine, and
fails it under CI (CI=true), where ./bootstrap test has set every piece up.

Two workers (`invoke test` runs pytest-xdist with `--dist loadgroup`): every test gets an
`xdist_group`, and a group runs on one worker, in order. Each worker is its own pytest session,
so it starts its own moto server (the session fixture below) and has its own temporary
directories; what the workers would share is the Docker daemon, the local registry on
127.0.0.1:5000 with its repository names, the built images and containers, and the project's
state directory. So only the Terraform-and-moto tests (tests/aws/, tests/terraform/) that use
none of those run beside the others, one group per module (a module's applied roots are
module-scoped fixtures: split across workers, each would apply them again); every other test is
in one group, `serial`, run in collection order exactly as in a one-process run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from legacylift.errors import LegacyLiftError

# Directories whose tests talk to moto and Terraform copies in temporary directories only.
BESIDE_OTHERS = ("tests/aws/", "tests/terraform/")
# Fixtures and markers of what every worker would share: such tests run in the serial group.
SHARED_FIXTURES = {"docker_client", "base_image", "registry_credentials"}
SHARED_MARKERS = {"docker", "registry"}
SERIAL_GROUP = "serial"


def worker_group(item: pytest.Item) -> str:
    """The xdist group of `item`: its module for a Terraform-and-moto test that shares nothing
    with another worker, else the serial group."""
    path = item.nodeid.split("::", 1)[0]
    shares = SHARED_FIXTURES & set(getattr(item, "fixturenames", ())) or any(
        item.get_closest_marker(name) for name in SHARED_MARKERS
    )
    if path.startswith(BESIDE_OTHERS) and not shares:
        return path
    return SERIAL_GROUP


def pytest_itemcollected(item):
    """Give every test its xdist group as it is collected (see the module docstring)."""
    group = worker_group(item)
    item.add_marker(pytest.mark.xdist_group(group))
    if getattr(item.config.option, "loadgroup", False):
        suffix_group(item, group)


def suffix_group(item: pytest.Item, group: str) -> None:
    """Append `@group` to the test's node id in an xdist worker, the form in which
    `--dist loadgroup` hands groups to its scheduler. pytest-xdist (3.8) appends it to the
    string id older pytest kept; pytest 9.2 keeps a structured id that it reads instead, so
    the groups would be silently lost (every test scheduled alone). Where the structured id
    exists, it is replaced by the suffixed one here; xdist's own suffix then changes nothing."""
    try:
        from _pytest.nodeid import NodeId
    except ImportError:  # an older pytest: xdist's own suffix works
        return
    if isinstance(getattr(item, "_id", None), NodeId) and not item.nodeid.endswith(f"@{group}"):
        item._id = NodeId.parse(f"{item.nodeid}@{group}")


def require(condition: bool, reason: str) -> None:
    """Skip (developer machine) or fail (CI) when a real component is unavailable."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def docker_client():
    """A client of the real Docker daemon."""
    from legacylift.docker_client import docker_client as connect

    try:
        return connect()
    except LegacyLiftError as exc:
        require(False, f"no Docker daemon: {exc}")


@pytest.fixture(scope="session")
def base_image(docker_client):
    """The base image setup resolved (python:3.11-slim or its debootstrapped equivalent)."""
    from docker.errors import ImageNotFound

    from legacylift.settings import base_image as resolved

    reference = resolved()
    try:
        docker_client.images.get(reference)
    except ImageNotFound:
        require(False, f"base image {reference} missing: run ./bootstrap")
    return reference


@pytest.fixture(scope="session")
def registry_credentials():
    """Address and credentials of the local htpasswd-protected registry."""
    from legacylift.settings import registry_credentials as read
    from legacylift.setup.registry import registry_status

    try:
        credentials = read()
    except LegacyLiftError as exc:
        require(False, str(exc))
    require(
        registry_status(credentials["address"]) == 401,
        f"local registry not answering on {credentials['address']}: run ./bootstrap test",
    )
    return credentials


@pytest.fixture(scope="session")
def moto_server():
    """moto on 127.0.0.1 for the whole session; tests use their own resource names."""
    from tests.moto_server import MotoServer

    with MotoServer() as server:
        yield server


@pytest.fixture
def aws_env(moto_server, monkeypatch):
    """Fake credentials and every boto3 client pointed at the moto server."""
    from tests.moto_server import FAKE_CREDENTIALS

    for key, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.endpoint)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return moto_server


@pytest.fixture
def models_dir(tmp_path, monkeypatch):
    """A private models directory (LEGACYLIFT_MODELS_DIR) tests fill with copies."""
    directory = tmp_path / "models"
    directory.mkdir()
    monkeypatch.setenv("LEGACYLIFT_MODELS_DIR", str(directory))
    return directory


@pytest.fixture
def record_renames(monkeypatch):
    """`record_renames(module)`: the list, filled from now on, of every `(source, target)` that
    `module` renames with `os.replace` (the renames still happen)."""

    def record(module) -> list[tuple[Path, Path]]:
        renames: list[tuple[Path, Path]] = []
        real_replace = os.replace

        def recording_replace(source, target):
            renames.append((Path(source), Path(target)))
            real_replace(source, target)

        monkeypatch.setattr(module.os, "replace", recording_replace)
        return renames

    return record
