"""Every AWS task turns AWS's refusals into one line naming the action and the fix, exit 1.

The moto server answers requests signed with its refusing access keys (tests/moto_server.py)
with AWS's own AccessDenied and ExpiredToken errors; each task runs as a user runs it
(`invoke TASK` in a subprocess) against a workspace deployed on a provider-free stand-in root.
Planted bug, seen red: with the AWS branch of tasks/cli.py's `_fail_cleanly` removed, `status` and
`upload-input` (which raises S3UploadFailedError) print a traceback for AccessDenied and for a
token expiring mid-command; only the STS check's own message was left.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from legacylift.paths import REPO_ROOT
from tests.aws import test_operations
from tests.aws.conftest import write_config
from tests.moto_server import DENIED_ACCESS_KEY, EXPIRED_ACCESS_KEY, EXPIRING_ACCESS_KEY
from tests.terraform import conftest as terraform_fixtures

# The stand-in root, its deployed workspace and the provider check, shared with those tests.
workspace = test_operations.workspace
stub_root = test_operations.stub_root
deployed = test_operations.deployed
aws_provider = terraform_fixtures.aws_provider

REFUSALS = {
    "access-denied": (DENIED_ACCESS_KEY, ("AccessDenied", "grant it that permission")),
    "expired-at-sts": (EXPIRED_ACCESS_KEY, ("ExpiredToken", "refresh them")),
    "expired-mid-command": (EXPIRING_ACCESS_KEY, ("ExpiredToken", "refresh them")),
}


def run_task(args: list[str], access_key: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, AWS_ACCESS_KEY_ID=access_key)
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def assert_one_line(result: subprocess.CompletedProcess, task: str, expected: tuple[str, str]):
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output, output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines
    code, fix = expected
    assert code in lines[0] and fix in lines[0], lines[0]


def task_arguments(task: str, workspace: str, tmp_path) -> list[str]:
    data = tmp_path / "input.csv"
    data.write_text("a,b\n1,2\n")
    arn = f"arn:aws:states:us-east-1:123456789012:execution:legacylift-{workspace}-iris:gone"
    return {
        "bootstrap-backend": ["--bucket", f"{workspace}-refused-state", "--region", "us-east-1"],
        "upload-input": ["iris", str(data), "--workspace", workspace],
        "run": ["iris", "--workspace", workspace, "--input", "s3://bkt-1/in/", "--no-wait"],
        "status": ["iris", "--workspace", workspace],
        "logs": [arn],
        "build-model": ["iris", "--workspace", workspace, "--registry", "ecr"],
    }[task]


@pytest.mark.parametrize("refusal", sorted(REFUSALS))
@pytest.mark.parametrize(
    "task", ["bootstrap-backend", "upload-input", "run", "status", "logs", "build-model"]
)
def test_refused_aws_calls_give_one_line_and_exit_1(deployed, workspace, tmp_path, task, refusal):
    access_key, expected = REFUSALS[refusal]
    result = run_task([task, *task_arguments(task, workspace, tmp_path)], access_key)
    assert_one_line(result, task, expected)


AWS_ROOT = """
provider "aws" {
  region                      = "us-east-1"
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    sts = "ENDPOINT"
    sfn = "ENDPOINT"
  }
}

data "aws_sfn_state_machine" "iris" {
  name = "legacylift-WORKSPACE-iris"
}
"""


@pytest.mark.aws_provider
@pytest.mark.parametrize("refusal", sorted(REFUSALS))
def test_deploy_refused_by_aws_gives_one_line(
    deployed, workspace, tmp_path, monkeypatch, aws_provider, refusal
):
    """The refusal reaches Terraform's AWS provider: its error becomes the same one line."""
    root = write_config(
        tmp_path / "aws-root",
        test_operations.STUB_ROOT
        + AWS_ROOT.replace("ENDPOINT", os.environ["AWS_ENDPOINT_URL"]).replace(
            "WORKSPACE", workspace
        ),
    )
    monkeypatch.setenv("LEGACYLIFT_TERRAFORM_DIR", str(root))
    access_key, expected = REFUSALS[refusal]
    assert_one_line(run_task(["deploy", "--workspace", workspace], access_key), "deploy", expected)
