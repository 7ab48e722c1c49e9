"""Running a model's workflow: locally in Docker or on AWS, inference or training, a definition
as it is, a scheduled start, a redrive; and cleaning up after local runs."""

from __future__ import annotations

from invoke import Exit, task

from tasks.cli import (
    JSON_HELP,
    LOCAL_HELP,
    RUN_HELP,
    _exit_on_aws_error,
    _fail_cleanly,
    _quiet_stdout,
    _refuse,
    print_json_document,
)
from tasks.placement import HERE, LOCAL_WORKSPACE, check_cloud_inputs, check_options, given


@task(
    help={
        "model": "the model: its folder name under legacy_models/",
        "input": "a local file or directory, or an s3:// URI of the local object store",
        "output": "where to put the output: a new or empty local directory, or an s3:// URI "
        "(default: s3://legacylift-WORKSPACE/NAME/output/EXECUTION/ in the local object store)",
        "overwrite": "replace the contents of a non-empty --output (refused otherwise)",
        "json": JSON_HELP,
        "resume": "the execution name of a failed local run of this model: its completed steps "
        "whose inputs, code and image are unchanged are reused, the rest run (--input defaults "
        "to that run's input)",
        "as_of": "run what the model's [schedule] would have started on this date (YYYY-MM-DD) "
        "or local time (YYYY-MM-DDTHH:MM): its input and output templates for that start, in "
        "the local object store (instead of --input)",
        **LOCAL_HELP,
    }
)
def run_local(
    c,
    model,
    input=None,
    output=None,
    workspace="local",
    time_scale="1",
    overwrite=False,
    json=False,
    resume=None,
    as_of=None,
):
    """Run a model's Terraform-rendered workflow locally: each step a processing job in Docker.

    The documented name of `invoke run --local`: with any --workspace, it runs on this machine.
    Every argument is checked before anything is written (docs/guide.md, 'Running locally').
    Shows a live step list (plain lines when not on a terminal) and writes an HTML report.
    `--resume RUN` reruns a failed run from its failed step ('Resuming a failed run')."""
    _run_locally(model, input, output, workspace, time_scale, overwrite, json, resume, as_of)


def _run_locally(model, input, output, workspace, time_scale, overwrite, json, resume, as_of):
    """`run-local`'s work, also `run`'s on this machine."""
    from legacylift.local.run import run_local as run

    if as_of is not None and (input is not None or resume is not None):
        _fail_cleanly(lambda: _refuse("--as-of", "give --as-of alone: it sets the input itself"))
    if input is None and resume is None and as_of is None:
        _fail_cleanly(
            lambda: _refuse(
                "--input",
                "give the input (a path or s3:// URI), "
                "--resume RUN to rerun a failed run, or --as-of DATE "
                "to run what the schedule would have started",
            )
        )
    if as_of is not None:
        from legacylift import schedule
        from legacylift.local.run import bucket_for
        from legacylift.models import load_model

        scheduled = _fail_cleanly(
            lambda: schedule.as_of(load_model(model), as_of, bucket_for(workspace)), "run-local"
        )
        input, output = scheduled.input_uri, output or scheduled.output_uri
        print(f"{model}: as scheduled at {scheduled.start.isoformat()}: input {input}")
    options = {"workspace": workspace, "time_scale": time_scale, "overwrite": overwrite}
    _follow_local(
        lambda reporter: run(model, input, output, reporter=reporter, resume=resume, **options),
        json,
        workspace,
        "run-local",
    )


def _follow_local(start, json_output, workspace, task_name):
    """`start(reporter)` (a local run of either workflow), its result printed by `_print_run`."""
    from legacylift.report.reporter import Reporter

    reporter = Reporter("json" if json_output else "text")
    with _quiet_stdout(json_output):
        result = _fail_cleanly(lambda: start(reporter), task_name)
    _print_run(result, reporter, json_output, workspace)


