"""Times rendering modules/workflow with real Terraform for growing model counts, driven the way
legacylift.local.render drives it beside the alternatives, in one run.

Usage: python benchmarks/render_workflow.py [--counts 1,100,500] [--repeat 3]
Each measurement runs in a fresh child process on a temporary copy of the module, so its peak
memory (the largest Terraform process, from getrusage of the children) is its own. Results are
written to benchmarks/results/render_workflow.md with the machine and date.
"""

from __future__ import annotations

import argparse
import hashlib
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


def variables_for(count: int) -> dict:
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


DRIVERS = {
    "apply": "init, apply, output -json: evaluates the module twice (plan and apply), draws the"
    " plan for people",
    "plan": "init, plan -json -refresh=false -out, show -json: what legacylift.local.render runs",
    "plan-gogc": "the same with GOGC=400 in the environment (an option: more memory, less GC)",
}


def _run(command: list[str], cwd: Path) -> str:
    done = subprocess.run(command, cwd=cwd, env=terraform_env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:2])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def apply_outputs(workdir: Path, var_file: str) -> dict:
    """Outputs the way a state gets them: init, apply, `output -json`."""
    terraform = str(terraform_binary())
    _run([terraform, "init", "-input=false", "-no-color"], workdir)
    _run([terraform, "apply", "-auto-approve", "-input=false", "-no-color", var_file], workdir)
    raw = json.loads(_run([terraform, "output", "-json"], workdir))
    return {name: entry["value"] for name, entry in raw.items()}


def measure_once(count: int, driver: str) -> dict:
    """Render `count` models with `driver` (in this process's children); wall seconds, CPU and
    peak RSS."""
    from legacylift.local.render import evaluate

    if driver == "plan-gogc":
        os.environ["GOGC"] = "400"
    variables = variables_for(count)
    started = time.monotonic()
    if driver == "apply":
        with tempfile.TemporaryDirectory(prefix="render-bench-") as tmp:
            workdir = Path(tmp) / "workflow"
            shutil.copytree(
                MODULE, workdir, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*")
            )
            (workdir / "bench.tfvars.json").write_text(json.dumps(variables))
            outputs = apply_outputs(workdir, "-var-file=bench.tfvars.json")
    else:
        outputs = evaluate(MODULE, variables)
    wall = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    definitions = outputs["definitions"]
    return {
        "count": count,
        "driver": driver,
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "load": os.getloadavg()[0],
        "peak_mib": usage.ru_maxrss / 1024,  # KiB on Linux
        "definitions": len(definitions),
        "definition_bytes": sum(len(text.encode()) for text in definitions.values()),
        "outputs_sha256": hashlib.sha256(json.dumps(outputs, sort_keys=True).encode()).hexdigest(),
    }


