"""LegacyLift's invoke tasks. Each is thin: parse arguments, call `legacylift`, print.

`invoke --list` shows them; `invoke --help TASK` shows one task's arguments.
"""

from __future__ import annotations

import os
import sys

from invoke import Exit, task

from legacylift import settings
from legacylift.terraform_env import terraform_env

ROOT = os.path.dirname(os.path.abspath(__file__))


@task(
    help={
        "fast": "skip tests marked slow (whole image builds and pipelines)",
        "pytest_args": "extra arguments passed to pytest, e.g. '-k registry -x'",
        "workers": "pytest-xdist worker processes (default 2; 1 runs one process)",
    }
)
def test(c, fast=False, pytest_args="", workers=2):
    """Lint (ruff, terraform fmt) and run the test suite: the README's test command and CI's.

    Two workers by default (`-n 2 --dist loadgroup`): the Terraform-and-moto tests run beside
    the others, everything that shares Docker, the registry or the state directory in one
    serial group (tests/conftest.py).

    The Terraform matrix: the whole suite runs on the bundled minimum Terraform, then the tests
    marked `terraform_matrix` (validate and plan of the root, examples and deployment root,
    the workflow render, the consumer test) run again on the newest Terraform on PATH. Under CI
    a missing second leg fails; elsewhere it is skipped with the reason."""
    from legacylift.console import error, info
    from legacylift.terraform_select import matrix_legs

    minimum, current, reason = _fail_cleanly(matrix_legs)
    env = terraform_env()
    with c.cd(ROOT):
        c.run("ruff check .", env=env, pty=False)
        c.run("ruff format --check .", env=env, pty=False)
        c.run("terraform fmt -check -recursive -diff", env=env, pty=False)
        legs = [(minimum, "not slow" if fast else "")]
        if current is not None:
            legs.append((current, "terraform_matrix" + (" and not slow" if fast else "")))
        for choice, marker in legs:
            info(f"tests on {choice.describe()}" + (f", only `-m '{marker}'`" if marker else ""))
            leg_env = {**env, "LEGACYLIFT_TERRAFORM": str(choice.path)}
            selection = f"-m '{marker}'" if marker else ""
            parallel = f"-n {workers} --dist loadgroup" if int(workers) > 1 else ""
            result = c.run(
                f"{sys.executable} -m pytest {parallel} {selection} {pytest_args}",
                env=leg_env,
                warn=True,
            )
            if result.exited == 5 and choice is current:
                info(f"no tests marked terraform_matrix in this selection for {choice.version}")
                continue
            if result.exited == 5:
                raise Exit("pytest collected no tests: that is a failure, not a pass", code=1)
            if result.exited != 0:
                raise Exit(code=result.exited)
    if current is None:
        if os.environ.get("CI"):
            error(f"the second Terraform leg could not run: {reason} (CI must provide one)")
            raise Exit(code=1)
        info(f"second Terraform leg skipped: {reason}")


@task(help={"check": "only check: exit 1 naming each README whose tables are stale"})
def module_docs(c, check=False):
    """Regenerate the Inputs/Outputs tables of every Terraform module's README from its HCL.

    The tables sit between `<!-- BEGIN_TF_DOCS -->` and `<!-- END_TF_DOCS -->` (terraform-docs'
    markers); a variable's or output's description lives only in its `.tf` file."""
    from legacylift import module_docs as docs
    from legacylift.console import error, success

    if check:
        stale = _fail_cleanly(docs.stale_readmes)
        for readme in stale:
            error(f"{readme} is stale: run `invoke module-docs`")
        if stale:
            raise Exit(code=1)
        success("module READMEs match their variables and outputs")
        return
    for readme in _fail_cleanly(docs.write_readmes):
        success(f"regenerated {readme}")


# --- build: containerise legacy models -------------------------------------------------------


def _fail_cleanly(action, task_name=None):
    """Run `action`; turn a LegacyLiftError, or any AWS client error (a refused call, a failed
    upload, expired credentials), into one line naming the task and the fix, and exit 1."""
    from legacylift.console import error
    from legacylift.errors import LegacyLiftError

    try:
        return action()
    except LegacyLiftError as exc:
        error(str(exc))
        raise Exit(code=1) from None
    except Exception as exc:
        _exit_on_aws_error(exc, task_name)
        raise


