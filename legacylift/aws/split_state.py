"""`invoke split-state`: move a single-state workspace to split stacks without `terraform state
mv` and without moved/import blocks (Terraform 1.0.3 has neither).

The shared stack and the model stacks run the same configuration as the single state, so each
resource keeps its address: the move is `terraform state pull` of the single state, one filtered
document per stack pushed with `terraform state push` into the stack's empty state, then the
single state emptied (same lineage, next serial). A copy of the original document is kept first.

Each model stack's state gets its model's entries of the single state's map outputs (the
outputs its own apply would write), the shared stack every output. When the single state was
applied with the current inputs (a plan without refresh, before the move, changes no resource),
every stack's fingerprint is recorded as a deploy that applied it would record it: the next
deploy plans only what changes after the move. Otherwise nothing is recorded and the next
deploy plans every stack once, which is what applies the pending changes.
"""

from __future__ import annotations

import copy
import re
import uuid
from typing import Any

from legacylift import console
from legacylift.atomic import write_json_atomic
from legacylift.aws import stack, stacks
from legacylift.aws.deploy_record import DeployRecord
from legacylift.aws.state_addresses import GENERIC_KEY, push_document, rename_addresses
from legacylift.aws.terraform import RESOURCE_ACTIONS, check_workspace_name, private_plan_dir
from legacylift.errors import LegacyLiftError

# Module calls of the root module keyed by model ("<model>" or "<model>/<workflow or step>"):
# they move to that model's stack; the generic workflow's ("(generic)") stays shared.
_MODEL_MODULE = re.compile(
    r"^module\.legacylift\.module\.(state_machine|sagemaker_role|starter_state_machine|"
    r'schedule|upload_trigger)\["([^"/]+)(?:/[^"]*)?"\]'
)
# The root module's own resources keyed "<model>/<file>": that model's code folder (named
# `script` before the whole code folder was uploaded).
_MODEL_KEYED_RESOURCES = {
    ("module.legacylift", "aws_s3_object", "code"),
    ("module.legacylift", "aws_s3_object", "script"),
}
# Alert rules and their targets, keyed by model (`<model>-train` for its training workflow,
# `generic` for the generic workflow, which stays shared with the topic).
_ALERTS_MODULE = "module.legacylift.module.alerts[0]"
_ALERT_RESOURCES = {"aws_cloudwatch_event_rule", "aws_cloudwatch_event_target"}


def owner(resource: dict[str, Any], instance: dict[str, Any]) -> str:
    """The stack that owns one resource instance of the single state: a model name, or
    `shared` (bucket, repositories, step runner, log group, generic workflow, data sources)."""
    match = _MODEL_MODULE.match(resource.get("module", ""))
    if match:
        return stacks.SHARED if match.group(2) == GENERIC_KEY else match.group(2)
    key = (resource.get("module", ""), resource.get("type"), resource.get("name"))
    if resource.get("mode") == "managed" and key in _MODEL_KEYED_RESOURCES:
        return str(instance.get("index_key", "")).split("/", 1)[0]
    if resource.get("module") == _ALERTS_MODULE and resource.get("type") in _ALERT_RESOURCES:
        model = str(instance.get("index_key", "generic")).removesuffix("-train")
        return stacks.SHARED if model == "generic" else model
    return stacks.SHARED