def _print_run(result, reporter, json_output, workspace=None):
    """Print what `run`, `run-local` and `train` return (a local `LocalRun` or a cloud
    `CloudRun`, of either workflow): with --json one document on stdout (the reporter's result,
    and `training`: a training run's outcome), else a local run's closing lines, then a
    training run's outcome; a run that ended other than succeeded exits 1."""
    from legacylift.local.promotions import training_outcome
    from legacylift.local.run import LocalRun

    trained = result.workflow == "train" and result.succeeded
    outcome = training_outcome(result.model, result.output) if trained else None
    ended_badly = not result.succeeded and reporter.trace.status != "RUNNING"
    if json_output:
        path, report = getattr(result, "output_path", None), getattr(result, "report_path", None)
        document = reporter.result(
            output_uri=result.output_uri,
            output_path=str(path) if path else None,
            report=str(report) if report else None,
        )
        if outcome is not None:
            document["training"] = outcome.as_json()
        print_json_document(document, failed=ended_badly)
        return
    if isinstance(result, LocalRun):
        _print_local_run(result, workspace)
    if outcome is not None:
        _print_training(outcome)
    if ended_badly:
        raise Exit(code=1)


def _print_local_run(result, workspace):
    """A local run's closing lines: how it ended, its output, cost and report; for a failed
    one the failing step, the alert summary and (inference) how to resume it."""
    from legacylift.console import error, success

    if not result.succeeded:
        from legacylift.alerts import summary

        error(result.failure)
        _print_cost(result.cost, result.reporter)
        if result.report_path:
            error(f"report: {result.report_path}")
        ended, model = result.result, result.model
        cause = " ".join((ended.cause or "-").split())[:500]
        name, link = result.execution_name, str(result.report_path)
        error(summary(model, workspace, name, ended.status, ended.error or "-", cause, link))
        if result.workflow == "inference":
            error(f"resume it: invoke run-local {model} --resume {result.execution_name}")
        return
    if result.failed_batches:
        error(f"{len(result.failed_batches)} failed batches, within the tolerance:")
        error("\n".join(result.failed_batches))
    success(f"{result.model}: execution {result.execution_name} succeeded in {result.seconds:.1f}s")
    success(f"output: {result.output_path or result.output_uri}")
    _print_cost(result.cost, result.reporter)
    if result.report_path:
        success(f"report: {result.report_path}")


def _print_training(outcome):
    """A training run's outcome: the evaluated-on-training-data warning, what was promoted
    or why nothing was, and where a model that was not promoted is kept."""
    from legacylift.console import info, success, warning

    if outcome.warning:
        warning(outcome.warning)
    if outcome.promoted:
        success(outcome.summary)
        return
    info(outcome.summary)
    if outcome.artifacts_uri:
        info(f"artifacts kept at {outcome.artifacts_uri}")


def _print_cost(cost, reporter=None):
    """The run's instance-hours and estimated cost, one line."""
    from legacylift.console import info
    from legacylift.report.cost import cost_line

    if cost is not None:
        reused = len(reporter.reused) if reporter is not None else 0
        info(
            f"cost: {cost_line(cost)}" + (f" ({reused} reused jobs cost nothing)" if reused else "")
        )


def _data_bucket(workspace):
    """(the workspace's data bucket from its Terraform outputs, None), or ("<data bucket>", a
    note saying why the outputs could not be read) when they cannot."""
    from legacylift.aws.deployed import load_stack
    from legacylift.errors import LegacyLiftError

    try:
        return load_stack(workspace).data_bucket, None
    except LegacyLiftError as exc:
        return "<data bucket>", (
            f"the data bucket of workspace {workspace!r} is shown as <data bucket>: its "
            f"Terraform outputs could not be read ({exc})"
        )