def _exit_on_aws_error(exc, task_name=None):
    """An AWS client error becomes one line with the fix and exit 1; anything else returns."""
    from legacylift.console import error
    from legacylift.errors import describe_aws_error, is_aws_error

    if is_aws_error(exc):
        error(describe_aws_error(task_name or "aws", exc))
        raise Exit(code=1) from None


BUILD_HELP = {
    "workspace": "Terraform workspace whose tfvars get the pinned digest (default: $TF_WORKSPACE "
    "or 'default')",
    "registry": "'ecr' (the account's ECR, default), 'local' (the development registry), or any "
    "registry host[:port]; $LEGACYLIFT_TARGET_REGISTRY sets the default",
    "push": "push and pin the digest (--no-push only builds the local image)",
}


def _default_workspace(workspace):
    return workspace or os.environ.get("TF_WORKSPACE") or "default"


def _default_registry(registry):
    return registry or settings.get("LEGACYLIFT_TARGET_REGISTRY")


@task(
    help={
        "model": "the model: its folder name under legacy_models/",
        "refresh-requirements": "resolve requirements.txt again instead of installing the "
        "versions recorded in requirements.lock.txt (which the build then rewrites); with the "
        "model's own Dockerfile, rebuild it without the layer cache",
        **BUILD_HELP,
    }
)
def build_model(c, model, workspace=None, registry=None, push=True, refresh_requirements=False):
    """Containerise one legacy model, push it and pin its digest into the workspace's tfvars.

    Skips the build when an image with the same content hash exists locally or in the target.
    The first build records what pip resolved in requirements.lock.txt; later builds install
    exactly those versions."""
    from legacylift.build import build_model as build

    _fail_cleanly(
        lambda: build(
            model,
            _default_workspace(workspace),
            _default_registry(registry),
            push=push,
            refresh_requirements=refresh_requirements,
        ),
        "build-model",
    )


@task(help={"jobs": "how many models to build at once (default 1)", **BUILD_HELP})
def build_all(c, jobs=1, workspace=None, registry=None, push=True):
    """`build-model` for every model in legacy_models/, `--jobs` at a time."""
    from legacylift.build import build_all as build

    results = _fail_cleanly(
        lambda: build(
            None, int(jobs), _default_workspace(workspace), _default_registry(registry), push
        )
    )
    built = sum(1 for result in results if result.image.built)
    print(f"{len(results)} models: {built} built, {len(results) - built} up to date")


@task(
    name="new-model",
    help={
        "name": "the new model's folder name under legacy_models/ (lowercase letters, digits, "
        "hyphens)",
        "from": "an existing legacy project to copy in, file names kept; a model.toml is written "
        "for what is found there",
    },
)
def new_model(c, name, from_=None):
    """Create legacy_models/NAME following the contract, blank or from a legacy project; print
    what was guessed and what to check. Never overwrites an existing model."""
    from legacylift.console import detail, info, success
    from legacylift.new_model import new_model as create

    created = _fail_cleanly(lambda: create(name, from_))
    success(f"created {created.path}")
    for guess in created.guesses:
        detail(f"guessed: {guess}")
    for check in created.checks:
        info(f"check: {check}")


@task(
    help={
        "aws": "also read each deployed workspace's promotion records from its data bucket and "
        "the version its `live` alias runs (needs AWS credentials)",
        "prod": "the production workspace whose lag behind the others is shown (default prod)",
    }
)
def list_models(c, aws=False, prod="prod"):
    """Each model: content hash, whether its image is built, the digest pinned per workspace
    (`+`: promoted there), how far the prod workspace is behind the others, the promoted
    version and metric of models with a training workflow, and its last run (local, or
    followed on AWS) with its estimated cost."""
    from legacylift.console import error
    from legacylift.model_table import model_table

    invalid: list[str] = []
    print(_fail_cleanly(lambda: model_table(invalid, aws_promotions=aws, prod=prod)))
    for problem in invalid:
        error(problem)
    if invalid:
        raise Exit(code=1)


@task
def build_framework_image(c):
    """Build the local twin of AWS's scikit-learn processing image (script-mode steps)."""
    from legacylift.build import ensure_framework_image

    print(_fail_cleanly(ensure_framework_image))


@task(
    help={
        "model": "only this model (default: every model in legacy_models/)",
        "dry_run": "print what would be removed, remove nothing",
    }
)
def prune(c, model=None, dry_run=False):
    """Remove old content-hash images of each model; keep the newest and every image a
    workspace's tfvars pins."""
    from legacylift.build.prune import prune_images

    _fail_cleanly(lambda: prune_images([model] if model else None, dry_run=dry_run), "prune")


