"""What a split no-change deploy costs at a model count whose full first deploy does not fit a
session: every model stack's fingerprint and the deploy records read from the state bucket
(moto's S3), the work that grows with the count. The rest of a no-change deploy is fixed: one
`terraform output` of the shared stack (about 0.6 s of CPU) and the credentials check.

Usage: python benchmarks/deploy_no_change_scale.py [--counts 100,500,1000]

The records are written first with the same code a deploy uses (legacylift.aws.deploy_record),
for N copies of the test fixture model; the measured part is what `deploy_stacks` does before
it decides that no stack is to be planned. Prints one line per count; CPU is this process's
(moto runs in it, so its share of S3 serving is included).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(count: int, endpoint: str, base: Path) -> str:
    """Records for `count` model stacks, then the no-change decision timed."""
    import deploy_scale

    from legacylift.aws import stacks
    from legacylift.aws.deploy_record import DeployRecord

    root = deploy_scale.prepare_tree(base, count, endpoint)
    state = base / "state"
    state.mkdir()
    os.environ.update(deploy_scale.child_env(root, state, endpoint))
    workspace = f"nochange{count}"
    (root / "tfvars" / f"{workspace}.tfvars").write_text("force_destroy = true\n")
    pins = deploy_scale.pins(workspace, count, changed=False)
    (root / "tfvars" / f"{workspace}.models.tfvars.json").write_text(json.dumps(pins))
    bucket = f"legacylift-{workspace}-data"
    modules = stacks.module_hash()
    records = DeployRecord(workspace, stacks.state_key)
    for name, entry in stacks.built_models(stacks.pinned_entries(workspace)).items():
        records.write(
            name, stacks.model_inputs(workspace, name, entry, bucket, modules).fingerprint
        )

    started, cpu = time.monotonic(), cpu_seconds()
    modules = stacks.module_hash()
    pinned = stacks.pinned_entries(workspace)
    record = DeployRecord(workspace, stacks.state_key).read()
    read = time.monotonic() - started
    pending = [
        name
        for name, entry in stacks.built_models(pinned).items()
        if record.get(name)
        != stacks.model_inputs(workspace, name, entry, bucket, modules).fingerprint
    ]
    wall, cpu = time.monotonic() - started, cpu_seconds() - cpu
    assert not pending, pending  # nothing changed: no stack may be planned
    return (
        f"| {count} | {read:.2f} | {wall - read:.2f} | {wall:.2f} | {cpu:.2f} | "
        f"{os.getloadavg()[0]:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="100,500,1000")
    args = parser.parse_args()

    import boto3
    from deploy_scale import STATE_BUCKET

    from tests.moto_server import FAKE_CREDENTIALS, MotoServer

    print("| models | record read (s) | fingerprints (s) | wall (s) | CPU (s) | load avg (1 min) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    with MotoServer() as server, tempfile.TemporaryDirectory(prefix="no-change-") as tmp:
        for key, value in FAKE_CREDENTIALS.items():
            os.environ[key] = value
        os.environ["AWS_ENDPOINT_URL"] = server.endpoint
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=STATE_BUCKET)
        for count in [int(n) for n in args.counts.split(",")]:
            print(measure(count, server.endpoint, Path(tmp) / f"n{count}"), flush=True)


if __name__ == "__main__":
    main()
