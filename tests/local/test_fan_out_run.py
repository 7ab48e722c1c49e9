"""Fan-out and multi-instance models end to end: modules/workflow rendered by real Terraform,
its Distributed or inline Map run by the local interpreter, every batch's steps processing jobs
in the real daemon; a step on several instances with its input sharded."""

from __future__ import annotations

import json
import uuid

import pytest

from legacylift.local.run import run_local
from tests.local.tiny_models import COPY_DATA, model_image

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("no_leftover_containers")]

# Inference uppercases each .txt file; a batch whose text says "fail" fails as legacy code does.
UPPERCASE_OR_FAIL = """\
import pathlib, sys
src, dst = pathlib.Path("/opt/ml/processing/input/data"), pathlib.Path("/opt/ml/processing/output")
for path in sorted(src.rglob("*.txt")):
    text = path.read_text()
    if "fail" in text:
        print(f"ValueError: cannot score {path.name}", file=sys.stderr)
        sys.exit(3)
    (dst / path.name).write_text(text.upper())
print("uppercased")
"""
# Combine: every batch's output (staged as <batch id>/note.txt) into one file.
COMBINE = """\
import pathlib
src, dst = pathlib.Path("/opt/ml/processing/input/data"), pathlib.Path("/opt/ml/processing/output")
lines = [f"{p.parent.name}: {p.read_text().strip()}" for p in sorted(src.glob("*/note.txt"))]
(dst / "combined.txt").write_text("\\n".join(lines) + "\\n")
"""
FAN_OUT_TOML = """\
steps = ["preprocessing", "inference"]

[defaults]
instance_type = "ml.t3.medium"

[preprocessing]
image = "model"

[fan_out]
split = "prefix"
max_concurrency = 4
tolerated_failures = 1

[fan_out.combine]
script = "combine.py"
image = "model"
"""
INLINE_TOML = """\
steps = ["inference"]

[fan_out]
split = "object"
mode = "inline"
max_concurrency = 2
"""
GROUPS_TOML = """\
steps = ["inference"]

[fan_out]
split = "object"
objects_per_batch = 2
"""
# What a batch's job sees: every file under its input, relative to it.
LIST_BATCH = """\
import pathlib
src, dst = pathlib.Path("/opt/ml/processing/input/data"), pathlib.Path("/opt/ml/processing/output")
names = sorted(p.relative_to(src).as_posix() for p in src.rglob("*") if p.is_file())
(dst / "listing.txt").write_text("\\n".join(names) + "\\n")
"""
# Each instance scores its share of the files into a file named after its host.
PER_HOST = """\
import json, pathlib
host = json.load(open("/opt/ml/config/resourceconfig.json"))["current_host"]
src, dst = pathlib.Path("/opt/ml/processing/input/data"), pathlib.Path("/opt/ml/processing/output")
names = sorted(p.name for p in src.rglob("*.txt"))
(dst / f"{host}.txt").write_text("\\n".join(names) + "\\n")
"""
WIDE_TOML = 'steps = ["inference"]\n\n[inference]\ninstance_count = 3\n'
SINGLE_TOML = 'steps = ["preprocessing", "inference"]\n\n[preprocessing]\nimage = "model"\n'


def _folder(root, name, toml, scripts):
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "requirements.txt").write_text("")
    (folder / "model.toml").write_text(toml)
    for filename, text in scripts.items():
        (folder / filename).write_text(text)
    return folder


@pytest.fixture
def models(tmp_path, monkeypatch, docker_client, base_image):
    """`batchy` (fan-out over sub-folders, tolerating one failed batch, with a combine step)
    and `single` (the same chain for one input); their images."""
    root = tmp_path / "models"
    scripts = {"preprocessing.py": COPY_DATA, "predict.py": UPPERCASE_OR_FAIL}
    folders = {
        "batchy": _folder(root, "batchy", FAN_OUT_TOML, {**scripts, "combine.py": COMBINE}),
        "single": _folder(root, "single", SINGLE_TOML, scripts),
        "inline": _folder(root, "inline", INLINE_TOML, {"predict.py": UPPERCASE_OR_FAIL}),
        "wide": _folder(root, "wide", WIDE_TOML, {"predict.py": PER_HOST}),
        "groups": _folder(root, "groups", GROUPS_TOML, {"predict.py": LIST_BATCH}),
    }
    monkeypatch.setenv("LEGACYLIFT_MODELS_DIR", str(root))
    monkeypatch.setenv("LEGACYLIFT_LOCAL_CONCURRENCY", "4")
    return {
        name: {"model": model_image(docker_client, base_image, folder), "framework": base_image}
        for name, folder in folders.items()
    }


