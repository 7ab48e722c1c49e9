"""What `promote` and `rollback` cost on this machine.

promote: the base image every model image starts from (several layers, about 120 MB) is pushed
to the development registry, then copied by digest through the registry API into a second
docker-registry started on a free 127.0.0.1 port: the first copy (every blob moves), a second
copy (the target has every blob: nothing moves), and for comparison the daemon's way, pull +
tag + push, into a third fresh registry. rollback: a state machine with two published versions
and its `live` alias in moto; the rollback's wall time and its Step Functions calls (each call
on AWS is one request, so the count bounds the time there).

    python benchmarks/promote_rollback.py [--repeat 3] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]


def _second_registry(folder: Path) -> tuple[subprocess.Popen, str]:
    from legacylift.setup.registry import registry_status
    from tests.moto_server import free_loopback_port

    address = f"127.0.0.1:{free_loopback_port()}"
    (folder / "config.yml").write_text(
        f"version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n"
        f"    rootdirectory: {folder / 'data'}\nhttp:\n  addr: {address}\n"
        f"  secret: {uuid.uuid4().hex}\n"
    )
    log = open(folder / "registry.log", "w")  # noqa: SIM115 - lives as long as the process
    process = subprocess.Popen(
        [shutil.which("docker-registry"), "serve", str(folder / "config.yml")],
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + 20
    while registry_status(address) != 200:
        if time.monotonic() > deadline or process.poll() is not None:
            raise SystemExit("the second registry did not start")
        time.sleep(0.2)
    return process, address


def _push(client, reference: str, auth: dict | None) -> str:
    repository, tag = reference.rsplit(":", 1)
    events = list(client.api.push(repository, tag=tag, stream=True, decode=True, auth_config=auth))
    errors = [event for event in events if "error" in event]
    if errors:
        raise SystemExit(f"push of {reference} failed: {errors}")
    return next(event["aux"]["Digest"] for event in events if "aux" in event)


def bench_promote(repeat: int) -> dict:
    """Seconds of the first copy, a repeated copy and pull+tag+push; image size and blobs."""
    from legacylift.containerise.copy import Repository, copy_image
    from legacylift.containerise.registry import RegistryTarget, local_target
    from legacylift.docker_client import docker_client
    from legacylift.settings import base_image, registry_credentials

    client = docker_client()
    credentials = registry_credentials()
    auth = {k: credentials[k] for k in ("username", "password")}
    source_name = f"bench-promote/model-{uuid.uuid4().hex[:6]}"
    reference = f"{credentials['address']}/{source_name}:t"
    image = client.images.get(base_image())
    image.tag(reference)
    digest = _push(client, reference, auth)
    size = image.attrs["Size"]
    layers = len(image.attrs["RootFS"]["Layers"])
    first, again, daemon = [], [], []
    source = Repository(local_target(), source_name)
    for _ in range(repeat):
        # Fresh registries each round, one per way: neither finds blobs the other left.
        with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
            copying, address = _second_registry(Path(one))
            pushing, daemon_address = _second_registry(Path(two))
            try:
                target = Repository(RegistryTarget(address), "prod/model")
                started = time.perf_counter()
                moved = copy_image(source, target, digest)
                first.append(time.perf_counter() - started)
                started = time.perf_counter()
                copy_image(source, target, digest)
                again.append(time.perf_counter() - started)
                daemon_reference = f"{daemon_address}/prod/model:t"
                client.images.remove(reference)
                started = time.perf_counter()
                client.images.pull(reference.rsplit(":", 1)[0], tag="t", auth_config=auth)
                client.images.get(reference).tag(daemon_reference)
                _push(client, daemon_reference, None)
                daemon.append(time.perf_counter() - started)
                client.images.remove(daemon_reference)
            finally:
                for process in (copying, pushing):
                    process.terminate()
                    process.wait(timeout=10)
    client.images.remove(reference)
    return {
        "digest": digest,
        "size_mb": size / 1e6,
        "layers": layers,
        "blobs": moved,
        "first": statistics.median(first),
        "again": statistics.median(again),
        "daemon": statistics.median(daemon),
    }


class _Counting:
    """A Step Functions client that counts the calls made through it."""

    def __init__(self, client) -> None:
        self.client, self.calls = client, []

    def __getattr__(self, name):
        method = getattr(self.client, name)

        def call(*args, **kwargs):
            self.calls.append(name)
            return method(*args, **kwargs)

        return call


def bench_rollback(repeat: int) -> dict:
    """Median seconds of a rollback in moto and the Step Functions calls it makes."""
    import boto3

    from legacylift import tfvars
    from legacylift.aws.versions import rollback
    from tests.moto_server import FAKE_CREDENTIALS, MotoServer

    os.environ.update(FAKE_CREDENTIALS)
    times, calls = [], []
    with MotoServer() as server, tempfile.TemporaryDirectory() as folder:
        os.environ["LEGACYLIFT_TFVARS_DIR"] = folder
        sfn = boto3.client("stepfunctions", endpoint_url=server.endpoint)
        role = "arn:aws:iam::123456789012:role/bench"
        repository = "127.0.0.1:5000/legacylift/bench"
        for round_number in range(repeat):

            def definition(digit: str) -> str:
                uri = f"{repository}@sha256:{digit * 64}"
                step = {"Type": "Pass", "Parameters": {"ImageUri": uri}, "End": True}
                return json.dumps({"StartAt": "S", "States": {"S": step}})

            name = f"bench-{round_number}"
            machine = sfn.create_state_machine(
                name=name, definition=definition("1"), roleArn=role, publish=True
            )
            arn = machine["stateMachineArn"]
            second = sfn.update_state_machine(
                stateMachineArn=arn, definition=definition("2"), publish=True
            )["stateMachineVersionArn"]
            sfn.create_state_machine_alias(
                name="live",
                routingConfiguration=[{"stateMachineVersionArn": second, "weight": 100}],
            )
            tfvars.pin_image("bench", name, f"{repository}@sha256:{'2' * 64}")
            counting = _Counting(sfn)
            started = time.perf_counter()
            rollback(counting, f"{arn}:live", name, "bench")
            times.append(time.perf_counter() - started)
            calls.append(counting.calls)
    return {"seconds": statistics.median(times), "calls": calls[0]}


def main() -> None:
    """Run both measurements and write the results table."""
    from local_machine import machine_description

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default=str(REPO / "benchmarks/results/promote_rollback.md"))
    arguments = parser.parse_args()
    promote = bench_promote(arguments.repeat)
    back = bench_rollback(arguments.repeat)
    load = os.getloadavg()[0]
    text = f"""# promote and rollback

