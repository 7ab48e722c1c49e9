"""Every bad input of `build-model` fails with a message naming the problem and the fix, and
leaves the workspace's tfvars byte for byte as they were."""

from __future__ import annotations

import pytest

from legacylift.containerise import build_model
from legacylift.containerise.registry import RegistryTarget, ecr_target, local_target
from legacylift.errors import LegacyLiftError
from legacylift.tfvars import tfvars_path
from tests.containerise.conftest import copy_sample

BEFORE = '{\n  "models": {\n    "keep": {\n      "image_uri": null\n    }\n  }\n}\n'


@pytest.fixture
def pinned(tfvars_dir):
    """A workspace tfvars file that must come out of every failure unchanged."""
    path = tfvars_path("bad")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(BEFORE)
    yield path
    assert path.read_text() == BEFORE, "a failed build must not touch the tfvars"


def test_unknown_model(pinned):
    with pytest.raises(LegacyLiftError, match=r"unknown model 'no-such-model'.*known models"):
        build_model("no-such-model", "bad", registry="local")


@pytest.mark.parametrize("name", ["Iris", "1iris", "iris_v2", "a" * 33, "", "../iris"])
def test_invalid_name(pinned, name):
    with pytest.raises(LegacyLiftError, match="invalid model name"):
        build_model(name, "bad", registry="local")


def test_missing_required_file(pinned, models_dir):
    (copy_sample("iris", models_dir, "no-predict") / "predict.py").unlink()
    with pytest.raises(LegacyLiftError, match=r"missing predict\.py"):
        build_model("no-predict", "bad", registry="local")


def test_unreachable_daemon(pinned, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")
    with pytest.raises(LegacyLiftError, match="cannot reach the Docker daemon"):
        build_model("iris", "bad", push=False)


def test_invalid_workspace(tfvars_dir):
    with pytest.raises(LegacyLiftError, match="invalid workspace"):
        build_model("iris", "../etc", registry="local")


@pytest.mark.docker
@pytest.mark.slow
def test_requirements_that_fail_to_install_show_pips_error(pinned, models_dir, base_image):
    folder = copy_sample("iris", models_dir, "bad-requirements")
    (folder / "requirements.txt").write_text("legacylift-no-such-package==0.0.1\n")
    with pytest.raises(LegacyLiftError) as failure:
        build_model("bad-requirements", "bad", push=False)
    message = str(failure.value)
    assert "failed at Step" in message and "pip install" in message
    assert "installer said: ERROR:" in message and "legacylift-no-such-package" in message
    assert "fix the model's requirements.txt" in message


@pytest.mark.docker
@pytest.mark.registry
def test_registry_auth_failure(pinned, registry_credentials, base_image, monkeypatch):
    from legacylift.containerise import images

    def forbidden(*args, **kwargs):
        raise AssertionError("bad credentials must stop the build before it starts")

    monkeypatch.setattr(images, "stream_build", forbidden)
    target = RegistryTarget(registry_credentials["address"], "legacylift-nobody", "wrong")
    with pytest.raises(LegacyLiftError, match="rejected the credentials"):
        build_model("iris", "bad", target=target)


@pytest.mark.docker
def test_missing_ecr_repository(pinned, aws_env, base_image):
    with pytest.raises(LegacyLiftError, match=r"legacylift/iris does not exist.*terraform"):
        build_model("iris", "bad", target=ecr_target())


def test_no_aws_credentials_for_ecr(pinned, monkeypatch, tmp_path):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with pytest.raises(LegacyLiftError, match="getting an ECR login"):
        build_model("iris", "bad", registry="ecr")


@pytest.mark.registry
def test_registry_that_does_not_answer(pinned):
    target = RegistryTarget("127.0.0.1:9", "user", "password")
    with pytest.raises(LegacyLiftError, match="does not answer"):
        build_model("iris", "bad", target=target)


def test_local_registry_target_uses_setup_credentials(registry_credentials):
    target = local_target()
    assert target.address == registry_credentials["address"]
    assert target.auth_config == {
        "username": registry_credentials["username"],
        "password": registry_credentials["password"],
    }
