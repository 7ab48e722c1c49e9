"""Content-hash tags: an unchanged model does no Docker build; a one-line change to predict.py
rebuilds only the code layer (requirements are not reinstalled). Runs on a temporary copy."""

from __future__ import annotations

import pytest

from legacylift.containerise import images
from legacylift.models import load_model
from tests.containerise.conftest import copy_sample, remove_repository_images

pytestmark = [pytest.mark.docker, pytest.mark.slow]


@pytest.fixture
def iris_copy(models_dir, docker_client, sample_images):
    """A copy of the iris sample as model 'iris-rebuild-test'; its images removed afterwards."""
    path = copy_sample("iris", models_dir, "iris-rebuild-test")
    yield path
    remove_repository_images(docker_client, "legacylift/iris-rebuild-test")


def test_unchanged_model_does_no_docker_build(iris_copy, builder, monkeypatch):
    first = builder.ensure_model(load_model("iris-rebuild-test"))

    def no_build(*args, **kwargs):
        raise AssertionError("an unchanged model must not reach docker build")

    monkeypatch.setattr(images, "stream_build", no_build)
    second = builder.ensure_model(load_model("iris-rebuild-test"))
    assert second.built is False
    assert second.reference == first.reference


def test_changing_predict_rebuilds_without_reinstalling_requirements(
    iris_copy, builder, docker_client
):
    before = builder.ensure_model(load_model("iris-rebuild-test"))
    with (iris_copy / "predict.py").open("a") as handle:
        handle.write("# a one-line change\n")
    after = builder.ensure_model(load_model("iris-rebuild-test"))

    assert after.built and after.reference != before.reference
    pip_steps = [step for step in after.log.steps if "pip install" in step]
    assert pip_steps and all(step in after.log.cached_steps for step in pip_steps)
    copy_steps = [step for step in after.log.steps if "COPY code/" in step]
    assert copy_steps and not any(step in after.log.cached_steps for step in copy_steps)
    old_layers = docker_client.images.get(before.reference).attrs["RootFS"]["Layers"]
    new_layers = docker_client.images.get(after.reference).attrs["RootFS"]["Layers"]
    assert new_layers[:-1] == old_layers[:-1], "every layer below the code must be reused"
    assert new_layers[-1] != old_layers[-1]


def test_content_hash_ignores_samples_and_settings(iris_copy, builder):
    """Files that are not in the image (sample data, model.toml) do not change its tag."""
    context = builder.model_context(load_model("iris-rebuild-test"))
    before = context.content_hash
    (iris_copy / "sample" / "input" / "extra.csv").write_text("flower_id\n")
    (iris_copy / "model.toml").write_text((iris_copy / "model.toml").read_text() + "\n# note\n")
    assert builder.model_context(load_model("iris-rebuild-test")).content_hash == before
    (iris_copy / "model.joblib").write_bytes(b"changed artifact")
    assert builder.model_context(load_model("iris-rebuild-test")).content_hash != before
