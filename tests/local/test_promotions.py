"""What `invoke list-models` shows of promotions: the record the training workflow writes,
read from the local object store."""

from __future__ import annotations

import json

from legacylift.local.promotions import describe, local_reader
from legacylift.local.settings import LocalSettings


def test_local_promotions_read_the_records_the_training_workflow_writes(tmp_path):
    settings = LocalSettings.under(tmp_path / "local")
    record = settings.object_store / "legacylift-local/iris/models/promoted.json"
    record.parent.mkdir(parents=True)
    record.write_text(
        json.dumps(
            {"source_execution": "iris-run-7", "metric": {"name": "accuracy", "value": 0.97}}
        )
    )
    read = local_reader(settings)
    assert read("iris") == "iris-run-7 (accuracy = 0.97)"
    assert read("diabetes") == "-"


def test_describe_without_a_record():
    assert describe({}) == "-"