def partition(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The single state's resources per owning stack (a resource whose instances belong to
    several stacks is split by instance)."""
    parts: dict[str, dict[int, dict[str, Any]]] = {}
    for position, resource in enumerate(document.get("resources") or []):
        for instance in resource.get("instances") or []:
            target = parts.setdefault(owner(resource, instance), {})
            entry = target.setdefault(position, {**resource, "instances": []})
            entry["instances"].append(instance)
    return {name: list(entries.values()) for name, entries in parts.items()}


def _document(base: dict[str, Any], resources, outputs, lineage: str, serial: int) -> dict:
    return {
        "version": base.get("version", 4),
        "terraform_version": base.get("terraform_version"),
        "serial": serial,
        "lineage": lineage,
        "outputs": outputs,
        "resources": resources,
    }


def model_outputs(outputs: dict[str, Any], name: str) -> dict[str, Any]:
    """The state outputs of model `name`'s stack: its entry of each map output keyed by model
    (ARNs, aliases, roles, log groups...), typed as a one-model apply writes it."""
    own = {}
    for key, entry in outputs.items():
        value, kind = entry.get("value"), entry.get("type")
        if not (isinstance(value, dict) and name in value and isinstance(kind, list)):
            continue
        if kind[0] == "object":
            kind = ["object", {name: kind[1][name]}]
        elif kind[0] != "map":
            continue
        own[key] = {**entry, "value": {name: value[name]}, "type": kind}
    return own


def split_state(workspace: str) -> list[str]:
    """Move `workspace` from the single state to split stacks; return the stacks written.
    Refuses when the single state is empty or a target stack's state holds anything."""
    check_workspace_name(workspace)
    single = stack.initialised_runner()
    single.require_workspace(workspace)
    original = single.state_pull(workspace)
    if not original.get("resources"):
        raise LegacyLiftError(
            f"workspace {workspace!r} has nothing in its single state to split: deploy it "
            f"with `invoke deploy {workspace} --split` instead"
        )
    # A single state with the per-kind addresses is split at the one-loop addresses.
    parts = partition(rename_addresses(original)[0])
    parts.setdefault(stacks.SHARED, [])
    runners = {}
    for name in sorted(parts):
        runner = stacks.stack_runner(name)
        runner.ensure_workspace(workspace)
        if runner.state_pull(workspace).get("resources"):
            raise LegacyLiftError(
                f"{stacks.stack_label(name)} already has state in workspace {workspace!r}: "
                "nothing was moved; the workspace looks split already (`invoke deploy "
                f"{workspace}`)"
            )
        runners[name] = runner
    pending = _pending_changes(single, workspace)

    backup = stacks.stacks_dir() / "backups" / f"{workspace}-serial{original.get('serial')}.json"
    write_json_atomic(backup, original, mode=0o600)
    console.info(f"copy of the single state: {backup}")

    for name in sorted(parts):
        # The shared stack keeps the outputs (data_bucket marks the workspace as split); a
        # model stack gets its own entries of them.
        outputs = copy.deepcopy(original.get("outputs") or {})
        if name != stacks.SHARED:
            outputs = model_outputs(outputs, name)
        document = _document(original, parts[name], outputs, str(uuid.uuid4()), 1)
        push_document(runners[name], workspace, document, stacks.stack_label(name))

    emptied = _document(original, [], {}, original["lineage"], int(original.get("serial", 0)) + 1)
    push_document(single, workspace, emptied, "single state (emptied)")
    if pending:
        console.info(
            f"the single state was not applied with the current inputs ({pending} resource "
            "change(s) pending): no stack is recorded as deployed, the next deploy plans "
            "every stack once"
        )
    else:
        _record_fingerprints(workspace, sorted(parts), original)
    return sorted(parts)


def _pending_changes(single, workspace: str) -> int:
    """Resource changes a plan of the single state without refresh (its configuration and
    inputs against its state, no reads of AWS) would make: 0 when it was applied with the
    current inputs."""
    with private_plan_dir() as plan_dir, console.timed(f"terraform plan ({workspace}, no refresh)"):
        _, plan = single.plan_streamed(
            workspace, plan_dir, stack.workspace_var_files(workspace), refresh=False
        )
    return sum(1 for change in plan.planned if change.get("action") in RESOURCE_ACTIONS)


def _record_fingerprints(workspace: str, names: list[str], original: dict[str, Any]) -> None:
    """Record each moved stack as applied with the current inputs (the fingerprints a split
    deploy computes), so the next deploy plans none of them unless its inputs change."""
    pinned = stacks.pinned_entries(workspace)
    modules = stacks.module_hash()
    bucket = (original.get("outputs") or {}).get("data_bucket", {}).get("value")
    built = stacks.built_models(pinned)
    records = DeployRecord(workspace, stacks.state_key)
    records.write(stacks.SHARED, stacks.shared_inputs(workspace, pinned, modules).fingerprint)
    recorded = [stacks.SHARED]
    for name in names:
        if name != stacks.SHARED and name in built and bucket:
            inputs = stacks.model_inputs(workspace, name, built[name], bucket, modules)
            records.write(name, inputs.fingerprint)
            recorded.append(name)
    console.success(
        f"{len(recorded)} of {len(names)} stack(s) recorded as deployed with the current inputs"
    )
