"""`invoke deploy`: plan and apply one workspace of the deployment root, as one state or as
split stacks (legacylift.aws.stacks): the shared stack first, then the model stacks whose
inputs changed, several at a time."""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from legacylift import console
from legacylift.aws import stack, stacks
from legacylift.aws.deploy_record import DeployRecord
from legacylift.aws.plan_summary import count_changes, count_lines, count_planned, summary_lines
from legacylift.aws.session import check_credentials, session
from legacylift.aws.state_addresses import migrate_addresses
from legacylift.aws.terraform import (
    StreamedRun,
    TerraformRunner,
    check_workspace_name,
    private_plan_dir,
)
from legacylift.errors import LegacyLiftError


@dataclass(frozen=True)
class DeployResult:
    """What a deploy did: whether it applied, the change counts, and the outputs after it."""

    workspace: str
    applied: bool
    changes: dict[str, Any]
    outputs: dict[str, Any]


def deploy(
    workspace: str, plan_only: bool = False, overrides: dict[str, Any] | None = None
) -> DeployResult:
    """Select or create `workspace`, move its state to the one-loop addresses if it holds the
    per-kind ones (legacylift.aws.state_addresses), plan with its var files (then `overrides`,
    which win) and print a summary; unless `plan_only` or nothing changes, apply the saved plan.
    Two Terraform commands after init: `plan -json -out` (the summary from its messages) and
    `apply -json` of the saved plan (the outputs from its messages), or `output` when nothing
    changes. `plan_only` shows the saved plan (`terraform show -json`) for its output changes
    too."""
    check_workspace_name(workspace)
    stack.check_images_pinned(workspace, stack.pinned_models(workspace))
    identity = check_credentials(session())
    console.info(f"AWS account {identity['account']} as {identity['arn']}")

    with console.timed("terraform init"):
        runner = stack.initialised_runner()
    if runner.ensure_workspace(workspace):
        console.info(f"created workspace {workspace}")
    migrate_addresses(runner, workspace, "single state", stacks.stacks_dir() / "backups")
    var_files = stack.workspace_var_files(workspace)
    for path in var_files:
        console.detail(f"var file {path}")

    if plan_only:
        return _plan_only(runner, workspace, var_files, overrides)

    outputs: dict[str, Any] | None = None
    with private_plan_dir() as plan_dir:
        with console.timed(f"terraform plan ({workspace})"):
            plan_path, plan = runner.plan_streamed(workspace, plan_dir, var_files, overrides)
        changes = count_planned(plan.planned)
        for line in count_lines(changes):
            console.info(line)
        if plan.has_changes:
            with console.timed(f"terraform apply ({workspace})"):
                outputs = runner.apply_saved(workspace, plan_path)
        else:
            console.success(f"workspace {workspace} is up to date")
    applied = outputs is not None
    if outputs is None:  # nothing applied: the state's outputs, no provider started
        outputs = runner.outputs(workspace)
    for model, arn in sorted((outputs.get("state_machine_arns") or {}).items()):
        console.detail(f"{model}: {arn}")
    return DeployResult(workspace, applied, changes, outputs)


def _plan_only(
    runner: TerraformRunner, workspace: str, var_files: list[Path], overrides: dict | None
) -> DeployResult:
    """A saved plan of `workspace` and its full summary for review (`terraform show -json`:
    resources and outputs); nothing applied."""
    with private_plan_dir() as plan_dir, console.timed(f"terraform plan ({workspace})"):
        plan = runner.plan(workspace, plan_dir, var_files, overrides)
    for line in summary_lines(plan.document):
        console.info(line)
    console.info("plan only: nothing applied")
    return DeployResult(workspace, False, count_changes(plan.document), runner.outputs(workspace))


DEFAULT_JOBS = 4


@dataclass(frozen=True)
class StackOutcome:
    """What happened to one stack: applied, up to date, planned (plan only) or failed."""

    name: str
    status: str
    changes: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    error: str | None = None
    run: StreamedRun | None = field(default=None, repr=False, compare=False)

    def line(self) -> str:
        """One report line: the stack, its change counts, what was done and how long it took."""
        counts = ", ".join(
            f"{sum(self.changes[kind].values())} to {kind}"
            for kind in ("create", "update", "replace", "delete")
            if self.changes.get(kind)
        )
        detail = f" ({counts})" if counts else ""
        return f"{stacks.stack_label(self.name)}: {self.status}{detail} in {self.seconds:.1f}s"


