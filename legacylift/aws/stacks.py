"""The split deployment: one shared stack and one stack per built model, each its own Terraform
state, all planned from the same deployment root (`terraform/`) with different inputs.

- The shared stack: the root module with every model's name (no image), so it creates the data
  bucket, the model repositories, the step runner object, the processing-job log group and the
  generic workflow.
- A model stack: the root module with that one model and `create_shared_resources = false`,
  writing into the shared stack's bucket (its `data_bucket` output, passed as `bucket_name`).

Because both are the same configuration, every resource keeps the address it has in a
single-state deployment: moving one is a matter of which state holds it (`split_state`).
Each stack has its own Terraform data directory (TF_DATA_DIR) and state key, so stacks plan
and apply at the same time without sharing `.terraform/`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from legacylift import tfvars
from legacylift.aws import stack
from legacylift.aws.backend import DEFAULT_STATE_KEY, read_backend_settings
from legacylift.aws.terraform import TerraformRunner, check_workspace_name
from legacylift.models import models_dir
from legacylift.paths import project_state_dir
from legacylift.stack_inputs import SHARED, built_models, shared_models


@dataclass(frozen=True)
class StackInputs:
    """What one stack is planned with: its name, the overrides (which win over the workspace's
    settings files) and the fingerprint of everything it depends on."""

    name: str
    overrides: dict[str, Any]
    fingerprint: str


def stack_label(name: str) -> str:
    """`shared`, or `model NAME` for a model stack (for messages)."""
    return name if name == SHARED else f"model {name}"


def _hash_files(digest, root: Path, paths) -> None:
    for path in sorted(paths):
        if path.is_file() and ".terraform" not in path.parts:
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")


def module_hash() -> str:
    """Content hash of the Terraform every stack runs: the root module's files, modules/ and
    the deployment root's own *.tf (not its tfvars)."""
    digest = hashlib.sha256()
    tf_dir = stack.terraform_dir()
    root = tf_dir.parent
    _hash_files(digest, root, root.glob("*.tf"))
    _hash_files(digest, root, (root / "modules").rglob("*"))
    _hash_files(digest, root, tf_dir.glob("*.tf"))
    return digest.hexdigest()


def model_folder_hash(name: str) -> str:
    """Content hash of legacy_models/NAME/ as Terraform reads it (scripts uploaded from it)."""
    digest = hashlib.sha256()
    folder = models_dir() / name
    if folder.is_dir():
        _hash_files(digest, folder, folder.rglob("*"))
    return digest.hexdigest()


def settings_files(workspace: str) -> list[Path]:
    """The workspace's own settings files (its var files without the build's image pins,
    which a stack receives through its overrides)."""
    pins = stack.image_tfvars_path(workspace)
    return [path for path in stack.workspace_var_files(workspace) if path != pins]


def _fingerprint(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def shared_inputs(workspace: str, pinned: dict[str, Any], modules: str) -> StackInputs:
    """The shared stack's overrides and fingerprint."""
    overrides = {"models": shared_models(pinned), "create_shared_resources": True}
    files = {str(path.name): path.read_text() for path in settings_files(workspace)}
    return StackInputs(SHARED, overrides, _fingerprint(overrides, files, modules))


def model_inputs(
    workspace: str, name: str, entry: dict[str, Any] | None, bucket: str, modules: str
) -> StackInputs:
    """A model stack's overrides and fingerprint. `entry` None plans the stack empty (the model
    left the workspace's pins: its resources are destroyed)."""
    overrides = {
        "models": {name: entry} if entry else {},
        "create_shared_resources": False,
        "bucket_name": bucket,
    }
    files = {str(path.name): path.read_text() for path in settings_files(workspace)}
    folder = model_folder_hash(name) if entry else ""
    return StackInputs(name, overrides, _fingerprint(overrides, files, folder, modules))


# -- where each stack's state and working data live -------------------------------------------


def backend_key_prefix() -> str:
    """The folder of the state keys: the backend config's `key` without its file name
    (`legacylift/terraform.tfstate` -> `legacylift`)."""
    config = stack.backend_config()
    key = (read_backend_settings(config) if config else {}).get("key") or DEFAULT_STATE_KEY
    return key.rsplit("/", 1)[0] if "/" in key else ""


def state_key(name: str) -> str:
    """The stack's state key: `<prefix>/stacks/shared.tfstate` or
    `<prefix>/stacks/models/<name>.tfstate` (workspaces add S3's `env:/<workspace>/`)."""
    prefix = backend_key_prefix()
    leaf = "stacks/shared.tfstate" if name == SHARED else f"stacks/models/{name}.tfstate"
    return f"{prefix}/{leaf}" if prefix else leaf


def _deployment_id() -> str:
    """Distinguishes deployment roots (and backends) sharing one project state dir."""
    config = stack.backend_config()
    text = f"{stack.terraform_dir().resolve()}\n{config.read_text() if config else ''}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def stacks_dir() -> Path:
    """This deployment's directory of stack Terraform data dirs."""
    return project_state_dir() / "stacks" / _deployment_id()


def stack_runner(name: str) -> TerraformRunner:
    """A runner for one stack with its own data directory and state key, initialised once
    per backend and key; later module or provider additions are initialised when Terraform
    asks for it (the runner's `reinit`), not on every module change."""
    data_dir = stacks_dir() / "data" / name
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    runner = TerraformRunner(stack.terraform_dir(), extra_env={"TF_DATA_DIR": str(data_dir)})
    config = stack.required_backend_config()
    marker = data_dir / "initialised"
    wanted = _fingerprint(state_key(name), _deployment_id())

    def init() -> None:
        runner.init(config, {"key": state_key(name)})
        marker.write_text(wanted)

    if not marker.is_file() or marker.read_text() != wanted:
        init()
    runner.reinit = init
    return runner


def is_split(workspace: str) -> bool:
    """True when `workspace` is deployed as split stacks (its shared stack has outputs)."""
    if stack.backend_config() is None:
        return False
    runner = stack_runner(SHARED)
    if check_workspace_name(workspace) not in runner.workspaces():
        return False
    return bool(runner.outputs(workspace).get("data_bucket"))


def pinned_entries(workspace: str) -> dict[str, Any]:
    """The workspace's image pins (the models map of its tfvars)."""
    return tfvars.read_models(check_workspace_name(workspace))


# -- reading a split workspace's outputs --------------------------------------------------------


def merged_outputs(workspace: str) -> dict[str, Any]:
    """The outputs a single state would have: the shared stack's, with every map output of each
    built model's stack (they are keyed by model: ARNs, aliases, versions, roles, log groups,
    starters...) merged in. The model stacks' outputs are read from their state objects in the
    state bucket at once, not by one Terraform process per stack."""
    from legacylift.aws.deploy_record import DeployRecord

    outputs = dict(stack_runner(SHARED).outputs(workspace))
    names = set(built_models(pinned_entries(workspace)))
    per_stack = DeployRecord(workspace, state_key).model_stack_outputs()
    for name in sorted(names & set(per_stack)):
        for key, value in per_stack[name].items():
            if isinstance(value, dict):
                outputs[key] = {**(outputs.get(key) or {}), **value}
    return outputs