# --- local run: the rendered workflow in local Docker -----------------------------------------


LOCAL_HELP = {
    "workspace": "names the local bucket (legacylift-WORKSPACE) and job-name prefix "
    "(default 'local')",
    "time_scale": "multiply Wait states and Retry intervals by this factor (e.g. 0.01)",
}


JSON_HELP = "print one machine-readable JSON result on stdout (progress goes to stderr)"


def _quiet_stdout(json_output):
    """With --json, everything but the JSON result goes to stderr."""
    import contextlib

    return contextlib.redirect_stdout(sys.stderr) if json_output else contextlib.nullcontext()


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

    Every argument is checked before anything is written (docs/guide.md, 'Running locally').
    Shows a live step list (plain lines when not on a terminal) and writes an HTML report.
    `--resume RUN` reruns a failed run from its failed step ('Resuming a failed run')."""
    from legacylift.console import error, success
    from legacylift.local.run import run_local as run
    from legacylift.report.reporter import Reporter

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
    reporter = Reporter("json" if json else "text")
    with _quiet_stdout(json):
        result = _fail_cleanly(
            lambda: run(
                model,
                input,
                output,
                workspace=workspace,
                time_scale=time_scale,
                overwrite=overwrite,
                reporter=reporter,
                resume=resume,
            ),
            "run-local",
        )
    if json:
        local_output = str(result.output_path) if result.output_path else None
        reporter.print_json(
            output_uri=result.output_uri, output_path=local_output, report=str(result.report_path)
        )
        if not result.succeeded:
            raise Exit(code=1)
        return
    if not result.succeeded:
        from legacylift.alerts import summary

        error(result.failure)
        _print_cost(result.cost, result.reporter)
        if result.report_path:
            error(f"report: {result.report_path}")
        ended = result.result
        cause = " ".join((ended.cause or "-").split())[:500]
        name, link = result.execution_name, str(result.report_path)
        error(summary(model, workspace, name, ended.status, ended.error or "-", cause, link))
        error(f"resume it: invoke run-local {model} --resume {result.execution_name}")
        raise Exit(code=1)
    if result.failed_batches:
        error(f"{len(result.failed_batches)} failed batches, within the tolerance:")
        error("\n".join(result.failed_batches))
    success(f"{model}: execution {result.execution_name} succeeded in {result.seconds:.1f}s")
    success(f"output: {result.output_path or result.output_uri}")
    _print_cost(result.cost, result.reporter)
    if result.report_path:
        success(f"report: {result.report_path}")


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
    from legacylift.aws.stack import load_stack
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
    }
)
def schedule(c, model, workspace="local", count=5):
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
        "name": "the execution name (default DEFINITION-YYYYmmdd-HHMMSS-xxxxxx)",
        "time-scale": LOCAL_HELP["time_scale"],
    },
    iterable=["image", "stage"],
)
def run_definition(c, definition, input=None, image=None, stage=None, name=None, time_scale="1"):
    """Run an existing Step Functions definition and input locally, unchanged: each SageMaker
    processing job in local Docker, image URIs mapped to local images."""
    from legacylift.console import error, success
    from legacylift.local.definition_run import parse_stages
    from legacylift.local.definition_run import run_definition as run
    from legacylift.local.image_map import parse_mappings

    result = _fail_cleanly(
        lambda: run(
            definition,
            input,
            parse_mappings(image or []),
            parse_stages(stage or []),
            name=name,
            time_scale=time_scale,
        )
    )
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


@task(
    name="clean-local",
    help={
        "older_than": "remove only runs whose data did not change for this many days "
        "(default 7; any finite number above 0; a run still going is never removed)",
        "inputs": "also remove the copies of local inputs that run-local staged",
        "dry_run": "list what would be removed, remove nothing",
    },
)
def clean_local(c, older_than="7", inputs=False, dry_run=False):
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
    verb = "would remove" if dry_run else "removed"
    for path in report.removed:
        print(f"{verb} {path}")
    success(
        f"{verb} {len(report.removed)} run folders ({report.bytes / 1e6:.1f} MB); kept "
        f"{report.kept_recent} newer than {older_than} days and {report.kept_live} in use "
        "by a run still going"
    )


@task(
    help={
        "model": "the model: its folder name under legacy_models/ (with [train], [evaluate], "
        "[promotion] in its model.toml)",
        "input": "the training data: a local file or directory, or an s3:// URI of the local "
        "object store",
        "evaluation": "the evaluation data, as --input (default: the training data)",
        **LOCAL_HELP,
    }
)
def train(c, model, input, evaluation=None, workspace="local", time_scale="1"):
    """Run a model's training workflow locally: train, evaluate, promote when good enough."""
    from legacylift.console import error, info, success
    from legacylift.local.training import train_local

    result = _fail_cleanly(
        lambda: train_local(model, input, evaluation, workspace=workspace, time_scale=time_scale)
    )
    if not result.succeeded:
        error(result.failure)
        raise Exit(code=1)
    from legacylift.console import warning
    from legacylift.local.promotions import training_data_warning

    if training_data_warning(model, result.output):
        warning(training_data_warning(model, result.output))
    if result.promoted:
        record = result.output["record"]
        metric = record["metric"]
        success(
            f"{model}: promoted {record['artifact_uri']} ({metric['name']} = {metric['value']})"
        )
    else:
        info(f"{model}: not promoted: {result.output['reason']}")
        info(f"artifacts kept at {result.output['artifacts_uri']}")