def _deploy_stack(workspace: str, inputs: stacks.StackInputs, plan_only: bool) -> StackOutcome:
    """Plan and apply one stack in one Terraform command (only plan when `plan_only`) with the
    workspace's settings files and its overrides, its state first moved to the one-loop
    addresses if it holds the per-kind ones. Errors become a failed outcome."""
    started = time.monotonic()
    try:
        runner = stacks.stack_runner(inputs.name)
        label = stacks.stack_label(inputs.name)
        migrate_addresses(runner, workspace, label, stacks.stacks_dir() / "backups")
        with private_plan_dir() as plan_dir:
            run = runner.apply_streamed(
                workspace, plan_dir, stacks.settings_files(workspace), inputs.overrides, plan_only
            )
    except LegacyLiftError as exc:
        return StackOutcome(inputs.name, "failed", {}, time.monotonic() - started, str(exc))
    status = "up to date" if not run.has_changes else "planned" if plan_only else "applied"
    return StackOutcome(
        inputs.name, status, count_planned(run.planned), time.monotonic() - started, None, run
    )


def _report(outcome: StackOutcome) -> None:
    if outcome.status == "failed":
        console.error(f"{outcome.line()}\n{outcome.error}")
    else:
        console.success(outcome.line())


def _model_selection(
    pinned: dict[str, Any], record: dict[str, str], models: Sequence[str]
) -> list[str]:
    """Model stacks to consider: every built model and every recorded one no longer built (its
    stack is planned empty), or only `models` (each must be pinned or recorded)."""
    known = set(stacks.built_models(pinned)) | {name for name in record if name != stacks.SHARED}
    if not models:
        return sorted(known)
    unknown = sorted(set(models) - known)
    if unknown:
        raise LegacyLiftError(
            f"--model {', '.join(unknown)}: not built in this workspace (built: "
            f"{', '.join(sorted(stacks.built_models(pinned))) or 'none'}); run `invoke "
            f"build-model NAME --workspace W` first"
        )
    return sorted(set(models))


def deploy_stacks(
    workspace: str,
    plan_only: bool = False,
    models: Sequence[str] = (),
    jobs: int = DEFAULT_JOBS,
    every: bool = False,
) -> list[StackOutcome]:
    """Deploy `workspace` as split stacks: the shared stack when its inputs changed, then the
    model stacks whose inputs (image pin, model settings, model folder, module content,
    workspace settings) changed since they were last applied (the fingerprints recorded beside
    their states in the S3 backend, whichever machine applied them), `jobs` at a time.
    `every` plans every stack. A failed model stack does not stop the others: all failures
    are raised together at the end."""
    check_workspace_name(workspace)
    if jobs < 1:
        raise LegacyLiftError(f"--jobs {jobs}: give at least 1")
    pinned = stacks.pinned_entries(workspace)
    stack.check_images_pinned(workspace, pinned)
    identity = check_credentials(session())
    console.info(f"AWS account {identity['account']} as {identity['arn']}")
    modules = stacks.module_hash()
    records = DeployRecord(workspace, stacks.state_key)
    record = records.read()
    selection = _model_selection(pinned, record, models)

    shared = stacks.shared_inputs(workspace, pinned, modules)
    changed = every or record.get(stacks.SHARED) != shared.fingerprint
    outcomes = [_deploy_shared(workspace, shared, records, plan_only)] if changed else []
    bucket = _data_bucket(workspace, outcomes)
    if not bucket:
        console.info("the shared stack is not applied yet: model stacks are planned after it")
        return outcomes

    built = stacks.built_models(pinned)
    inputs = [stacks.model_inputs(workspace, n, built.get(n), bucket, modules) for n in selection]
    pending = [each for each in inputs if every or record.get(each.name) != each.fingerprint]
    unchanged = len(selection) - len(pending)
    console.info(f"{len(pending)} model stack(s) to plan, {unchanged} unchanged, {jobs} at a time")
    outcomes += _deploy_model_stacks(workspace, pending, records, plan_only, jobs)

    failed = sorted(outcome.name for outcome in outcomes if outcome.status == "failed")
    if failed:
        raise StacksFailed(
            f"{len(failed)} stack(s) failed in workspace {workspace!r}: {', '.join(failed)} "
            f"(the others are deployed); fix them and rerun `invoke deploy {workspace}`",
            outcomes,
        )
    return outcomes


