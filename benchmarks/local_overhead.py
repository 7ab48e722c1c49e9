"""Orchestration overhead of the local engine: a three-step pipeline whose scripts do nothing.

Per step: (wall time - the scripts' own time) / 3, where the scripts' own time is the same no-op
script run by `python3` directly in the same image, without the engine (so it includes Python's
start-up but no staging, container create/remove, log streaming or output upload).

Two figures: the execution alone (interpreter + three processing jobs), and the whole
`run_local` (also the code upload and the Terraform render), each the median of --repeat runs.

    python benchmarks/local_overhead.py [--repeat 5] [--out benchmarks/results/local_overhead.md]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

# Does nothing but leave one byte, so the next step has an input (SageMaker refuses empty ones).
PREPARE = "mkdir -p /opt/ml/processing/output"
SCRIPT = "/opt/ml/code/predict.py"
NOOP = "open('/opt/ml/processing/output/done', 'w').write('1')\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks/results/local_overhead.md")
    args = parser.parse_args()

    import os

    from local_machine import machine_description

    from legacylift.docker_client import docker_client
    from legacylift.local.datasources import DataSources
    from legacylift.local.render import render_workflow
    from legacylift.local.run import run_local
    from legacylift.local.run_code import model_entry, upload_code
    from legacylift.local.settings import LocalSettings
    from legacylift.models import load_model
    from legacylift.settings import base_image
    from tests.local.tiny_models import model_image

    client = docker_client()
    base = base_image()
    with tempfile.TemporaryDirectory(prefix="legacylift-bench-") as scratch:
        root = Path(scratch)
        folder = root / "models" / "noop"
        folder.mkdir(parents=True)
        (folder / "requirements.txt").write_text("")
        for script in ("preprocessing.py", "predict.py", "postprocessing.py"):
            (folder / script).write_text(NOOP)
        (root / "input").mkdir()
        (root / "input" / "x.txt").write_text("x\n")
        os.environ["LEGACYLIFT_MODELS_DIR"] = str(root / "models")
        images = {"model": model_image(client, base, folder), "framework": base}
        settings = LocalSettings.under(root / "local")

        script_times = []
        for _ in range(args.repeat):
            started = time.monotonic()
            client.containers.run(
                images["model"],
                ["sh", "-c", f"{PREPARE}; python3 {SCRIPT}"],
                remove=True,
                network_mode="none",
            )
            container_run = time.monotonic() - started
            script_times.append(container_run)
        # The script's own time, measured inside the container (python start-up included).
        inside = client.containers.run(
            images["model"],
            [
                "sh",
                "-c",
                f"{PREPARE}; s=$(date +%s%N); python3 {SCRIPT}; e=$(date +%s%N); "
                "echo $(( (e - s) / 1000000 ))",
            ],
            remove=True,
            network_mode="none",
        )
        script_ms = int(inside.decode().strip())

        model = load_model("noop")
        code = upload_code(DataSources(settings), model, "legacylift-local")
        renders = []
        for index in range(args.repeat):
            started = time.monotonic()
            rendered = render_workflow(
                {"noop": model_entry(model, images, code)},
                base,
                cache_dir=root / f"render-cache-{index}",
            )
            renders.append(time.monotonic() - started)
        execution_only, whole = [], []
        for _ in range(args.repeat):
            started = time.monotonic()
            run = run_local(
                "noop",
                str(root / "input"),
                settings=settings,
                quiet=True,
                images=images,
                rendered=rendered,
            )
            execution_only.append(time.monotonic() - started)
            assert run.succeeded, run.failure
        for _ in range(args.repeat):
            started = time.monotonic()
            run = run_local(
                "noop", str(root / "input"), settings=settings, quiet=True, images=images
            )
            whole.append(time.monotonic() - started)
            assert run.succeeded, run.failure

    scripts = 3 * script_ms / 1000
    exec_median, whole_median = statistics.median(execution_only), statistics.median(whole)
    docker_run = statistics.median(script_times)
    ratio = exec_median / 3 / docker_run
    rows = [
        ("scripts' own time (3 x no-op, in container)", f"{scripts:.3f} s", ""),
        ("plain `docker run --rm` of one no-op script", f"{docker_run:.2f} s", "reference"),
        (
            "execution (interpreter + 3 processing jobs)",
            f"{exec_median:.2f} s",
            f"{(exec_median - scripts) / 3:.2f} s/step",
        ),
        (
            "one step of the execution vs a plain `docker run --rm`",
            f"{exec_median / 3:.2f} s",
            f"{ratio:.2f}x (target: at most 1.25x)",
        ),
        (
            "whole run_local (+ image check, code upload, render from its cache)",
            f"{whole_median:.2f} s",
            f"{(whole_median - scripts) / 3:.2f} s/step",
        ),
        (
            "Terraform render of modules/workflow, uncached (first run of a changed model)",
            f"{statistics.median(renders):.2f} s",
            f"+{statistics.median(renders) / 3:.2f} s/step",
        ),
    ]
    lines = [
        "# Local engine: orchestration overhead (3-step no-op pipeline)",
        "",
        machine_description(),
        "",
        f"Median of {args.repeat} runs; `python benchmarks/local_overhead.py --repeat "
        f"{args.repeat}`. Target: a step of the execution at most 1.25x a plain "
        "`docker run --rm` of the same script, measured in the same run.",
        "",
        "| measure | wall time | overhead per step |",
        "| --- | --- | --- |",
        *[f"| {a} | {b} | {c} |" for a, b, c in rows],
        "",
        f"Raw execution runs (s): {', '.join(f'{t:.2f}' for t in execution_only)}; whole runs "
        f"(s): {', '.join(f'{t:.2f}' for t in whole)}.",
        "",
    ]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
