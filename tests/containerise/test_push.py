"""Pushing to the real local registry (htpasswd auth) and to "ECR" (moto on loopback for the
ECR API, the local registry standing in for ECR's registry endpoint); digests pinned into
tfvars equal the registry's own; concurrent builds keep every tfvars entry."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests

from legacylift.containerise import build_model, images
from legacylift.containerise.code_folder import code_files
from legacylift.containerise.registry import (
    MANIFEST_TYPES,
    EcrTarget,
    RegistryTarget,
    ecr_target,
    local_target,
)
from legacylift.errors import LegacyLiftError
from legacylift.models import load_model
from legacylift.paths import REPO_ROOT
from legacylift.tfvars import read_models, tfvars_path

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]


def registry_digest(credentials, repository: str, tag: str) -> str:
    """What the registry itself records for repository:tag (asked independently of the code
    under test)."""
    response = requests.head(
        f"http://{credentials['address']}/v2/{repository}/manifests/{tag}",
        auth=(credentials["username"], credentials["password"]),
        headers={"Accept": MANIFEST_TYPES},
        timeout=10,
    )
    assert response.status_code == 200
    return response.headers["Docker-Content-Digest"]


def test_build_model_pushes_and_pins_the_registry_digest(
    sample_images, registry_credentials, tfvars_dir
):
    path = tfvars_path("push-test")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"models": {"other": {"image_uri": None}}, "extra": 1}))

    result = build_model("iris", "push-test", target=local_target())

    entry = read_models("push-test")["iris"]
    tag = result.image.content_hash
    digest = registry_digest(registry_credentials, "legacylift/iris", tag)
    assert entry["image_uri"] == f"{registry_credentials['address']}/legacylift/iris@{digest}"
    assert entry["source_hash"] == tag
    assert entry["steps"] == ["preprocessing", "inference", "postprocessing"]
    assert entry["defaults"]["instance_type"] == "ml.m5.large"
    assert entry["code_files"] == [relative for relative, _ in code_files(load_model("iris").path)]
    whole = json.loads(path.read_text())
    assert whole["models"]["other"] == {"image_uri": None} and whole["extra"] == 1

    from legacylift.model_table import model_table

    row = next(line for line in model_table().splitlines() if line.startswith("iris "))
    assert tag in row and digest.removeprefix("sha256:")[:12] in row and "stale" not in row


def test_unchanged_model_already_in_the_registry_is_neither_built_nor_pushed(
    sample_images, registry_credentials, tfvars_dir, monkeypatch
):
    first = build_model("iris", "noop-test", target=local_target())

    def forbidden(*args, **kwargs):
        raise AssertionError("nothing changed: no build and no push expected")

    monkeypatch.setattr(images, "stream_build", forbidden)
    monkeypatch.setattr(images, "stream_push", forbidden)
    second = build_model("iris", "noop-test", target=local_target())
    assert second.image_uri == first.image_uri


def test_concurrent_builds_into_one_workspace_keep_both_entries(
    sample_images, registry_credentials, tfvars_dir
):
    """Two `build-model` processes at once (iris and diabetes) into the same workspace."""
    code = (
        "import sys; from legacylift.containerise import build_model; "
        "from legacylift.containerise.registry import local_target; "
        "build_model(sys.argv[1], 'concurrent', target=local_target())"
    )
    env = {**__import__("os").environ, "LEGACYLIFT_TFVARS_DIR": str(tfvars_dir)}
    procs = [
        subprocess.Popen([sys.executable, "-c", code, name], cwd=REPO_ROOT, env=env)
        for name in ("iris", "diabetes")
    ]
    assert [proc.wait(timeout=600) for proc in procs] == [0, 0]
    pinned = read_models("concurrent")
    assert set(pinned) == {"iris", "diabetes"}
    for name in ("iris", "diabetes"):
        tag = pinned[name]["source_hash"]
        digest = registry_digest(registry_credentials, f"legacylift/{name}", tag)
        assert pinned[name]["image_uri"].endswith(f"@{digest}")


@pytest.fixture
def ecr_repository(aws_env):
    """Creates repositories in the session's moto and deletes them afterwards: the names are
    the ones the deployment tests later apply into the same server."""
    import boto3

    ecr, created = boto3.client("ecr"), []

    def create(name: str):
        ecr.create_repository(repositoryName=name)
        created.append(name)
        return ecr

    yield create
    for name in created:
        ecr.delete_repository(repositoryName=name, force=True)


def test_ecr_path_against_moto(sample_images, registry_credentials, tfvars_dir, ecr_repository):
    """get_authorization_token and the repository lookup go to moto; the push goes to the
    local registry standing in for ECR's endpoint; the pinned digest is the registry's."""
    plain = ecr_target()
    assert plain.username == "AWS" and plain.password
    assert plain.address.endswith(".dkr.ecr.us-east-1.amazonaws.com")

    ecr_repository("legacylift/churn")
    target = ecr_target(
        endpoint_override=registry_credentials["address"],
        credentials_override=registry_credentials,
    )
    result = build_model("churn", "ecr-test", target=target)
    digest = registry_digest(registry_credentials, "legacylift/churn", result.image.content_hash)
    assert read_models("ecr-test")["churn"]["image_uri"].endswith(f"/legacylift/churn@{digest}")


def test_ecr_digest_lookup_uses_describe_images(ecr_repository):
    ecr = ecr_repository("legacylift/lookup-test")
    manifest = json.dumps({"schemaVersion": 2, "mediaType": MANIFEST_TYPES.split(", ")[0]})
    ecr.put_image(repositoryName="legacylift/lookup-test", imageManifest=manifest, imageTag="t1")
    recorded = ecr.describe_images(repositoryName="legacylift/lookup-test")["imageDetails"][0]
    target = EcrTarget("unused.example", ecr=ecr)
    assert target.remote_digest("lookup-test", "t1") == recorded["imageDigest"]
    assert target.remote_digest("lookup-test", "absent") is None


def test_push_whose_digest_ecr_does_not_record_is_not_pinned(
    sample_images, registry_credentials, tfvars_dir, ecr_repository
):
    """The push succeeds but ECR (moto) has no such image: the digest cannot be verified, so
    nothing is pinned."""
    ecr = ecr_repository("legacylift/iris")
    target = EcrTarget(
        registry_credentials["address"],
        registry_credentials["username"],
        registry_credentials["password"],
        ecr,
    )
    with pytest.raises(LegacyLiftError, match="records no image"):
        build_model("iris", "unverified", target=target)
    assert not tfvars_path("unverified").exists()


def test_wrong_password_is_reported_before_building(registry_credentials, tfvars_dir):
    target = RegistryTarget(registry_credentials["address"], registry_credentials["username"], "x")
    with pytest.raises(LegacyLiftError, match="rejected the credentials"):
        target.check_access("iris")
