"""Fixtures rendering modules/workflow with real Terraform on a temporary copy of the module.

tftest's setup and cleanup write `.terraform`, lock and state files where they run, so the
module is copied once per session and each render keeps its own state file there.
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MODULE = REPO / "modules" / "workflow"

ACCOUNT = "123456789012"
REGION = "eu-west-1"
DIGEST = "sha256:" + "ab" * 32
FRAMEWORK_IMAGE = (
    f"141502667606.dkr.ecr.{REGION}.amazonaws.com/sagemaker-scikit-learn@sha256:" + "cd" * 32
)
GENERIC_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/legacylift-dev--generic-sagemaker"


def role_arn(name: str) -> str:
    """The ARN of model `name`'s own execution role (the module's naming)."""
    return f"arn:aws:iam::{ACCOUNT}:role/legacylift-dev-{name}-sagemaker"


def model_image(name: str) -> str:
    """A digest-pinned ECR image URI for model `name`."""
    return f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/legacylift/{name}@{DIGEST}"


def code_uris(name: str) -> dict[str, str]:
    """Content-hashed script URIs for model `name`'s script-mode steps."""
    return {
        "preprocessing": f"s3://legacylift-dev-data/{name}/code/1111/",
        "postprocessing": f"s3://legacylift-dev-data/{name}/code/2222/",
    }


def model_entry(name: str, **settings) -> dict:
    """A models entry as the build writes it, with `settings` merged in."""
    return {"image_uri": model_image(name), "code_uris": code_uris(name), **settings}


def base_vars(models: dict, **overrides) -> dict:
    """Module variables for `models`, with `overrides` replacing any of them."""
    variables = {
        "name_prefix": "legacylift-dev",
        "models": models,
        "framework_image_uri": FRAMEWORK_IMAGE,
        "data_bucket": "legacylift-dev-data",
        "aws_region": REGION,
        "aws_account_id": ACCOUNT,
    }
    variables.update(overrides)
    return variables


class WorkflowRenderer:
    """Applies modules/workflow (a temporary copy) with given variables; returns its outputs."""

    def __init__(self, workdir: Path, binary: Path) -> None:
        from legacylift.terraform_env import terraform_env
        from tests.terraform.tfcopy import DrainedTerraformTest

        self.workdir = workdir
        self.tf = DrainedTerraformTest(str(workdir), binary=str(binary), env=terraform_env())
        self.tf.setup(cleanup_on_exit=False)

    def render(self, variables: dict) -> dict:
        """Outputs (name -> value) of `terraform apply` with `variables` as a var file."""
        run = uuid.uuid4().hex
        var_file = self.workdir / f"{run}.tfvars.json"
        var_file.write_text(json.dumps(variables))
        state = f"{run}.tfstate"
        try:
            self.tf.apply(tf_var_file=var_file.name, state=state)
            outputs = self.tf.output(state=state)
        finally:
            var_file.unlink()
        return {name: value for name, value in outputs.items()}

    def render_error(self, variables: dict) -> str:
        """The error text of an apply with `variables` that must fail."""
        import tftest

        try:
            self.render(variables)
        except tftest.TerraformTestError as exc:
            return " ".join(str(part) for part in exc.args)
        raise AssertionError("terraform apply succeeded but was expected to fail")


@pytest.fixture(scope="session")
def workflow(tmp_path_factory) -> WorkflowRenderer:
    """A renderer of modules/workflow on a session-wide temporary copy."""
    from legacylift.errors import LegacyLiftError
    from legacylift.terraform_env import terraform_binary
    from tests.conftest import require

    try:
        binary = terraform_binary()
    except LegacyLiftError as exc:
        require(False, str(exc))
    workdir = tmp_path_factory.mktemp("workflow") / "module"
    shutil.copytree(MODULE, workdir, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    return WorkflowRenderer(workdir, binary)


def uncaught_job_tasks(document: dict) -> list[str]:
    """The processing-job Task states of a definition (Map item processors included), each
    checked to fail itself when its job fails: a Catch would end the run in another state (a
    Fail state), which is the state Step Functions' redrive restarts and fails in again. The
    API's transient exceptions stay retried in place. Returns the Task names checked."""
    from tests.workflow.asl_evaluation import SAGEMAKER_TASK

    checked = []
    for name, state in document["States"].items():
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if processor:
            checked += uncaught_job_tasks(processor)
        for branch in state.get("Branches", []):
            checked += uncaught_job_tasks(branch)
        if state.get("Resource") != SAGEMAKER_TASK:
            continue
        retried = {error for rule in state.get("Retry", []) for error in rule["ErrorEquals"]}
        assert {
            "SageMaker.AmazonSageMakerException",
            "SageMaker.ResourceLimitExceededException",
        } <= retried, name
        assert not retried & {"States.TaskFailed", "States.ALL"}, f"{name} retries a failed job"
        assert "Catch" not in state, f"{name} catches its job's failure"
        checked.append(name)
    return checked
