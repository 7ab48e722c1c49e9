"""Deploys of many models into moto: one state vs split stacks, first / no-change / one-model
change, with the real deployment root, the real AWS provider and the S3 state backend.

Usage: python benchmarks/deploy_scale.py [--counts 10,100,500] [--layouts single,split]
                                         [--jobs 4] [--results PATH]

Layout `split-seeded` is the split layout for counts whose first deploy does not fit a session:
its first deploy applies the shared stack (every model's repository) and the first model's stack
for real, then writes the other model stacks' deploy records as a deploy that applied them would
(the same fingerprint code), without applying them. Its no-change and one-model-change deploys
then run unchanged (the changed model's stack is a real one), so they measure what those two
deploys cost at that count; its first-deploy row is not a full first deploy.

For each count, N copies of the test fixture model are pinned (fake digests) in a temporary copy
of the tree; each layout gets its own workspace. Every phase runs in a fresh child process
against one moto server of this process, so its CPU (user + system of Terraform and Python) and
peak memory (the largest process of the phase, from getrusage) are its own. "Resources touched"
sums the plans' creates, updates, replacements and deletes; "stacks planned" counts Terraform
plans (1 for the single state). Results are appended to benchmarks/results/deploy_scale.md with
the machine they ran on.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

RESULTS = ROOT / "benchmarks" / "results" / "deploy_scale.md"
REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
STATE_BUCKET = "legacylift-bench-tfstate"
PHASES = ("first", "no-change", "one-model-change")


def model_name(index: int) -> str:
    return f"m{index:04d}"


def pins(workspace: str, count: int, changed: bool) -> dict:
    """N pinned models; `changed` gives the first one another digest."""
    models = {}
    for index in range(count):
        byte = "ef" if changed and index == 0 else "ab"
        uri = f"{REGISTRY}/legacylift-{workspace}/{model_name(index)}@sha256:{byte * 32}"
        models[model_name(index)] = {"image_uri": uri}
    return {"models": models}


def prepare_tree(base: Path, count: int, endpoint: str) -> Path:
    """A tree copy with `count` models and terraform/ pointed at moto; returns terraform/."""
    from tests.aws.test_state_backend import moto_backend_settings
    from tests.terraform.tfcopy import copy_terraform_tree, moto_provider_block

    tree = copy_terraform_tree(base / "tree")
    sample = tree / "legacy_models" / "iris"
    for index in range(count):
        shutil.copytree(sample, tree / "legacy_models" / model_name(index))
    root = tree / "terraform"
    (root / "moto_override.tf").write_text(moto_provider_block(endpoint))
    (root / "backend.hcl").write_text(
        f'bucket = "{STATE_BUCKET}"\nkey = "legacylift/terraform.tfstate"\n'
        f'region = "us-east-1"\nencrypt = true\n' + moto_backend_settings(endpoint)
    )
    return root


def child_env(root: Path, state: Path, endpoint: str) -> dict[str, str]:
    from tests.moto_server import FAKE_CREDENTIALS

    return {
        **os.environ,
        **FAKE_CREDENTIALS,
        "AWS_ENDPOINT_URL": endpoint,
        "LEGACYLIFT_TFVARS_DIR": str(root / "tfvars"),
        "LEGACYLIFT_TERRAFORM_DIR": str(root),
        "LEGACYLIFT_STATE_DIR": str(state),
        "LEGACYLIFT_MODELS_DIR": str(root.parent / "legacy_models"),
        "NO_COLOR": "1",
    }


def seeded_first_deploy(workspace: str, jobs: int) -> list:
    """The shared stack and the first model's stack applied; the other model stacks recorded as
    applied with the fingerprints a deploy computes for them (not applied)."""
    from legacylift.aws import stacks
    from legacylift.aws.deploy import deploy_stacks
    from legacylift.aws.deploy_record import DeployRecord

    outcomes = deploy_stacks(workspace, models=[model_name(0)], jobs=jobs)
    pinned = stacks.pinned_entries(workspace)
    bucket = stacks.stack_runner(stacks.SHARED).outputs(workspace)["data_bucket"]
    modules = stacks.module_hash()
    records = DeployRecord(workspace, stacks.state_key)
    for name, entry in sorted(stacks.built_models(pinned).items())[1:]:
        records.write(
            name, stacks.model_inputs(workspace, name, entry, bucket, modules).fingerprint
        )
    return outcomes


def run_phase(layout: str, workspace: str, jobs: int, seed: bool = False) -> dict:
    """In the child: one deploy; its wall time, resources touched and stacks planned."""
    from legacylift.aws.deploy import deploy, deploy_stacks
    from legacylift.aws.plan_summary import KINDS

    started = time.monotonic()
    if layout == "split-seeded":
        outcomes = (
            seeded_first_deploy(workspace, jobs) if seed else deploy_stacks(workspace, jobs=jobs)
        )
        touched = sum(sum(o.changes.get(kind, {}).values()) for o in outcomes for kind in KINDS)
        planned = len(outcomes)
    elif layout == "single":
        result = deploy(workspace)
        touched = sum(sum(result.changes[kind].values()) for kind in KINDS)
        planned = 1
    else:
        outcomes = deploy_stacks(workspace, jobs=jobs)
        touched = sum(sum(o.changes.get(kind, {}).values()) for o in outcomes for kind in KINDS)
        planned = len(outcomes)
    wall = time.monotonic() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    peak = max(own.ru_maxrss, children.ru_maxrss) / 1024  # the largest process of the phase
    return {"wall": wall, "cpu": cpu, "peak_mib": peak, "touched": touched, "planned": planned}


def measure(root: Path, state: Path, endpoint: str, layout: str, count: int, jobs: int, phase):
    """One phase in a fresh child process (which measures its own CPU and peak memory)."""
    workspace = f"{layout.replace('-', '')}{count}"
    tfvars = root / "tfvars"
    (tfvars / f"{workspace}.tfvars").write_text(
        f'ecr_repository_prefix = "legacylift-{workspace}/"\nforce_destroy = true\n'
    )
    (tfvars / f"{workspace}.models.tfvars.json").write_text(
        json.dumps(pins(workspace, count, phase == "one-model-change"))
    )
    done = subprocess.run(
        [sys.executable, __file__, "--child", layout, workspace, str(jobs), phase],
        env=child_env(root, state, endpoint),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{layout} {count} {phase} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["load"] = os.getloadavg()[0]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="10,100,500")
    parser.add_argument("--layouts", default="single,split")
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        layout, workspace, jobs, phase = (*args.child, "")[:4]
        result = run_phase(layout, workspace, int(jobs), seed=phase == "first")
        print(json.dumps(result))
        return

    import boto3
    from local_machine import machine_description

    from legacylift.atomic import write_text_atomic
    from legacylift.paths import project_state_dir
    from legacylift.terraform_select import current_terraform
    from tests.moto_server import FAKE_CREDENTIALS, MotoServer

    rows = []
    with MotoServer() as server, tempfile.TemporaryDirectory(prefix="deploy-scale-") as tmp:
        for key, value in FAKE_CREDENTIALS.items():
            os.environ[key] = value
        os.environ["AWS_ENDPOINT_URL"] = server.endpoint
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=STATE_BUCKET)
        for count in [int(n) for n in args.counts.split(",")]:
            base = Path(tmp) / f"n{count}"
            root = prepare_tree(base, count, server.endpoint)
            state = base / "state"
            state.mkdir()
            real = project_state_dir()
            (state / "bin").symlink_to(real / "bin")
            (state / "terraform.rc").symlink_to(real / "terraform.rc")
            for layout in args.layouts.split(","):
                for phase in PHASES:
                    result = measure(root, state, server.endpoint, layout, count, args.jobs, phase)
                    rows.append((count, layout, phase, result))
                    print(count, layout, phase, result, flush=True)
            shutil.rmtree(base, ignore_errors=True)

    lines = [
        f"\n## {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n",
        f"- {machine_description()}",
        f"- Terraform {current_terraform().version}; hashicorp/aws 5.100.0 into moto (in the "
        f"benchmark's process); split stacks {args.jobs} at a time",
        f"- rerun: `python benchmarks/deploy_scale.py --counts {args.counts} "
        f"--layouts {args.layouts} --jobs {args.jobs}`\n",
        "| models | layout | deploy | wall (s) | CPU (s) | peak memory (MiB) | stacks planned "
        "| resources touched | load avg (1 min) |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for count, layout, phase, r in rows:
        lines.append(
            f"| {count} | {layout} | {phase} | {r['wall']:.1f} | {r['cpu']:.1f} | "
            f"{r['peak_mib']:.0f} | {r['planned']} | {r['touched']} | {r['load']:.1f} |"
        )
    title = "# Deploying many models: one state vs split stacks\n"
    existing = args.results.read_text() if args.results.is_file() else title
    write_text_atomic(args.results, existing + "\n".join(lines) + "\n")
    print(f"results appended to {args.results}")


if __name__ == "__main__":
    main()