@task(
    help={
        "model": "the model: its folder name under legacy_models/",
        "workspace": "the workspace whose deployment would run it: refused when the model has "
        "no built image there (default 'local': the local object store's bucket; a cloud "
        "workspace's data bucket is read from its Terraform outputs)",
        "count": "how many starts to list (default 5)",
        "json": JSON_HELP,
    }
)
def schedule(c, model, workspace="local", count=5, json=False):
    """Print the next starts of a model's [schedule] and the input and output each run gets."""
    from datetime import UTC, datetime

    from legacylift import schedule as schedules
    from legacylift.console import warning
    from legacylift.local.run import bucket_for
    from legacylift.models import load_model

    def upcoming():
        loaded = load_model(model)
        schedules.model_schedule(loaded)
        schedules.check_built(model, workspace)
        bucket, note = (
            (bucket_for(workspace), None) if workspace == "local" else _data_bucket(workspace)
        )
        runs = schedules.upcoming(loaded, datetime.now(UTC), bucket, int(count))
        return loaded.schedule, runs, note

    rule, runs, note = _fail_cleanly(upcoming, "schedule")
    if note:
        warning(note)
    if json:
        starts = [
            {"start": run.start.isoformat(), "input": run.input_uri, "output": run.output_uri}
            for run in runs
        ]
        print_json_document({"model": model, "workspace": workspace, **rule, "starts": starts})
        return
    print(f"{model}: {rule['expression']} in {rule['time_zone']}")
    for run in runs:
        print(f"{run.start.isoformat()}  input {run.input_uri}  output {run.output_uri}")


@task(
    name="run-definition",
    help={
        "definition": "an existing Step Functions definition (ASL JSON) whose Tasks are SageMaker "
        "createProcessingJob(.sync)",
        "input": "its execution input (JSON file; default {})",
        "image": "URI=REF: run image URI as a local image (REF), or as the image of a model "
        "folder (legacy_models/NAME, built when missing); repeatable. AWS sagemaker-scikit-learn "
        "URIs map to the local twin without it",
        "stage": "LOCAL_PATH=s3://bucket/key: upload a file (to that key) or a directory's files "
        "(under that prefix) into the local object store first; repeatable",
        "name": "deprecated: the old spelling of --execution",
        "time-scale": LOCAL_HELP["time_scale"],
        "execution": "the execution name (default DEFINITION-YYYYmmdd-HHMMSS-xxxxxx)",
        "json": JSON_HELP,
    },
    iterable=["image", "stage"],
)
def run_definition(
    c,
    definition,
    input=None,
    image=None,
    stage=None,
    name=None,
    time_scale="1",
    execution=None,
    json=False,
):
    """Run an existing Step Functions definition and input locally, unchanged: each SageMaker
    processing job in local Docker, image URIs mapped to local images."""
    from legacylift.console import error, success
    from legacylift.local.definition_run import run_definition as run
    from legacylift.report.reporter import Reporter

    execution = _execution_name(execution, name)
    reporter = Reporter("json" if json else "text")
    with _quiet_stdout(json):
        result = _fail_cleanly(
            lambda: run(
                definition,
                input,
                *_definition_images_and_stages(image, stage),
                name=execution,
                time_scale=time_scale,
                reporter=reporter,
            )
        )
    if json:
        outputs = {uri: str(path) if path else None for uri, path in result.outputs.items()}
        document = reporter.result(report=str(result.report_path) if result.report_path else None)
        print_json_document({**document, "outputs": outputs}, failed=not result.succeeded)
        return
    if not result.succeeded:
        error(result.failure)
        if result.report_path:
            error(f"report: {result.report_path}")
        raise Exit(code=1)
    success(f"{result.model}: execution {result.execution_name} succeeded in {result.seconds:.1f}s")
    for uri, path in result.outputs.items():
        success(f"output: {uri}" + (f" -> {path}" if path else ""))
    if result.report_path:
        success(f"report: {result.report_path}")


