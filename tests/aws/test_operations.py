"""deploy, run --no-wait, status, upload-input and their errors, against moto on 127.0.0.1.

The deployment root here is a provider-free stand-in with the outputs of contracts §2 computed
from the image tfvars (§2), so these tests run without the real root module; the state machines
its outputs name are created in moto. tests/aws/test_deploy_aws.py drives the real root.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import uuid

import boto3
import pytest
from botocore.stub import Stubber

from legacylift import history as hist
from legacylift.aws import executions, operations
from legacylift.aws.deploy import deploy
from legacylift.aws.logs import PROCESSING_LOG_GROUP
from legacylift.aws.stack import image_tfvars_path
from legacylift.aws.terraform import TerraformRunner
from legacylift.errors import LegacyLiftError
from legacylift.local.processing import ALGORITHM_ERROR
from legacylift.paths import REPO_ROOT
from tests.aws.conftest import write_config
from tests.aws.recorded import describe_response, recorded_execution

STUB_ROOT = """
variable "models" {
  type    = any
  default = {}
}

locals {
  arn_prefix = "arn:aws:states:us-east-1:123456789012:stateMachine:legacylift"
}

output "state_machine_arns" {
  value = {
    for name, model in var.models :
    name => "${local.arn_prefix}-${terraform.workspace}-${name}" if model.image_uri != null
  }
}

output "state_machine_alias_arns" {
  value = {
    for name, model in var.models :
    name => "${local.arn_prefix}-${terraform.workspace}-${name}:live" if model.image_uri != null
  }
}

output "data_bucket" {
  value = "legacylift-${terraform.workspace}-data"
}

output "training_state_machine_arns" {
  value = {
    for name, model in var.models :
    name => "${local.arn_prefix}-${terraform.workspace}-${name}-train" if can(model.train)
  }
}

output "training_state_machine_alias_arns" {
  value = {
    for name, model in var.models :
    name => "${local.arn_prefix}-${terraform.workspace}-${name}-train:live" if can(model.train)
  }
}
"""
DIGEST = "@sha256:" + "ab" * 32
PASS_DEFINITION = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})
ROLE_ARN = "arn:aws:iam::123456789012:role/legacylift-sfn"


def create_published(name: str, definition: str = PASS_DEFINITION) -> dict:
    """A state machine with version 1 published and its `live` alias on it, as the
    state-machine module leaves one."""
    sfn = boto3.client("stepfunctions")
    machine = sfn.create_state_machine(
        name=name, definition=definition, roleArn=ROLE_ARN, publish=True
    )
    sfn.create_state_machine_alias(
        name="live",
        routingConfiguration=[
            {"stateMachineVersionArn": machine["stateMachineVersionArn"], "weight": 100}
        ],
    )
    return machine


def write_image_tfvars(workspace: str, models: dict) -> None:
    """The build's image tfvars, shaped as contracts §2 says."""
    path = image_tfvars_path(workspace)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"models": models}, indent=2, sort_keys=True))


@pytest.fixture
def workspace():
    """A workspace name unique in this session (moto keeps state across tests)."""
    return f"t{uuid.uuid4().hex[:8]}"


@pytest.fixture
def stub_root(tmp_path, monkeypatch, terraform_ok):
    """The stand-in deployment root, used through LEGACYLIFT_TERRAFORM_DIR."""
    root = write_config(tmp_path / "terraform", STUB_ROOT)
    monkeypatch.setenv("LEGACYLIFT_TERRAFORM_DIR", str(root))
    return root


def pin_sample_models(workspace: str) -> None:
    """iris and wine pinned by digest, draft not built yet."""
    repo = "127.0.0.1:5000/legacylift/{}"
    write_image_tfvars(
        workspace,
        {
            "iris": {"image_uri": repo.format("iris") + DIGEST},
            "wine": {"image_uri": repo.format("wine") + DIGEST},
            "draft": {"image_uri": None},
        },
    )


