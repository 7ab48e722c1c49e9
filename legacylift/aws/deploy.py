"""`invoke deploy`: plan and apply one workspace of the deployment root."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from legacylift import console
from legacylift.aws import stack
from legacylift.aws.plan_summary import count_changes, summary_lines
from legacylift.aws.session import check_credentials, session
from legacylift.aws.terraform import check_workspace_name, private_plan_dir


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
    """Select or create `workspace`, plan with its var files (then `overrides`, which win),
    print a summary, and apply the saved plan unless `plan_only` or nothing changes."""
    check_workspace_name(workspace)
    stack.check_images_pinned(workspace, stack.pinned_models(workspace))
    identity = check_credentials(session())
    console.info(f"AWS account {identity['account']} as {identity['arn']}")

    with console.timed("terraform init"):
        runner = stack.initialised_runner()
    if runner.ensure_workspace(workspace):
        console.info(f"created workspace {workspace}")
    var_files = stack.workspace_var_files(workspace)
    for path in var_files:
        console.detail(f"var file {path}")

    with private_plan_dir() as plan_dir:
        with console.timed(f"terraform plan ({workspace})"):
            plan = runner.plan(workspace, plan_dir, var_files, overrides)
        for line in summary_lines(plan.document):
            console.info(line)
        applied = False
        if plan_only:
            console.info("plan only: nothing applied")
        elif not plan.has_changes:
            console.success(f"workspace {workspace} is up to date")
        else:
            with console.timed(f"terraform apply ({workspace})"):
                runner.apply_plan(workspace, plan)
            applied = True

    outputs = runner.outputs(workspace)
    for model, arn in sorted((outputs.get("state_machine_arns") or {}).items()):
        console.detail(f"{model}: {arn}")
    return DeployResult(workspace, applied, count_changes(plan.document), outputs)
