"""Processing jobs on several instances: ShardedByS3Key splits the objects as SageMaker
documents (each object on exactly one instance, about 1/N each), FullyReplicated inputs reach
every instance, each instance's resourceconfig.json names it, and an output layout where
instances would overwrite each other's files fails the job before anything is uploaded."""

from __future__ import annotations

import json

import pytest

from legacylift.local.cluster import shard
from legacylift.local.datasources import LocalObjectStore, StagedObject
from tests.local.jobs import processing_request, s3_input, s3_output, shell

OUT = "/opt/ml/processing/output"
DATA = "/opt/ml/processing/input/data"
REF = "/opt/ml/processing/input/reference"


def test_sharded_by_s3_key_gives_each_object_to_exactly_one_instance():
    objects = [StagedObject(f"part-{i:02d}.csv", 1, None) for i in range(7)]
    shares = [[o.relative for o in shard(objects, host, 3)] for host in (1, 2, 3)]
    assert [len(share) for share in shares] == [3, 2, 2]
    assert sorted(sum(shares, [])) == sorted(o.relative for o in objects)
    assert shares[0] == ["part-00.csv", "part-03.csv", "part-06.csv"]


def test_shards_follow_sorted_keys_not_listing_order(tmp_path):
    """The local store lists a folder's files before its subfolders (`b.csv` before
    `a/x.csv`); S3 lists keys in UTF-8 order; either way instance k gets the k-th, (k+N)-th ...
    object of the *sorted* keys. Planted bug (the assignment taken from the listing order): the
    store's order and the reversed list give other shares; red."""
    store = LocalObjectStore(tmp_path)
    for key in ("in/b.csv", "in/a/x.csv", "in/c.csv", "in/a/y.csv", "in/0.csv"):
        (tmp_path / "bkt" / key).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "bkt" / key).write_text(key)
    listed = list(store.list("s3://bkt/in/"))
    assert [o.relative for o in listed] != sorted(o.relative for o in listed)  # a real reorder
    expected = [["0.csv", "a/y.csv", "c.csv"], ["a/x.csv", "b.csv"]]
    for objects in (listed, listed[::-1]):
        assert [[o.relative for o in shard(objects, host, 2)] for host in (1, 2)] == expected


def _write(runner, uri, text):
    path = runner.sources.s3.path_of(uri)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _cluster(request, count=3):
    request["ProcessingResources"]["ClusterConfig"]["InstanceCount"] = count
    return request


@pytest.mark.docker
@pytest.mark.usefixtures("no_leftover_containers")
def test_three_instances_each_get_their_shard_and_their_host_name(runner, base_image):
    for index in range(7):
        _write(runner, f"s3://bkt/parts/part-{index:02d}.csv", f"{index}\n")
    _write(runner, "s3://bkt/ref/lookup.csv", "shared\n")
    # current_host is the first host name in resourceconfig.json.
    script = ("c=/opt/ml/config/resourceconfig.json; h=$(grep -o 'algo-[0-9]*' $c | head -1); "
              f"o={OUT}/$h; mkdir -p $o && ls {DATA} > $o/files && cat {REF}/lookup.csv > $o/ref "
              "&& cp $c $o/")  # fmt: skip
    request = _cluster(processing_request(
        base_image,
        entrypoint=shell(script),
        inputs=[s3_input("data", "s3://bkt/parts/", DATA, S3DataDistributionType="ShardedByS3Key"),
                s3_input("reference", "s3://bkt/ref/", REF)],
        outputs=[s3_output("out", "s3://bkt/out/", OUT)],
    ))  # fmt: skip
    result = runner.create_processing_job(request)
    assert result.status == "Completed", (result.describe.get("FailureReason"), result.log_tail)
    out = runner.sources.s3.path_of("s3://bkt/out/")
    files = {h: (out / h / "files").read_text().split() for h in ("algo-1", "algo-2", "algo-3")}
    assert files["algo-1"] == ["part-00.csv", "part-03.csv", "part-06.csv"]
    assert sorted(sum(files.values(), [])) == [f"part-{i:02d}.csv" for i in range(7)]
    for name in files:
        assert (out / name / "ref").read_text() == "shared\n"  # FullyReplicated: every instance
        config = json.loads((out / name / "resourceconfig.json").read_text())
        assert config["current_host"] == name
        assert config["hosts"] == ["algo-1", "algo-2", "algo-3"]


@pytest.mark.docker
@pytest.mark.usefixtures("no_leftover_containers")
def test_instances_writing_the_same_file_fail_the_job_and_upload_nothing(runner, base_image):
    """Planted once: without the overlap check the job completed, algo-3's file winning."""
    _write(runner, "s3://bkt/p2/a.csv", "a\n")
    _write(runner, "s3://bkt/p2/b.csv", "b\n")
    request = _cluster(processing_request(
        base_image,
        entrypoint=shell(f"cat {DATA}/* > {OUT}/predictions.csv"),
        inputs=[s3_input("data", "s3://bkt/p2/", DATA, S3DataDistributionType="ShardedByS3Key")],
        outputs=[s3_output("out", "s3://bkt/out2/", OUT)],
    ), count=2)  # fmt: skip
    result = runner.create_processing_job(request)
    assert result.status == "Failed"
    reason = result.describe["FailureReason"]
    assert "algo-1 and algo-2 both wrote predictions.csv" in reason
    assert "current_host" in reason
    assert result.uploaded == []
    assert not runner.sources.s3.path_of("s3://bkt/out2/").exists()
