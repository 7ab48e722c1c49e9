"""Fixtures of the build tests: images built once per session and shared, temporary model
folders and tfvars directories, and a runner for step containers (networking off)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from legacylift.paths import MODELS_DIR

SAMPLES = ("iris", "diabetes", "churn")
TEST_LABEL = "org.legacylift.test"


@pytest.fixture(scope="session")
def builder(docker_client, base_image):
    """One ImageBuilder on the real daemon for the whole session."""
    from legacylift.containerise import ImageBuilder

    return ImageBuilder(docker_client)


@pytest.fixture(scope="session")
def framework_image(builder):
    """The script-mode framework image (built at most once per session)."""
    return builder.ensure_framework().reference


@pytest.fixture(scope="session")
def sample_images(builder):
    """Each sample model's image, built at most once per session."""
    from legacylift.models import load_model

    return {name: builder.ensure_model(load_model(name)).reference for name in SAMPLES}


@pytest.fixture
def tfvars_dir(tmp_path, monkeypatch):
    """A private tfvars directory (LEGACYLIFT_TFVARS_DIR)."""
    directory = tmp_path / "tfvars"
    monkeypatch.setenv("LEGACYLIFT_TFVARS_DIR", str(directory))
    return directory


def copy_sample(sample: str, models_dir: Path, name: str) -> Path:
    """Copy a sample model folder under a new name; returns the copy's path."""
    target = models_dir / name
    shutil.copytree(MODELS_DIR / sample, target)
    return target


def remove_repository_images(client, repository: str) -> None:
    """Remove every tag of a test-only repository (images the tests made, nobody else's)."""
    for image in client.images.list(name=repository):
        for tag in image.tags:
            if tag.rsplit(":", 1)[0] == repository:
                client.images.remove(tag)


def run_step(client, image: str, script: str, input_dir: Path, output_dir: Path, code=None):
    """Run one step like a processing job: networking off, data at /opt/ml/processing/.
    With `code` (a script path), script mode: the script is staged in .../input/code/."""
    output_dir.mkdir(parents=True, exist_ok=True)
    output_dir.chmod(0o777)  # the image's non-root user writes here
    volumes = {
        str(input_dir): {"bind": "/opt/ml/processing/input/data", "mode": "ro"},
        str(output_dir): {"bind": "/opt/ml/processing/output", "mode": "rw"},
    }
    if code is not None:
        volumes[str(code)] = {"bind": f"/opt/ml/processing/input/code/{code.name}", "mode": "ro"}
        entrypoint = ["python3", f"/opt/ml/processing/input/code/{code.name}"]
    else:
        entrypoint = ["python3", f"/opt/ml/code/{script}"]
    return client.containers.run(
        image,
        entrypoint=entrypoint,
        volumes=volumes,
        network_disabled=True,
        remove=True,
        labels={TEST_LABEL: "build"},
    )
