"""`invoke deploy` on the real deployment root (terraform/ + the root module) with the real AWS
provider, applying into moto on 127.0.0.1, state in Terraform's S3 backend (also in moto).

One module-scoped deployment of two workspaces (dev, prod) is shared by the tests: each apply
takes a minute or two on 2 cores. Tests run on a copy of the tree (tests/terraform/tfcopy.py),
never in terraform/ itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import boto3
import pytest

from legacylift.aws import executions, operations
from legacylift.aws.backend import bootstrap_backend
from legacylift.aws.deploy import deploy
from legacylift.paths import REPO_ROOT, TERRAFORM_ROOT
from legacylift.report.reporter import Reporter
from legacylift.terraform_env import find_provider_mirror
from tests.aws.test_state_backend import moto_backend_settings
from tests.conftest import require
from tests.moto_server import FAKE_CREDENTIALS

pytestmark = [pytest.mark.slow, pytest.mark.aws_provider]

WORKSPACES = ("dev", "prod")
DIGEST = "@sha256:" + "cd" * 32
STATE_BUCKET = "legacylift-deploy-test-tfstate"


def image_uri(workspace: str) -> str:
    return f"123456789012.dkr.ecr.us-east-1.amazonaws.com/legacylift-{workspace}/iris{DIGEST}"


@pytest.fixture(scope="module")
def real_root(moto_server, tmp_path_factory):
    """A copy of the tree whose terraform/ talks to moto; both workspaces deployed."""
    assert (TERRAFORM_ROOT / "main.tf").is_file(), f"no deployment root in {TERRAFORM_ROOT}"
    from tests.terraform.tfcopy import copy_terraform_tree, moto_provider_block

    require(find_provider_mirror() is not None, "no hashicorp/aws provider mirror: ./bootstrap")
    tree = copy_terraform_tree(tmp_path_factory.mktemp("tree"))
    root = tree / "terraform"
    # An override file merges into terraform/'s provider block: every endpoint to moto.
    (root / "moto_override.tf").write_text(moto_provider_block(moto_server.endpoint))
    with pytest.MonkeyPatch.context() as env:
        for key, value in FAKE_CREDENTIALS.items():
            env.setenv(key, value)
        env.setenv("AWS_ENDPOINT_URL", moto_server.endpoint)
        env.setenv("LEGACYLIFT_TFVARS_DIR", str(root / "tfvars"))
        env.setenv("LEGACYLIFT_TERRAFORM_DIR", str(root))
        aws = boto3.session.Session(region_name="us-east-1")
        backend = bootstrap_backend(aws, STATE_BUCKET, root / "backend.hcl")
        backend.write_text(backend.read_text() + moto_backend_settings(moto_server.endpoint))
        results = {}
        for workspace in WORKSPACES:
            # Workspace settings (a var file of its own) and the build's image pins.
            (root / "tfvars" / f"{workspace}.tfvars").write_text(
                f'ecr_repository_prefix = "legacylift-{workspace}/"\nforce_destroy = true\n'
            )
            (root / "tfvars" / f"{workspace}.models.tfvars.json").write_text(
                json.dumps({"models": {"iris": {"image_uri": image_uri(workspace)}}})
            )
            results[workspace] = deploy(workspace)
        yield root, results


@pytest.fixture
def at_root(real_root, aws_env, monkeypatch):
    """Per-test environment on the deployed copy (the autouse fixture moved the tfvars dir)."""
    root, results = real_root
    monkeypatch.setenv("LEGACYLIFT_TFVARS_DIR", str(root / "tfvars"))
    monkeypatch.setenv("LEGACYLIFT_TERRAFORM_DIR", str(root))
    return root, results


def test_two_workspaces_side_by_side(at_root):
    _, results = at_root
    dev, prod = results["dev"].outputs, results["prod"].outputs
    assert results["dev"].applied and results["prod"].applied
    assert results["dev"].changes["create"]["aws_sfn_state_machine"] == 1
    assert dev["state_machine_arns"]["iris"].endswith(":stateMachine:legacylift-dev-iris")
    assert prod["state_machine_arns"]["iris"].endswith(":stateMachine:legacylift-prod-iris")
    assert dev["data_bucket"] != prod["data_bucket"]
    # Each workspace's own var file reached Terraform (its ECR prefix).
    assert "/legacylift-dev/iris" in dev["ecr_repository_urls"]["iris"]
    assert "/legacylift-prod/iris" in prod["ecr_repository_urls"]["iris"]
    sfn = boto3.client("stepfunctions")
    for outputs in (dev, prod):
        machine = sfn.describe_state_machine(stateMachineArn=outputs["state_machine_arns"]["iris"])
        assert "createProcessingJob.sync" in machine["definition"]
    keys = {
        item["Key"] for item in boto3.client("s3").list_objects_v2(Bucket=STATE_BUCKET)["Contents"]
    }
    assert {f"env:/{ws}/legacylift/terraform.tfstate" for ws in WORKSPACES} <= keys


def test_redeploy_after_the_other_workspace_changes_nothing(at_root, capsys):
    again = deploy("dev")
    assert not again.applied
    assert "workspace dev is up to date" in capsys.readouterr().out


def test_deploy_task_refuses_unpinned_image_with_exit_code(at_root, tmp_path):
    root, _ = at_root
    tfvars = tmp_path / "tfvars"
    tfvars.mkdir()
    unpinned = {"models": {"iris": {"image_uri": "127.0.0.1:5000/legacylift/iris:latest"}}}
    (tfvars / "dev.models.tfvars.json").write_text(json.dumps(unpinned))
    env = dict(os.environ, LEGACYLIFT_TFVARS_DIR=str(tfvars))
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "deploy", "--workspace", "dev"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    assert "not pinned by digest" in result.stderr and "iris" in result.stderr


def test_run_no_wait_starts_the_deployed_state_machine(at_root):
    _, results = at_root
    dev = results["dev"].outputs
    started = operations.run("iris", "dev", "s3://legacylift-in/iris/", name="deployed", wait=False)
    arn = started.arn
    described = boto3.client("stepfunctions").describe_execution(executionArn=arn)
    assert described["stateMachineArn"] == dev["state_machine_arns"]["iris"]
    assert described["stateMachineAliasArn"] == dev["state_machine_alias_arns"]["iris"]
    assert json.loads(described["input"]) == {
        "input_uri": "s3://legacylift-in/iris/",
        "output_uri": f"s3://{dev['data_bucket']}/iris/output/deployed/",
    }


@pytest.fixture
def interpreted_machine(at_root, moto_server):
    """The ASL `deploy` rendered for dev's iris, in a state machine that moto's Step Functions
    interpreter really executes. Its interpreter keeps its own state machines, so the deployed
    definition is copied into one created while it is on; it is switched off again afterwards
    (other tests expect executions to stay RUNNING)."""
    import requests

    def interpret(value: bool) -> None:
        config = {"stepfunctions": {"execute_state_machine": value}}
        requests.post(f"{moto_server.endpoint}/moto-api/config", json=config, timeout=30)

    _, results = at_root
    sfn = boto3.client("stepfunctions")
    deployed = sfn.describe_state_machine(
        stateMachineArn=results["dev"].outputs["state_machine_arns"]["iris"]
    )
    interpret(True)
    try:
        yield sfn.create_state_machine(
            name=f"{deployed['name']}-interpreted",
            definition=deployed["definition"],
            roleArn=deployed["roleArn"],
        )["stateMachineArn"]
    finally:
        interpret(False)


def test_follow_an_execution_of_the_deployed_asl(interpreted_machine, capsys):
    sfn = boto3.client("stepfunctions")
    bad_input = {"input_uri": "file:///home/me/iris.csv", "output_uri": "s3://bkt-1/out/"}
    arn = sfn.start_execution(
        stateMachineArn=interpreted_machine, name="bad-input", input=json.dumps(bad_input)
    )["executionArn"]
    polls = []

    def sleep(seconds: float) -> None:
        polls.append(seconds)
        assert len(polls) < 60, "moto's execution did not finish within 60 polls"
        time.sleep(seconds)

    reporter = Reporter("text", live=False)
    status, _ = executions.follow(sfn, arn, poll_seconds=0.5, sleep=sleep, reporter=reporter)
    assert status == "FAILED"
    summary = executions.report_failure(reporter, boto3.client("logs"))
    assert summary == "step 'InvalidInput' failed: LegacyLift.InvalidInput"
    assert "The execution input must be" in capsys.readouterr().err  # the Fail state's cause


def test_rollback_of_a_real_deploy_survives_the_next_deploy(at_root):
    """A second digest deployed into `prod` publishes version 2 and moves `live`; rollback
    moves `live` back to version 1 and pins the first digest again, and the next deploy
    publishes that definition (version 3) instead of undoing the rollback."""
    root, results = at_root
    sfn = boto3.client("stepfunctions")
    machine = results["prod"].outputs["state_machine_arns"]["iris"]
    alias = results["prod"].outputs["state_machine_alias_arns"]["iris"]
    first = image_uri("prod")
    second = first.replace(DIGEST, "@sha256:" + "ef" * 32)
    pins = root / "tfvars" / "prod.models.tfvars.json"
    pins.write_text(json.dumps({"models": {"iris": {"image_uri": second}}}))
    deploy("prod")

    def live() -> tuple[str, str]:
        routes = sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
        version = routes["routingConfiguration"][0]["stateMachineVersionArn"]
        return version, sfn.describe_state_machine(stateMachineArn=version)["definition"]

    version, definition = live()
    assert version == f"{machine}:2" and second in definition

    operations.rollback("iris", "prod")
    version, definition = live()
    assert version == f"{machine}:1" and first in definition and second not in definition
    assert json.loads(pins.read_text())["models"]["iris"]["image_uri"] == first

    assert deploy("prod").applied
    version, definition = live()
    assert version == f"{machine}:3" and first in definition