@pytest.fixture
def deployed(stub_root, aws_env, workspace):
    """`workspace` deployed with the sample pins; its state machines and data bucket exist
    in moto."""
    pin_sample_models(workspace)
    result = deploy(workspace)
    for name in ("iris", "wine"):
        create_published(f"legacylift-{workspace}-{name}")
    boto3.client("s3").create_bucket(Bucket=result.outputs["data_bucket"])
    return result


def test_deploy_applies_then_reports_up_to_date(stub_root, aws_env, workspace, capsys):
    pin_sample_models(workspace)
    deployed = deploy(workspace)
    assert deployed.applied
    assert set(deployed.outputs["state_machine_arns"]) == {"iris", "wine"}
    first = capsys.readouterr().out
    assert f"created workspace {workspace}" in first and "Plan: 0 to create" in first
    again = deploy(workspace)
    assert not again.applied
    assert "is up to date" in capsys.readouterr().out


def test_deploy_plan_only_applies_nothing(stub_root, aws_env, workspace, capsys):
    write_image_tfvars(workspace, {"iris": {"image_uri": "r/legacylift/iris" + DIGEST}})
    result = deploy(workspace, plan_only=True)
    assert not result.applied and result.outputs == {}
    assert "outputs changed: data_bucket, state_machine_alias_arns, state_machine_arns" in (
        capsys.readouterr().out
    )


def test_deploy_refuses_a_schedule_or_trigger_without_a_built_image(
    stub_root, aws_env, workspace, models_dir
):
    """A [schedule] or [trigger] on a model the workspace has no image of (image_uri null) is
    refused in one line naming the model and the build, by plan and deploy, single state or
    split stacks, before any Terraform runs. (Planted bug: the check left out, so Terraform
    drops the schedule from the plan without a word; red.)"""
    from legacylift import tfvars
    from legacylift.aws.deploy import deploy_stacks
    from legacylift.models import load_model
    from tests.containerise.conftest import copy_sample

    tables = {
        "nightly": '[schedule]\nexpression = "cron(0 2 * * ? *)"\ninput = "s3://{bucket}/{model}/input/{date}/"\n',
        "uploaded": '[trigger]\non_upload = "uploaded/input/daily/"\n',
    }
    for name, table in tables.items():
        (copy_sample("iris", models_dir, name) / "model.toml").write_text(table)
        tfvars.pin_image(workspace, name, None, settings=load_model(name).tfvars_settings())
    tfvars.pin_image(workspace, "built", "r/legacylift/built" + DIGEST)
    for attempt in (
        lambda: deploy(workspace, plan_only=True),
        lambda: deploy(workspace),
        lambda: deploy_stacks(workspace, plan_only=True),
    ):
        with pytest.raises(LegacyLiftError) as caught:
            attempt()
        message = str(caught.value)
        assert message.startswith("model 'nightly' has a [schedule] but no built image")
        assert f"`invoke build-model nightly --workspace {workspace}`" in message
        assert "\n" not in message
    tfvars.pin_image(workspace, "nightly", "r/legacylift/nightly" + DIGEST)
    with pytest.raises(LegacyLiftError, match="^model 'uploaded' has a \\[trigger\\] but no built"):
        deploy(workspace, plan_only=True)
    runner = TerraformRunner(stub_root)
    runner.init()
    assert workspace not in runner.workspaces()


def test_deploy_refuses_unpinned_images_before_terraform(stub_root, aws_env, workspace):
    write_image_tfvars(
        workspace,
        {
            "iris": {"image_uri": "127.0.0.1:5000/legacylift/iris:latest"},
            "wine": {"image_uri": "r/legacylift/wine@sha256:abc"},  # digest too short
            "ok": {"image_uri": "r/legacylift/ok" + DIGEST},
        },
    )
    with pytest.raises(LegacyLiftError) as caught:
        deploy(workspace)
    message = str(caught.value)
    assert "not pinned by digest" in message and "iris" in message and "wine" in message
    assert "'ok'" not in message and "invoke build-model" in message
    runner = TerraformRunner(stub_root)
    runner.init()
    assert workspace not in runner.workspaces()


