"""`invoke train`: a model's training workflow (train, evaluate, promote) run locally.

The same steps as `run-local`: the model's image, its folder uploaded content-hashed, the
definition rendered by real Terraform from modules/workflow (its `training_definitions`), the
training and evaluation data staged into the local object store, the execution interpreted step
by step. Promotion writes `s3://legacylift-<workspace>/<model>/models/promoted.json` in the local
object store, which the next `run-local` of a model with `[inference] artifacts = "promoted"`
reads.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from legacylift.errors import LegacyLiftError
from legacylift.local.arguments import check_input, check_workspace, parse_time_scale
from legacylift.local.datasources import DataSources
from legacylift.local.reports import write_local_report
from legacylift.local.run import (
    LocalRun,
    _images,
    bucket_for,
    execute,
    execution_name,
    render_for,
    step_timings,
    upload_code,
)
from legacylift.local.settings import LocalSettings
from legacylift.local.transfer import stage_input
from legacylift.report.reporter import Reporter


@dataclass
class TrainingRun(LocalRun):
    """A local training run; `output` is the execution's output (promoted, reason, record)."""

    output: dict[str, Any] | None = None

    @property
    def promoted(self) -> bool:
        """Whether this run's model was promoted."""
        return bool(self.output and self.output.get("promoted"))


def promotion_record(workspace: str, name: str, settings: LocalSettings | None = None) -> dict:
    """The promoted model's record in the local object store ({} when none is promoted)."""
    sources = DataSources(settings or LocalSettings.from_env())
    uri = f"s3://{bucket_for(workspace)}/{name}/models/promoted.json"
    for item in sources.list(uri):
        if item.relative == "promoted.json":
            with item.open() as handle:
                return json.load(handle)
    return {}


def train_local(
    name: str,
    input_ref: str,
    evaluation_ref: str | None = None,
    workspace: str = "local",
    settings: LocalSettings | None = None,
    time_scale: float = 1.0,
    quiet: bool = False,
    images: dict[str, str] | None = None,
) -> TrainingRun:
    """Run model `name`'s training workflow locally on `input_ref` (training data: a path or an
    s3:// URI of the local store), evaluating on `evaluation_ref` (default: the training data).
    `run.failure` explains a failed run (failing step, exit code, log tail)."""
    from legacylift.models import load_model

    started = time.monotonic()
    settings = settings or LocalSettings.from_env()
    check_workspace(workspace)
    time_scale = parse_time_scale(time_scale)
    model = load_model(name)
    if not model.has_training:
        raise LegacyLiftError(
            f"model {name!r} has no training workflow: add [train], [evaluate] and [promotion] "
            f"to {model.path / 'model.toml'} (README.md, 'Retraining')"
        )
    sources = DataSources(settings)
    # Both inputs checked before anything is written.
    inputs = {"input_uri": (input_ref, "training/", check_input(input_ref, settings, sources))}
    if evaluation_ref:
        path = check_input(evaluation_ref, settings, sources)
        inputs["evaluation_uri"] = (evaluation_ref, "evaluation/", path)
    bucket = bucket_for(workspace)
    execution = execution_name(name)
    images = images or {"model": _images(model)["model"]}
    rendered = render_for(model, images, sources, workspace, upload_code(sources, model, bucket))
    definition = rendered.outputs["training_definitions"][name]
    staging = f"s3://{bucket}/{name}/input/{execution}/"
    execution_input = {
        key: stage_input(sources, ref, staging + part, path)
        for key, (ref, part, path) in inputs.items()
    }
    reporter = Reporter("quiet" if quiet else "text")
    result, tasks = execute(
        definition,
        execution_input,
        execution,
        f"legacylift-{workspace}-{name}-train",
        sources,
        settings,
        time_scale,
        reporter,
    )
    for job in tasks.results.values():
        reporter.job_finished(job.describe["ProcessingJobName"], job.exit_code, job.out_of_memory)
    run = TrainingRun(
        name,
        execution,
        result,
        f"s3://{bucket}/{name}/models/{execution}/",
        None,
        step_timings(reporter.trace),
        time.monotonic() - started,
        reporter=reporter,
        output=result.output if result.status == "SUCCEEDED" else None,
    )
    if not run.succeeded:
        run.failure = f"{name}: {reporter.failure_text()}"
    run.report_path = write_local_report(run, definition, settings)
    return run
