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
    script = (
        "c=/opt/ml/config/resourceconfig.json; h=$(grep -o 'algo-[0-9]*' $c | head -1); "
        f"o={OUT}/$h; mkdir -p $o && ls {DATA} > $o/files && cat {REF}/lookup.csv > $o/ref "
        "&& cp $c $o/"
    )
    request = _cluster(
        processing_request(
            base_image,
            entrypoint=shell(script),
            inputs=[
                s3_input("data", "s3://bkt/parts/", DATA, S3DataDistributionType="ShardedByS3Key"),
                s3_input("reference", "s3://bkt/ref/", REF),
            ],
            outputs=[s3_output("out", "s3://bkt/out/", OUT)],
        )
    )
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
    request = _cluster(
        processing_request(
            base_image,
            entrypoint=shell(f"cat {DATA}/* > {OUT}/predictions.csv"),
            inputs=[
                s3_input("data", "s3://bkt/p2/", DATA, S3DataDistributionType="ShardedByS3Key")
            ],
            outputs=[s3_output("out", "s3://bkt/out2/", OUT)],
        ),
        count=2,
    )
    result = runner.create_processing_job(request)
    assert result.status == "Failed"
    reason = result.describe["FailureReason"]
    assert "algo-1 and algo-2 both wrote predictions.csv" in reason
    assert "current_host" in reason
    assert result.uploaded == []
    assert not runner.sources.s3.path_of("s3://bkt/out2/").exists()


PEERS = """
import json, pathlib, socket, time
host = json.load(open("/opt/ml/config/resourceconfig.json"))["current_host"]
out = pathlib.Path("/opt/ml/processing/output") / host
out.mkdir(parents=True)
addresses = {name: socket.gethostbyname(name) for name in ("algo-1", "algo-2")}
(out / "addresses.json").write_text(json.dumps(addresses))
if host == "algo-2":
    server = socket.create_server(("0.0.0.0", 7000))
    server.settimeout(60)
    connection, _ = server.accept()
    connection.sendall(b"hello from algo-2")
    connection.close()
else:
    for _ in range(120):
        try:
            with socket.create_connection(("algo-2", 7000), timeout=1) as peer:
                (out / "heard").write_bytes(peer.recv(100))
            break
        except OSError:
            time.sleep(0.5)
    try:
        socket.create_connection(("169.254.169.254", 80), timeout=2)
        (out / "metadata").write_text("reached")
    except OSError:
        (out / "metadata").write_text("unreachable")
"""


@pytest.mark.docker
@pytest.mark.usefixtures("no_leftover_containers")
def test_the_instances_of_one_job_reach_each_other_by_host_name_and_nothing_else(
    runner, base_image, docker_client
):
    """As on SageMaker, algo-1 and algo-2 resolve and reach each other; the metadata address
    stays unreachable, and the job's network is gone afterwards. Planted once: the instances on
    no network (network_mode none, as before) turned this red (algo-1 unresolvable)."""
    _write(runner, "s3://bkt/peers/peers.py", PEERS)
    request = _cluster(
        processing_request(
            base_image,
            entrypoint=["python3", f"{DATA}/peers.py"],
            inputs=[s3_input("data", "s3://bkt/peers/", DATA)],
            outputs=[s3_output("out", "s3://bkt/peers-out/", OUT)],
        ),
        count=2,
    )
    result = runner.create_processing_job(request)
    assert result.status == "Completed", (result.describe.get("FailureReason"), result.log_tail)
    out = runner.sources.s3.path_of("s3://bkt/peers-out/")
    seen = [
        json.loads((out / host / "addresses.json").read_text()) for host in ("algo-1", "algo-2")
    ]
    assert seen[0] == seen[1] and seen[0]["algo-1"] != seen[0]["algo-2"]
    assert (out / "algo-1" / "heard").read_text() == "hello from algo-2"
    assert (out / "algo-1" / "metadata").read_text() == "unreachable"
    assert not [
        n
        for n in docker_client.networks.list()
        if n.name.startswith("legacylift-job-") and request["ProcessingJobName"][:40] in n.name
    ]