class StacksFailed(LegacyLiftError):
    """Some model stacks failed (the others deployed); `outcomes` holds every stack's."""

    def __init__(self, message: str, outcomes: list[StackOutcome]):
        super().__init__(message)
        self.outcomes = outcomes


def _deploy_shared(
    workspace: str, shared: stacks.StackInputs, records: DeployRecord, plan_only: bool
) -> StackOutcome:
    """Deploy the shared stack and record its fingerprint once applied; its failure stops the
    deploy (every model stack reads its outputs)."""
    outcome = _deploy_stack(workspace, shared, plan_only)
    _report(outcome)
    if outcome.status == "failed":
        raise LegacyLiftError("the shared stack failed: no model stack was planned")
    if outcome.status != "planned":
        records.write(stacks.SHARED, shared.fingerprint)
    return outcome


def _data_bucket(workspace: str, outcomes: list[StackOutcome]) -> str | None:
    """The shared stack's data bucket: from its apply's own outputs when it was just applied
    (no `output` process), else from its state (None before its first apply)."""
    shared_run = outcomes[0].run if outcomes else None
    if shared_run is not None and shared_run.outputs:
        return shared_run.outputs.get("data_bucket")
    return stacks.stack_runner(stacks.SHARED).outputs(workspace).get("data_bucket")


def _deploy_model_stacks(
    workspace: str,
    pending: list[stacks.StackInputs],
    records: DeployRecord,
    plan_only: bool,
    jobs: int,
) -> list[StackOutcome]:
    """Deploy the model stacks `jobs` at a time, each reported as it ends; a stack applied (or
    up to date) gets its fingerprint recorded, an emptied one its record deleted."""
    outcomes = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_deploy_stack, workspace, each, plan_only): each for each in pending}
        for future in as_completed(futures):
            inputs, outcome = futures[future], future.result()
            _report(outcome)
            outcomes.append(outcome)
            if outcome.status in ("applied", "up to date"):
                if inputs.overrides["models"]:
                    records.write(inputs.name, inputs.fingerprint)
                else:
                    records.delete(inputs.name)  # emptied: the model left the workspace
    return outcomes


def deploy_workspace(
    workspace: str,
    plan_only: bool = False,
    split: bool = False,
    models: Sequence[str] = (),
    jobs: int = DEFAULT_JOBS,
    every: bool = False,
) -> DeployResult | list[StackOutcome]:
    """`invoke deploy`: split stacks when asked or when the workspace is split already,
    else the single state (where --model, --jobs and --all have no meaning). Unpinned images
    are refused before any Terraform runs. What was done: the single state's result, or each
    planned stack's outcome."""
    stack.check_images_pinned(check_workspace_name(workspace), stack.pinned_models(workspace))
    if split or stacks.is_split(workspace):
        return deploy_stacks(workspace, plan_only, models, jobs, every)
    if models:
        raise LegacyLiftError(
            f"--model needs split stacks: workspace {workspace!r} is one state; move it with "
            f"`invoke split-state {workspace}` (docs/deployment.md) or deploy with --split"
        )
    return deploy(workspace, plan_only=plan_only)


def deploy_document(
    workspace: str, plan_only: bool, result: DeployResult | list[StackOutcome]
) -> dict[str, Any]:
    """`deploy --json`'s document: the layout, and per stack (the single state is one) its
    status (applied, up to date, planned or failed), change counts by kind and resource type,
    seconds and error."""
    if isinstance(result, DeployResult):
        changed = any(result.changes.values())
        status = (
            "applied" if result.applied else "planned" if plan_only and changed else "up to date"
        )
        entries = [{"stack": "single state", "status": status, "changes": result.changes}]
        layout = "single state"
    else:
        entries = [
            {
                "stack": stacks.stack_label(outcome.name),
                "status": outcome.status,
                "changes": outcome.changes,
                "seconds": round(outcome.seconds, 1),
                "error": outcome.error,
            }
            for outcome in result
        ]
        layout = "split stacks"
    for entry in entries:
        entry["changes"] = {kind: dict(types) for kind, types in entry["changes"].items() if types}
    return {"workspace": workspace, "layout": layout, "plan_only": plan_only, "stacks": entries}
