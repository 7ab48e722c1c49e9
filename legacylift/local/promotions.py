"""Which version of each model is promoted: the training workflow's records, read for
`invoke list-models` from the local object store (`aws/promotions.py` reads a deployed
workspace's data bucket)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from legacylift.local.settings import LocalSettings


def describe(record: dict) -> str:
    """`<source execution> (<metric> = <value>)`, or "-" for no record."""
    if not record:
        return "-"
    metric = record.get("metric", {})
    return f"{record.get('source_execution', '?')} ({metric.get('name')} = {metric.get('value')})"


def training_data_warning(model: str, output: dict | None) -> str | None:
    """The warning a training run's output calls for when it was evaluated on its own
    training data (no evaluation data given), else None."""
    output = output or {}
    evaluated_on_training = output.get("evaluated_on_training_data") or output.get(
        "record", {}
    ).get("evaluated_on_training_data")
    if not evaluated_on_training:
        return None
    return (
        f"{model} was evaluated on its training data (no evaluation data given): its metric "
        "overstates how it does on new data; give --evaluation (the promotion record says "
        "evaluated_on_training_data = true)"
    )


@dataclass(frozen=True)
class TrainingOutcome:
    """What a finished training run decided, from its execution's output (local or cloud):
    `promoted`, the line saying so (what was promoted and its metric, or why not), the
    evaluated-on-training-data warning, the metric the decision read ({name, value}), where
    a model that was not promoted is kept, and a promoted model's promotion record."""

    promoted: bool
    summary: str
    warning: str | None = None
    metric: dict[str, Any] | None = None
    artifacts_uri: str | None = None
    record: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        """The outcome as `--json` prints it."""
        return asdict(self)


def training_outcome(model: str, output: dict | None) -> TrainingOutcome:
    """The outcome of model `model`'s training run from its execution's output (the
    training workflow's Promote/NotPromoted result: promoted, reason, record)."""
    output = output or {}
    warning = training_data_warning(model, output)
    if output.get("promoted"):
        record = output.get("record") or {}
        metric = record.get("metric") or {}
        promoted = f"{record.get('artifact_uri')} ({metric.get('name')} = {metric.get('value')})"
        summary = f"{model}: promoted {promoted}"
        return TrainingOutcome(True, summary, warning, metric, record=record)
    reason = output.get("reason") or "the execution's output gives no reason"
    summary = f"{model}: not promoted: {reason}"
    return TrainingOutcome(
        False, summary, warning, output.get("metric"), output.get("artifacts_uri")
    )


def local_reader(settings: LocalSettings | None = None) -> Callable[[str], str]:
    """Model name -> its promoted version in the local workspace's object store."""
    from legacylift.local.training import promotion_record

    settings = settings or LocalSettings.from_env()
    return lambda name: describe(promotion_record("local", name, settings))