def _definition_images_and_stages(image, stage):
    """`run-definition`'s --image mappings and --stage uploads, parsed."""
    from legacylift.local.definition_run import parse_stages
    from legacylift.local.image_map import parse_mappings

    return parse_mappings(image or []), parse_stages(stage or [])


def _execution_name(execution, name):
    """--execution, or the deprecated --name it replaces (with a warning); both: refused."""
    from legacylift.console import warning

    if name is None:
        return execution
    if execution is not None:
        _fail_cleanly(lambda: _refuse("--name", "give the execution name once, as --execution"))
    warning(f"--name is the old spelling of --execution: use --execution {name}")
    return name


@task(
    name="clean-local",
    help={
        "older_than": "remove only runs whose data did not change for this many days "
        "(default 7; any finite number above 0; a run still going is never removed)",
        "inputs": "also remove the copies of local inputs that run-local staged",
        "dry_run": "list what would be removed, remove nothing",
        "json": JSON_HELP,
    },
)
def clean_local(c, older_than="7", inputs=False, dry_run=False, json=False):
    """Remove old runs' intermediate data and outputs from the local object store.

    Only the engine's own prefixes in legacylift-* buckets; objects you put there yourself,
    model code and job records are kept."""
    from legacylift.console import success
    from legacylift.errors import LegacyLiftError
    from legacylift.local.clean import clean_local as clean
    from legacylift.local.settings import LocalSettings

    def action():
        try:
            days = float(older_than)
        except ValueError:
            raise LegacyLiftError(f"--older-than {older_than!r}: give a number of days") from None
        return clean(LocalSettings.from_env(), days, include_inputs=inputs, dry_run=dry_run)

    report = _fail_cleanly(action)
    if json:
        removed = [str(path) for path in report.removed]
        kept = {"kept_recent": report.kept_recent, "kept_live": report.kept_live}
        print_json_document({"dry_run": dry_run, "removed": removed, "bytes": report.bytes, **kept})
        return
    verb = "would remove" if dry_run else "removed"
    for path in report.removed:
        print(f"{verb} {path}")
    success(
        f"{verb} {len(report.removed)} run folders ({report.bytes / 1e6:.1f} MB); kept "
        f"{report.kept_recent} newer than {older_than} days and {report.kept_live} in use "
        "by a run still going"
    )


TRAIN_HELP = {
    "model": "the model: its folder name under legacy_models/ (with [train], [evaluate], "
    "[promotion] in its model.toml)",
    "input": "the training data: on this machine a local file or directory, or an s3:// URI of "
    "the local object store; on AWS an s3:// URI",
    "evaluation": "the evaluation data, as --input (default: the training data)",
    "json": JSON_HELP,
    **RUN_HELP,
}


@task(help=TRAIN_HELP)
def train(
    c,
    model,
    input,
    evaluation=None,
    workspace="local",
    time_scale=None,
    local=False,
    execution=None,
    wait=True,
    poll=None,
    json=False,
):
    """Run a model's training workflow: train, evaluate, promote when good enough.

    `invoke run --workflow train` under its own name: on this machine for --workspace local
    (the default) or with --local, else on the deployed workspace's training state machine."""
    options = given(
        evaluation=evaluation,
        time_scale=time_scale,
        execution=execution,
        no_wait=not wait,
        poll=poll,
        json=json,
    )
    place = _fail_cleanly(lambda: check_options(options, workspace, local, "train"))
    _train(model, workspace, place, input, evaluation, time_scale, execution, wait, poll, json)


def _train(model, workspace, place, input, evaluation, time_scale, execution, wait, poll, json):
    """A training run where `place` says, its options checked already."""
    from legacylift.local.training import train_local

    if input is None:
        _fail_cleanly(lambda: _refuse("--input", "give the training data"))
    if place == HERE:
        options = {"workspace": workspace, "time_scale": time_scale or "1"}
        _follow_local(
            lambda reporter: train_local(model, input, evaluation, reporter=reporter, **options),
            json,
            workspace,
            "train",
        )
        return
    _fail_cleanly(lambda: check_cloud_inputs(workspace, input=input, evaluation=evaluation))
    _run_on_aws(
        model, workspace, input, None, execution, wait, float(poll or 5), json, "train", evaluation
    )


