"""The cost of keying a processing job for `run-local --resume`: every job of every local run
hashes its inputs' content (SHA-256 of each object's name and bytes), and a resumed run's hit
copies the earlier job's outputs. Measured on the local object store, no Docker: the key of a
job whose data input is N MB in F files, and the copy of N MB of outputs.

    python benchmarks/step_key.py [--sizes 10,100,1000] [--files 100] [--repeat 3]
        [--out benchmarks/results/step_key.md]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

BUCKET = "s3://legacylift-local/bench"


def _request(job: str, data: str, output: str) -> dict:
    return {
        "ProcessingJobName": job,
        "AppSpecification": {
            "ImageUri": "framework:1",
            "ContainerArguments": ["/opt/ml/processing/input/code/step.py"],
        },
        "ProcessingInputs": [{"InputName": "data", "S3Input": {"S3Uri": data, "LocalPath": "/in"}}],
        "ProcessingOutputConfig": {
            "Outputs": [
                {"OutputName": "output", "S3Output": {"S3Uri": output, "LocalPath": "/out"}}
            ]
        },
    }


def measure(megabytes: int, files: int, repeat: int) -> tuple[float, float]:
    """(median seconds to key the job, median seconds to reuse it: outputs copied)."""
    from legacylift.local.datasources import DataSources
    from legacylift.local.settings import LocalSettings
    from legacylift.local.step_cache import StepCache, load_steps

    with tempfile.TemporaryDirectory(dir=REPO / ".legacylift") as root:
        settings = LocalSettings.under(Path(root))
        sources = DataSources(settings)
        chunk = os.urandom(megabytes * 2**20 // files)
        for index in range(files):
            sources.put(f"{BUCKET}/input/part-{index:05d}.bin", io.BytesIO(chunk))
            sources.put(f"{BUCKET}/runs/0/out/part-{index:05d}.bin", io.BytesIO(chunk))
        first = StepCache(settings, "run-0", sources, lambda ref, ignored: "i")
        keys = []
        for _ in range(repeat):
            started = time.perf_counter()
            key = first.key(_request("job-0", f"{BUCKET}/input/", f"{BUCKET}/runs/0/out/"))
            keys.append(time.perf_counter() - started)
        first.completed(
            key,
            _request("job-0", f"{BUCKET}/input/", f"{BUCKET}/runs/0/out/"),
            {"ProcessingJobName": "job-0"},
            files,
        )
        copies = []
        for attempt in range(repeat):
            previous = load_steps(settings, "run-0")
            resumed = StepCache(
                settings,
                f"run-{attempt + 1}",
                sources,
                lambda ref, ignored: "i",
                previous=previous,
                resumed_from="run-0",
            )
            request = _request(
                f"job-{attempt + 1}", f"{BUCKET}/input/", f"{BUCKET}/runs/{attempt + 1}/out/"
            )
            started = time.perf_counter()
            assert resumed.reuse(key, request) is not None
            copies.append(time.perf_counter() - started)
    return statistics.median(keys), statistics.median(copies)


def main() -> None:
    from local_machine import machine_description

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000", help="input sizes in MB")
    parser.add_argument("--files", type=int, default=100, help="files per input")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default=str(REPO / "benchmarks/results/step_key.md"))
    args = parser.parse_args()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        key, copy = measure(size, args.files, args.repeat)
        rows.append(f"| {size} | {args.files} | {key:.3f} | {size / key:.0f} | {copy:.3f} |")
        print(rows[-1], flush=True)
    text = "\n".join(
        [
            "# Keying and reusing a processing job (`run-local --resume`)",
            "",
            f"- {machine_description()}",
            f"- median of {args.repeat}; local object store on the disk of `.legacylift/`",
            "- rerun: `python benchmarks/step_key.py` (`--sizes 10,100,1000 --files 100`)",
            "",
            "| input MB | files | key (s) | key MB/s | reuse: copy outputs (s) |",
            "| ---: | ---: | ---: | ---: | ---: |",
            *rows,
            "",
            "Every job of every local run is keyed, so each step pays one SHA-256 pass over the "
            "inputs it does not get from a job of the same run (those are keyed by that job's key, "
            "not read): in a three-step model, the first step's input and the code. A hit "
            "hard-links the earlier job's outputs into the new run's prefix (constant in their "
            "size), falling "
            "back to a copy on another filesystem or an S3 endpoint.",
            "",
        ]
    )
    Path(args.out).write_text(text)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
