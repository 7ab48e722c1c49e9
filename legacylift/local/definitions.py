"""Which definition to draw: a model's workflow as Terraform renders it for a workspace, or a
definition file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from legacylift.errors import LegacyLiftError

WORKFLOWS = {"inference": "definitions", "train": "training_definitions"}
UNBUILT_IMAGE = "legacylift/{name}:not-built"


def definition_file(path: str | Path) -> dict[str, Any]:
    """A definition read from a JSON file (a team's own ASL, say)."""
    path = Path(path)
    if not path.is_file():
        raise LegacyLiftError(f"--definition {path}: no such file")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise LegacyLiftError(f"--definition {path} is not JSON: {exc}") from None


def _entry(model, workspace: str, pinned: dict[str, Any] | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"image_uri": UNBUILT_IMAGE.format(name=model.name)}
    entry.update(model.tfvars_settings())
    if pinned:
        entry.update({key: value for key, value in pinned.items() if value is not None})
    framework_steps = [step for step in model.steps if model.image_for(step) == "framework"]
    # The script's S3 location does not change the shape of the workflow.
    code = f"s3://legacylift-{workspace}/{model.name}/code/"
    entry["code_uris"] = {step: code for step in framework_steps}
    return entry


def rendered_definition(name: str, workspace: str = "local", workflow: str = "inference") -> str:
    """Model `name`'s definition rendered by modules/workflow (real Terraform) with the
    workspace's pinned settings where it has any; `workflow` is "inference" or "train"."""
    from legacylift import tfvars
    from legacylift.local.render import render_workflow
    from legacylift.local.run_code import RUNNER_AREA
    from legacylift.models import load_model

    if workflow not in WORKFLOWS:
        raise LegacyLiftError(f"--workflow {workflow!r}: use one of {', '.join(WORKFLOWS)}")
    model = load_model(name)
    pinned = tfvars.read_models(workspace).get(name) if workspace != "local" else None
    rendered = render_workflow(
        {name: _entry(model, workspace, pinned)},
        "legacylift/sklearn-processing:local",
        name_prefix=f"legacylift-{workspace}",
        data_bucket=f"legacylift-{workspace}",
        # Like the scripts' location, the step runner's does not change the workflow's shape.
        step_runner_uri=f"s3://legacylift-{workspace}/{RUNNER_AREA}/code/",
    )
    definitions = rendered.outputs.get(WORKFLOWS[workflow]) or {}
    if name not in definitions:
        raise LegacyLiftError(
            f"modules/workflow renders no {workflow} workflow for {name}"
            + (": give the model a training step first" if workflow == "train" else "")
        )
    return definitions[name]
