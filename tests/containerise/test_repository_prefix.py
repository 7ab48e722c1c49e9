"""Workspaces sharing one AWS account push to distinct ECR repository prefixes."""

from __future__ import annotations

import pytest

from legacylift.containerise.registry import RegistryTarget, repository_name
from legacylift.errors import LegacyLiftError


def test_default_repository_is_legacylift_slash_name(monkeypatch):
    monkeypatch.delenv("LEGACYLIFT_ECR_REPOSITORY_PREFIX", raising=False)
    assert repository_name("iris") == "legacylift/iris"


def test_prefix_follows_the_workspaces_ecr_repository_prefix(monkeypatch):
    monkeypatch.setenv("LEGACYLIFT_ECR_REPOSITORY_PREFIX", "legacylift-dev/")
    assert repository_name("iris") == "legacylift-dev/iris"
    assert RegistryTarget("127.0.0.1:5000").image_repository("iris") == (
        "127.0.0.1:5000/legacylift-dev/iris"
    )


@pytest.mark.parametrize("bad", ["legacylift", "Legacy/", "a//", "/x/"])
def test_bad_prefix_names_the_setting_and_the_fix(monkeypatch, bad):
    monkeypatch.setenv("LEGACYLIFT_ECR_REPOSITORY_PREFIX", bad)
    with pytest.raises(LegacyLiftError, match="LEGACYLIFT_ECR_REPOSITORY_PREFIX.*legacylift-dev/"):
        repository_name("iris")