@task(help={"workspace": LOCAL_HELP["workspace"]})
def demo(c, workspace="local"):
    """Build every sample model and run its pipeline locally (the README's main command).

    Writes each model's run report and an index page linking them."""
    from legacylift.local.demo import run_demo

    _fail_cleanly(lambda: run_demo(workspace=workspace))


@task(
    name="upload-input",
    help={
        "model": "the model: its folder name under legacy_models/",
        "path": "local file or directory to upload",
        "workspace": "Terraform workspace whose data bucket receives it",
        "json": JSON_HELP,
    },
)
def upload_input(c, model, path, workspace, json=False):
    """Upload a local input to s3://<data bucket>/MODEL/input/ and print its URI."""
    from legacylift.aws.operations import upload_input as upload

    with _quiet_stdout(json):
        uri = _fail_cleanly(lambda: upload(model, path, workspace), "upload-input")
    if json:
        print_json_document({"model": model, "workspace": workspace, "uri": uri})


@task(
    help={
        "model": "the model: its folder name under legacy_models/",
        "input": "the input: on this machine a local file or directory, or an s3:// URI of the "
        "local object store; on AWS an s3:// URI (`invoke upload-input` puts a local one there)",
        "output": "where the results go: on this machine a new or empty local directory or an "
        "s3:// URI (default s3://legacylift-WORKSPACE/MODEL/output/EXECUTION/ in the local "
        "object store); on AWS an s3:// URI (default s3://<data bucket>/MODEL/output/<run>/)",
        "json": JSON_HELP,
        "workflow": "inference (default) or train: the model's training workflow, as "
        "`invoke train`",
        "evaluation": "with --workflow train: the evaluation data, as --input (default: --input)",
        "overwrite": "on this machine: replace the contents of a non-empty --output",
        "resume": "on this machine: the execution name of a failed local run of this model: its "
        "completed steps whose inputs, code and image are unchanged are reused (--input "
        "defaults to that run's input; on AWS, `invoke redrive` restarts a failed execution)",
        "as_of": "on this machine: run what the model's [schedule] would have started on this "
        "date (YYYY-MM-DD) or local time (YYYY-MM-DDTHH:MM), instead of --input",
        **RUN_HELP,
    }
)
def run(
    c,
    model,
    workspace="local",
    input=None,
    output=None,
    execution=None,
    wait=True,
    poll=None,
    json=False,
    workflow="inference",
    evaluation=None,
    local=False,
    time_scale=None,
    overwrite=False,
    as_of=None,
    resume=None,
):
    """Run a model's workflow and follow it step by step, here or on AWS.

    --workspace local (the default) or --local: on this machine, each step a processing job in
    Docker (`run-local`); any other workspace: an execution of its deployed state machine.
    `--workflow train` is `invoke train`. An option that does not fit the run is refused before
    anything starts."""
    options = given(
        output=output,
        evaluation=evaluation,
        execution=execution,
        no_wait=not wait,
        poll=poll,
        json=json,
        time_scale=time_scale,
        overwrite=overwrite,
        resume=resume,
        as_of=as_of,
    )
    place = _fail_cleanly(lambda: check_options(options, workspace, local, workflow))
    if workflow == "train":
        _train(model, workspace, place, input, evaluation, time_scale, execution, wait, poll, json)
    elif place == HERE:
        _run_locally(
            model, input, output, workspace, time_scale or "1", overwrite, json, resume, as_of
        )
    else:
        _run_on_aws(model, workspace, input, output, execution, wait, float(poll or 5), json)