def _batches(tmp_path, texts: dict[str, str]):
    root = tmp_path / f"input-{uuid.uuid4().hex[:6]}"
    for batch, text in texts.items():
        (root / batch).mkdir(parents=True)
        (root / batch / "note.txt").write_text(text)
    return root


@pytest.mark.slow
def test_twelve_batches_equal_twelve_separate_runs(models, local_settings, tmp_path):
    texts = {f"day-{index:02d}": f"sales of day {index}\n" for index in range(12)}
    root = _batches(tmp_path, texts)
    run = run_local(
        "batchy",
        str(root),
        str(tmp_path / "out"),
        settings=local_settings,
        quiet=True,
        images=models["batchy"],
    )
    assert run.succeeded, run.failure
    assert run.failed_batches == []
    out = tmp_path / "out"
    for batch in texts:
        separate = run_local(
            "single",
            str(root / batch),
            str(tmp_path / "single" / batch),
            settings=local_settings,
            quiet=True,
            images=models["single"],
        )
        assert separate.succeeded, separate.failure
        assert (out / "batches" / batch / "note.txt").read_bytes() == (
            tmp_path / "single" / batch / "note.txt"
        ).read_bytes()
    combined = (out / "combined" / "combined.txt").read_text().splitlines()
    assert combined == [f"{batch}: SALES OF DAY {int(batch[-2:])}" for batch in sorted(texts)]
    progress = [e for e in run.result.history if e["type"] == "MapIterationSucceeded"]
    assert len(progress) == 12
    manifest = list((out / "results").rglob("manifest.json"))
    assert len(manifest) == 1  # the Distributed Map's ResultWriter


@pytest.mark.slow
def test_a_failed_batch_within_the_tolerance_succeeds_and_is_reported(
    models, local_settings, tmp_path
):
    root = _batches(tmp_path, {"a": "fine\n", "b": "this one will fail\n", "c": "ok\n"})
    run = run_local(
        "batchy",
        str(root),
        str(tmp_path / "out"),
        settings=local_settings,
        quiet=True,
        images=models["batchy"],
    )
    assert run.succeeded, run.failure
    (report,) = run.failed_batches
    assert "step Inference failed" in report
    assert "/b/" in report  # the batch's input
    assert "ValueError: cannot score note.txt" in report  # the job's log tail
    assert sorted(p.name for p in (tmp_path / "out" / "batches").iterdir()) == ["a", "c"]


@pytest.mark.slow
def test_failures_beyond_the_tolerance_fail_the_run_listing_each(models, local_settings, tmp_path):
    root = _batches(tmp_path, {"a": "fail\n", "b": "fail too\n", "c": "ok\n"})
    run = run_local(
        "batchy", str(root), settings=local_settings, quiet=True, images=models["batchy"]
    )
    assert run.result.status == "FAILED"
    assert run.result.error == "States.ExceedToleratedFailureThreshold"
    assert len(run.failed_batches) == 2
    assert "2 failed batches:" in run.failure and "step Inference failed" in run.failure


def test_an_input_without_batches_fails_before_any_job(models, local_settings, tmp_path):
    root = tmp_path / "flat"
    root.mkdir()
    (root / "note.txt").write_text("no sub-folders here\n")
    run = run_local(
        "batchy", str(root), settings=local_settings, quiet=True, images=models["batchy"]
    )
    assert run.result.status == "FAILED"
    assert run.result.error == "LegacyLift.NoBatches"
    assert not any(
        e["type"] == "TaskScheduled" and "sagemaker" in json_text(e) for e in run.result.history
    )


def json_text(event) -> str:
    import json

    return json.dumps(event)


