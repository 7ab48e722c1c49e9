"""Housekeeping of the images builds leave: no dangling stage image, and `prune`.

Only throwaway models of these tests are built and pruned (the Docker daemon is shared); each
test removes every tag it made.
"""

from __future__ import annotations

import uuid

import pytest
from docker.errors import ImageNotFound

from legacylift import tfvars
from legacylift.containerise.prune import prune_images
from legacylift.containerise.registry import repository_name
from legacylift.models import load_model
from tests.containerise.conftest import remove_repository_images

pytestmark = [pytest.mark.docker, pytest.mark.slow]

PREDICT = "print('predicting', {version})\n"


def write_model(models_dir, name: str, requirements: str, version: int = 1) -> None:
    folder = models_dir / name
    folder.mkdir(exist_ok=True)
    (folder / "model.toml").write_text('steps = ["inference"]\n')
    (folder / "requirements.txt").write_text(requirements)
    (folder / "predict.py").write_text(PREDICT.format(version=version))


@pytest.fixture
def throwaway(models_dir, builder, docker_client):
    """A model name of this test alone; every image tag of its repository removed after."""
    name = f"hk-{uuid.uuid4().hex[:10]}"
    yield name
    remove_repository_images(docker_client, repository_name(name))


def loose_stages(docker_client, outcome) -> list[str]:
    """Ids of the stages a build ended that are not layers of its final image."""
    final = {entry["Id"] for entry in docker_client.api.history(outcome.log.image_id)}
    stages = [docker_client.images.get(short).id for short in outcome.log.stage_results]
    return [image_id for image_id in stages if image_id not in final]


def test_the_environment_stage_is_kept_as_cache_never_dangling(
    throwaway, models_dir, builder, docker_client
):
    """Planted bug, seen red: without `keep_stage_cache` the environment stage is left as an
    untagged `<none>` image (dangling) after every build."""
    unique = f"# {throwaway}"  # requirements of this test alone: its stage images are its own
    write_model(models_dir, throwaway, f"{unique} one\n")
    builder.ensure_model(load_model(throwaway))  # the first build records requirements.lock.txt
    write_model(models_dir, throwaway, f"{unique} one\n", version=2)
    first = builder.ensure_model(load_model(throwaway))  # installs from the lock
    repository = repository_name(throwaway)
    (stage,) = loose_stages(docker_client, first)
    assert f"{repository}:build-stage-1" in docker_client.images.get(stage).tags
    dangling = {image.id for image in docker_client.images.list(filters={"dangling": True})}
    assert stage not in dangling

    # A code change reuses the environment stage: pip does not run again.
    write_model(models_dir, throwaway, f"{unique} one\n", version=3)
    second = builder.ensure_model(load_model(throwaway))
    assert second.built and any("pip install" in step for step in second.log.cached_steps)

    # New requirements: a new stage takes the tag, the superseded one is removed.
    write_model(models_dir, throwaway, f"{unique} two\n", version=3)
    third = builder.ensure_model(load_model(throwaway))
    new_stage = loose_stages(docker_client, third)[0]
    assert new_stage != stage
    with pytest.raises(ImageNotFound):
        docker_client.images.get(stage)


def content_hash_tags(docker_client, repository: str) -> set[str]:
    return {
        tag.rsplit(":", 1)[1]
        for image in docker_client.images.list(name=repository)
        for tag in image.tags
        if tag.rsplit(":", 1)[0] == repository and not tag.endswith(":build-stage-1")
    }


def test_prune_keeps_the_newest_and_the_pinned(
    throwaway, models_dir, builder, docker_client, tfvars_dir
):
    hashes = []
    for version in (1, 2, 3):
        write_model(models_dir, throwaway, f"# {throwaway}\n", version=version)
        hashes.append(builder.ensure_model(load_model(throwaway)).content_hash)
    pinned, newest = hashes[1], hashes[2]
    repository = repository_name(throwaway)
    before = content_hash_tags(docker_client, repository)
    old = sorted(before - {pinned, newest})
    assert old, before  # the first build's image at least
    tfvars.pin_image(
        "hk", throwaway, f"127.0.0.1:5000/{repository}@sha256:" + "0" * 64, source_hash=pinned
    )

    planned = prune_images([throwaway], dry_run=True, client=docker_client)
    assert sorted(planned.removed[throwaway]) == [f"{repository}:{tag}" for tag in old]
    assert content_hash_tags(docker_client, repository) == before  # a dry run removes nothing

    result = prune_images([throwaway], client=docker_client)
    assert sorted(result.removed[throwaway]) == [f"{repository}:{tag}" for tag in old]
    assert result.kept[throwaway] == {pinned: "pinned in a workspace", newest: "newest"}
    assert content_hash_tags(docker_client, repository) == {pinned, newest}
