"""The sample models: each builds, honours the image contract, and its split scripts run in
the images (networking off) give exactly what the original desktop script gave."""

from __future__ import annotations

import pytest

from legacylift.models import SCRIPTS, load_model
from tests.containerise.conftest import SAMPLES, run_step

pytestmark = [pytest.mark.docker, pytest.mark.slow]


@pytest.mark.parametrize("name", SAMPLES)
def test_split_scripts_in_images_reproduce_the_original(
    name, sample_images, framework_image, docker_client, tmp_path
):
    model = load_model(name)
    data = model.path / "sample" / "input"
    for step in model.steps:
        output = tmp_path / step
        script = SCRIPTS[step]
        if model.image_for(step) == "framework":
            run_step(docker_client, framework_image, script, data, output, model.path / script)
        else:
            run_step(docker_client, sample_images[name], script, data, output)
        data = output
    expected_dir = model.path / "sample" / "expected"
    expected = {p.relative_to(expected_dir): p.read_bytes() for p in expected_dir.rglob("*")}
    produced = {p.relative_to(data): p.read_bytes() for p in data.rglob("*")}
    assert sorted(produced) == sorted(expected)
    for path, content in expected.items():
        assert produced[path] == content, f"{name}: {path} differs from the original's output"


@pytest.mark.parametrize("name", SAMPLES)
def test_model_image_follows_the_image_contract(name, sample_images, docker_client):
    image = docker_client.images.get(sample_images[name])
    config = image.attrs["Config"]
    content_hash = sample_images[name].rsplit(":", 1)[1]
    assert config["WorkingDir"] == "/opt/ml/code"
    assert config["User"] == "1000:1000"
    assert config["Entrypoint"] == ["python3", "/opt/ml/code/predict.py"]
    assert config["Labels"]["org.legacylift.image"] == name
    assert config["Labels"]["org.legacylift.content-hash"] == content_hash
    assert config["Labels"]["org.legacylift.source-revision"]
    listing = docker_client.containers.run(
        image.id,
        entrypoint=["sh", "-c", "id -u; ls /opt/ml/code"],
        network_disabled=True,
        remove=True,
    ).decode()
    uid, *files = listing.split()
    assert uid == "1000"
    assert "predict.py" in files and "requirements.txt" in files
    assert "legacy" not in files and "sample" not in files and "model.toml" not in files


def test_system_packages_from_model_toml_are_installed(sample_images, docker_client):
    """LightGBM's wheel needs libgomp1 at run time: declared in model.toml, present in the
    diabetes image and importable; absent from a model that did not ask for it."""
    check = "ldconfig -p | grep -c libgomp.so.1 || true"
    run = docker_client.containers.run
    diabetes = run(sample_images["diabetes"], entrypoint=["sh", "-c", check], remove=True)
    iris = run(sample_images["iris"], entrypoint=["sh", "-c", check], remove=True)
    assert int(diabetes.decode()) >= 1
    assert int(iris.decode()) == 0
    imported = run(
        sample_images["diabetes"],
        entrypoint=["python3", "-c", "import lightgbm; print(lightgbm.__version__)"],
        network_disabled=True,
        remove=True,
    )
    assert imported.decode().strip() == "4.5.0"


def test_framework_image_has_the_pinned_versions(framework_image, docker_client):
    """Every pin of build/framework/requirements.txt is what the image has installed."""
    from legacylift.containerise.context import template_path

    pins = dict(
        line.split("==")
        for line in template_path("framework/requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    assert {"numpy", "pandas", "scikit-learn"} <= set(pins)
    script = "import importlib.metadata as m, sys; print(*[m.version(n) for n in sys.argv[1:]])"
    installed = docker_client.containers.run(
        framework_image,
        entrypoint=["python3", "-c", script, *pins],
        network_disabled=True,
        remove=True,
    )
    assert dict(zip(pins, installed.decode().split(), strict=True)) == pins
