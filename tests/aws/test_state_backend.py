"""`bootstrap-backend` in moto, then real Terraform's S3 backend (state in moto's S3, locks in
its DynamoDB) holding two workspaces side by side."""

from __future__ import annotations

import boto3
import pytest

from legacylift.aws.backend import bootstrap_backend
from legacylift.aws.terraform import TerraformRunner, private_plan_dir
from legacylift.errors import LegacyLiftError
from tests.aws.conftest import PROVIDER_FREE, write_config


def moto_backend_settings(endpoint: str) -> str:
    """What pointing Terraform 1.0's S3 backend at moto takes, beyond the real settings."""
    return (
        f'endpoint                    = "{endpoint}"\n'
        f'dynamodb_endpoint           = "{endpoint}"\n'
        f'sts_endpoint                = "{endpoint}"\n'
        f'iam_endpoint                = "{endpoint}"\n'
        "force_path_style            = true\n"
        "skip_credentials_validation = true\n"
        "skip_metadata_api_check     = true\n"
        "skip_region_validation      = true\n"
    )


def test_bootstrap_backend_then_two_workspaces_in_s3(aws_env, tmp_path, terraform_ok):
    aws = boto3.session.Session(region_name="eu-west-1")
    config = bootstrap_backend(aws, "legacylift-tfstate-test", tmp_path / "backend.hcl")
    again = bootstrap_backend(aws, "legacylift-tfstate-test", tmp_path / "backend.hcl")
    assert again == config  # idempotent
    s3 = aws.client("s3")
    assert s3.get_bucket_versioning(Bucket="legacylift-tfstate-test")["Status"] == "Enabled"
    block = s3.get_public_access_block(Bucket="legacylift-tfstate-test")
    assert all(block["PublicAccessBlockConfiguration"].values())
    text = config.read_text()
    assert 'dynamodb_table = "legacylift-tfstate-test-lock"' in text
    assert 'region         = "eu-west-1"' in text

    config.write_text(text + moto_backend_settings(aws_env.endpoint))
    root = write_config(tmp_path / "root", 'terraform {\n  backend "s3" {}\n}\n' + PROVIDER_FREE)
    runner = TerraformRunner(root)
    runner.init(config)
    for workspace in ("dev", "prod"):
        runner.ensure_workspace(workspace)
        with private_plan_dir() as plan_dir:
            plan = runner.plan(workspace, plan_dir, overrides={"greeting": f"hi {workspace}"})
            runner.apply_plan(workspace, plan)
    keys = {
        item["Key"] for item in s3.list_objects_v2(Bucket="legacylift-tfstate-test")["Contents"]
    }
    assert {
        "env:/dev/legacylift/terraform.tfstate",
        "env:/prod/legacylift/terraform.tfstate",
    } <= keys
    assert runner.outputs("dev")["greeting"] == "hi dev"
    assert runner.outputs("prod")["greeting"] == "hi prod"
    # A second checkout (fresh .terraform) sees the same workspaces from the backend.
    other = TerraformRunner(write_config(tmp_path / "other", (root / "main.tf").read_text()))
    other.init(config)
    other.require_workspace("prod")
    assert other.outputs("prod")["greeting"] == "hi prod"


def test_bootstrap_backend_rejects_bad_bucket_names(aws_env, tmp_path):
    aws = boto3.session.Session(region_name="eu-west-1")
    with pytest.raises(LegacyLiftError, match="invalid bucket name"):
        bootstrap_backend(aws, "Not_A_Bucket", tmp_path / "backend.hcl")
    assert not (tmp_path / "backend.hcl").exists()
