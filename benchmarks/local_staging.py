"""Staging throughput of the local runner for a 1 GB input, against a plain `cp -r`.

The input is 1 GiB of random data in 8 files in the local object store. Rows:
- `cp -r` of the same directory on the same filesystem (page cache warm for both);
- input staging: a processing job whose container does nothing, minus the same job without the
  input (so container create/start/remove is not counted): tar stream -> Docker API -> container;
- staging plus output upload: the container copies its input to its output, which is uploaded
  back to the store (data crosses the API twice, plus the copy inside the container).

    python benchmarks/local_staging.py [--size-mib 1024] [--out benchmarks/results/local_staging.md]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

FILES = 8


def _job(runner, image, name, entrypoint, with_input):
    request = {
        "ProcessingJobName": name,
        "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1,
                                                  "InstanceType": "ml.m5.large",
                                                  "VolumeSizeInGB": 5}},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        "AppSpecification": {"ImageUri": image, "ContainerEntrypoint": entrypoint},
        "RoleArn": "arn:aws:iam::000000000000:role/bench",
        "ProcessingOutputConfig": {"Outputs": [{"OutputName": "out", "S3Output": {
            "S3Uri": f"s3://bench/out/{name}/", "LocalPath": "/opt/ml/processing/output",
            "S3UploadMode": "EndOfJob"}}]},
    }  # fmt: skip
    if with_input:
        request["ProcessingInputs"] = [{"InputName": "data", "S3Input": {
            "S3Uri": "s3://bench/in/", "LocalPath": "/opt/ml/processing/input/data",
            "S3DataType": "S3Prefix", "S3InputMode": "File"}}]  # fmt: skip
    started = time.monotonic()
    result = runner.create_processing_job(request)
    elapsed = time.monotonic() - started
    assert result.status == "Completed", result.log_tail
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks/results/local_staging.md")
    args = parser.parse_args()

    from local_machine import machine_description

    from legacylift.local.processing import ProcessingRunner
    from legacylift.local.settings import LocalSettings
    from legacylift.settings import base_image

    size = args.size_mib * 1024 * 1024
    image = base_image()
    with tempfile.TemporaryDirectory(prefix="legacylift-staging-", dir=REPO / ".legacylift") as tmp:
        root = Path(tmp)
        settings = LocalSettings.under(root / "local")
        source = settings.object_store / "bench" / "in"
        source.mkdir(parents=True)
        for index in range(FILES):
            with (source / f"part-{index}.bin").open("wb") as handle:
                handle.write(os.urandom(size // FILES))
        subprocess.run(["cat", *map(str, source.iterdir())], stdout=subprocess.DEVNULL, check=True)

        started = time.monotonic()
        subprocess.run(["cp", "-r", str(source), str(root / "cp-copy")], check=True)
        cp_seconds = time.monotonic() - started
        shutil.rmtree(root / "cp-copy")

        runner = ProcessingRunner(settings, on_log=lambda *_: None)
        nothing = ["true"]
        copy = ["sh", "-c", "cp -r /opt/ml/processing/input/data/. /opt/ml/processing/output/"]
        stamp = str(int(time.time()))
        empty = _job(runner, image, f"bench-empty-{stamp}", nothing, with_input=False)
        staged = _job(runner, image, f"bench-in-{stamp}", nothing, with_input=True)
        roundtrip = _job(runner, image, f"bench-roundtrip-{stamp}", copy, with_input=True)
        uploaded = sum(p.stat().st_size for p in (settings.object_store / "bench/out").rglob("*")
                       if p.is_file())  # fmt: skip
        assert uploaded == size, f"uploaded {uploaded} bytes, expected {size}"

    mib = args.size_mib

    def rate(seconds):
        return f"{mib / seconds:.0f} MiB/s" if seconds > 0 else "-"

    stage_only = staged - empty
    rows = [
        ("`cp -r` (same filesystem)", cp_seconds, rate(cp_seconds), "1.00"),
        ("runner: input staging (job with input - job without)", stage_only, rate(stage_only),
         f"{stage_only / cp_seconds:.2f}"),
        ("runner: whole job with the input (incl. container lifecycle)", staged, rate(staged),
         f"{staged / cp_seconds:.2f}"),
        ("runner: input in, copied in the container, output uploaded", roundtrip,
         rate(roundtrip), f"{roundtrip / cp_seconds:.2f}"),
    ]  # fmt: skip
    lines = [
        f"# Local engine: staging throughput, {mib} MiB input ({FILES} files) vs `cp -r`",
        "",
        machine_description(),
        "",
        f"`python benchmarks/local_staging.py --size-mib {mib}`; one run each, page cache warm. "
        f"A job without input took {empty:.2f} s (container create, start, remove).",
        "",
        "| what | seconds | throughput | time vs cp |",
        "| --- | --- | --- | --- |",
        *[
            f"| {what} | {seconds:.2f} | {speed} | {ratio} |"
            for what, seconds, speed, ratio in rows
        ],
        "",
    ]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
