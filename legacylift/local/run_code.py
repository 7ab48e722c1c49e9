"""What a local run's definitions name, put in place: the model's code and the step runner
uploaded content-hashed to the local code location (as the root module uploads them), then
the definitions rendered by real Terraform from modules/workflow."""

from __future__ import annotations

import hashlib
import io
from typing import Any

from legacylift import console
from legacylift.local.datasources import DataSources, join_uri
from legacylift.local.render import RenderedWorkflow, render_workflow
from legacylift.paths import MODULES_DIR

STEP_RUNNER = MODULES_DIR / "workflow" / "files" / "steprunner.py"
RUNNER_AREA = "_legacylift"  # not a model name: those start with a letter


def bucket_for(workspace: str) -> str:
    """The local bucket standing for a workspace's data bucket."""
    return f"legacylift-{workspace}"


def upload_code(sources: DataSources, model, bucket: str) -> str:
    """Upload the model folder's code files (`code_files`: what the root module uploads too)
    to their content-hashed folder and return its URI; unchanged code keeps its URI."""
    from legacylift.containerise.code_folder import code_digest, code_files

    files = code_files(model.path)
    prefix = f"s3://{bucket}/{model.name}/code/{code_digest(files)}/"
    for relative, path in files:
        with path.open("rb") as source:
            sources.put(join_uri(prefix, relative), source)
    return prefix


def upload_step_runner(sources: DataSources, bucket: str) -> str:
    """Upload files/steprunner.py to a content-hashed folder; its s3:// URI (step_runner_uri)."""
    data = STEP_RUNNER.read_bytes()
    folder = f"s3://{bucket}/{RUNNER_AREA}/code/{hashlib.sha256(data).hexdigest()[:16]}/"
    sources.put(join_uri(folder, "steprunner.py"), io.BytesIO(data))
    return folder


def model_entry(model, images: dict[str, str], code_uri: str | None) -> dict[str, Any]:
    """The model's entry in modules/workflow's `models` for a local run: its image, its
    model.toml settings and the code location of its framework (script mode) steps."""
    entry: dict[str, Any] = {"image_uri": images.get("model"), **model.tfvars_settings()}
    if code_uri:
        script_steps = [
            s for s in ("preprocessing", "postprocessing", "combine") if s in model.script_steps
        ]
        entry["code_uris"] = {
            step: code_uri for step in script_steps if model.image_for(step) == "framework"
        }
    return entry


def render_for(
    model,
    images: dict[str, str],
    sources: DataSources,
    workspace: str,
    code_uri: str | None,
    generic: bool = False,
) -> RenderedWorkflow:
    """The model's definitions (inference, training; with `generic` the generic workflow too)
    as modules/workflow renders them for a local run, its code at `code_uri` (the step runner
    is uploaded first: the definitions name it)."""
    bucket = bucket_for(workspace)
    runner_uri = upload_step_runner(sources, bucket)
    with console.timed(f"{model.name}: rendering modules/workflow with Terraform"):
        return render_workflow(
            {model.name: model_entry(model, images, code_uri)},
            images.get("framework", images["model"]),
            name_prefix=f"legacylift-{workspace}",
            data_bucket=bucket,
            enable_generic_workflow=generic,
            step_runner_uri=runner_uri,
        )
