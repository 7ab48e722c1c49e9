"""Deployments on AWS: the state backend, deploys, what changed, promotions and rollbacks."""

from __future__ import annotations

from invoke import task

from tasks.cli import JSON_HELP, _fail_cleanly, _quiet_stdout, print_json_document


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
        "json": JSON_HELP,
    },
    iterable=["model"],
)
def deploy(c, workspace, plan_only=False, split=False, model=None, jobs=4, all=False, json=False):
    """Plan and apply terraform/ for one workspace (split stacks: those whose inputs changed).

    With --json, one document: per stack (the single state is one) its status and change
    counts, failed stacks included."""
    from legacylift.aws.deploy import StacksFailed, deploy_document, deploy_workspace

    def action():
        try:
            return deploy_workspace(workspace, plan_only, split, model or (), int(jobs), all), None
        except StacksFailed as failure:
            if not json:
                raise
            return failure.outcomes, failure

    with _quiet_stdout(json):
        result, failure = _fail_cleanly(action, "deploy")
        if failure is not None:
            from legacylift.console import error

            error(str(failure))
    if json:
        print_json_document(deploy_document(workspace, plan_only, result), failed=bool(failure))


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
    help={
        "model": "the model: its folder name under legacy_models/",
        "workspace": "Terraform workspace whose `live` alias moves back",
        "json": JSON_HELP,
    }
)
def rollback(c, model, workspace, json=False):
    """Point the model's `live` alias back to the previous state machine version (seconds, no
    Terraform run) and pin that version's image in the workspace's tfvars, so the next deploy
    keeps it. Again: one more version back; none left: an error."""
    from dataclasses import asdict

    from legacylift.aws.operations import rollback as roll_back

    with _quiet_stdout(json):
        done = _fail_cleanly(lambda: roll_back(model, workspace), "rollback")
    if json:
        print_json_document({"model": model, "workspace": workspace, **asdict(done)})


@task(
    help={
        "model": "the model: its folder name under legacy_models/",
        "from": "the workspace whose pinned digest was tested, e.g. dev",
        "to": "the workspace that gets that digest, e.g. prod",
        "registry": "where the target's image goes: 'ecr', 'local' or host[:port] (default: the "
        "registry of the target's current pin)",
        "force": "promote even though no execution with the digest succeeded in --from",
        "reason": "why --force (kept in the promotion log); required with --force",
        "json": JSON_HELP,
    }
)
def promote(c, model, from_, to, registry=None, force=False, reason=None, json=False):
    """Copy the digest pinned in --from to the target's registry by digest (no rebuild), pin it
    in --to's tfvars and log the promotion (terraform/promotions/TO.jsonl). Refused when the
    digest never succeeded in --from, unless --force --reason TEXT."""
    from legacylift.console import info, success
    from legacylift.promote import promote as carry

    with _quiet_stdout(json):
        record = _fail_cleanly(
            lambda: carry(model, from_, to, registry, force=force, reason=reason), "promote"
        )
    if json:
        print_json_document(record)
        return
    tested = record["tested_execution"]
    success(f"{model}: {record['digest']} promoted from {from_} to {to} ({record['image_uri']})")
    if tested:
        info(f"tested in {from_} by execution {tested['name']} ({tested['arn']})")
    else:
        info(f"forced without a succeeded execution in {from_}: {record['reason']}")
    info(f"next: `invoke deploy --workspace {to}`")
