"""Reading a deployed workspace, whichever way it is deployed: one state, or split stacks whose
outputs are merged (legacylift.aws.stacks)."""

from __future__ import annotations

from legacylift.aws import stacks
from legacylift.aws.stack import Stack, initialised_runner, terraform_dir
from legacylift.aws.terraform import TerraformRunner, check_workspace_name
from legacylift.errors import LegacyLiftError


def load_stack(workspace: str) -> Stack:
    """Read an existing workspace's outputs (errors for an unknown workspace). Reading state
    needs no fresh `init` when the directory is initialised already: init only when needed.
    A workspace deployed as split stacks (no data_bucket in the single state) is read from its
    stacks' states."""
    runner = TerraformRunner(terraform_dir())
    try:
        known = runner.workspaces()
    except LegacyLiftError:
        runner = initialised_runner()
        known = runner.workspaces()
    outputs = runner.outputs(workspace) if check_workspace_name(workspace) in known else {}
    if not outputs.get("data_bucket") and stacks.is_split(workspace):
        return Stack(workspace, stacks.merged_outputs(workspace))
    runner.require_workspace(workspace)
    return Stack(workspace, outputs)
