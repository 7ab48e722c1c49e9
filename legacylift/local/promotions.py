"""Which version of each model is promoted: the training workflow's records, read for
`invoke list-models` from the local object store (`aws/promotions.py` reads a deployed
workspace's data bucket)."""

from __future__ import annotations

from collections.abc import Callable

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


def local_reader(settings: LocalSettings | None = None) -> Callable[[str], str]:
    """Model name -> its promoted version in the local workspace's object store."""
    from legacylift.local.training import promotion_record

    settings = settings or LocalSettings.from_env()
    return lambda name: describe(promotion_record("local", name, settings))
