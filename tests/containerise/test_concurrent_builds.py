"""Two builds of the same model at once (real daemon): one builds, the other waits for it and
reuses its image, so neither leaves a dangling `<none>` image behind (as one build leaves
none)."""

from __future__ import annotations

import threading
import uuid

import pytest

from legacylift.containerise.images import LABEL_PREFIX
from tests.containerise.conftest import remove_repository_images

pytestmark = pytest.mark.docker


@pytest.mark.slow
def test_concurrent_builds_of_one_model_leave_no_dangling_image(builder, models_dir, docker_client):
    """Planted bug `concurrent-builds-unlocked` (the build lock not taken): each build makes
    its own image, the second tag leaves the first one `<none>`."""
    from legacylift.models import load_model

    name = f"twin-{uuid.uuid4().hex[:8]}"
    folder = models_dir / name
    folder.mkdir()
    (folder / "requirements.txt").write_text("")
    (folder / "requirements.lock.txt").write_text("")
    (folder / "model.toml").write_text('steps = ["inference"]\n')
    (folder / "predict.py").write_text(f"print('{name}')\n")
    model = load_model(name)
    outcomes, errors = [], []

    def build():
        try:
            outcomes.append(builder.ensure_model(model))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(600)
        assert errors == []
        assert sorted(o.built for o in outcomes) == [False, True]
        assert len({o.reference for o in outcomes}) == 1
        dangling = docker_client.images.list(
            filters={"dangling": True, "label": f"{LABEL_PREFIX}.image={name}"}
        )
        assert dangling == []
    finally:
        remove_repository_images(
            docker_client,
            outcomes[0].reference.rsplit(":", 1)[0] if outcomes else f"legacylift/{name}",
        )
