"""modules/state-machine publishes a version on each definition change and keeps the `live`
alias on the latest one: applied alone into moto with the real AWS provider, twice."""

from __future__ import annotations

import json
import shutil

import boto3
import pytest

from tests.terraform.tfcopy import REPO_ROOT, moto_provider_block, terraform

pytestmark = [pytest.mark.aws_provider, pytest.mark.slow]

NAME = "smv-versions"


def _definition(comment: str) -> str:
    return json.dumps(
        {"Comment": comment, "StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    )


POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
        ],
    }
)


def _apply(directory, comment: str) -> dict:
    (directory / "test.tfvars.json").write_text(
        json.dumps({"definition": _definition(comment), "policy_json": POLICY})
    )
    terraform(
        directory,
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-var-file=test.tfvars.json",
    )
    outputs = json.loads(terraform(directory, "output", "-json").stdout)
    return {name: value["value"] for name, value in outputs.items()}


@pytest.fixture(scope="module")
def module_dir(tmp_path_factory, moto_aws):
    """modules/state-machine copied with a provider pointing at moto; destroyed afterwards."""
    directory = tmp_path_factory.mktemp("state-machine")
    shutil.copytree(REPO_ROOT / "modules" / "state-machine", directory, dirs_exist_ok=True)
    (directory / "provider.tf").write_text(moto_provider_block(moto_aws.endpoint))
    (directory / "test.auto.tfvars.json").write_text(json.dumps({"name": NAME}))
    terraform(directory, "init", "-backend=false", "-input=false", "-no-color")
    yield directory
    terraform(
        directory,
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-var-file=test.tfvars.json",
        check=False,
    )


def test_each_definition_change_publishes_a_version_and_moves_the_alias(module_dir):
    """Planted bug: `publish = true` removed from aws_sfn_state_machine (no version, no alias
    target), or the alias pinned to the first version: the second apply leaves `live` behind."""
    sfn = boto3.client("stepfunctions", region_name="us-east-1")
    first = _apply(module_dir, "first")
    assert first["state_machine_version_arn"] == f"{first['state_machine_arn']}:1"
    assert first["alias_arn"] == f"{first['state_machine_arn']}:live"
    alias = sfn.describe_state_machine_alias(stateMachineAliasArn=first["alias_arn"])
    assert [route["stateMachineVersionArn"] for route in alias["routingConfiguration"]] == [
        first["state_machine_version_arn"]
    ]

    second = _apply(module_dir, "second")
    assert second["state_machine_version_arn"] == f"{first['state_machine_arn']}:2"
    alias = sfn.describe_state_machine_alias(stateMachineAliasArn=second["alias_arn"])
    assert alias["routingConfiguration"] == [
        {"stateMachineVersionArn": second["state_machine_version_arn"], "weight": 100}
    ]
    old = sfn.describe_state_machine(stateMachineArn=first["state_machine_version_arn"])
    assert json.loads(old["definition"])["Comment"] == "first"

    # No change: no new version, the alias stays.
    again = _apply(module_dir, "second")
    assert again["state_machine_version_arn"] == second["state_machine_version_arn"]


def test_starters_may_start_the_alias_only(module_dir):
    """Planted bug: the start policy lets the state machine be started without the alias as
    its qualifier (no states:StateMachineQualifier condition), so a starter could run an
    unpublished definition or a version the alias left."""
    outputs = _apply(module_dir, "second")
    policy = json.loads(outputs["start_policy_json"])
    starts = [s for s in policy["Statement"] if "states:StartExecution" in _list(s["Action"])]
    assert len(starts) == 1
    # AWS authorizes a start through an alias against the state machine's ARN, with the
    # alias name as the qualifier condition key.
    assert sorted(_list(starts[0]["Resource"])) == sorted(
        [outputs["state_machine_arn"], outputs["alias_arn"]]
    )
    assert starts[0]["Condition"] == {"StringEquals": {"states:StateMachineQualifier": "live"}}
    assert all("*" not in action for s in policy["Statement"] for action in _list(s["Action"]))


def _list(value) -> list:
    return value if isinstance(value, list) else [value]