@task(help={"workspace": LOCAL_HELP["workspace"]})
def demo(c, workspace="local"):
    """Build every sample model and run its pipeline locally (the README's main command).

    Writes each model's run report and an index page linking them."""
    from legacylift.local.demo import run_demo

    _fail_cleanly(lambda: run_demo(workspace=workspace))


# --- pictures and reports ---------------------------------------------------------------------


@task(
    help={
        "name": "the model whose workflow to draw (with --definition: the picture's name)",
        "workspace": "whose pinned settings to render with (default 'local')",
        "workflow": "'inference' (default) or 'train'",
        "definition": "draw this ASL definition file instead of a model's workflow",
        "output": "the picture to write: .svg (default), .png, .pdf or .dot "
        "(default .legacylift/graphs/NAME-WORKFLOW.svg)",
    }
)
def graph(c, name, workspace="local", workflow="inference", definition=None, output=None):
    """Draw a workflow as Terraform renders it (or any definition file) with Graphviz."""
    from pathlib import Path

    from legacylift.console import success
    from legacylift.local.definitions import definition_file, rendered_definition
    from legacylift.paths import project_state_dir
    from legacylift.report.graph import write_graph

    def action():
        if definition:
            text, stem = definition_file(definition), name
        else:
            text, stem = rendered_definition(name, workspace, workflow), f"{name}-{workflow}"
        target = Path(output) if output else project_state_dir() / "graphs" / f"{stem}.svg"
        return write_graph(text, target)

    success(f"graph: {_fail_cleanly(action)}")


@task(
    help={
        "execution": "execution ARN, or its name together with --workspace and --model",
        "workspace": "Terraform workspace (when EXECUTION is a name)",
        "model": "model name (when EXECUTION is a name)",
        "output": "where to write the HTML report (default .legacylift/reports/NAME.html)",
    }
)
def report(c, execution, workspace=None, model=None, output=None):
    """Write the HTML report of a cloud execution: graph, timeline, jobs, logs, outputs."""
    from pathlib import Path

    from legacylift.aws.reports import execution_report
    from legacylift.console import success

    path = _fail_cleanly(
        lambda: execution_report(execution, workspace, model, Path(output) if output else None)
    )
    success(f"report: {path}")


# --- operating on AWS: deploy, run, status, logs ----------------------------------------------


@task(
    name="bootstrap-backend",
    help={
        "bucket": "name of the S3 bucket that will hold Terraform state (globally unique)",
        "table": "DynamoDB lock table name (default BUCKET-lock)",
        "region": "AWS region (default: the credential chain's region)",
    },
)
def bootstrap_backend(c, bucket, table=None, region=None):
    """Create the S3 state bucket and lock table once per account; write terraform/backend.hcl."""
    from legacylift.aws.backend import bootstrap_backend as create
    from legacylift.aws.session import check_credentials, session
    from legacylift.aws.stack import terraform_dir

    def action():
        aws = session(region)
        check_credentials(aws)
        return create(aws, bucket, terraform_dir() / "backend.hcl", table)

    _fail_cleanly(action, "bootstrap-backend")


