"""The Distributed Map in the local interpreter: S3 ItemReader over the local object store,
child workflow executions, tolerated failures, ResultWriter, ItemBatcher, MaxConcurrency and
the machine's cap, and the definitions AWS's validator refuses. No Docker: the batches' work
is a scripted task runner."""

from __future__ import annotations

import io
import json
import threading
import time

import pytest

from legacylift.local.asl.definition import DefinitionError
from legacylift.local.asl.interpreter import Execution
from legacylift.local.datasources import DataSources
from legacylift.local.s3_tasks import S3Tasks, TaskRunners

WORK = "arn:aws:states:::test:work"


class Work:
    """Each call sleeps `delay`, fails for the keys in `failing`, else returns its input."""

    def __init__(self, failing=(), delay=0.0):
        self.failing, self.delay = set(failing), delay
        self.active = self.peak = 0
        self.lock = threading.Lock()

    def supports(self, resource):
        return resource == WORK

    def run(self, resource, parameters, task):
        from legacylift.local.asl.errors import StatesError

        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            time.sleep(self.delay)
            if parameters.get("key") in self.failing:
                raise StatesError("Batch.Failed", f"batch {parameters['key']} failed")
            return {"done": parameters["key"], "execution": task.context["Execution"]["Name"]}
        finally:
            with self.lock:
                self.active -= 1


@pytest.fixture
def store(local_settings):
    """The local object store with 12 objects under s3://data/in/ (and one elsewhere)."""
    sources = DataSources(local_settings)
    for index in range(12):
        sources.put(f"s3://data/in/batch-{index:02d}.csv", io.BytesIO(b"x\n"))
    sources.put("s3://data/other/ignored.csv", io.BytesIO(b"y\n"))
    return sources


def distributed(**fields):
    """A Distributed Map over s3://data/in/ whose children run WORK on each object's key."""
    state = {
        "Type": "Map",
        "ItemReader": {
            "Resource": "arn:aws:states:::s3:listObjectsV2",
            "Parameters": {"Bucket": "data", "Prefix": "in/"},
        },
        "ItemSelector": {"key.$": "$$.Map.Item.Value.Key"},
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Work",
            "States": {"Work": {"Type": "Task", "Resource": WORK, "End": True}},
        },
        "End": True,
        **fields,
    }
    return {"StartAt": "Batches", "States": {"Batches": state}}


def run(store, definition, work, **options):
    events = []
    execution = Execution(
        definition,
        {},
        task_runner=TaskRunners(work, S3Tasks(store)),
        on_event=events.append,
        **options,
    )
    return execution.run(), events


def test_item_reader_lists_the_prefix_and_each_child_is_its_own_execution(store):
    result, events = run(store, distributed(), Work())
    assert result.status == "SUCCEEDED", result.cause
    assert [r["done"] for r in result.output] == [f"in/batch-{i:02d}.csv" for i in range(12)]
    assert len({r["execution"] for r in result.output}) == 12  # a child execution each
    started = [e for e in events if e["type"] == "MapStateStarted"]
    assert started[0]["mapStateStartedEventDetails"] == {"length": 12}
    assert sum(e["type"] == "MapIterationSucceeded" for e in events) == 12


def test_max_concurrency_and_the_machine_cap_bound_the_children(store):
    work = Work(delay=0.05)
    result, _ = run(store, distributed(MaxConcurrency=4), work)
    assert result.status == "SUCCEEDED" and work.peak == 4
    work = Work(delay=0.05)
    result, _ = run(store, distributed(MaxConcurrency=4), work, max_parallel=2)
    assert result.status == "SUCCEEDED" and work.peak == 2


def test_failures_within_the_tolerated_count_succeed_and_are_reported(store):
    failing = {"in/batch-03.csv"}
    result, events = run(store, distributed(ToleratedFailureCount=1), Work(failing))
    assert result.status == "SUCCEEDED", result.cause
    assert result.output[3] == {"Error": "Batch.Failed", "Cause": "batch in/batch-03.csv failed"}
    (failed,) = [
        e["mapIterationFailedEventDetails"] for e in events if e["type"] == "MapIterationFailed"
    ]
    assert failed == {
        "name": "Batches",
        "index": 3,
        "error": "Batch.Failed",
        "cause": "batch in/batch-03.csv failed",
    }