def measure(count: int, driver: str) -> dict:
    """One measurement in a fresh child process (so peak memory is this run's only)."""
    done = subprocess.run(
        [sys.executable, __file__, "--one", str(count), "--driver", driver],
        capture_output=True,
        text=True,
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
    lines = [
        "# Rendering modules/workflow: how Terraform is driven",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {machine()}",
        f"- {version}; no providers (the module is provider-free); generic workflow enabled",
        "- model mix: a third each of 3-step defaults, inference-only, tuned settings",
        f"- median of {repeat} runs (by CPU), each in a fresh process on a fresh copy of the"
        " module, the drivers taking turns; peak memory is the largest Terraform process's"
        " resident set",
        f"- rerun: `python benchmarks/render_workflow.py` (`--counts {ARGS_COUNTS} --repeat 3`;"
        " `LEGACYLIFT_TERRAFORM=<binary>` for another Terraform, `--results FILE`)",
        "- CPU is user + system time of Terraform; wall time depends on what else runs (the load"
        " average column: this machine is shared, so CPU is the steadier figure)",
        "- drivers (everything from the copy of the module to the outputs in Python):",
        *(f"  - `{name}`: {text}" for name, text in DRIVERS.items()),
        "",
        "| models | driver | wall (s) | CPU (s) | per model (ms CPU) | per model (ms wall) "
        "| peak memory (MiB) | definitions | definition bytes | outputs as `apply` | load avg |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: | ---: |",
    ]
    reference = {row["count"]: row["outputs_sha256"] for row in rows if row["driver"] == "apply"}
    for row in rows:
        same = reference.get(row["count"]) == row["outputs_sha256"]
        lines.append(
            f"| {row['count']} | `{row['driver']}` | {row['wall']:.2f} | {row['cpu']:.2f} "
            f"| {row['cpu'] / row['count'] * 1000:.1f} | {row['wall'] / row['count'] * 1000:.1f} "
            f"| {row['peak_mib']:.0f} | {row['definitions']} | {row['definition_bytes']:,} "
            f"| {'identical' if same else 'DIFFERENT'} | {row['load']:.1f} |"
        )
    lines += ["", "Each further model beyond the first costs (CPU, wall):", ""]
    for driver in DRIVERS:
        mine = sorted((row for row in rows if row["driver"] == driver), key=lambda r: r["count"])
        if len(mine) < 2:
            continue
        first, last = mine[0], mine[-1]
        extra = max(last["count"] - first["count"], 1)
        lines.append(
            f"- `{driver}`: {(last['cpu'] - first['cpu']) / extra * 1000:.1f} ms CPU, "
            f"{(last['wall'] - first['wall']) / extra * 1000:.1f} ms wall per model "
            f"({last['count']} models: {last['cpu']:.1f} s CPU, {last['wall']:.1f} s wall; "
            "target: under 30 ms per model)"
        )
    lines += ["", *NOTES, ""]
    return "\n".join(lines)


NOTES = [
    "## Notes",
    "",
    "- The module is provider-free, so every output is known at plan: the plan alone evaluates"
    " it once, and `show -json` of the saved plan gives the outputs. An apply evaluates the"
    " module a second time only to write the same values into a state; a plan without `-json`"
    " also draws megabytes of output strings for people.",
    "- CPU grows linearly. An earlier version of the module that looked up other whole locals"
    " inside its per-model loops (`local.x[name]`) was quadratic: 400 models took 2.6 times the"
    " CPU of 200; the module normalises each model in one pass that reads only the model.",
    "- Where a plan's time goes (traced with TF_LOG=trace, 500 models): templatefile()"
    " re-reads and re-parses the template on every call (about half of a model's walk), and"
    " jsondecode of each definition (invalid JSON fails at plan). Replacing the template call"
    " with a small jsonencode() in a scratch copy (measured once, Terraform 1.0.3, 500 models,"
    " plan -json) took plan CPU from 10.3 s to 5.3 s: rendering each template once per shape"
    " is the next lever, not taken here.",
    "- Compacting the rendered text (no line breaks or indentation) cut plan CPU by about"
    " 15%; measuring definition bytes only where the environment could reach 1 MB removed a"
    " per-model length() over the whole text.",
    "- GOGC (Go's garbage collector target) is an option outside LegacyLift: Terraform inherits"
    " the environment, so `GOGC=400 invoke ...` trades peak memory for CPU (the `plan-gogc`"
    " rows).",
]

ARGS_COUNTS = "1,100,500"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default=ARGS_COUNTS, help="model counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per count (median kept)")
    parser.add_argument(
        "--drivers", default=",".join(DRIVERS), help="drivers to compare, comma-separated"
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="results file to write")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--driver", default="plan", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure_once(args.one, args.driver)))
        return
    drivers = args.drivers.split(",")
    unknown = sorted(set(drivers) - set(DRIVERS))
    if unknown:
        raise SystemExit(f"--drivers {','.join(unknown)}: use some of {', '.join(DRIVERS)}")
    rows = []
    for count in (int(value) for value in args.counts.split(",")):
        runs: dict[str, list[dict]] = {driver: [] for driver in drivers}
        for attempt in range(args.repeat):
            for driver in drivers:
                label = f"{count} models, {driver}, run {attempt + 1}/{args.repeat}"
                with console.timed(label):
                    runs[driver].append(measure(count, driver))
        for driver in drivers:
            ordered = sorted(runs[driver], key=lambda run: run["cpu"])
            median = ordered[len(ordered) // 2]
            median["peak_mib"] = statistics.median(run["peak_mib"] for run in ordered)
            rows.append(median)
    results = args.results.resolve()
    write_text_atomic(results, report(rows, args.repeat))
    console.success(f"results in {results}")
    print(results.read_text())


if __name__ == "__main__":
    main()
