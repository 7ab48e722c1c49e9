"""Build benchmarks, side by side in one run; results in benchmarks/results/build.md.

    python benchmarks/build_bench.py [--copies 50]

1. No-op `build-all` over N unchanged synthetic models (copies of the iris sample, each with its
   own id file) versus `docker build` (classic builder) of the same N contexts with a warm cache.
2. Rebuild after a one-line change to predict.py (iris copy), three times.
3. Image sizes of the samples versus a naive single-stage `pip install` image.

Every image it makes is removed at the end (repositories legacylift/bench-* and
legacylift-bench/naive-*). Needs ./bootstrap (daemon, base image).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from legacylift.containerise import ImageBuilder, build_all  # noqa: E402
from legacylift.containerise.context import model_files  # noqa: E402
from legacylift.models import load_model  # noqa: E402
from legacylift.paths import MODELS_DIR  # noqa: E402
from legacylift.settings import base_image  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "build.md"
NAIVE_DOCKERFILE = """FROM {base}
ENV PIP_CERT=/opt/ml/code/ca.crt PIP_BREAK_SYSTEM_PACKAGES=1
{apt}
COPY . /opt/ml/code
WORKDIR /opt/ml/code
RUN python3 -m pip install -r requirements.txt
ENTRYPOINT ["python3", "/opt/ml/code/predict.py"]
"""


def machine() -> str:
    """Cores, memory, OS, Docker version: the context of every figure."""
    memory = next(
        line.split()[1]
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    os_name = next(
        (
            line.split("=", 1)[1].strip().strip('"')
            for line in Path("/etc/os-release").read_text().splitlines()
            if line.startswith("PRETTY_NAME")
        ),
        platform.platform(),
    )
    docker = subprocess.run(
        ["docker", "version", "--format", "{{.Server.Version}}"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return (
        f"{os.cpu_count()} cores, {int(memory) // 1024} MiB RAM, {os_name}, "
        f"kernel {platform.release()}, Docker {docker}"
    )


def quietly(function, *args, **kwargs):
    with contextlib.redirect_stdout(io.StringIO()):
        return function(*args, **kwargs)


def synthetic_models(models: Path, count: int) -> list[str]:
    names = []
    for index in range(count):
        name = f"bench-{index:02d}"
        shutil.copytree(MODELS_DIR / "iris", models / name)
        (models / name / "bench_id.txt").write_text(f"{index}\n")
        names.append(name)
    return names


def noop_figures(builder: ImageBuilder, names: list[str], staging: Path) -> dict[str, float]:
    started = time.perf_counter()
    quietly(build_all, names, 1, push=False)
    first = time.perf_counter() - started
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        results = quietly(build_all, names, 1, push=False)
        runs.append(time.perf_counter() - started)
        assert not any(result.image.built for result in results)
    contexts = []
    for name in names:
        context = builder.model_context(load_model(name))
        contexts.append((context.stage(staging / name), context.tag))
    docker_runs = []
    for _ in range(3):
        started = time.perf_counter()
        for path, tag in contexts:
            subprocess.run(
                ["docker", "build", "-q", "--network", "host", "-t", tag, str(path)],
                env={**os.environ, "DOCKER_BUILDKIT": "0"},
                check=True,
                capture_output=True,
            )
        docker_runs.append(time.perf_counter() - started)
    return {
        "first": first,
        "noop": statistics.median(runs),
        "docker": statistics.median(docker_runs),
    }


def rebuild_figures(builder: ImageBuilder, models: Path) -> list[float]:
    shutil.copytree(MODELS_DIR / "iris", models / "bench-edit")
    quietly(builder.ensure_model, load_model("bench-edit"))
    times = []
    for attempt in range(3):
        with (models / "bench-edit" / "predict.py").open("a") as handle:
            handle.write(f"# one-line change {attempt}\n")
        started = time.perf_counter()
        outcome = quietly(builder.ensure_model, load_model("bench-edit"))
        times.append(time.perf_counter() - started)
        assert outcome.built
    return times


def size_figures(builder: ImageBuilder, staging: Path) -> list[tuple[str, int, int]]:
    rows = []
    for name in ("iris", "diabetes", "churn"):
        model = load_model(name)
        ours = quietly(builder.ensure_model, model)
        ours_size = builder.client.images.get(ours.reference).attrs["Size"]
        context = staging / f"naive-{name}"
        context.mkdir()
        for relative, path in model_files(model.path):
            (context / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, context / relative)
        shutil.copy("/etc/ssl/certs/ca-certificates.crt", context / "ca.crt")
        apt = (
            f"RUN apt-get update && apt-get install -y {' '.join(model.system_packages)}"
            if model.system_packages
            else ""
        )
        (context / "Dockerfile").write_text(NAIVE_DOCKERFILE.format(base=base_image(), apt=apt))
        tag = f"legacylift-bench/naive-{name}:latest"
        subprocess.run(
            ["docker", "build", "-q", "--network", "host", "-t", tag, str(context)],
            env={**os.environ, "DOCKER_BUILDKIT": "0"},
            check=True,
            capture_output=True,
        )
        naive_size = builder.client.images.get(tag).attrs["Size"]
        rows.append((name, ours_size, naive_size))
    return rows


def cleanup(builder: ImageBuilder) -> None:
    for image in builder.client.images.list():
        for tag in image.tags:
            if tag.startswith(("legacylift/bench-", "legacylift-bench/")):
                builder.client.images.remove(tag)


def report(copies: int, noop: dict, rebuilds: list[float], sizes: list) -> str:
    mb = 1_000_000
    lines = [
        "# Build benchmarks",
        "",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Machine: {machine()}.",
        "Rerun: `python benchmarks/build_bench.py` (after `./bootstrap`).",
        "",
        f"## No-op build of {copies} unchanged models",
        "",
        "| | total | per model |",
        "| --- | ---: | ---: |",
        f"| `build-all --no-push` (content hash + local tag lookup), median of 3 "
        f"| {noop['noop']:.2f} s | {noop['noop'] / copies * 1000:.1f} ms |",
        f"| `docker build` (classic builder) of the same staged contexts, warm cache, median of 3 "
        f"| {noop['docker']:.2f} s | {noop['docker'] / copies * 1000:.0f} ms |",
        f"| first `build-all` of the copies (dependencies cached, code layers new) "
        f"| {noop['first']:.1f} s | {noop['first'] / copies:.2f} s |",
        "",
        "Target: under 50 ms per model.",
        "",
        "## Rebuild after a one-line change to predict.py (iris)",
        "",
        "| attempt | seconds |",
        "| --- | ---: |",
        *[f"| {i + 1} | {t:.2f} |" for i, t in enumerate(rebuilds)],
        "",
        "Target: under 10 s. Requirements are not reinstalled (the pip step comes from cache).",
        "",
        "## Image sizes",
        "",
        "| model | LegacyLift image | naive single-stage `pip install` image | saved |",
        "| --- | ---: | ---: | ---: |",
        *[
            f"| {name} | {ours / mb:.0f} MB | {naive / mb:.0f} MB | {(naive - ours) / mb:.0f} MB |"
            for name, ours, naive in sizes
        ],
        "",
        "Naive: `FROM base; COPY . ; RUN pip install -r requirements.txt` (whatever pip and apt "
        "leave,\nthe whole folder including legacy/ and sample/ left in). Both on the same base "
        "image;\nsizes as the daemon reports them (uncompressed, base image included). "
        "LegacyLift's images\nleave out pip, the libraries' test suites, apt lists and the "
        "folder's legacy/ and sample/;\niris, churn and the framework image share one Python "
        "layer (identical requirements).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="legacylift-bench-") as scratch:
        scratch_path = Path(scratch)
        models = scratch_path / "models"
        staging = scratch_path / "staging"
        models.mkdir()
        staging.mkdir()
        os.environ["LEGACYLIFT_MODELS_DIR"] = str(models)
        builder = ImageBuilder()
        try:
            names = synthetic_models(models, args.copies)
            noop = noop_figures(builder, names, staging)
            rebuilds = rebuild_figures(builder, models)
            os.environ["LEGACYLIFT_MODELS_DIR"] = str(MODELS_DIR)
            sizes = size_figures(builder, staging)
        finally:
            cleanup(builder)
    text = report(args.copies, noop, rebuilds, sizes)
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
