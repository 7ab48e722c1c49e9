"""Fixtures of the Terraform tests: the real AWS provider from the offline mirror, tree copies."""

from __future__ import annotations

import pytest

from legacylift.errors import LegacyLiftError
from legacylift.terraform_env import cli_config_path, find_provider_mirror, terraform_binary
from tests.conftest import require


@pytest.fixture(scope="session")
def aws_provider() -> None:
    """Skip (locally) or fail (CI) unless Terraform and the hashicorp/aws mirror are set up."""
    try:
        terraform_binary()
    except LegacyLiftError as exc:
        require(False, str(exc))
    mirror = find_provider_mirror()
    require(
        mirror is not None and (mirror / "registry.terraform.io" / "hashicorp" / "aws").is_dir(),
        "no filesystem mirror holding hashicorp/aws: Terraform cannot install the AWS provider "
        "offline (set LEGACYLIFT_TF_MIRROR and rerun ./bootstrap)",
    )
    require(
        "hashicorp/aws" in (cli_config_path().read_text() if cli_config_path().exists() else ""),
        f"{cli_config_path()} does not use the provider mirror: rerun ./bootstrap",
    )


@pytest.fixture(scope="module")
def moto_aws(aws_provider, moto_server):
    """The session's moto server, with boto3's environment pointed at it for this module."""
    from tests.moto_server import FAKE_CREDENTIALS

    patch = pytest.MonkeyPatch()
    for key, value in FAKE_CREDENTIALS.items():
        patch.setenv(key, value)
    patch.setenv("AWS_ENDPOINT_URL", moto_server.endpoint)
    patch.delenv("AWS_PROFILE", raising=False)
    yield moto_server
    patch.undo()