def test_missing_credentials_fail_early(stub_root, monkeypatch, tmp_path, workspace):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with pytest.raises(LegacyLiftError, match="no usable AWS credentials.*aws configure"):
        deploy(workspace)
    with pytest.raises(LegacyLiftError, match="no usable AWS credentials"):
        operations.run("iris", workspace, "s3://bkt-1/in/", wait=False)


def test_run_no_wait_starts_the_models_state_machine(deployed, workspace):
    arn = operations.run(
        "wine", workspace, "s3://legacylift-in/wine/x.csv", name="first-run", wait=False
    ).arn
    described = boto3.client("stepfunctions").describe_execution(executionArn=arn)
    assert described["stateMachineArn"] == deployed.outputs["state_machine_arns"]["wine"]
    # Started through the alias, never the state machine itself (IAM allows only the alias).
    assert described["stateMachineAliasArn"] == deployed.outputs["state_machine_alias_arns"]["wine"]
    assert described["stateMachineVersionArn"] == f"{described['stateMachineArn']}:1"
    assert described["name"] == "first-run"
    assert json.loads(described["input"]) == {
        "input_uri": "s3://legacylift-in/wine/x.csv",
        "output_uri": f"s3://legacylift-{workspace}-data/wine/output/first-run/",
    }
    with pytest.raises(LegacyLiftError, match="'first-run' is already used.*--name"):
        operations.run("wine", workspace, "s3://legacylift-in/x/", name="first-run", wait=False)
    explicit = operations.run(
        "iris", workspace, "s3://legacylift-in/a/", "s3://legacylift-out/b/", wait=False
    ).arn
    described = boto3.client("stepfunctions").describe_execution(executionArn=explicit)
    assert described["stateMachineArn"].endswith(f":legacylift-{workspace}-iris")
    assert json.loads(described["input"])["output_uri"] == "s3://legacylift-out/b/"


def test_run_errors_name_the_fix(deployed, workspace):
    with pytest.raises(LegacyLiftError, match="unknown model 'nosuch'.*deployed: iris, wine"):
        operations.run("nosuch", workspace, "s3://bkt-1/in/", wait=False)
    with pytest.raises(LegacyLiftError, match="'draft' is not deployed.*invoke build-model"):
        operations.run("draft", workspace, "s3://bkt-1/in/", wait=False)
    with pytest.raises(LegacyLiftError, match="unknown workspace 'qa'"):
        operations.run("iris", "qa", "s3://bkt-1/in/", wait=False)
    with pytest.raises(LegacyLiftError, match="--input must be an S3 URI"):
        operations.run("iris", workspace, "data/iris.csv", wait=False)


def test_run_workflow_train_starts_the_training_state_machine(stub_root, aws_env, workspace):
    repo = "127.0.0.1:5000/legacylift/{}"
    write_image_tfvars(
        workspace,
        {
            "iris": {"image_uri": repo.format("iris") + DIGEST, "train": {}},
            "wine": {"image_uri": repo.format("wine") + DIGEST},
        },
    )
    deployed = deploy(workspace)
    sfn = boto3.client("stepfunctions")
    machine = create_published(f"legacylift-{workspace}-iris-train")
    assert deployed.outputs["training_state_machine_arns"]["iris"] == machine["stateMachineArn"]
    arn = operations.run(
        "iris",
        workspace,
        "s3://bkt-1/iris/input/t/",
        name="retrain-1",
        wait=False,
        workflow="train",
        evaluation_uri="s3://bkt-1/iris/input/e/",
    ).arn
    described = sfn.describe_execution(executionArn=arn)
    assert described["stateMachineArn"] == machine["stateMachineArn"]
    assert described["stateMachineAliasArn"] == f"{machine['stateMachineArn']}:live"
    assert json.loads(described["input"]) == {
        "input_uri": "s3://bkt-1/iris/input/t/",
        "evaluation_uri": "s3://bkt-1/iris/input/e/",
    }
    with pytest.raises(LegacyLiftError, match="--output: --workflow train writes under"):
        operations.run("iris", workspace, "s3://bkt-1/x/", "s3://bkt-1/o/", workflow="train")
    with pytest.raises(LegacyLiftError, match="--evaluation: it goes with --workflow train"):
        operations.run("iris", workspace, "s3://bkt-1/x/", evaluation_uri="s3://bkt-1/e/")
    with pytest.raises(LegacyLiftError, match="'wine' has no training workflow.*\\[train\\]"):
        operations.run("wine", workspace, "s3://bkt-1/x/", wait=False, workflow="train")
    with pytest.raises(LegacyLiftError, match="--evaluation must be an S3 URI"):
        operations.run(
            "iris",
            workspace,
            "s3://bkt-1/x/",
            wait=False,
            workflow="train",
            evaluation_uri="data/eval.csv",
        )


