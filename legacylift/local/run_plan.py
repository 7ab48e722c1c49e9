"""A local run's plan: its arguments checked before anything is written, then its input
staged and its definition, execution input and output location chosen by the workflow it
runs (inference, a fan-out being inference with [fan_out]; train; or the generic workflow)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from legacylift.errors import LegacyLiftError
from legacylift.local.arguments import (
    LocalOutput,
    check_input,
    check_output,
    check_store_writable,
    check_workspace,
    parse_time_scale,
)
from legacylift.local.datasources import DataSources
from legacylift.local.fan_out import check_batch_sizes
from legacylift.local.render import RenderedWorkflow
from legacylift.local.run_code import bucket_for
from legacylift.local.run_records import resumable_run
from legacylift.local.settings import LocalSettings
from legacylift.local.transfer import stage_input

# Each workflow's execution input keys -> the folder of the staging area its input goes to.
WORKFLOWS = {
    "inference": {"input_uri": ""},
    "train": {"input_uri": "training/", "evaluation_uri": "evaluation/"},
}


def execution_name(model: str) -> str:
    """A unique execution name (Step Functions allows 80 characters)."""
    return f"{model}-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"


@dataclass
class RunPlan:
    """One local execution of a model's workflow, its arguments checked. `inputs`: execution
    input key -> (the reference given, its local path or None for an s3:// one)."""

    model: Any
    workflow: str
    workspace: str
    settings: LocalSettings
    sources: DataSources
    time_scale: float
    execution: str
    inputs: dict[str, tuple[str, Path | None]]
    output_args: tuple[str | None, bool]  # --output, --overwrite
    output: LocalOutput = LocalOutput()
    generic_input: dict[str, Any] | None = None
    resume: str | None = None

    @property
    def bucket(self) -> str:
        """The local bucket standing for the workspace's data bucket."""
        return bucket_for(self.workspace)

    @property
    def state_machine(self) -> str:
        """The state machine's name, as the root module names it in the cloud."""
        suffix = "-train" if self.workflow == "train" else ""
        return f"legacylift-{self.workspace}-{self.model.name}{suffix}"

    def check_output(self) -> LocalOutput:
        """The output checked (again, once the run holds its claim on it)."""
        reference, overwrite = self.output_args
        path = self.inputs.get("input_uri", ("", None))[1]
        uri = None if path or self.generic_input is not None else self.inputs["input_uri"][0]
        self.output = check_output(reference, path, uri, overwrite, self.sources)
        return self.output

    def output_uri(self) -> str:
        """Where the execution writes: the generic input's output, --output, or this
        execution's folder in the store (`output/`, or `models/` for training)."""
        if self.generic_input is not None:
            steps = self.generic_input
            return (
                steps.get("PostProcessing", steps.get("Inference", {}))
                .get("OutputUri", {})
                .get("S3Uri", "")
            )
        area = "models" if self.workflow == "train" else "output"
        return self.output.uri or f"s3://{self.bucket}/{self.model.name}/{area}/{self.execution}/"

    def definition(self, rendered: RenderedWorkflow) -> str:
        """The definition this run interprets, out of the rendered module."""
        if self.generic_input is not None:
            return rendered.generic_definition
        if self.workflow == "train":
            return rendered.outputs["training_definitions"][self.model.name]
        return rendered.definitions[self.model.name]

    def stage(self) -> dict[str, Any]:
        """The execution input, its local inputs staged into the store first."""
        if self.generic_input is not None:
            return self.generic_input
        staging = f"s3://{self.bucket}/{self.model.name}/input/{self.execution}/"
        folders = WORKFLOWS[self.workflow]
        staged = {
            key: stage_input(self.sources, reference, staging + folders[key], path)
            for key, (reference, path) in self.inputs.items()
        }
        if self.workflow == "train":
            return staged
        if self.model.fan_out:
            check_batch_sizes(self.sources, staged["input_uri"], self.model)
        return {**staged, "output_uri": self.output_uri()}


def plan_run(
    name: str,
    workflow: str,
    input_ref: str | None,
    output_ref: str | None = None,
    evaluation_ref: str | None = None,
    workspace: str = "local",
    settings: LocalSettings | None = None,
    time_scale: float = 1.0,
    generic_input: dict[str, Any] | None = None,
    overwrite: bool = False,
    resume: str | None = None,
) -> RunPlan:
    """Every argument of a local run checked, nothing written yet (one line naming the
    argument and the fix for a bad one)."""
    from legacylift.models import load_model

    settings = settings or LocalSettings.from_env()
    check_workspace(workspace)
    time_scale = parse_time_scale(time_scale)
    model = load_model(name)
    _check_workflow(model, workflow, output_ref, evaluation_ref, generic_input, resume)
    sources = DataSources(settings)
    check_store_writable(settings)
    if resume is not None:
        input_ref = _resumed_input(settings, sources, resume, name, input_ref)
    references = {"input_uri": input_ref, "evaluation_uri": evaluation_ref}
    inputs = {}
    if generic_input is None:
        inputs = {
            key: (ref, check_input(ref, settings, sources))
            for key, ref in references.items()
            if ref is not None
        }
    plan = RunPlan(
        model,
        workflow,
        workspace,
        settings,
        sources,
        time_scale,
        execution_name(name),
        inputs,
        (output_ref, overwrite),
        generic_input=generic_input,
        resume=resume,
    )
    plan.check_output()
    return plan


def _check_workflow(model, workflow, output_ref, evaluation_ref, generic_input, resume) -> None:
    """The workflow known, and run with the arguments it takes."""
    if workflow not in WORKFLOWS:
        raise LegacyLiftError(f"workflow {workflow!r}: use one of {', '.join(WORKFLOWS)}")
    if workflow == "inference":
        if evaluation_ref is not None:
            raise LegacyLiftError("--evaluation: only the training workflow evaluates")
        return
    if not model.has_training:
        raise LegacyLiftError(
            f"model {model.name!r} has no training workflow: add [train], [evaluate] and "
            f"[promotion] to {model.path / 'model.toml'} (README.md, 'Retraining')"
        )
    if output_ref is not None or generic_input is not None:
        raise LegacyLiftError("--output: the training workflow writes under the model's models/")
    if resume is not None:
        raise LegacyLiftError("--resume: a training run is not resumed; train again")


def _resumed_input(
    settings: LocalSettings, sources: DataSources, resume: str, name: str, input_ref: str | None
) -> str:
    """The input of a resumed run: `input_ref` when given, else the failed run's own, which
    must still be in the object store."""
    previous = resumable_run(settings, resume, name)
    if previous is None or input_ref is not None:
        return input_ref
    input_ref = previous.get("input_uri") or ""
    if not input_ref.startswith("s3://") or not sources.list(input_ref):
        raise LegacyLiftError(
            f"--resume {resume}: that run's input ({input_ref or 'none'}) "
            "is no longer in the object store (clean-local --inputs "
            "removes it); give it again with --input"
        )
    return input_ref
