"""`invoke train`: a model's training workflow (train, evaluate, promote) run locally.

The training workflow runs through the one local runner (`run.run_workflow`) as inference
does: the model's image, its folder uploaded content-hashed, the definition rendered by real
Terraform from modules/workflow (its `training_definitions`), the training and evaluation data
staged into the local object store, the execution interpreted step by step, recorded, claimed,
costed and reported. Promotion writes `s3://legacylift-<workspace>/<model>/models/promoted.json`
in the local object store, which the next `run-local` of a model with
`[inference] artifacts = "promoted"` reads.
"""

from __future__ import annotations

import json
from typing import Any

from legacylift.local.datasources import DataSources
from legacylift.local.run import LocalRun, bucket_for, run_workflow
from legacylift.local.settings import LocalSettings


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
    name: str, input_ref: str, evaluation_ref: str | None = None, **options: Any
) -> LocalRun:
    """`run_workflow` of model `name`'s training workflow on `input_ref` (training data: a
    path or an s3:// URI of the local store), evaluating on `evaluation_ref` (default: the
    training data); `run.output` is the execution's output (promoted, reason, record)."""
    return run_workflow(name, "train", input_ref, evaluation_ref=evaluation_ref, **options)