def test_status_lists_recent_executions(deployed, workspace, capsys):
    sfn = boto3.client("stepfunctions")
    first = operations.run("iris", workspace, "s3://bkt-1/in/", name="older", wait=False).arn
    operations.run("iris", workspace, "s3://bkt-1/in/", name="newer", wait=False)
    sfn.stop_execution(executionArn=first)
    capsys.readouterr()
    rows = operations.status("iris", workspace)
    by_name = {row["name"]: row for row in rows}
    assert set(by_name) == {"older", "newer"}
    assert by_name["older"]["status"] == "ABORTED"
    assert by_name["older"]["duration"] >= 0
    out = capsys.readouterr().out
    assert "older" in out and "ABORTED" in out


def test_upload_input_file_and_directory(deployed, workspace, tmp_path):
    data = tmp_path / "batch-7"
    (data / "sub").mkdir(parents=True)
    (data / "a.csv").write_text("x,y\n1,2\n")
    (data / "sub" / "b.csv").write_text("x,y\n3,4\n")
    bucket = deployed.outputs["data_bucket"]
    uri = operations.upload_input("iris", data, workspace)
    assert uri == f"s3://{bucket}/iris/input/batch-7/"
    listed = boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix="iris/input/")
    keys = sorted(item["Key"] for item in listed["Contents"])
    assert keys == ["iris/input/batch-7/a.csv", "iris/input/batch-7/sub/b.csv"]
    single = operations.upload_input("iris", data / "a.csv", workspace)
    body = boto3.client("s3").get_object(Bucket=bucket, Key="iris/input/a.csv")["Body"].read()
    assert single == f"s3://{bucket}/iris/input/a.csv" and body == b"x,y\n1,2\n"
    with pytest.raises(LegacyLiftError, match="does not exist"):
        operations.upload_input("iris", tmp_path / "missing", workspace)


