"""Staging throughput of the local engine end to end, against a plain `cp -r` in the same run.

Two inputs: 1 GiB of random data in 8 files, and 2,000 small files (16 KiB each). For each,
`run_local` of a one-step model whose script copies its input to its output (so the data is
copied once inside the container, as `cp -r` copies it once), with the output delivered to a
local directory, in both staging modes:
- mount: read-only bind mounts of the store's directories, outputs moved in by rename (the
  default when the Docker daemon is on this machine);
- tar: tar streams through the Docker API (what a remote daemon gets; LEGACYLIFT_STAGING=tar).
Page cache warm for every row; the Terraform render is cached by a warm-up run.

    python benchmarks/local_staging.py [--size-mib 1024] [--small-files 2000]
                                       [--out benchmarks/results/local_staging.md]
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

BIG_FILES = 8
SMALL_SIZE = 16 * 1024


def _dataset(folder: Path, files: int, size: int) -> None:
    folder.mkdir(parents=True)
    for index in range(files):
        (folder / f"part-{index:05d}.bin").write_bytes(os.urandom(size))
    subprocess.run(["cat", *map(str, folder.iterdir())], stdout=subprocess.DEVNULL, check=True)


def _cp(source: Path, target: Path) -> float:
    started = time.monotonic()
    subprocess.run(["cp", "-r", str(source), str(target)], check=True)
    elapsed = time.monotonic() - started
    shutil.rmtree(target)
    return elapsed


def _run(settings, images, source: Path, out: Path, mode: str, expected: int) -> float:
    from legacylift.local.run import run_local

    os.environ["LEGACYLIFT_STAGING"] = mode
    started = time.monotonic()
    run = run_local("copy", str(source), str(out), settings=settings, quiet=True, images=images)
    elapsed = time.monotonic() - started
    assert run.succeeded, run.failure
    delivered = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    assert delivered == expected, f"delivered {delivered} bytes, expected {expected}"
    shutil.rmtree(out)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--small-files", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks/results/local_staging.md")
    args = parser.parse_args()

    from local_machine import machine_description

    from legacylift.docker_client import docker_client
    from legacylift.local.settings import LocalSettings
    from legacylift.settings import base_image
    from tests.local.tiny_models import COPY_DATA, model_image

    client = docker_client()
    big_size = args.size_mib * 1024 * 1024
    datasets = [
        (f"{args.size_mib} MiB in {BIG_FILES} files", BIG_FILES, big_size // BIG_FILES),
        (f"{args.small_files:,} files of {SMALL_SIZE // 1024} KiB", args.small_files, SMALL_SIZE),
    ]
    rows = []
    state = REPO / ".legacylift"
    with tempfile.TemporaryDirectory(prefix="legacylift-staging-", dir=state) as scratch:
        root = Path(scratch)
        folder = root / "models" / "copy"
        folder.mkdir(parents=True)
        (folder / "requirements.txt").write_text("")
        (folder / "predict.py").write_text(COPY_DATA)
        (folder / "model.toml").write_text('steps = ["inference"]\n')
        os.environ["LEGACYLIFT_MODELS_DIR"] = str(root / "models")
        images = {"model": model_image(client, base_image(), folder), "framework": base_image()}
        settings = LocalSettings.under(root / "local")
        warm = root / "warm"
        _dataset(warm, 1, 1024)
        _run(settings, images, warm, root / "out", "mount", 1024)  # renders once, then cached
        for label, files, size in datasets:
            source = root / f"in-{files}"
            _dataset(source, files, size)
            total = files * size
            cp = _cp(source, root / "cp-copy")
            mount = _run(settings, images, source, root / "out", "mount", total)
            tar = _run(settings, images, source, root / "out", "tar", total)
            rows.append((label, total, cp, mount, tar))
            shutil.rmtree(source)
            shutil.rmtree(settings.object_store, ignore_errors=True)

    def rate(total, seconds):
        return f"{total / 2**20 / seconds:.0f} MiB/s"

    lines = [
        "# Local engine: staging end to end vs `cp -r`",
        "",
        machine_description(),
        "",
        f"`python benchmarks/local_staging.py --size-mib {args.size_mib} --small-files "
        f"{args.small_files}`; one run each, page cache warm. Each run: `run_local` of a one-step "
        "model copying its input to its output, output delivered to a local directory "
        "(input staged into the store, the step, output moved into the store and delivered). "
        "Target: the mount path within 2x of `cp -r`.",
        "",
        "| input | `cp -r` | mount (default) | mount vs cp | tar (remote daemon) | tar vs cp |",
        "| --- | --- | --- | --- | --- | --- |",
        *[
            f"| {label} | {cp:.2f} s ({rate(total, cp)}) | {mount:.2f} s ({rate(total, mount)}) "
            f"| {mount / cp:.2f}x | {tar:.2f} s ({rate(total, tar)}) | {tar / cp:.2f}x |"
            for label, total, cp, mount, tar in rows
        ],
        "",
        "The run includes what `cp` does not: the container's lifecycle, the Terraform-rendered "
        "workflow's interpretation and the job records (see local_overhead.md for that part).",
        "",
    ]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
