"""Render the workflow definitions with real Terraform: `modules/workflow` planned on a
temporary copy with local values (contracts §3 and §5), outputs read from the saved plan.

The module is provider-free, so every output is known at plan: one `plan -out` evaluates the
module once and `show -json` of that plan gives the outputs (an apply would evaluate it a second
time to write the same values into a state). The plan runs with `-json`, which spares it
drawing megabytes of output text for people, and `-refresh=false` (there is nothing to
refresh). Nothing outside the temporary directory is touched and the directory is removed
afterwards.

Outputs are cached by the hash of the module's files and the variables
(`.legacylift/local/render-cache/`), so an unchanged model renders once; any change to either
renders again with Terraform. Terraform runs as a subprocess
with the project's environment (`terraform_env()`), which python-terraform cannot be given
without changing this process's own environment.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from legacylift.atomic import write_json_atomic
from legacylift.errors import LegacyLiftError
from legacylift.paths import MODULES_DIR, project_state_dir
from legacylift.terraform_env import terraform_binary, terraform_env
from legacylift.terraform_json import error_diagnostics, json_messages
from legacylift.terraform_select import announce_terraform

LOCAL_ROLE_ARN = "arn:aws:iam::000000000000:role/legacylift-local-sagemaker"
LOCAL_BUCKET = "legacylift-local"
LOCAL_PREFIX = "legacylift-local"
PLAN_FILE = "render.tfplan"


@dataclass(frozen=True)
class RenderedWorkflow:
    """The module's outputs: `definitions` (model -> ASL JSON text), `generic_definition`
    (text or None) and every other output by name in `outputs`."""

    definitions: dict[str, str]
    generic_definition: str | None
    outputs: dict[str, Any]


def local_variables(models: dict[str, Any], framework_image_uri: str, **overrides) -> dict:
    """The module's variables for a local run (local tags allowed, local account and bucket)."""
    variables = {
        "name_prefix": LOCAL_PREFIX,
        "models": models,
        "framework_image_uri": framework_image_uri,
        "sagemaker_role_arn": LOCAL_ROLE_ARN,
        "data_bucket": LOCAL_BUCKET,
        "allow_mutable_image_tags": True,
        "aws_partition": "aws",
        "aws_region": "us-east-1",
        "aws_account_id": "000000000000",
    }
    variables.update(overrides)
    return variables


def _terraform(args: list[str], cwd: Path) -> str:
    """Terraform's stdout; a failure raises one error naming the command, with Terraform's
    messages (the diagnostics of a `-json` run, else the tail of its output)."""
    completed = subprocess.run(
        [str(terraform_binary()), *args, "-no-color"],
        cwd=cwd,
        env=terraform_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        tail = "\n".join(_errors(completed.stdout) or _tail(completed))
        raise LegacyLiftError(
            f"terraform {args[0]} of modules/workflow failed:\n{tail}\nfix the model settings "
            "(model.toml) or the variables named above"
        )
    return completed.stdout


def _tail(completed: subprocess.CompletedProcess) -> list[str]:
    return (completed.stderr or completed.stdout).strip().splitlines()[-25:]


def _errors(stdout: str) -> list[str]:
    return error_diagnostics(json_messages(stdout)).splitlines()


def _cache_key(module_dir: Path, variables: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(variables, sort_keys=True).encode())
    for path in sorted(module_dir.rglob("*")):
        if path.is_file() and ".terraform" not in path.parts and "tfstate" not in path.name:
            digest.update(path.relative_to(module_dir).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def render_workflow(
    models: dict[str, Any],
    framework_image_uri: str,
    module_dir: Path | None = None,
    cache_dir: Path | None = None,
    **overrides,
) -> RenderedWorkflow:
    """Plan a temporary copy of modules/workflow with `models` and local values; return its
    outputs. `overrides` replace any variable (e.g. enable_generic_workflow=True)."""
    module_dir = Path(module_dir or MODULES_DIR / "workflow")
    if not (module_dir / "main.tf").is_file():
        raise LegacyLiftError(f"{module_dir} holds no Terraform module (main.tf missing)")
    variables = local_variables(models, framework_image_uri, **overrides)
    cache = Path(cache_dir or project_state_dir() / "local" / "render-cache")
    cached = cache / f"{_cache_key(module_dir, variables)}.json"
    outputs = _read_cache(cached)
    if outputs is None:
        outputs = evaluate(module_dir, variables)
        write_json_atomic(cached, outputs)
    return RenderedWorkflow(
        definitions=outputs.get("definitions") or {},
        generic_definition=outputs.get("generic_definition"),
        outputs=outputs,
    )


def _read_cache(path: Path) -> dict[str, Any] | None:
    """A cached render, or None when missing or unreadable (a truncated entry is a miss: it is
    rendered again and rewritten)."""
    try:
        outputs = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return outputs if isinstance(outputs, dict) else None


def evaluate(module_dir: Path, variables: dict[str, Any]) -> dict[str, Any]:
    """The outputs of `module_dir` (a provider-free module) with `variables`, read from a saved
    plan of a temporary copy: init, `plan -json -refresh=false -out`, `show -json`."""
    announce_terraform()
    with tempfile.TemporaryDirectory(prefix="legacylift-render-") as scratch:
        workdir = Path(scratch) / "workflow"
        shutil.copytree(
            module_dir, workdir, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*")
        )
        (workdir / "local.tfvars.json").write_text(json.dumps(variables))
        _terraform(["init", "-input=false", "-backend=false"], workdir)
        _terraform(
            [
                "plan",
                "-input=false",
                "-refresh=false",
                "-json",
                f"-out={PLAN_FILE}",
                "-var-file=local.tfvars.json",
            ],
            workdir,
        )
        shown = json.loads(_terraform(["show", "-json", PLAN_FILE], workdir))
    return planned_outputs(shown)


def planned_outputs(shown: dict[str, Any]) -> dict[str, Any]:
    """Output name -> value of a plan's `show -json` document. A null output is left out, as a
    state leaves it out; an output Terraform could not know at plan (none in a provider-free
    module) is an error, never a silent absence."""
    unknown = sorted(
        name
        for name, change in (shown.get("output_changes") or {}).items()
        if change.get("after_unknown")
    )
    if unknown:
        raise LegacyLiftError(
            f"modules/workflow outputs {', '.join(unknown)} are unknown at plan: the module must "
            "stay provider-free (no resources or data sources)"
        )
    outputs = (shown.get("planned_values") or {}).get("outputs") or {}
    return {
        name: entry["value"] for name, entry in outputs.items() if entry.get("value") is not None
    }