def test_failures_beyond_the_tolerance_fail_the_map(store):
    failing = {"in/batch-03.csv", "in/batch-07.csv"}
    result, _ = run(store, distributed(ToleratedFailureCount=1), Work(failing))
    assert result.status == "FAILED"
    assert result.error == "States.ExceedToleratedFailureThreshold"
    assert "2 of 12" in result.cause
    # Without a tolerance, one failed child fails the Map.
    result, _ = run(store, distributed(), Work({"in/batch-00.csv"}))
    assert result.error == "States.ExceedToleratedFailureThreshold"


def test_tolerated_percentage(store):
    failing = {"in/batch-03.csv"}  # 1 of 12 = 8.3 %
    result, _ = run(store, distributed(ToleratedFailurePercentage=10), Work(failing))
    assert result.status == "SUCCEEDED"
    result, _ = run(store, distributed(ToleratedFailurePercentage=5), Work(failing))
    assert result.error == "States.ExceedToleratedFailureThreshold"


def test_result_writer_writes_the_manifest_and_the_children_records(store, local_settings):
    writer = {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": "data", "Prefix": "out/results"},
    }
    definition = distributed(ResultWriter=writer, ToleratedFailureCount=1)
    result, _ = run(store, definition, Work({"in/batch-05.csv"}))
    assert result.status == "SUCCEEDED", result.cause
    details = result.output["ResultWriterDetails"]
    assert details["Bucket"] == "data" and details["Key"].startswith("out/results/")
    root = local_settings.object_store / "data"
    manifest = json.loads((root / details["Key"]).read_text())
    assert manifest["MapRunArn"] == result.output["MapRunArn"]
    (succeeded,) = manifest["ResultFiles"]["SUCCEEDED"]
    (failed,) = manifest["ResultFiles"]["FAILED"]
    assert len(json.loads((root / succeeded["Key"]).read_text())) == 11
    (record,) = json.loads((root / failed["Key"]).read_text())
    assert record["Error"] == "Batch.Failed" and json.loads(record["Input"]) == {
        "key": "in/batch-05.csv"
    }


def test_item_reader_reads_json_and_csv_objects(store):
    store.put("s3://data/list.json", io.BytesIO(json.dumps([{"key": "a"}, {"key": "b"}]).encode()))
    store.put("s3://data/list.csv", io.BytesIO(b"key,size\na,1\nb,2\nc,3\n"))
    for key, kind, expected in (("list.json", "JSON", ["a", "b"]), ("list.csv", "CSV", ["a", "b"])):
        definition = distributed()
        state = definition["States"]["Batches"]
        state["ItemReader"] = {
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": kind, "MaxItems": 2},
            "Parameters": {"Bucket": "data", "Key": key},
        }
        state["ItemSelector"] = {"key.$": "$$.Map.Item.Value.key"}
        result, _ = run(store, definition, Work())
        assert [r["done"] for r in result.output] == expected, (kind, result.cause)


def test_item_batcher_groups_items(store):
    definition = distributed(ItemBatcher={"MaxItemsPerBatch": 5, "BatchInput": {"run": "r1"}})
    definition["States"]["Batches"]["ItemProcessor"]["States"]["Work"] = {
        "Type": "Pass",
        "End": True,
    }
    result, _ = run(store, definition, Work())
    assert [len(batch["Items"]) for batch in result.output] == [5, 5, 2]
    assert result.output[0]["BatchInput"] == {"run": "r1"}


