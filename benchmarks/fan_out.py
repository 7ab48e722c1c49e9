"""Fan-out on one machine: 1, 8, 64 and 256 batches of a no-op model through the local engine.

With --objects-per-batch N (N > 1) the input is that many single objects instead of
sub-folders, grouped N to a batch (`fan_out.objects_per_batch`: ItemBatcher, one manifest per
batch, a ManifestFile input), so a size of 64 objects runs 64 / N jobs.

Each size runs in its own Python process (so its peak memory is the engine's for that size):
a one-step model whose script writes one byte, `[fan_out]` over sub-folders (Distributed Map),
MaxConcurrency and the machine cap both set to --concurrency. The workflow is rendered before
the clock starts. Reported per size:

- wall time of the execution;
- the sequential sum: every batch's job time (CreationTime to ProcessingEndTime, from the
  DescribeProcessingJob results in the history), i.e. what running them one by one costs;
- the ideal: batches x median job time / concurrency (at most the batch count);
- overhead per batch: (wall - ideal) / batches;
- peak memory (max RSS) of the engine's process.

    python benchmarks/fan_out.py [--sizes 1,8,64,256] [--concurrency 4]
                                 [--objects-per-batch N]
                                 [--out benchmarks/results/fan_out.md]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

NOOP = "open('/opt/ml/processing/output/done', 'w').write('1')\n"
TOML = """\
steps = ["inference"]

[defaults]
instance_type = "ml.t3.medium"

[fan_out]
split = "prefix"
max_concurrency = {concurrency}
"""
GROUPS_TOML = """\
steps = ["inference"]

[defaults]
instance_type = "ml.t3.medium"

[fan_out]
split = "object"
objects_per_batch = {per_batch}
max_concurrency = {concurrency}
"""


def one(size: int, concurrency: int, per_batch: int = 1) -> dict:
    """Run `size` batches (or `size` objects, `per_batch` to a batch); return the figures (in
    this process)."""
    from legacylift.docker_client import docker_client
    from legacylift.local.datasources import DataSources
    from legacylift.local.render import render_workflow
    from legacylift.local.run import run_local
    from legacylift.local.run_code import model_entry, upload_code
    from legacylift.local.settings import LocalSettings
    from legacylift.models import load_model
    from legacylift.settings import base_image
    from tests.local.tiny_models import model_image

    client, base = docker_client(), base_image()
    with tempfile.TemporaryDirectory(prefix="legacylift-fan-out-bench-") as scratch:
        root = Path(scratch)
        folder = root / "models" / "noop"
        folder.mkdir(parents=True)
        (folder / "requirements.txt").write_text("")
        (folder / "predict.py").write_text(NOOP)
        if per_batch > 1:
            toml = GROUPS_TOML.format(concurrency=concurrency, per_batch=per_batch)
            (root / "input").mkdir()
            for index in range(size):
                (root / "input" / f"object-{index:04d}.txt").write_text("x\n")
        else:
            toml = TOML.format(concurrency=concurrency)
            for index in range(size):
                (root / "input" / f"batch-{index:04d}").mkdir(parents=True)
                (root / "input" / f"batch-{index:04d}" / "x.txt").write_text("x\n")
        (folder / "model.toml").write_text(toml)
        os.environ["LEGACYLIFT_MODELS_DIR"] = str(root / "models")
        os.environ["LEGACYLIFT_LOCAL_CONCURRENCY"] = str(concurrency)
        images = {"model": model_image(client, base, folder), "framework": base}
        settings = LocalSettings.under(root / "local")
        model = load_model("noop")
        code = upload_code(DataSources(settings), model, "legacylift-local")
        rendered = render_workflow(
            {"noop": model_entry(model, images, code)}, base, cache_dir=root / "render-cache"
        )
        started = time.monotonic()
        run = run_local(
            "noop",
            str(root / "input"),
            settings=settings,
            quiet=True,
            images=images,
            rendered=rendered,
        )
        wall = time.monotonic() - started
        assert run.succeeded, run.failure
    jobs = []
    for event in run.result.history:
        if event["type"] == "TaskSucceeded":
            describe = json.loads(event["taskSucceededEventDetails"]["output"])
            if "ProcessingJobName" not in describe:
                continue  # the S3 listing
            jobs.append((describe["ProcessingEndTime"] - describe["CreationTime"]) / 1000)
    batches = -(-size // per_batch)
    assert len(jobs) == batches, (len(jobs), batches)
    return {
        "objects": size,
        "batches": batches,
        "wall": wall,
        "sequential": sum(jobs),
        "median_job": statistics.median(jobs),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,8,64,256")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks/results/fan_out.md")
    parser.add_argument(
        "--objects-per-batch",
        type=int,
        default=1,
        help="above 1: single objects grouped this many to a batch (sizes count objects)",
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.concurrency, args.objects_per_batch)))
        return

    from local_machine import machine_description

    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        done = subprocess.run(
            [
                *(sys.executable, __file__, "--one", str(size)),
                *("--concurrency", str(args.concurrency)),
                *("--objects-per-batch", str(args.objects_per_batch)),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        slots = min(args.concurrency, figures["batches"])
        ideal = figures["batches"] * figures["median_job"] / slots
        figures.update(ideal=ideal, overhead=(figures["wall"] - ideal) / figures["batches"])
        rows.append(figures)
        print(json.dumps(figures), flush=True)
    load = os.getloadavg()
    grouped = args.objects_per_batch > 1
    command = f"python benchmarks/fan_out.py --sizes {args.sizes} --concurrency {args.concurrency}"
    shape = "Distributed Map over sub-folders"
    if grouped:
        command += f" --objects-per-batch {args.objects_per_batch}"
        shape = (
            f"Distributed Map over single objects, {args.objects_per_batch} to a batch "
            "(ItemBatcher, a manifest per batch, ManifestFile input)"
        )
    lines = [
        "# Fan-out: "
        + ("groups of objects" if grouped else "batches")
        + " of a no-op model through the local engine",
        "",
        machine_description(),
        f"Load average at the end: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min; "
        "the machine is shared).",
        "",
        f"`{command}`: one-step no-op model, {shape}, MaxConcurrency and "
        f"LEGACYLIFT_LOCAL_CONCURRENCY = {args.concurrency}; the render is not timed.",
        "",
        "| objects | batches | wall | sequential sum of job times | ideal (batches x median job / "
        "concurrency) | wall / sequential | overhead per batch | median job | peak RSS |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *[
            f"| {r['objects'] if grouped else '-'} | {r['batches']} | {r['wall']:.1f} s | "
            f"{r['sequential']:.1f} s | "
            f"{r['ideal']:.1f} s | {r['wall'] / r['sequential']:.2f} | {r['overhead']:.2f} s | "
            f"{r['median_job']:.2f} s | {r['peak_rss_mib']:.0f} MiB |"
            for r in rows
        ],
        "",
        "A job's time is what a processing job costs here (container create, staging, the "
        "script, output upload, removal), CreationTime to ProcessingEndTime; overhead per batch "
        "is the engine's own share of the wall time beyond the ideal (interpreter, the child "
        "workflow's Choice/Pass states, listing, the ResultWriter), spread over the batches.",
        "",
    ]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