- {machine_description()}
- load average (1 min) at the end: {load:.1f} (the machine is shared: wall times vary)
- median of {arguments.repeat} runs; rerun: `python benchmarks/promote_rollback.py`

## promote: copying the tested image by digest

Image: the models' base image, {promote["size_mb"]:.0f} MB uncompressed,
{promote["layers"]} layer(s), from the development registry to a fresh docker-registry on
127.0.0.1 (another fresh one for the daemon's way). The daemon already holds the image's
layers, as on the machine that built it, so its pull moves only the manifest; its push
compresses and uploads every layer.

| way | wall (s) | blobs moved |
| --- | ---: | ---: |
| registry API copy (`promote`), target empty | {promote["first"]:.2f} | {promote["blobs"]} |
| registry API copy again, target has every blob | {promote["again"]:.2f} | 0 |
| docker pull + tag + push (the daemon's way) | {promote["daemon"]:.2f} | all |

The digest after each copy is the source's (`copy_image` verifies it).

## rollback: moving `live` back one version (moto)

| wall (s) | Step Functions calls |
| ---: | --- |
| {back["seconds"]:.3f} | {len(back["calls"])}: {", ".join(back["calls"])} |

On AWS each call is one HTTPS request (tens of milliseconds in-region), so a rollback takes
well under a second plus the tfvars write; no Terraform runs.
"""
    Path(arguments.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