def test_inline_map_over_objects(models, local_settings, tmp_path):
    """mode = "inline", split = "object": the batches come from one ListObjectsV2 page; each
    object is a batch whose job sees that object alone."""
    root = tmp_path / "objects"
    root.mkdir()
    for name in ("a", "b", "c"):
        (root / f"{name}.txt").write_text(f"{name} only\n")
    run = run_local(
        "inline",
        str(root),
        str(tmp_path / "out"),
        settings=local_settings,
        quiet=True,
        images=models["inline"],
    )
    assert run.succeeded, run.failure
    batches = tmp_path / "out" / "batches"
    for name in ("a", "b", "c"):
        assert (batches / f"{name}.txt" / f"{name}.txt").read_text() == f"{name.upper()} ONLY\n"
    assert sorted(p.name for p in batches.iterdir()) == ["a.txt", "b.txt", "c.txt"]


def _scheduled(run, field: str, value: str) -> list[dict]:
    """The parameters of every Task the run scheduled whose `field` is `value`."""
    return [
        json.loads(e["taskScheduledEventDetails"]["parameters"])
        for e in run.result.history
        if e["type"] == "TaskScheduled" and e["taskScheduledEventDetails"][field] == value
    ]


def test_groups_of_objects_each_through_a_manifest(models, local_settings, tmp_path):
    """objects_per_batch = 2, through the rendered workflow: the ItemBatcher groups the objects
    in key order, each batch writes its manifest under the run prefix, and its job stages
    exactly the objects listed there (ManifestFile), at their keys relative to input_uri.
    Planted once: the manifest's prefix cut to the bucket (keys no longer relative to it)
    turned this red (every batch failed naming the object its manifest lists)."""
    root = tmp_path / "objects"
    (root / "sub").mkdir(parents=True)
    for name in ("a.txt", "b.txt", "c.txt", "d.txt", "sub/e.txt"):
        (root / name).write_text(f"{name}\n")
    run = run_local(
        "groups",
        str(root),
        str(tmp_path / "out"),
        settings=local_settings,
        quiet=True,
        images=models["groups"],
    )
    assert run.succeeded, run.failure
    batches = tmp_path / "out" / "batches"
    seen = {
        p.parent.relative_to(batches).as_posix(): p.read_text().split()
        for p in batches.rglob("listing.txt")
    }
    assert seen == {
        "a.txt": ["a.txt", "b.txt"],
        "c.txt": ["c.txt", "d.txt"],
        "sub/e.txt": ["sub/e.txt"],
    }
    writes = _scheduled(run, "resource", "s3:putObject")
    manifests = {w["Key"].split("/manifests/", 1)[1]: json.loads(w["Body"]) for w in writes}
    assert sorted(manifests) == ["a.txt.json", "c.txt.json", "sub/e.txt.json"]
    assert all(w["Key"].startswith("groups/runs/") for w in writes)
    (prefix,) = {json.dumps(m[0]) for m in manifests.values()}
    assert json.loads(prefix)["prefix"].endswith("/")
    assert [m[1:] for _, m in sorted(manifests.items())] == [
        ["a.txt", "b.txt"],
        ["c.txt", "d.txt"],
        ["sub/e.txt"],
    ]
    jobs = _scheduled(run, "resourceType", "sagemaker")
    assert len(jobs) == 3
    assert {j["ProcessingInputs"][0]["S3Input"]["S3DataType"] for j in jobs} == {"ManifestFile"}


def test_a_step_on_three_instances_shards_its_input(models, local_settings, tmp_path):
    """model.toml instance_count = 3, through the rendered workflow: three containers, each
    with its ShardedByS3Key share, each writing a file named after its current_host."""
    root = tmp_path / "parts"
    root.mkdir()
    for index in range(7):
        (root / f"part-{index}.txt").write_text("x\n")
    run = run_local(
        "wide",
        str(root),
        str(tmp_path / "out"),
        settings=local_settings,
        quiet=True,
        images=models["wide"],
    )
    assert run.succeeded, run.failure
    shares = {p.stem: p.read_text().split() for p in (tmp_path / "out").glob("algo-*.txt")}
    assert sorted(shares) == ["algo-1", "algo-2", "algo-3"]
    assert sorted(sum(shares.values(), [])) == [f"part-{i}.txt" for i in range(7)]
    assert [len(shares[h]) for h in sorted(shares)] == [3, 2, 2]