def test_invoke_tasks_exit_non_zero_with_the_message(deployed, workspace):
    env = dict(os.environ)
    command = [sys.executable, "-m", "invoke", "run", "nosuch", "--workspace", workspace]
    result = subprocess.run(
        [*command, "--input", "s3://bkt-1/in/", "--no-wait"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "unknown model 'nosuch'" in result.stderr
    started = subprocess.run(
        [sys.executable, "-m", "invoke", "run", "iris", "--workspace", workspace]
        + ["--input", "s3://bkt-1/in/", "--execution", "from-cli", "--no-wait"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode == 0, started.stderr
    assert f"legacylift-{workspace}-iris:from-cli" in started.stdout


def test_missing_backend_config_names_bootstrap_backend(tmp_path, monkeypatch, aws_env):
    root = write_config(tmp_path / "s3root", 'terraform {\n  backend "s3" {}\n}\n')
    monkeypatch.setenv("LEGACYLIFT_TERRAFORM_DIR", str(root))
    monkeypatch.delenv("LEGACYLIFT_BACKEND_CONFIG", raising=False)
    with pytest.raises(LegacyLiftError, match="invoke bootstrap-backend --bucket"):
        deploy("dev")


def test_run_and_status_print_json_for_pipelines(deployed, workspace, tmp_path):
    """`--json`: stdout is one JSON document, everything else goes to stderr (run, status,
    upload-input, report, logs)."""

    def invoke(*args: str) -> dict:
        completed = subprocess.run(
            [sys.executable, "-m", "invoke", *args, "--workspace", workspace, "--json"],
            cwd=REPO_ROOT,
            env=dict(os.environ),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr
        return json.loads(completed.stdout)

    started = invoke(
        "run", "iris", "--input", "s3://bkt-1/in/", "--execution", "json-run", "--no-wait"
    )
    assert started["execution"] == "json-run" and started["status"] == "RUNNING"
    assert started["arn"].endswith(f"legacylift-{workspace}-iris:json-run")
    listed = invoke("status", "iris")
    assert listed["model"] == "iris"
    assert [row["name"] for row in listed["executions"]] == ["json-run"]
    assert listed["executions"][0]["arn"] == started["arn"]
    (tmp_path / "a.csv").write_text("x,y\n1,2\n")
    uploaded = invoke("upload-input", "iris", str(tmp_path / "a.csv"))
    bucket, _, key = uploaded["uri"].removeprefix("s3://").partition("/")
    assert key == "iris/input/a.csv" and uploaded["model"] == "iris"
    assert boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read() == b"x,y\n1,2\n"
    reported = invoke("report", "json-run", "--model", "iris", "--output", str(tmp_path / "r.html"))
    assert reported == {"execution": "json-run", "report": str(tmp_path / "r.html")}
    assert (tmp_path / "r.html").read_text().startswith("<!")
    logged = invoke("logs", "json-run", "--model", "iris")
    assert logged["execution"] == "json-run" and isinstance(logged["lines"], list)


class ReplayingSession:
    """A boto3 session on moto whose Step Functions client replays a recorded execution
    (botocore's Stubber checks each request and response against the API model); every other
    client is moto's."""

    def __init__(self, sfn):
        self.sfn = sfn

    def client(self, service: str, **kwargs):
        if service == "stepfunctions":
            return self.sfn
        return boto3.session.Session(region_name=self.sfn.meta.region_name).client(
            service, **kwargs
        )


def replay_failed_execution(monkeypatch, scenario: str, machine_arn: str, name: str) -> Stubber:
    """Make `operations` start execution `name` of `machine_arn` and then see the recorded
    failing `scenario` as that execution's history."""
    document = recorded_execution(scenario)
    arn = executions.execution_arn(machine_arn, name)
    region = machine_arn.split(":")[3]
    sfn = boto3.client("stepfunctions", region_name=region)
    stub = Stubber(sfn)
    stub.add_client_error(
        "describe_execution", "ExecutionDoesNotExist", expected_params={"executionArn": arn}
    )
    stub.add_response(
        "start_execution",
        {"executionArn": arn, "startDate": document["events"][0]["timestamp"]},
    )
    failed = {**describe_response(document, "FAILED"), "executionArn": arn}
    failed["stateMachineArn"] = machine_arn
    stub.add_response("describe_execution", failed, {"executionArn": arn})
    stub.add_response(
        "get_execution_history", {"events": document["events"]}, {"executionArn": arn}
    )
    stub.activate()
    monkeypatch.setattr(operations, "session", lambda region=None: ReplayingSession(sfn))
    return stub


def seed_job_log(job: str, lines: list[str], region: str = "us-east-1") -> None:
    """The failing job's CloudWatch stream, in moto."""
    client = boto3.client("logs", region_name=region)
    with contextlib.suppress(client.exceptions.ResourceAlreadyExistsException):
        client.create_log_group(logGroupName=PROCESSING_LOG_GROUP)
    stream = f"{job}/algo-1-1795774800"
    client.create_log_stream(logGroupName=PROCESSING_LOG_GROUP, logStreamName=stream)
    now_ms = int(time.time() * 1000)
    client.put_log_events(
        logGroupName=PROCESSING_LOG_GROUP,
        logStreamName=stream,
        logEvents=[{"timestamp": now_ms + n, "message": line} for n, line in enumerate(lines)],
    )


def test_invoke_run_workflow_train_reports_a_failed_training_run(
    stub_root, aws_env, workspace, monkeypatch, capsys
):
    """`invoke run --workflow train` on a training run whose Train script fails (the recorded
    history of the rendered training workflow): the failure report (failing step, reason, the
    job's log tail) and exit 1.

    Planted bug: `operations.run` of the training workflow calls
    `report_failure(status, history, logs)`, the old signature (an AttributeError instead of
    the report)."""
    from invoke import Context, Exit

    import tasks

    write_image_tfvars(
        workspace, {"iris": {"image_uri": "r/legacylift/iris" + DIGEST, "train": {}}}
    )
    machine_arn = deploy(workspace).outputs["training_state_machine_arns"]["iris"]
    (job,) = hist.parse(recorded_execution("training_failed")["events"]).job_names()
    seed_job_log(job, ["training on 150 rows", "ValueError: could not convert 'setosa'"])
    stub = replay_failed_execution(monkeypatch, "training_failed", machine_arn, "retrain-2")
    capsys.readouterr()
    with pytest.raises(Exit) as exited:
        tasks.run(
            Context(),
            "iris",
            workspace,
            "s3://bkt-1/iris/input/t/",
            execution="retrain-2",
            poll=0,
            workflow="train",
        )
    stub.assert_no_pending_responses()
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "execution retrain-2 FAILED: step 'Train' failed: States.TaskFailed" in err
    assert f"failing step: Train (job {job}, status Failed" in err
    assert f"failure reason: {ALGORITHM_ERROR}" in err
    assert "| ValueError: could not convert 'setosa'" in err
    assert "AttributeError" not in err


def test_invoke_run_reports_a_failed_inference_run(deployed, workspace, monkeypatch, capsys):
    """`invoke run` following an inference run whose Inference script fails (the recorded
    history): the failing step and reason, exit 1.

    Planted bug: `run` returns the ARN whatever the final status (a failed run exits 0)."""
    from invoke import Context, Exit

    import tasks

    machine_arn = deployed.outputs["state_machine_arns"]["iris"]
    stub = replay_failed_execution(monkeypatch, "step_failed", machine_arn, "failing-run")
    capsys.readouterr()
    with pytest.raises(Exit) as exited:
        tasks.run(Context(), "iris", workspace, "s3://bkt-1/in/", execution="failing-run", poll=0)
    stub.assert_no_pending_responses()
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "execution failing-run FAILED: step 'Inference' failed" in err
    assert f"failure reason: {ALGORITHM_ERROR}" in err


def _image_definition(image_uri: str) -> str:
    """A definition that names its image as the rendered ones do (`ImageUri` of a step)."""
    step = {"Type": "Pass", "Parameters": {"AppSpecification": {"ImageUri": image_uri}}}
    return json.dumps({"StartAt": "Inference", "States": {"Inference": {**step, "End": True}}})


def _deploy_second_version(workspace: str, machine_arn: str, image_uri: str) -> str:
    """What a deploy of a new digest does: publish a version, move `live`, pin the digest."""
    sfn = boto3.client("stepfunctions")
    version = sfn.update_state_machine(
        stateMachineArn=machine_arn, definition=_image_definition(image_uri), publish=True
    )["stateMachineVersionArn"]
    sfn.update_state_machine_alias(
        stateMachineAliasArn=f"{machine_arn}:live",
        routingConfiguration=[{"stateMachineVersionArn": version, "weight": 100}],
    )
    path = image_tfvars_path(workspace)
    data = json.loads(path.read_text())
    data["models"]["iris"] = {"image_uri": image_uri, "source_hash": "new", "instance": "x"}
    path.write_text(json.dumps(data))
    return version


@pytest.fixture
def two_versions(stub_root, aws_env, workspace):
    """iris deployed twice: version 1 ran image A, version 2 (where `live` is) runs image B."""
    repo = "127.0.0.1:5000/legacylift/iris"
    first, second = f"{repo}@sha256:{'1' * 64}", f"{repo}@sha256:{'2' * 64}"
    write_image_tfvars(
        workspace, {"iris": {"image_uri": first}, "wine": {"image_uri": repo + DIGEST}}
    )
    outputs = deploy(workspace).outputs
    machine = create_published(f"legacylift-{workspace}-iris", _image_definition(first))
    version = _deploy_second_version(workspace, machine["stateMachineArn"], second)
    return outputs, machine["stateMachineArn"], version, first, second


def _live_version(alias_arn: str) -> str:
    alias = boto3.client("stepfunctions").describe_state_machine_alias(
        stateMachineAliasArn=alias_arn
    )
    return [route["stateMachineVersionArn"] for route in alias["routingConfiguration"]][0]


def test_rollback_moves_the_alias_and_the_pin_back(two_versions, workspace):
    """Planted bugs: rollback moves the alias but leaves the tfvars pin on the new digest (the
    next deploy undoes the rollback); rollback steps back from the newest version instead of
    from the alias's (a second rollback would then not go further back)."""
    outputs, machine_arn, second_version, first, _ = two_versions
    alias_arn = outputs["state_machine_alias_arns"]["iris"]
    before = json.loads(image_tfvars_path(workspace).read_text())["models"]
    assert _live_version(alias_arn) == second_version

    done = operations.rollback("iris", workspace)

    assert _live_version(alias_arn) == f"{machine_arn}:1"
    assert (done.from_version, done.to_version) == (second_version, f"{machine_arn}:1")
    after = json.loads(image_tfvars_path(workspace).read_text())["models"]
    assert after["iris"] == {"image_uri": first, "instance": "x"}  # settings kept
    assert after["wine"] == before["wine"]  # other models untouched
    # $LATEST is left alone: only the alias moved.
    latest = boto3.client("stepfunctions").describe_state_machine(stateMachineArn=machine_arn)
    assert first not in latest["definition"]


def test_a_second_rollback_has_no_version_left(two_versions, workspace):
    """The first rollback through the command line with --json: one JSON document saying
    which version the alias left and which it runs now."""
    outputs, machine_arn, second_version, *_ = two_versions
    from tests.cli import invoke_cli

    completed = invoke_cli("rollback", "iris", "--workspace", workspace, "--json")
    assert completed.returncode == 0, completed.stderr
    done = json.loads(completed.stdout)
    assert (done["model"], done["workspace"]) == ("iris", workspace)
    assert (done["from_version"], done["to_version"]) == (second_version, f"{machine_arn}:1")
    pinned = image_tfvars_path(workspace).read_text()
    with pytest.raises(LegacyLiftError, match="no version of iris before version 1"):
        operations.rollback("iris", workspace)
    assert _live_version(outputs["state_machine_alias_arns"]["iris"]) == f"{machine_arn}:1"
    assert image_tfvars_path(workspace).read_text() == pinned


def test_rollback_task_refuses_a_first_version_with_one_line(deployed, workspace, stub_root):
    """`invoke rollback` of a model deployed once: exit 1, one line naming why."""
    env = {
        **os.environ,
        "LEGACYLIFT_TERRAFORM_DIR": str(stub_root),
    }
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "rollback", "iris", "--workspace", workspace],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "no version of iris before version 1" in lines[0], lines


def test_rollback_refuses_an_alias_split_between_versions(two_versions, workspace):
    outputs, machine_arn, second_version, *_ = two_versions
    alias_arn = outputs["state_machine_alias_arns"]["iris"]
    split = [
        {"stateMachineVersionArn": f"{machine_arn}:1", "weight": 10},
        {"stateMachineVersionArn": second_version, "weight": 90},
    ]
    boto3.client("stepfunctions").update_state_machine_alias(
        stateMachineAliasArn=alias_arn, routingConfiguration=split
    )
    with pytest.raises(LegacyLiftError, match="splits executions between versions"):
        operations.rollback("iris", workspace)


def test_list_models_with_aws_shows_what_live_runs(two_versions, workspace, tmp_path, monkeypatch):
    """After a rollback the pin and `live` agree (version 1, the first digest); moving the
    alias behind the tooling's back shows the digest that really runs. Planted bug: the live
    label without the digest when it differs from the pin: red."""
    import shutil

    from legacylift.model_table import model_table
    from tests.local.tiny_models import write_models

    models = write_models(tmp_path / "models", ["single"])
    shutil.copytree(models / "single", models / "iris")
    monkeypatch.setenv("LEGACYLIFT_MODELS_DIR", str(models))
    outputs, machine_arn, second_version, first, second = two_versions

    def row() -> str:
        table = model_table(aws_promotions=True).splitlines()
        return next(line for line in table if line.startswith("iris "))

    assert f"{second[-64:][:12]} (stale) (live v2)" in row()
    operations.rollback("iris", workspace)
    assert f"{first[-64:][:12]} (stale) (live v1)" in row()
    boto3.client("stepfunctions").update_state_machine_alias(
        stateMachineAliasArn=outputs["state_machine_alias_arns"]["iris"],
        routingConfiguration=[{"stateMachineVersionArn": second_version, "weight": 100}],
    )
    assert f"{first[-64:][:12]} (stale) (live v2: {second[-64:][:12]})" in row()


@pytest.fixture
def interpreting(aws_env):
    """moto's Step Functions interpreter on (executions run their definition), off again
    afterwards: other tests expect executions to stay RUNNING."""
    import requests

    def interpret(value: bool) -> None:
        config = {"stepfunctions": {"execute_state_machine": value}}
        requests.post(f"{aws_env.endpoint}/moto-api/config", json=config, timeout=30)

    interpret(True)
    try:
        yield
    finally:
        interpret(False)


def not_promoting_definition() -> str:
    """iris's rendered training workflow cut to its end: a Pass state standing for Train and
    Evaluate (their results, evaluated on the training data, below the bar), then the
    rendered `NotPromoted` state, which shapes the execution's output."""
    from legacylift.local.definitions import rendered_definition

    states = json.loads(rendered_definition("iris", workflow="train"))["States"]
    evaluated = {
        "decision": {"reason": "accuracy = 0.5 does not reach the bar 0.9 (higher is better)"},
        "evaluation": {"summary": {"name": "accuracy", "value": 0.5}},
        "artifacts_uri": "s3://bkt-1/iris/models/train-json/artifacts/",
        "evaluation_output_uri": "s3://bkt-1/iris/models/train-json/evaluation/",
        "evaluated_on_training_data": True,
        "jobs": {},
    }
    return json.dumps(
        {
            "StartAt": "Evaluated",
            "States": {
                "Evaluated": {"Type": "Pass", "Result": evaluated, "Next": "NotPromoted"},
                "NotPromoted": states["NotPromoted"],
            },
        }
    )


def test_invoke_run_workflow_train_json_prints_the_training_outcome(
    stub_root, interpreting, workspace, capsys
):
    """`invoke run --workflow train --json` follows the training execution to its end and
    prints one JSON document whose `training` part is the outcome read from the execution's
    output (not promoted, why, the evaluated-on-training-data warning); the text mode prints
    the same outcome as lines.

    Planted bug (tests/planted_bugs.py `cloud-training-output-unread`): the cloud runner does
    not read the execution's output, so the outcome is missing; red."""
    from invoke import Context

    import tasks

    write_image_tfvars(
        workspace, {"iris": {"image_uri": "r/legacylift/iris" + DIGEST, "train": {}}}
    )
    deploy(workspace)
    create_published(f"legacylift-{workspace}-iris-train", not_promoting_definition())
    capsys.readouterr()
    train = {"workflow": "train", "poll": 0}
    tasks.run(
        Context(), "iris", workspace, "s3://bkt-1/t/", execution="train-json", json=True, **train
    )
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert document["status"] == "SUCCEEDED" and document["execution"] == "train-json"
    training = document["training"]
    assert training["promoted"] is False
    assert training["summary"] == (
        "iris: not promoted: accuracy = 0.5 does not reach the bar 0.9 (higher is better)"
    )
    assert "evaluated on its training data" in training["warning"]
    assert training["metric"] == {"name": "accuracy", "value": 0.5}
    assert training["artifacts_uri"] == "s3://bkt-1/iris/models/train-json/artifacts/"
    assert "started arn:" in captured.err  # progress went to stderr

    tasks.run(Context(), "iris", workspace, "s3://bkt-1/t/", execution="train-text", **train)
    out = capsys.readouterr().out
    assert "iris: not promoted: accuracy = 0.5 does not reach the bar 0.9" in out
    assert "artifacts kept at s3://bkt-1/iris/models/train-json/artifacts/" in out