@task(
    help={
        "workspace": "Terraform workspace (dev, prod, ...): created when missing",
        "plan_only": "plan and print the summary, apply nothing",
        "split": "deploy as split stacks (a shared stack, one per model); automatic once split",
        "model": "split stacks: only this model's stack (repeatable)",
        "jobs": "split stacks: how many stacks plan/apply at once (default 4)",
        "all": "split stacks: plan every stack, changed or not",
    },
    iterable=["model"],
)
def deploy(c, workspace, plan_only=False, split=False, model=None, jobs=4, all=False):
    """Plan and apply terraform/ for one workspace (split stacks: those whose inputs changed)."""
    from legacylift.aws.deploy import deploy_workspace

    _fail_cleanly(
        lambda: deploy_workspace(workspace, plan_only, split, model or (), int(jobs), all),
        "deploy",
    )


@task(name="split-state", help={"workspace": "Terraform workspace to move to split stacks"})
def split_state(c, workspace):
    """Move a single-state workspace to split stacks (state pull/push; no state mv, no blocks)."""
    from legacylift.aws.split_state import split_state as move

    _fail_cleanly(lambda: move(workspace), "split-state")


@task(
    help={
        "since": "git ref to compare with (branch, tag or commit), e.g. origin/main",
        "json": JSON_HELP,
    }
)
def changed(c, since, json=False):
    """List the models to rebuild and, per workspace, the stacks to plan since a git ref."""
    import json as json_module

    from legacylift.changes import changed_since
    from legacylift.paths import REPO_ROOT

    found = _fail_cleanly(lambda: changed_since(since, REPO_ROOT), "changed")
    if json:
        print(json_module.dumps(found.as_dict(), indent=2))
    else:
        print("\n".join(found.lines()))


@task(
    name="upload-input",
    help={
        "model": "the model: its folder name under legacy_models/",
        "path": "local file or directory to upload",
        "workspace": "Terraform workspace whose data bucket receives it",
    },
)
def upload_input(c, model, path, workspace):
    """Upload a local input to s3://<data bucket>/MODEL/input/ and print its URI."""
    from legacylift.aws.operations import upload_input as upload

    _fail_cleanly(lambda: upload(model, path, workspace), "upload-input")


@task(
    help={
        "model": "the model: its folder name under legacy_models/",
        "workspace": "Terraform workspace the model is deployed in",
        "input": "s3:// URI of the input data",
        "output": "s3:// URI for the results (default s3://<data bucket>/MODEL/output/<run>/)",
        "execution": "execution name (default run-YYYYmmdd-HHMMSS); must be unused",
        "wait": "follow the execution to its end (default); --no-wait returns once started",
        "poll": "seconds between progress polls while following",
        "json": JSON_HELP,
        "workflow": "inference (default) or train: the model's training state machine",
        "evaluation": "with --workflow train: s3:// URI of the evaluation data (default: --input)",
    }
)
def run(
    c,
    model,
    workspace,
    input,
    output=None,
    execution=None,
    wait=True,
    poll=5,
    json=False,
    workflow="inference",
    evaluation=None,
):
    """Start an execution of a model's state machine and follow it step by step."""
    from legacylift.aws.operations import run as start_run
    from legacylift.aws.operations import train as start_training
    from legacylift.errors import LegacyLiftError
    from legacylift.report.reporter import Reporter

    if workflow == "train":
        if output or json:
            _fail_cleanly(
                lambda: _refuse("--output/--json", "--workflow train writes under models/")
            )
        _fail_cleanly(
            lambda: start_training(
                model, workspace, input, evaluation, execution, wait, float(poll)
            ),
            "run",
        )
        return
    if workflow != "inference" or evaluation:
        _fail_cleanly(
            lambda: _refuse(
                "--workflow/--evaluation",
                "use --workflow inference or train (--evaluation goes with train only)",
            )
        )

    reporter = Reporter("json" if json else "text")
    failed = False
    with _quiet_stdout(json):
        try:
            arn = start_run(model, workspace, input, output, execution, wait, float(poll), reporter)
        except LegacyLiftError as exc:
            if not json or reporter.trace.status == "RUNNING":  # failed before it ended
                from legacylift.console import error

                error(str(exc))
                raise Exit(code=1) from None
            failed, arn = True, reporter.trace.arn
        except Exception as exc:
            _exit_on_aws_error(exc, "run")
            raise
    if json:
        reporter.trace.arn = reporter.trace.arn or arn
        reporter.trace.name = reporter.trace.name or arn.rsplit(":", 1)[-1]
        reporter.print_json()
        if failed:
            raise Exit(code=1)


