"""No credentials in any image: every layer of every image the build makes (`docker save`) is
read for credential files, the build-time CA bundle, and the registry password or AWS keys
in file contents, environment and history."""

from __future__ import annotations

import io
import json
import os
import re
import tarfile

import pytest

pytestmark = [pytest.mark.docker, pytest.mark.slow]

FORBIDDEN_PATHS = re.compile(
    r"(^|/)(\.aws/|\.docker/config\.json$|\.netrc$|\.git-credentials$|\.pypirc$"
    r"|legacylift-build-ca\.crt$|credentials\.json$)"
)
SMALL_FILE = 256 * 1024  # contents of files up to this size are scanned for secrets
# Contents of the Debian system and of PyPI's packages are not scanned (their names are):
# a secret leaking from a build would land in the code, home, config or temporary directories.
UNSCANNED = ("usr/", "opt/venv/lib/", "var/lib/dpkg/")


# An AWS access key id, or a credentials-file line with a value (not a mere mention of the
# variable name, which library sources such as pandas' tests contain).
SECRET_PATTERNS = re.compile(rb"AKIA[0-9A-Z]{16}|aws_secret_access_key\s*=\s*[A-Za-z0-9/+]{20,}")


def secrets(registry_credentials) -> list[bytes]:
    """Values that must never appear inside an image: the registry password, this machine's
    AWS secret key if it has one."""
    found = [registry_credentials["password"], os.environ.get("AWS_SECRET_ACCESS_KEY", "")]
    return [value.encode() for value in found if len(value) >= 8]


def check_layer(layer: tarfile.TarFile, where: str, needles: list[bytes]) -> None:
    """No forbidden file names; no secrets in the contents of the files we scan."""
    for member in layer.getmembers():
        assert not FORBIDDEN_PATHS.search(member.name), f"{where}: {member.name}"
        if member.isfile() and member.size <= SMALL_FILE and not member.name.startswith(UNSCANNED):
            content = layer.extractfile(member).read()
            assert not SECRET_PATTERNS.search(content), f"AWS key in {where}: {member.name}"
            for needle in needles:
                assert needle not in content, f"secret in {where}: {member.name}"


def save_images(docker_client, references, destination):
    """`docker save` of all `references` in one archive (shared layers stored once)."""
    # docker-py saves one image per call; the Engine API's /images/get takes several names.
    api = docker_client.api
    response = api._get(api._url("/images/get"), params={"names": references}, stream=True)
    response.raise_for_status()
    with destination.open("wb") as handle:
        for chunk in response.iter_content(chunk_size=1 << 20):
            handle.write(chunk)
    return tarfile.open(destination)


@pytest.mark.registry
def test_no_credentials_in_any_layer(
    docker_client, sample_images, framework_image, registry_credentials, tmp_path
):
    needles = secrets(registry_credentials)
    references = [framework_image, *sample_images.values()]
    archive = save_images(docker_client, references, tmp_path / "images.tar")
    manifests = json.load(archive.extractfile("manifest.json"))
    assert sorted(tag for m in manifests for tag in m["RepoTags"]) == sorted(references)
    scanned: set[str] = set()
    for manifest in manifests:
        reference = manifest["RepoTags"][0]
        config = json.load(archive.extractfile(manifest["Config"]))
        assert len(manifest["Layers"]) >= 3
        for layer_name in manifest["Layers"]:
            if layer_name in scanned:  # layers shared between images are read once
                continue
            scanned.add(layer_name)
            with tarfile.open(fileobj=archive.extractfile(layer_name)) as layer:
                check_layer(layer, f"{reference} layer {layer_name}", needles)
        metadata = json.dumps([config["config"], config.get("history", [])])
        for needle in needles:
            assert needle.decode() not in metadata, f"secret in {reference}'s config"
        assert "pip_cert" not in json.dumps(config["config"].get("Env", [])).lower()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("root/.aws/credentials", b"[default]\n"),
        ("tmp/legacylift-build-ca.crt", b"-----BEGIN CERTIFICATE-----\n"),
        ("opt/ml/code/settings.py", b"KEY = 'AKIAABCDEFGHIJKLMNOP'\n"),
        ("opt/ml/code/notes.txt", b"registry password: s3cret-pass-word\n"),
    ],
)
def test_the_layer_check_catches_what_it_looks_for(name, content, tmp_path):
    """The checker itself: a layer holding each kind of leak fails it."""
    path = tmp_path / "layer.tar"
    with tarfile.open(path, "w") as layer:
        info = tarfile.TarInfo(name)
        info.size = len(content)
        layer.addfile(info, io.BytesIO(content))
    with tarfile.open(path) as layer, pytest.raises(AssertionError):
        check_layer(layer, "test layer", [b"s3cret-pass-word"])


def test_no_build_ca_bundle_in_an_own_dockerfile_image(docker_client, base_image, tmp_path):
    """A model's own Dockerfile builds with the host CA bundle in every stage; the image that
    is pushed is flattened without it. Planting the flatten step as a plain tag of the stage
    image turns this red (the bundle's COPY layer is there)."""
    from legacylift.containerise import ensure_model_image

    reference = ensure_model_image("demand")
    archive = save_images(docker_client, [reference], tmp_path / "demand.tar")
    (manifest,) = json.load(archive.extractfile("manifest.json"))
    for layer_name in manifest["Layers"]:
        with tarfile.open(fileobj=archive.extractfile(layer_name)) as layer:
            check_layer(layer, f"{reference} layer {layer_name}", [])
    config = json.load(archive.extractfile(manifest["Config"]))
    assert "legacylift-build-ca" not in json.dumps(config["config"])