def test_sdk_list_objects_page_with_a_delimiter(store, local_settings):
    store.put("s3://data/days/d1/a.csv", io.BytesIO(b"1"))
    store.put("s3://data/days/d2/b.csv", io.BytesIO(b"2"))
    store.put("s3://data/days/top.csv", io.BytesIO(b"3"))
    page = S3Tasks(store).run(
        "arn:aws:states:::aws-sdk:s3:listObjectsV2",
        {"Bucket": "data", "Prefix": "days/", "Delimiter": "/"},
        None,
    )
    assert page["CommonPrefixes"] == [{"Prefix": "days/d1/"}, {"Prefix": "days/d2/"}]
    assert [entry["Key"] for entry in page["Contents"]] == ["days/top.csv"]
    assert page["KeyCount"] == 3 and page["IsTruncated"] is False
    first = S3Tasks(store).run(
        "arn:aws:states:::aws-sdk:s3:listObjectsV2",
        {"Bucket": "data", "Prefix": "days/", "Delimiter": "/", "MaxKeys": 2},
        None,
    )
    assert first["IsTruncated"] is True and first["KeyCount"] == 2
    empty = S3Tasks(store).run(
        "arn:aws:states:::aws-sdk:s3:listObjectsV2", {"Bucket": "data", "Prefix": "none/"}, None
    )
    assert "Contents" not in empty and empty["KeyCount"] == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ExecutionType": "EXPRESS"}, "Express workflows do not support"),
        ({"Mode": "INLINE"}, "runs locally only in a Distributed Map"),
    ],
)
def test_definitions_aws_refuses(store, change, message):
    definition = distributed(ToleratedFailureCount=1)
    processor = definition["States"]["Batches"]["ItemProcessor"]
    processor["ProcessorConfig"].update(change)
    processor["States"]["Work"]["Resource"] = "arn:aws:states:::test:work.sync"
    with pytest.raises(DefinitionError, match=message):
        Execution(definition, {}, task_runner=TaskRunners(_AnyTask(), S3Tasks(store)))


class _AnyTask:
    def supports(self, resource):
        return True

    def run(self, resource, parameters, task):  # pragma: no cover - refused before running
        raise AssertionError


def test_a_batch_larger_than_the_first_steps_volume_is_refused(store, local_settings, tmp_path):
    """Checked before any job starts; the file is sparse, so nothing is written."""
    from legacylift.errors import LegacyLiftError
    from legacylift.local.fan_out import check_batch_sizes
    from legacylift.models import Model

    big = local_settings.object_store / "data" / "days" / "d2" / "big.csv"
    big.parent.mkdir(parents=True)
    with big.open("wb") as handle:
        handle.truncate(2 * 1024**3 + 1)
    store.put("s3://data/days/d1/small.csv", io.BytesIO(b"1"))
    model = Model(
        "big",
        tmp_path,
        steps=("inference",),
        defaults={"volume_size": 1},
        fan_out={"split": "prefix"},
    )
    with pytest.raises(LegacyLiftError, match=r"batch 'd2' .* 2.0 GB, more than the 1 GB volume"):
        check_batch_sizes(store, "s3://data/days/", model)
    roomy = Model(
        "big",
        tmp_path,
        steps=("inference",),
        defaults={"volume_size": 3},
        fan_out={"split": "prefix"},
    )
    check_batch_sizes(store, "s3://data/days/", roomy)  # fits a 3 GB volume


def test_a_group_of_objects_is_sized_as_one_batch(store, local_settings, tmp_path):
    """objects_per_batch = 2: objects are grouped in key order as the ItemBatcher groups them,
    and a group is refused when together they outgrow the volume (sparse files). Planted once:
    each object sized alone (the grouping ignored): red."""
    from legacylift.errors import LegacyLiftError
    from legacylift.local.fan_out import check_batch_sizes
    from legacylift.models import Model

    folder = local_settings.object_store / "data" / "parts"
    folder.mkdir(parents=True)
    for name in ("a.csv", "b.csv", "c.csv"):
        with (folder / name).open("wb") as handle:
            handle.truncate(700 * 1024**2)

    def grouped(per_batch: int) -> Model:
        fan_out = {"split": "object", "objects_per_batch": per_batch}
        return Model(
            "g", tmp_path, steps=("inference",), defaults={"volume_size": 1}, fan_out=fan_out
        )

    check_batch_sizes(store, "s3://data/parts/", grouped(1))  # 0.7 GB each fits 1 GB
    with pytest.raises(LegacyLiftError, match=r"batch 'a.csv' .* 1.4 GB, more than the 1 GB"):
        check_batch_sizes(store, "s3://data/parts/", grouped(2))  # a.csv + b.csv; c.csv alone
