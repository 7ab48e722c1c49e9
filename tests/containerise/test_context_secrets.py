"""What a model's build context may carry: its `.dockerignore` (Docker's rules) is honoured,
credential directories are never copied, and a context holding a file that looks like a
credential is refused, naming the file and the fix, before anything is built or pushed."""

from __future__ import annotations

import contextlib
import json
import tarfile

import docker
import pytest
import requests

from legacylift.containerise.context import model_files
from legacylift.containerise.dockerignore import DockerIgnore
from legacylift.errors import LegacyLiftError
from tests.containerise.conftest import copy_sample, remove_repository_images

PRIVATE_KEY = b"-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAx\n-----END RSA PRIVATE KEY-----\n"
DOTENV = b"DB_PASSWORD=hunter2-do-not-ship\n"


@pytest.mark.parametrize(
    ("path", "excluded"),
    [
        (".env", True),
        ("sub/.env", False),  # a pattern is anchored at the context's root
        ("keys/deploy.pem", True),
        ("keys/readme.txt", False),
        ("secrets/token", True),
        ("secrets/keep.txt", False),  # re-included by a later `!` line
        ("deep/down/id_rsa", True),
        ("data/train.csv", True),
        ("data/nested/train.csv", False),  # `*` stays within one segment
        ("model.joblib", False),
    ],
)
def test_dockerignore_follows_dockers_rules(path, excluded):
    ignore = DockerIgnore(
        [
            "# comment",
            "",
            ".env",
            "keys/*.pem",
            "/secrets/",
            "!secrets/keep.txt",
            "**/id_rsa",
            "./data/*.csv",
        ]
    )
    assert ignore.excludes(path) is excluded


def _folder(tmp_path, files: dict[str, bytes]):
    folder = tmp_path / "model"
    for relative, content in {"predict.py": b"print(1)\n", **files}.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(content)
    return folder


@pytest.mark.parametrize(
    ("relative", "content"),
    [
        (".env", DOTENV),
        (".env.production", DOTENV),
        ("id_rsa", PRIVATE_KEY),
        ("certs/server.pem", b"anything\n"),
        ("config/settings.py", b"KEY = 'AKIAABCDEFGHIJKLMNOP'\n"),
        ("notes.txt", PRIVATE_KEY),
        ("aws.cfg", b"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"),
    ],
)
def test_a_credential_in_the_context_is_refused_naming_file_and_fix(tmp_path, relative, content):
    """(Planted bug: making credential_reason return None turns every case red.)"""
    folder = _folder(tmp_path, {relative: content})
    with pytest.raises(LegacyLiftError) as refused:
        model_files(folder)
    message = str(refused.value)
    assert relative in message
    assert str(folder / ".dockerignore") in message and "Delete" in message


def test_templates_binaries_and_ignored_files_pass(tmp_path):
    folder = _folder(
        tmp_path,
        {
            ".env.example": b"DB_PASSWORD=\n",
            "model.joblib": b"\0\x01AKIAABCDEFGHIJKLMNOP" + PRIVATE_KEY,  # binary: not scanned
            ".env": DOTENV,
            ".dockerignore": b".env\n",
        },
    )
    assert sorted(relative for relative, _ in model_files(folder)) == [
        ".env.example",
        "model.joblib",
        "predict.py",
    ]


def test_credential_and_vcs_directories_are_never_copied(tmp_path):
    folder = _folder(
        tmp_path,
        {
            ".aws/config": b"[default]\n",
            ".git/HEAD": b"ref: refs/heads/main\n",
            ".ssh/known_hosts": b"host\n",
            "lib/.git/config": b"[core]\n",
        },
    )
    assert [relative for relative, _ in model_files(folder)] == ["predict.py"]


def _registry_has(credentials, repository: str) -> bool:
    response = requests.get(
        f"http://{credentials['address']}/v2/{repository}/tags/list",
        auth=(credentials["username"], credentials["password"]),
        timeout=10,
    )
    return response.status_code == 200 and bool(response.json().get("tags"))


@pytest.mark.docker
@pytest.mark.registry
@pytest.mark.slow
def test_planted_secrets_refuse_the_build_and_dockerignore_keeps_them_out(
    docker_client, base_image, registry_credentials, models_dir, tfvars_dir, tmp_path
):
    """A sample model with a planted `.env` and private key: refused before building, nothing
    pushed nor pinned; with a `.dockerignore` excluding them, built and pushed, and no layer of
    the image holds either file or the secret."""
    from legacylift.containerise import build_model
    from legacylift.containerise.registry import local_target, repository_name

    name = "secrets-probe"
    folder = copy_sample("iris", models_dir, name)
    (folder / ".env").write_bytes(DOTENV)
    (folder / "keys").mkdir()
    (folder / "keys" / "deploy.pem").write_bytes(PRIVATE_KEY)
    (folder / ".aws").mkdir()
    (folder / ".aws" / "credentials").write_bytes(b"[default]\n")
    repository = repository_name(name)
    pulled = None
    try:
        with pytest.raises(LegacyLiftError) as refused:
            build_model(name, "secrets-test", target=local_target())
        assert ".env" in str(refused.value) and "keys/deploy.pem" in str(refused.value)
        assert not tfvars_dir.exists() or not any(tfvars_dir.iterdir())
        assert docker_client.images.list(name=repository) == []

        (folder / ".dockerignore").write_text(".env\nkeys/\n")
        result = build_model(name, "secrets-test", target=local_target())
        assert _registry_has(registry_credentials, repository)

        # The image as the registry holds it (an earlier run may have pushed it already).
        auth = {key: registry_credentials[key] for key in ("username", "password")}
        pulled = result.image_uri
        pushed = docker_client.images.pull(pulled, auth_config=auth)
        archive_path = tmp_path / "image.tar"
        with archive_path.open("wb") as handle:
            for chunk in pushed.save():
                handle.write(chunk)
        names, contents = [], b""
        with tarfile.open(archive_path) as archive:
            (manifest,) = json.load(archive.extractfile("manifest.json"))
            for layer_name in manifest["Layers"]:
                with tarfile.open(fileobj=archive.extractfile(layer_name)) as layer:
                    for member in layer.getmembers():
                        names.append(member.name)
                        if member.isfile() and member.name.startswith("opt/ml/code/"):
                            contents += layer.extractfile(member).read()
        assert "opt/ml/code/predict.py" in names  # the scan saw the model's files
        leaked = [n for n in names if n.endswith((".env", "deploy.pem")) or "/.aws/" in n]
        assert leaked == []
        assert b"hunter2" not in contents and b"PRIVATE KEY" not in contents
    finally:
        remove_repository_images(docker_client, repository)
        if pulled:  # only the reference this test pulled: the image is shared with iris's
            with contextlib.suppress(docker.errors.APIError):
                docker_client.images.remove(pulled)
