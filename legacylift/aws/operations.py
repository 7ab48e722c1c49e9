"""The AWS operations behind the invoke tasks: upload an input, run, status, logs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from legacylift import console
from legacylift.aws import executions, stack, versions
from legacylift.aws.deployed import load_stack
from legacylift.aws.session import check_credentials, region_of_arn, session
from legacylift.errors import LegacyLiftError
from legacylift.history import format_duration
from legacylift.report.cost import cost_line
from legacylift.report.reporter import Reporter


def _model_clients(model: str, workspace: str):
    """Credentials checked, the workspace's outputs read, and a session in the model's region."""
    check_credentials(session())
    deployed = load_stack(workspace)
    arn = deployed.state_machine_arn(model)
    return deployed, arn, session(region_of_arn(arn))


def rollback(model: str, workspace: str) -> versions.Rollback:
    """Point `model`'s `live` alias in `workspace` back one version and pin that version's
    image in the workspace's tfvars (no Terraform run)."""
    deployed, _, aws = _model_clients(model, workspace)
    done = versions.rollback(
        aws.client("stepfunctions"), deployed.alias_arn(model), model, workspace
    )
    now, was = versions.version_number(done.to_version), versions.version_number(done.from_version)
    console.success(f"{model} in {workspace}: {versions.ALIAS} now runs version {now} (was {was})")
    if done.tfvars_path:
        console.info(f"pinned {done.image_uri} in {done.tfvars_path}")
    elif done.image_uri is None:
        console.info(
            f"version {now} names no image of {model}'s pinned repository: its tfvars pin is "
            "unchanged; check it before the next deploy"
        )
    return done


def input_key_prefix(model: str, name: str) -> str:
    """Where `upload-input` puts an input named `name`: under the model's `input/` area, the
    one its execution role may read (modules/workflow's s3_layout)."""
    return f"{model}/input/{name}"


def default_output_key_prefix(model: str, execution: str) -> str:
    """Where `run` writes by default: under the model's `output/` area, the one its execution
    role may write."""
    return f"{model}/output/{execution}/"


def upload_input(model: str, path: Path, workspace: str) -> str:
    """Upload a file or a directory's files to s3://<data bucket>/<model>/input/<name>;
    return the URI to pass to `invoke run --input`."""
    path = Path(path)
    if not path.exists():
        raise LegacyLiftError(f"input {path} does not exist")
    deployed, _, aws = _model_clients(model, workspace)
    bucket = deployed.data_bucket
    s3 = aws.client("s3")
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file())
        if not files:
            raise LegacyLiftError(f"input directory {path} holds no files")
        prefix = input_key_prefix(model, path.resolve().name) + "/"
        for file in files:
            key = prefix + file.relative_to(path).as_posix()
            console.detail(f"{file} -> s3://{bucket}/{key}")
            s3.upload_file(str(file), bucket, key)
    else:
        prefix = input_key_prefix(model, path.name)
        s3.upload_file(str(path), bucket, prefix)
    uri = f"s3://{bucket}/{prefix}"
    console.success(f"uploaded to {uri}")
    return uri


WORKFLOWS = ("inference", "train")


@dataclass
class CloudRun:
    """An execution of a model's workflow started in a workspace, and, when it was followed to
    its end, its status and output (a training run's: promoted, reason, record)."""

    model: str
    workflow: str
    arn: str
    status: str = "RUNNING"
    output_uri: str | None = None
    output: dict[str, Any] | None = None

    @property
    def succeeded(self) -> bool:
        """Whether the execution succeeded."""
        return self.status == "SUCCEEDED"


def run(
    model: str,
    workspace: str,
    input_uri: str,
    output_uri: str | None = None,
    name: str | None = None,
    wait: bool = True,
    poll_seconds: float = 5.0,
    reporter: Reporter | None = None,
    workflow: str = "inference",
    evaluation_uri: str | None = None,
) -> CloudRun:
    """Start an execution of `model`'s `workflow` ("inference" or "train": its training state
    machine, evaluating on `evaluation_uri`) through its `live` alias and, with `wait`, follow
    it to the end (progress through `reporter`, text lines by default); a failed execution
    raises after showing the failing step, cause and log tail."""
    _check_workflow(workflow, output_uri, evaluation_uri)
    check_credentials(session())
    deployed = load_stack(workspace)
    name = name or executions.default_execution_name()
    if workflow == "train":
        machine_arn = stack.training_state_machine_arn(deployed, model)
        payload = _training_input(input_uri, evaluation_uri)
    else:
        machine_arn = deployed.alias_arn(model)
        default = f"s3://{deployed.data_bucket}/{default_output_key_prefix(model, name)}"
        payload = executions.execution_input(input_uri, output_uri or default)
    aws = session(region_of_arn(machine_arn))
    sfn = aws.client("stepfunctions")
    arn = executions.start(sfn, machine_arn, name, payload)
    console.info(f"started {arn} (alias {versions.ALIAS})")
    console.detail(" -> ".join(f"{key} {uri}" for key, uri in payload.items()))
    started = CloudRun(model, workflow, arn, output_uri=payload.get("output_uri"))
    if not wait:
        return started
    started.status = _follow(
        aws, arn, poll_seconds, reporter or Reporter("text"), (model, workspace)
    )
    described = sfn.describe_execution(executionArn=arn)
    started.output = json.loads(described.get("output") or "{}")
    return started


