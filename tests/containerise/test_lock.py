"""requirements.lock.txt: unpinned requirements resolved once, recorded, and installed exactly
by later builds of the same content; --refresh-requirements resolves again."""

from __future__ import annotations

import re

import pytest

from legacylift.containerise.lock import LOCK_NAME, lock_state, lock_text
from legacylift.models import load_model
from tests.containerise.conftest import TEST_LABEL, copy_sample, remove_repository_images

PACKAGE = "six"  # small, pure Python, with many releases
OLDER = "1.15.0"


def installed(client, image: str) -> str:
    """The version of PACKAGE inside `image`."""
    script = f"import importlib.metadata as m; print(m.version('{PACKAGE}'))"
    return (
        client.containers.run(
            image,
            entrypoint=["python3", "-c", script],
            network_disabled=True,
            remove=True,
            labels={TEST_LABEL: "lock"},
        )
        .decode()
        .strip()
    )


def pinned(path) -> str:
    return re.search(rf"^{PACKAGE}==(\S+)$", path.read_text(), re.MULTILINE).group(1)


@pytest.fixture
def unpinned(models_dir, builder, docker_client):
    """A model whose requirements.txt names PACKAGE without a version; its images removed
    afterwards (test-only repository)."""
    folder = copy_sample("iris", models_dir, "unpinned-lock")
    (folder / "requirements.txt").write_text(f"{PACKAGE}\n")
    (folder / "model.toml").write_text('steps = ["inference"]\n')
    yield folder
    remove_repository_images(docker_client, "legacylift/unpinned-lock")


@pytest.mark.docker
@pytest.mark.slow
def test_a_second_build_installs_the_recorded_versions(unpinned, builder, docker_client):
    """Planting a template that ignores the lock (no `-c`) turns the older-version check red."""
    first = builder.ensure_model(load_model("unpinned-lock"))
    lock = unpinned / LOCK_NAME
    assert first.built and lock.is_file()
    assert installed(docker_client, first.reference) == pinned(lock)
    assert first.content_hash == builder.model_context(load_model("unpinned-lock")).content_hash
    labels = docker_client.images.get(first.reference).attrs["Config"]["Labels"]
    assert labels["org.legacylift.content-hash"] == first.content_hash
    again = builder.ensure_model(load_model("unpinned-lock"))
    assert not again.built and again.reference == first.reference  # the lock is in the hash

    # Record an older version, as if an earlier build had resolved it: the next build of the
    # same requirements.txt installs exactly that, not what the index offers today.
    lock.write_text(lock.read_text().replace(f"{PACKAGE}=={pinned(lock)}", f"{PACKAGE}=={OLDER}"))
    older = builder.ensure_model(load_model("unpinned-lock"))
    assert older.built and older.content_hash != first.content_hash
    assert installed(docker_client, older.reference) == OLDER

    refreshed = builder.ensure_model(load_model("unpinned-lock"), refresh=True)
    assert refreshed.built
    assert pinned(lock) != OLDER  # re-resolved: the index's newest
    assert installed(docker_client, refreshed.reference) == pinned(lock)


def test_a_changed_requirements_txt_makes_the_lock_stale(models_dir):
    folder = copy_sample("iris", models_dir, "stale-lock")
    (folder / "requirements.txt").write_text("six\n")
    (folder / LOCK_NAME).write_text(lock_text(folder, "six==1.16.0\n"))
    assert lock_state(folder).usable
    assert not lock_state(folder, refresh=True).usable
    (folder / "requirements.txt").write_text("six\nattrs\n")
    state = lock_state(folder)
    assert not state.usable and "requirements.txt changed" in state.reason
