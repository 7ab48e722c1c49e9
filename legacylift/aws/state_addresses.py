"""The root module's state machines and job roles at their one-loop addresses: a state that
holds them under the per-kind module calls (`generic_state_machine[0]`,
`training_state_machine["M"]`, `generic_sagemaker_role[0]`, `training_role["M"]`,
`evaluation_role["M"]`) is rewritten to `state_machine[KEY]` / `sagemaker_role[KEY]` (KEY as
modules/workflow's `state_machines` map names them) before Terraform plans it, so no state
machine is destroyed and created again (its execution history and `live` alias stay).

Terraform 1.0.3, the minimum, has neither `moved` blocks nor a state rewrite of its own that a
deploy could run unattended, so the move is the one `invoke split-state` makes: `terraform
state pull`, the addresses rewritten, `terraform state push` of the document (same lineage,
next serial; Terraform refuses a conflicting push), a copy of the original kept first. `invoke
deploy` runs it on every state it plans (the single state, or each split stack it plans):
planning the one-loop configuration over a state with the per-kind addresses would destroy
and recreate every training and generic state machine.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from legacylift import console
from legacylift.atomic import write_json_atomic
from legacylift.aws.terraform import TerraformRunner, private_plan_dir

# modules/workflow's key of the generic workflow in state_machines (and of its job role).
GENERIC_KEY = "(generic)"
_ROOT = "module.legacylift."
# Per-kind module call -> (the one-loop call, the key of an instance keyed `model`).
_RENAMES = {
    "generic_state_machine": ("state_machine", lambda key: GENERIC_KEY),
    "generic_sagemaker_role": ("sagemaker_role", lambda key: GENERIC_KEY),
    "training_state_machine": ("state_machine", lambda model: f"{model}/train"),
    "training_role": ("sagemaker_role", lambda model: f"{model}/train"),
    "evaluation_role": ("sagemaker_role", lambda model: f"{model}/evaluate"),
}
_CALLS = "|".join(_RENAMES)
# A module instance of the root module: module.legacylift.module.CALL[0] or ["model"].
_INSTANCE = re.compile(rf'^{re.escape(_ROOT)}module\.({_CALLS})\[(?:0|"([^"]+)")\]')
# A resource's dependency, recorded without instance keys: module.legacylift.module.CALL.
_DEPENDENCY = re.compile(rf"^{re.escape(_ROOT)}module\.({_CALLS})\.")


def _renamed_module(address: str) -> str:
    match = _INSTANCE.match(address)
    if not match:
        return address
    call, key_of = _RENAMES[match.group(1)]
    key = key_of(match.group(2))
    return f'{_ROOT}module.{call}["{key}"]{address[match.end() :]}'


def _renamed_dependency(address: str) -> str:
    match = _DEPENDENCY.match(address)
    if not match:
        return address
    return f"{_ROOT}module.{_RENAMES[match.group(1)][0]}.{address[match.end() :]}"


def rename_addresses(document: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """A copy of a state document with every per-kind address renamed, and how many resource
    entries moved (0: the document is returned unchanged)."""
    renamed = copy.deepcopy(document)
    moved = 0
    for resource in renamed.get("resources") or []:
        module = resource.get("module", "")
        new = _renamed_module(module)
        if new != module:
            resource["module"] = new
            moved += 1
        for instance in resource.get("instances") or []:
            if instance.get("dependencies"):
                instance["dependencies"] = [
                    _renamed_dependency(each) for each in instance["dependencies"]
                ]
    return (renamed, moved) if moved else (document, 0)


def push_document(runner: TerraformRunner, workspace: str, document: dict, label: str) -> None:
    """`terraform state push` of `document` into `workspace` of `runner`'s configuration."""
    with private_plan_dir() as folder:
        path = Path(folder) / "state.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        runner.state_push(workspace, path)
    console.success(f"{label}: {sum(len(r['instances']) for r in document['resources'])} objects")


def migrate_addresses(runner: TerraformRunner, workspace: str, label: str, backups: Path) -> int:
    """Rewrite the per-kind addresses of `workspace`'s state in `runner`'s configuration (a copy
    of the original kept in `backups` first); return how many resource entries moved (0: the
    state was left alone)."""
    original = runner.state_pull(workspace)
    renamed, moved = rename_addresses(original)
    if not moved:
        return 0
    serial = int(original.get("serial", 0))
    safe_label = re.sub(r"[^A-Za-z0-9_.-]", "-", label)
    backup = backups / f"{workspace}-{safe_label}-serial{serial}.json"
    write_json_atomic(backup, original, mode=0o600)
    console.info(f"{label}: state machines and job roles move to their one-loop addresses")
    console.info(f"copy of the state: {backup}")
    renamed["serial"] = serial + 1
    push_document(runner, workspace, renamed, f"{label} (addresses moved)")
    return moved