@task(
    help={
        "execution": "the failed execution: its ARN, or its name together with --workspace and "
        "--model",
        "workspace": "Terraform workspace (when EXECUTION is a name)",
        "model": "the model (when EXECUTION is a name)",
        "wait": "follow the redriven execution to its end (default); --no-wait returns once "
        "redriven",
        "poll": "seconds between progress polls while following",
        "json": JSON_HELP,
    }
)
def redrive(c, execution, workspace=None, model=None, wait=True, poll=5, json=False):
    """Restart a failed Standard execution from its failed step (Step Functions redrive) and
    follow it like `run`; refused, before AWS is called, for a succeeded execution, one that
    stopped over 14 days ago, failed before its first state, or is a Distributed Map child."""
    from legacylift.aws.operations import redrive as redrive_execution
    from legacylift.errors import LegacyLiftError
    from legacylift.report.reporter import Reporter

    reporter = Reporter("json" if json else "text")
    failed = False
    with _quiet_stdout(json):
        try:
            redrive_execution(execution, workspace, model, wait, float(poll), reporter)
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


def _refuse(option, fix):
    from legacylift.errors import LegacyLiftError

    raise LegacyLiftError(f"{option}: {fix}")


@task(
    help={
        "model": "the model: its folder name under legacy_models/",
        "workspace": "Terraform workspace",
        "limit": "how many recent executions to list",
        "json": JSON_HELP,
    }
)
def status(c, model, workspace, limit=10, json=False):
    """List a model's recent executions with status and duration."""
    import json as json_module

    from legacylift.aws.operations import status as list_status

    with _quiet_stdout(json):
        rows = _fail_cleanly(lambda: list_status(model, workspace, int(limit)), "status")
    if json:
        for row in rows:
            row["started"] = row["started"].isoformat()
        print(
            json_module.dumps(
                {"model": model, "workspace": workspace, "executions": rows}, indent=2
            )
        )


@task(
    help={
        "execution": "execution ARN, or its name together with --workspace and --model",
        "workspace": "Terraform workspace (when EXECUTION is a name)",
        "model": "the model (when EXECUTION is a name)",
    }
)
def logs(c, execution, workspace=None, model=None):
    """Print the processing jobs' CloudWatch logs of one execution."""
    from legacylift.aws.operations import logs as print_logs

    _fail_cleanly(lambda: print_logs(execution, workspace, model), "logs")


@task(
    help={
        "model": "the model: its folder name under legacy_models/",
        "workspace": "Terraform workspace whose `live` alias moves back",
    }
)
def rollback(c, model, workspace):
    """Point the model's `live` alias back to the previous state machine version (seconds, no
    Terraform run) and pin that version's image in the workspace's tfvars, so the next deploy
    keeps it. Again: one more version back; none left: an error."""
    from legacylift.aws.operations import rollback as roll_back

    _fail_cleanly(lambda: roll_back(model, workspace), "rollback")


@task(
    help={
        "model": "the model: its folder name under legacy_models/",
        "from": "the workspace whose pinned digest was tested, e.g. dev",
        "to": "the workspace that gets that digest, e.g. prod",
        "registry": "where the target's image goes: 'ecr', 'local' or host[:port] (default: the "
        "registry of the target's current pin)",
        "force": "promote even though no execution with the digest succeeded in --from",
        "reason": "why --force (kept in the promotion log); required with --force",
    }
)
def promote(c, model, from_, to, registry=None, force=False, reason=None):
    """Copy the digest pinned in --from to the target's registry by digest (no rebuild), pin it
    in --to's tfvars and log the promotion (terraform/promotions/TO.jsonl). Refused when the
    digest never succeeded in --from, unless --force --reason TEXT."""
    from legacylift.console import info, success
    from legacylift.promote import promote as carry

    record = _fail_cleanly(
        lambda: carry(model, from_, to, registry, force=force, reason=reason), "promote"
    )
    tested = record["tested_execution"]
    success(f"{model}: {record['digest']} promoted from {from_} to {to} ({record['image_uri']})")
    if tested:
        info(f"tested in {from_} by execution {tested['name']} ({tested['arn']})")
    else:
        info(f"forced without a succeeded execution in {from_}: {record['reason']}")
    info(f"next: `invoke deploy --workspace {to}`")
