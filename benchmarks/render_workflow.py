"""Times rendering modules/workflow with real Terraform (init + apply) for growing model counts.

Usage: python benchmarks/render_workflow.py [--counts 1,50,200,500] [--repeat 2]
Each measurement runs in a fresh child process on a temporary copy of the module, so its peak
memory (the largest Terraform process, from getrusage of the children) is its own. Results are
written to benchmarks/results/render_workflow.md with the machine and date.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from legacylift import console  # noqa: E402
from legacylift.atomic import write_text_atomic  # noqa: E402
from legacylift.terraform_env import terraform_binary, terraform_env  # noqa: E402

MODULE = ROOT / "modules" / "workflow"
RESULTS = ROOT / "benchmarks" / "results" / "render_workflow.md"
DIGEST = "@sha256:" + "ab" * 32


def model_set(count: int) -> dict:
    """`count` models mixing the shapes the module handles: defaults, subsets, tuned steps."""
    models = {}
    for index in range(count):
        name = f"model-{index:04d}"
        entry = {
            "image_uri": f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/legacylift/{name}{DIGEST}",
            "code_uris": {
                "preprocessing": f"s3://legacylift-bench-data/{name}/code/{index:08x}/",
                "postprocessing": f"s3://legacylift-bench-data/{name}/code/{index:08x}/",
            },
        }
        if index % 3 == 1:
            entry["steps"] = ["inference"]
        if index % 3 == 2:
            entry["defaults"] = {"instance_type": "ml.c5.2xlarge", "volume_size": 50}
            entry["inference"] = {"environment": {"OMP_NUM_THREADS": "1"}, "max_runtime": 7200}
        models[name] = entry
    return models


def variables(count: int) -> dict:
    return {
        "name_prefix": "legacylift-bench",
        "models": model_set(count),
        "framework_image_uri": "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn"
        + DIGEST,
        "data_bucket": "legacylift-bench-data",
        "aws_region": "eu-west-1",
        "aws_account_id": "123456789012",
        "enable_generic_workflow": True,
    }


def measure_once(count: int) -> dict:
    """Init + apply on a fresh copy (in this process's children); wall seconds and peak RSS."""
    terraform, env = str(terraform_binary()), terraform_env()
    with tempfile.TemporaryDirectory(prefix="render-bench-") as tmp:
        workdir = Path(tmp) / "workflow"
        shutil.copytree(MODULE, workdir, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
        (workdir / "bench.tfvars.json").write_text(json.dumps(variables(count)))
        started = time.monotonic()
        for command in (
            [terraform, "init", "-input=false", "-no-color"],
            [
                terraform,
                "apply",
                "-auto-approve",
                "-input=false",
                "-no-color",
                "-var-file=bench.tfvars.json",
            ],
        ):
            done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"{' '.join(command[:2])} failed:\n{done.stderr[-3000:]}")
            if command[1] == "init":
                init_seconds = time.monotonic() - started
        wall = time.monotonic() - started
        definitions = json.loads(
            subprocess.run(
                [terraform, "output", "-json", "definitions"],
                cwd=workdir,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "count": count,
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "load": os.getloadavg()[0],
        "init": init_seconds,
        "peak_mib": usage.ru_maxrss / 1024,  # KiB on Linux
        "definitions": len(definitions),
        "definition_bytes": sum(len(text.encode()) for text in definitions.values()),
    }


def measure(count: int) -> dict:
    """One measurement in a fresh child process (so peak memory is this run's only)."""
    done = subprocess.run(
        [sys.executable, __file__, "--one", str(count)], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr or done.stdout)
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> str:
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    os_name = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {memory_gib:.0f} GiB RAM, {os_name}"


def report(rows: list[dict], repeat: int) -> str:
    version = subprocess.run(
        [str(terraform_binary()), "version"], capture_output=True, text=True, env=terraform_env()
    ).stdout.splitlines()[0]
    base = rows[0]
    lines = [
        "# Rendering modules/workflow (terraform init + apply)",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {machine()}",
        f"- {version}; no providers (the module is provider-free); generic workflow enabled",
        "- model mix: a third each of 3-step defaults, inference-only, tuned settings",
        f"- median of {repeat} runs, each on a fresh copy of the module in a fresh process;"
        " peak memory is the largest Terraform process's resident set",
        "- rerun: `python benchmarks/render_workflow.py` (`--counts 1,50,200,500 --repeat 3`)",
        "- CPU is user + system time of Terraform; wall time depends on what else runs (the load"
        " average column: this machine is shared, so CPU is the steadier figure)",
        "",
        "| models | wall (s) | of which init (s) | CPU (s) | per model (ms wall) "
        "| peak memory (MiB) | definitions | definition bytes | load avg (1 min) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        per_model = (row["wall"] - row["init"]) / row["count"] * 1000
        lines.append(
            f"| {row['count']} | {row['wall']:.2f} | {row['init']:.2f} | {row['cpu']:.2f} "
            f"| {per_model:.1f} | {row['peak_mib']:.0f} | {row['definitions']} "
            f"| {row['definition_bytes']:,} | {row['load']:.1f} |"
        )
    largest = rows[-1]
    growth = (largest["wall"] - base["wall"]) / max(largest["count"] - base["count"], 1) * 1000
    lines += [
        "",
        f"Beyond the fixed cost of one model ({base['wall']:.2f} s), each further model adds "
        f"about {growth:.0f} ms: {largest['count']} models render in {largest['wall']:.1f} s "
        "(target: 500 in under 30 s).",
        "",
        "## Notes",
        "",
        "- CPU grows linearly (about 50-60 ms per model over init, plan and apply). An earlier"
        " version that looked up other whole locals inside its per-model loops (`local.x[name]`)"
        " was quadratic: 400 models took 2.6 times the CPU of 200; the module now normalises"
        " each model in one pass that reads only the model.",
        "- Where the time goes (traced with TF_LOG=trace, 500 models): templatefile() re-reads and"
        " re-parses the template on every call (about 4 ms of a model's 8 ms per walk), the"
        " plan's display of the new outputs (megabytes of JSON strings, rendered as structure),"
        " and jsondecode at plan. Plan and apply each evaluate everything once.",
        "- Compacting the rendered text (no line breaks or indentation) cut plan CPU by about"
        " 15%; measuring definition bytes only where the environment could reach 1 MB removed a"
        " per-model length() over the whole text.",
        "- Go's GC setting is a further knob outside the module: GOGC=400 cut plan CPU by about"
        " 18% at twice the peak memory (measured once, 500 models).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="1,50,200,500", help="model counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per count (median kept)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure_once(args.one)))
        return
    rows = []
    for count in (int(value) for value in args.counts.split(",")):
        runs = []
        for attempt in range(args.repeat):
            with console.timed(f"{count} models, run {attempt + 1}/{args.repeat}"):
                runs.append(measure(count))
        runs.sort(key=lambda run: run["wall"])
        median = runs[len(runs) // 2]
        median["peak_mib"] = statistics.median(run["peak_mib"] for run in runs)
        rows.append(median)
    write_text_atomic(RESULTS, report(rows, args.repeat))
    console.success(f"results in {RESULTS.relative_to(ROOT)}")
    print(RESULTS.read_text())


if __name__ == "__main__":
    main()
