"""Fan-out on one machine: 1, 8, 64 and 256 batches of a no-op model through the local engine.

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


def one(size: int, concurrency: int) -> dict:
    """Run `size` batches; return the figures (in this process)."""
    from legacylift.docker_client import docker_client
    from legacylift.local.datasources import DataSources
    from legacylift.local.render import render_workflow
    from legacylift.local.run import _model_entry, run_local, upload_code
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
        (folder / "model.toml").write_text(TOML.format(concurrency=concurrency))
        for index in range(size):
            (root / "input" / f"batch-{index:04d}").mkdir(parents=True)
            (root / "input" / f"batch-{index:04d}" / "x.txt").write_text("x\n")
        os.environ["LEGACYLIFT_MODELS_DIR"] = str(root / "models")
        os.environ["LEGACYLIFT_LOCAL_CONCURRENCY"] = str(concurrency)
        images = {"model": model_image(client, base, folder), "framework": base}
        settings = LocalSettings.under(root / "local")
        model = load_model("noop")
        code = upload_code(DataSources(settings), model, "legacylift-local")
        rendered = render_workflow(
            {"noop": _model_entry(model, images, code)}, base, cache_dir=root / "render-cache"
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
    assert len(jobs) == size, (len(jobs), size)
    return {
        "batches": size,
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
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.concurrency)))
        return

    from local_machine import machine_description

    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        done = subprocess.run(
            [sys.executable, __file__, "--one", str(size), "--concurrency", str(args.concurrency)],
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
    lines = [
        "# Fan-out: batches of a no-op model through the local engine",
        "",
        machine_description(),
        f"Load average at the end: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min; "
        "the machine is shared).",
        "",
        f"`python benchmarks/fan_out.py --sizes {args.sizes} --concurrency {args.concurrency}`: "
        "one-step no-op model, Distributed Map over sub-folders, MaxConcurrency and "
        f"LEGACYLIFT_LOCAL_CONCURRENCY = {args.concurrency}; the render is not timed.",
        "",
        "| batches | wall | sequential sum of job times | ideal (batches x median job / "
        "concurrency) | wall / sequential | overhead per batch | median job | peak RSS |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *[
            f"| {r['batches']} | {r['wall']:.1f} s | {r['sequential']:.1f} s | "
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