def _training_input(input_uri: str, evaluation_uri: str | None) -> dict[str, str]:
    """The training workflow's execution input (its training data, and its evaluation data
    when given: the training data otherwise)."""
    payload = {"input_uri": executions.check_s3_uri(input_uri, "--input")}
    if evaluation_uri:
        payload["evaluation_uri"] = executions.check_s3_uri(evaluation_uri, "--evaluation")
    return payload


def _check_workflow(workflow: str, output_uri: str | None, evaluation_uri: str | None) -> None:
    """The workflow known, and given the arguments it takes."""
    if workflow not in WORKFLOWS:
        raise LegacyLiftError(f"--workflow {workflow!r}: use inference or train")
    if workflow == "train" and output_uri:
        raise LegacyLiftError("--output: --workflow train writes under the model's models/")
    if workflow == "inference" and evaluation_uri:
        raise LegacyLiftError("--evaluation: it goes with --workflow train only")


def _follow(
    aws, arn: str, poll_seconds: float, reporter: Reporter, model_workspace=None, after_id=0
) -> str:
    """Follow an execution to its end (from event `after_id` on), then say how it went and
    record it as the model's last run in the workspace (`model_workspace`, when known); its
    final status (a failure raises)."""
    sfn = aws.client("stepfunctions")
    try:
        status, history = executions.follow(
            sfn, arn, poll_seconds, reporter=reporter, after_id=after_id
        )
    except KeyboardInterrupt:
        console.info(f"stopped following; the execution goes on: `invoke logs {arn}`")
        raise
    cost = reporter.cost()
    if cost is not None:
        console.info(f"cost: {cost_line(cost)}")
    if model_workspace and all(model_workspace):
        record_cloud_run(*model_workspace, arn, status, cost)
    _followed(aws, arn, status, history, reporter)
    return status


def record_cloud_run(model: str, workspace: str, arn: str, status: str, cost) -> None:
    """Keep the last followed run of `model` in `workspace` (what `list-models` shows):
    `.legacylift/runs/WORKSPACE/MODEL.json`."""
    from datetime import UTC, datetime

    from legacylift.atomic import write_json_atomic
    from legacylift.paths import project_state_dir

    stopped = datetime.now(UTC).isoformat(timespec="milliseconds")
    record = {
        "model": model,
        "workspace": workspace,
        "where": f"AWS {workspace}",
        "execution": arn,
        "status": status,
        "cost": cost,
        "stopped": stopped,
    }
    write_json_atomic(project_state_dir() / "runs" / workspace / f"{model}.json", record)


def _followed(aws, arn: str, status: str, history, reporter: Reporter) -> None:
    """After following an execution to its end: its report command and outcome; a failure
    raises with the failing step, cause and log tail shown."""
    name = arn.rsplit(":", 1)[-1]
    console.detail(f"its report: `invoke report {arn}`")
    if status == "SUCCEEDED":
        total = history.seconds_in_states()
        console.success(f"{name} succeeded ({format_duration(total)} in steps)")
        return
    summary = executions.report_failure(reporter, aws.client("logs"))
    raise LegacyLiftError(f"execution {name} {status}: {summary}")


def redrive(
    execution: str,
    workspace: str | None = None,
    model: str | None = None,
    wait: bool = True,
    poll_seconds: float = 5.0,
    reporter: Reporter | None = None,
) -> str:
    """Redrive a failed Standard execution (Step Functions RedriveExecution: it restarts
    from its failed states) after checking it can be, and with `wait` follow it as `run`
    does, from the redrive on."""
    from legacylift.aws.redrive import start_redrive

    if execution.startswith("arn:"):
        check_credentials(session(region_of_arn(execution)))
    arn = resolve_execution(execution, workspace, model)
    aws = session(region_of_arn(arn))
    sfn = aws.client("stepfunctions")
    last_id = start_redrive(sfn, arn)
    console.info(f"redriven {arn}")
    if not wait:
        return arn
    _follow(
        aws, arn, poll_seconds, reporter or Reporter("text"), (model, workspace), after_id=last_id
    )
    return arn


def status(model: str, workspace: str, limit: int = 10) -> list[dict]:
    """Print the latest executions of `model` in `workspace`: name, status, duration."""
    _, machine_arn, aws = _model_clients(model, workspace)
    rows = executions.recent(aws.client("stepfunctions"), machine_arn, limit)
    if not rows:
        console.info(f"no executions of {model} in {workspace} yet")
    for row in rows:
        started = row["started"].strftime("%Y-%m-%d %H:%M:%S")
        print(
            f"{row['name']:<40} {row['status']:<10} {started}  {format_duration(row['duration'])}"
        )
    return rows


def resolve_execution(execution: str, workspace: str | None, model: str | None) -> str:
    """An execution ARN from an ARN, or from a name with --workspace and --model."""
    if execution.startswith("arn:"):
        return execution
    if not (workspace and model):
        raise LegacyLiftError(
            f"{execution!r} is not an execution ARN: give the ARN, or the name with "
            "--workspace W --model NAME"
        )
    _, machine_arn, _ = _model_clients(model, workspace)
    return executions.execution_arn(machine_arn, execution)


def logs(execution: str, workspace: str | None = None, model: str | None = None) -> list[str]:
    """Print the logs of every processing job an execution started, job by job."""
    if execution.startswith("arn:"):
        check_credentials(session(region_of_arn(execution)))
    arn = resolve_execution(execution, workspace, model)
    aws = session(region_of_arn(arn))
    return executions.print_execution_logs(aws.client("stepfunctions"), aws.client("logs"), arn)
