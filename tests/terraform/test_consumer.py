"""Another team's configuration, outside the repository, consumes the root module and
`modules/workflow` as a registry module: by git source pinned to a release tag, with only the
inputs the documentation lists; it plans, and applies into moto on 127.0.0.1."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import boto3
import pytest

from legacylift.paths import REPO_ROOT
from tests.terraform.tfcopy import (
    FIXTURE_MODELS,
    copy_terraform_tree,
    image_uri,
    moto_provider_block,
    terraform,
)

pytestmark = [pytest.mark.aws_provider, pytest.mark.terraform_matrix]

ROOT_DOCS = REPO_ROOT / "README.md"
WORKFLOW_DOCS = REPO_ROOT / "modules" / "workflow" / "README.md"
PREFIX = "consumer"

ROOT_INPUTS = {
    "name_prefix": f'"{PREFIX}"',
    "models_dir": '"${path.module}/models"',
    "models": '{ iris = { image_uri = "'
    + image_uri("iris")
    + '" }, churn = { image_uri = null } }',
    "force_destroy": "true",
    "tags": '{ team = "consumer" }',
}
WORKFLOW_INPUTS = {
    "name_prefix": '"consumer-render"',
    "models": '{ iris = { image_uri = "' + image_uri("iris") + '", steps = ["inference"] } }',
    "framework_image_uri": '"123456789012.dkr.ecr.us-east-1.amazonaws.com/sklearn@sha256:'
    + "b" * 64
    + '"',
    "sagemaker_role_arn": '"arn:aws:iam::123456789012:role/consumer-sagemaker"',
    "data_bucket": '"consumer-render-data"',
    "aws_partition": '"aws"',
    "aws_region": '"us-east-1"',
    "aws_account_id": '"123456789012"',
}


def release_version() -> str:
    """The newest version in CHANGELOG.md (its first `## X.Y.Z` heading)."""
    match = re.search(r"^## (\d+\.\d+\.\d+)\s*$", (REPO_ROOT / "CHANGELOG.md").read_text(), re.M)
    assert match, "CHANGELOG.md has no `## X.Y.Z` release section"
    return match[1]


def documented_inputs(docs: Path) -> set[str]:
    """Variable names in the `## Inputs` table of a module's documentation."""
    body = docs.read_text().split("## Inputs\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(\w+)` \|", body, re.M))


def module_block(name: str, source: str, inputs: dict[str, str]) -> str:
    lines = "\n".join(f"  {key} = {value}" for key, value in inputs.items())
    return f'module "{name}" {{\n  source = "{source}"\n\n{lines}\n}}\n'


def git(directory: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=release", "-c", "user.email=release@example.invalid", *args],
        cwd=directory,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, str]:
    """The module as it would be released: a git repository of the working tree's Terraform,
    its docs and changelog, tagged `v<CHANGELOG version>`."""
    repository = copy_terraform_tree(tmp_path_factory.mktemp("release") / "legacylift")
    shutil.rmtree(repository / "legacy_models")  # the test's model scripts belong to the consumer
    for name in ("README.md", "CHANGELOG.md"):
        shutil.copy2(REPO_ROOT / name, repository / name)
    tag = f"v{release_version()}"
    git(repository, "init", "-q")
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "-m", "release")
    git(repository, "tag", tag)
    return repository, tag


@pytest.fixture(scope="module")
def consumer(tmp_path_factory, published, moto_aws) -> Path:
    """The other team's configuration, `init`ed: both modules fetched by git at the tag."""
    repository, tag = published
    directory = tmp_path_factory.mktemp("consumer")
    shutil.copytree(FIXTURE_MODELS, directory / "models")
    (directory / "provider.tf").write_text(moto_provider_block(moto_aws.endpoint))
    (directory / "main.tf").write_text(
        module_block("legacylift", f"git::file://{repository}?ref={tag}", ROOT_INPUTS)
        + module_block(
            "workflow", f"git::file://{repository}//modules/workflow?ref={tag}", WORKFLOW_INPUTS
        )
        + 'output "state_machine_arns" {\n  value = module.legacylift.state_machine_arns\n}\n'
        + 'output "definitions" {\n  value = module.workflow.definitions\n}\n'
    )
    terraform(directory, "init", "-input=false", "-no-color")
    return directory


def test_the_consumer_passes_only_documented_inputs():
    assert set(ROOT_INPUTS) <= documented_inputs(ROOT_DOCS)
    assert set(WORKFLOW_INPUTS) <= documented_inputs(WORKFLOW_DOCS)


def test_the_changelog_version_is_the_packages_version():
    pyproject = (REPO_ROOT / "pyproject.toml").read_text()
    assert f'version = "{release_version()}"' in pyproject


def test_modules_come_from_the_tag(consumer, published):
    repository, tag = published
    manifest = json.loads((consumer / ".terraform" / "modules" / "modules.json").read_text())
    sources = {entry["Key"]: entry["Source"] for entry in manifest["Modules"]}
    assert sources["legacylift"] == f"git::file://{repository}?ref={tag}"
    assert sources["workflow"] == f"git::file://{repository}//modules/workflow?ref={tag}"


def test_the_consumer_plans(consumer):
    terraform(consumer, "plan", "-input=false", "-no-color", "-out=consumer.tfplan")
    plan = json.loads(terraform(consumer, "show", "-json", "consumer.tfplan").stdout)
    created = {
        change["address"]
        for change in plan["resource_changes"]
        if change["change"]["actions"] == ["create"]
    }
    assert 'module.legacylift.module.state_machine["iris"].aws_sfn_state_machine.this' in created
    assert not any("churn" in address and "sfn_state_machine" in address for address in created)


@pytest.mark.slow
def test_the_consumer_applies_into_moto_and_destroys(consumer):
    terraform(consumer, "apply", "-input=false", "-no-color", "-auto-approve")
    try:
        outputs = json.loads(terraform(consumer, "output", "-json").stdout)
        arn = outputs["state_machine_arns"]["value"]["iris"]
        machine = boto3.client("stepfunctions", region_name="us-east-1").describe_state_machine(
            stateMachineArn=arn
        )
        assert machine["name"].startswith(PREFIX)
        states = json.loads(outputs["definitions"]["value"]["iris"])["States"]
        assert "Inference" in states and "Preprocessing" not in states
    finally:
        terraform(consumer, "destroy", "-input=false", "-no-color", "-auto-approve")
