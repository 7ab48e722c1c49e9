"""A local run's images: the ones its workflow needs, built when missing, and what names each
image in a step's content key (the step cache of `run-local --resume`)."""

from __future__ import annotations

from collections.abc import Callable

from legacylift import console
from legacylift.errors import LegacyLiftError


def workflow_images(model, workflow: str = "inference") -> dict[str, str]:
    """{"model": ref, "framework": ref} of the images `workflow` runs, built when missing: the
    model's own always (the module renders every model with its image_uri, framework steps or
    not); the framework image when an inference step runs in it (training runs the model's)."""
    from legacylift.containerise import ensure_framework_image, ensure_model_image

    kinds = {model.image_for(step) for step in model.script_steps}
    images = {}
    with console.timed(f"{model.name}: images"):
        images["model"] = ensure_model_image(model.name)
        if workflow == "inference" and "framework" in kinds:
            images["framework"] = ensure_framework_image()
    return images


def image_keys(model, images: dict[str, str], built: bool) -> Callable[..., str | None]:
    """What names an image in a step's content key: the model image LegacyLift built, by
    its build context less the other steps' scripts (the default image holds the whole
    folder, and predict.py does not run postprocessing.py); any other image by its ID."""

    known: dict[tuple[str, frozenset[str]], str | None] = {}  # a fan-out keys many jobs

    def key(reference: str, ignored: frozenset[str]) -> str | None:
        if (reference, ignored) in known:
            return known[reference, ignored]
        named = local_image_id(reference)
        if built and reference == images.get("model") and named:
            from dataclasses import replace

            from legacylift.containerise.images import ImageBuilder

            context = ImageBuilder().model_context(model)
            files = [
                (relative, path)
                for relative, path in context.files
                if relative.removeprefix("code/") not in ignored
            ]
            named = "context:" + replace(context, files=files).content_hash
        known[reference, ignored] = named
        return named

    return key


def local_image_id(reference: str) -> str | None:
    """The ID of a local image (what a step's content key names), None when it is absent."""
    from docker.errors import DockerException

    from legacylift.docker_client import docker_client

    try:
        return docker_client().images.get(reference).id
    except (DockerException, LegacyLiftError):
        return None