def _run_on_aws(
    model,
    workspace,
    input,
    output,
    execution,
    wait,
    poll,
    json,
    workflow="inference",
    evaluation=None,
):
    """A run of either workflow on the deployed workspace, followed step by step."""
    from legacylift.aws.operations import CloudRun
    from legacylift.aws.operations import run as start_run
    from legacylift.errors import LegacyLiftError
    from legacylift.report.reporter import Reporter

    if input is None:
        _fail_cleanly(
            lambda: _refuse(
                "--input",
                "give the s3:// URI of the input (a failed execution on AWS restarts with "
                "`invoke redrive`)",
            )
        )
    _fail_cleanly(lambda: check_cloud_inputs(workspace, input=input, output=output))
    reporter = Reporter("json" if json else "text")
    with _quiet_stdout(json):
        try:
            result = start_run(
                model,
                workspace,
                input,
                output,
                execution,
                wait,
                poll,
                reporter,
                workflow=workflow,
                evaluation_uri=evaluation,
            )
        except LegacyLiftError as exc:
            if not json or reporter.trace.status == "RUNNING":  # failed before it ended
                from legacylift.console import error

                error(str(exc))
                raise Exit(code=1) from None
            result = CloudRun(model, workflow, reporter.trace.arn, reporter.trace.status)
        except Exception as exc:
            _exit_on_aws_error(exc, "run")
            raise
    reporter.trace.arn = reporter.trace.arn or result.arn  # --no-wait: not followed
    reporter.trace.name = reporter.trace.name or result.arn.rsplit(":", 1)[-1]
    _print_run(result, reporter, json)


@task(
    help={
        "execution": "the failed execution: its ARN, or its name together with --workspace and "
        "--model",
        "workspace": "Terraform workspace (when EXECUTION is a name); 'local': a failed run "
        "on this machine, resumed as `run --resume EXECUTION` does",
        "model": "the model (when EXECUTION is a name)",
        "wait": "follow the redriven execution to its end (default); --no-wait returns once "
        "redriven",
        "poll": "seconds between progress polls while following (default 5)",
        "json": JSON_HELP,
    }
)
def redrive(c, execution, workspace=None, model=None, wait=True, poll=None, json=False):
    """Restart a failed Standard execution from its failed step (Step Functions redrive) and
    follow it like `run`; refused, before AWS is called, for a succeeded execution, one that
    stopped over 14 days ago, failed before its first state, or is a Distributed Map child.
    With --workspace local, a failed run on this machine resumes from its failed step."""
    from legacylift.aws.operations import redrive as redrive_execution
    from legacylift.errors import LegacyLiftError
    from legacylift.report.reporter import Reporter

    if workspace == LOCAL_WORKSPACE:
        _resume_locally(execution, model, wait, poll, json)
        return
    poll = float(poll or 5)

    reporter = Reporter("json" if json else "text")
    failed = False
    with _quiet_stdout(json):
        try:
            redrive_execution(execution, workspace, model, wait, poll, reporter)
        except LegacyLiftError as exc:
            if not json or reporter.trace.status == "RUNNING":  # refused, or failed to follow
                from legacylift.console import error

                error(str(exc))
                raise Exit(code=1) from None
            failed = True
        except Exception as exc:
            _exit_on_aws_error(exc, "redrive")
            raise
    if json:
        reporter.print_json()
        if failed:
            raise Exit(code=1)


def _resume_locally(execution, model, wait, poll, json):
    """`redrive --workspace local`: the failed local run resumed, as `run --resume` does."""
    options = given(no_wait=not wait, poll=poll)
    _fail_cleanly(lambda: check_options(options, LOCAL_WORKSPACE, False, "inference"))
    if not model:
        _fail_cleanly(
            lambda: _refuse("--model", f"name the model whose local run {execution} to resume")
        )
    _run_locally(model, None, None, LOCAL_WORKSPACE, "1", False, json, execution, None)
