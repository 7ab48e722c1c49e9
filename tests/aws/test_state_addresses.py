"""The move of a deployed workspace's state machines and job roles to the one-loop addresses
(legacylift.aws.state_addresses), on the real deployment root with the real AWS provider,
applied into moto, every state in Terraform's S3 backend (also in moto).

The per-kind layout is applied from fixtures/per_kind_layout.tar.gz: the root module's *.tf,
modules/ and terraform/*.tf of the last commit whose root module had one module call per kind
(generic_state_machine, training_state_machine, generic_sagemaker_role, training_role,
evaluation_role), taken with `git archive cea32f0 modules terraform *.tf` (READMEs and
terraform/'s other files left out), so the test needs no git history. The tree's Terraform is
then replaced by the current one and `invoke deploy` runs: the single state and every split
stack are moved, and their plans change nothing (no resource, no output).

Tests run on a copy of the tree (tests/terraform/tfcopy.py), never in terraform/ itself.
"""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path

import boto3
import pytest

from legacylift import settings as legacylift_settings
from legacylift.atomic import write_json_atomic
from legacylift.aws import stacks
from legacylift.aws.deploy import deploy, deploy_stacks
from legacylift.aws.split_state import partition
from legacylift.aws.stack import initialised_runner
from legacylift.aws.state_addresses import rename_addresses
from legacylift.paths import REPO_ROOT
from legacylift.terraform_env import find_provider_mirror
from tests.aws.test_split_stacks import moto_deployment, pin, write_pins
from tests.conftest import require

pytestmark = [pytest.mark.slow, pytest.mark.aws_provider]

PER_KIND_LAYOUT = Path(__file__).parent / "fixtures" / "per_kind_layout.tar.gz"
STATE_BUCKET = "legacylift-addresses-test-tfstate"
TRAINING = {
    "train": {"artifact_paths": ["model.joblib"]},
    "evaluate": {},
    "promotion": {"metric": "accuracy", "threshold": 0.9},
}
PER_KIND_STATE = Path(__file__).parent / "fixtures" / "per_kind_state.json"
NOTHING = {"create": {}, "update": {}, "replace": {}, "delete": {}}


def _terraform_files(layout: Path | None, destination: Path) -> None:
    """The root module's *.tf, modules/ and terraform/*.tf of the `layout` archive (None: the
    working tree) into `destination`, replacing the ones there (tfvars, backend and overrides
    stay)."""
    for path in destination.glob("*.tf"):
        path.unlink()
    shutil.rmtree(destination / "modules", ignore_errors=True)
    for path in (destination / "terraform").glob("*.tf"):
        if path.name != "moto_override.tf":
            path.unlink()
    if layout is None:
        for path in REPO_ROOT.glob("*.tf"):
            shutil.copy2(path, destination / path.name)
        shutil.copytree(REPO_ROOT / "modules", destination / "modules")
        for path in (REPO_ROOT / "terraform").glob("*.tf"):
            shutil.copy2(path, destination / "terraform" / path.name)
        return
    with tarfile.open(layout) as tar:
        tar.extractall(destination, filter="data")


REGIONS = ("us-east-1", "eu-west-1")


def _repositories(moto_server) -> set[tuple[str, str]]:
    """(region, name) of every ECR repository in the session's moto."""
    return {
        (region, repository["repositoryName"])
        for region in REGIONS
        for repository in _moto_ecr(moto_server, region).describe_repositories()["repositories"]
    }


def _moto_ecr(moto_server, region: str):
    """ECR in the session's moto (the fixture's environment is gone by its teardown)."""
    return boto3.client(
        "ecr",
        region_name=region,
        endpoint_url=moto_server.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture(scope="module")
def per_kind(moto_server, tmp_path_factory):
    """A tree whose Terraform is PER_KIND_LAYOUT's, talking to moto, with workspace `addr`
    deployed as one state (a training model, a plain one, the generic workflow) and workspace
    `addrsplit` as split stacks (a training model, a plain one)."""
    from tests.terraform.tfcopy import FIXTURE_MODELS

    require(find_provider_mirror() is not None, "no hashicorp/aws provider mirror: ./bootstrap")
    repositories_before = _repositories(moto_server)
    base = tmp_path_factory.mktemp("addresses")
    tree = base / "tree"
    (tree / "terraform" / "tfvars").mkdir(parents=True)
    _terraform_files(PER_KIND_LAYOUT, tree)
    shutil.copytree(FIXTURE_MODELS, tree / "legacy_models")
    shutil.copytree(tree / "legacy_models" / "iris", tree / "legacy_models" / "churn")
    root = tree / "terraform"
    settings = moto_deployment(root, base / "state", moto_server.endpoint, STATE_BUCKET)
    with pytest.MonkeyPatch.context() as env:
        for key, value in settings.items():
            env.setenv(key, value)
        write_pins(
            root,
            "addr",
            {
                "iris": {**pin("addr", "iris", "a2"), **TRAINING},
                "churn": pin("addr", "churn", "c2"),
            },
        )
        with (root / "tfvars" / "addr.tfvars").open("a") as tfvars:
            tfvars.write("enable_generic_workflow = true\n")
        single = deploy("addr")
        write_pins(
            root,
            "addrsplit",
            {
                "iris": {**pin("addrsplit", "iris", "a3"), **TRAINING},
                "churn": pin("addrsplit", "churn", "c3"),
            },
        )
        split = deploy_stacks("addrsplit", jobs=2)
    yield tree, settings, single, split
    # ECR repository names carry no workspace: the ones made here would collide with a later
    # module's apply in the session's moto.
    for region, name in _repositories(moto_server) - repositories_before:
        _moto_ecr(moto_server, region).delete_repository(repositoryName=name, force=True)


@pytest.fixture
def current(per_kind, aws_env, monkeypatch):
    """The per-kind deployments with the tree's Terraform replaced by the current one."""
    tree, settings, single, split = per_kind
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    _terraform_files(None, tree)
    return per_kind


def state_skeleton(document: dict) -> dict:
    """A state document without its resources' attributes: what addresses and dependencies
    it holds (tests/aws/fixtures/per_kind_state.json is this of the per-kind single state)."""
    resources = []
    for resource in document["resources"]:
        entry = {
            key: resource[key] for key in ("module", "mode", "type", "name") if key in resource
        }
        entry["instances"] = [
            {key: instance[key] for key in ("index_key", "dependencies") if key in instance}
            for instance in resource["instances"]
        ]
        resources.append(entry)
    return {"version": document["version"], "resources": resources}


def _addresses(skeleton: dict) -> set[tuple]:
    return {
        (r.get("module"), r["mode"], r["type"], r["name"], i.get("index_key"))
        for r in skeleton["resources"]
        for i in r["instances"]
    }


def _machines(arns) -> dict[str, str]:
    sfn = boto3.client("stepfunctions")
    return {arn: sfn.describe_state_machine(stateMachineArn=arn)["creationDate"] for arn in arns}


def test_deploy_moves_the_per_kind_addresses_and_plans_nothing_new(current):
    """Planted bug: the training state machine's per-kind address is moved to
    state_machine["<model>-train"] instead of ["<model>/train"] (the plan then destroys and
    creates it, in the single state and in the model stack)."""
    tree, settings, single, split = current
    assert single.applied and all(outcome.status == "applied" for outcome in split)
    outputs = single.outputs
    arns = [
        outputs["training_state_machine_arns"]["iris"],
        outputs["generic_state_machine_arn"],
        outputs["state_machine_arns"]["iris"],
    ]
    created = _machines(arns)
    # The fast tests' fixture is this state's skeleton (LEGACYLIFT_RECORD_STATE=1 rewrites it).
    skeleton = state_skeleton(initialised_runner().state_pull("addr"))
    if legacylift_settings.get("LEGACYLIFT_RECORD_STATE") == "1":
        write_json_atomic(PER_KIND_STATE, skeleton)
    recorded = json.loads(PER_KIND_STATE.read_text())
    assert _addresses(skeleton) == _addresses(recorded), "rerun with LEGACYLIFT_RECORD_STATE=1"

    # Nothing to create, update, replace or destroy, no output changed: nothing applied.
    after = deploy("addr")
    assert not after.applied
    assert {kind: dict(after.changes[kind]) for kind in NOTHING} == NOTHING
    assert after.outputs == outputs
    modules = {
        resource.get("module") for resource in initialised_runner().state_pull("addr")["resources"]
    }
    assert {
        'module.legacylift.module.state_machine["iris/train"]',
        'module.legacylift.module.state_machine["(generic)"]',
        'module.legacylift.module.sagemaker_role["iris/evaluate"]',
    } <= modules
    assert not any("training_" in module or "generic_" in module for module in modules if module)
    backups = list((stacks.stacks_dir() / "backups").glob("addr-single-state-serial*.json"))
    assert len(backups) == 1 and backups[0].stat().st_mode & 0o077 == 0

    outcomes = deploy_stacks("addrsplit", every=True)
    assert sorted(outcome.name for outcome in outcomes) == ["churn", "iris", "shared"]
    for outcome in outcomes:
        assert outcome.status == "up to date", outcome
        assert {kind: dict(outcome.changes[kind]) for kind in NOTHING} == NOTHING, outcome.name
    assert _machines(arns) == created  # the same state machines, never recreated

    # A second deploy finds nothing to move: no second copy of the state.
    deploy("addr", plan_only=True)
    assert len(list((stacks.stacks_dir() / "backups").glob("addr-single-state-*"))) == 1


def test_split_state_puts_the_training_workflow_in_its_models_stack(current):
    """Planted bug: split-state's model pattern stops at the key's first character class
    without the "/<workflow>" suffix (the training state machine and its job roles stay in
    the shared stack)."""
    document = initialised_runner().state_pull("addr")
    parts = partition(rename_addresses(document)[0])  # moved already if the test above ran
    modules = {
        name: {resource["module"] for resource in part if "module" in resource}
        for name, part in parts.items()
    }
    assert 'module.legacylift.module.state_machine["iris/train"]' in modules["iris"]
    assert 'module.legacylift.module.sagemaker_role["iris/train"]' in modules["iris"]
    assert 'module.legacylift.module.state_machine["(generic)"]' in modules["shared"]
    # Of a model, the shared stack keeps its repository alone.
    assert not [m for m in modules["shared"] if '["iris' in m and ".module.ecr[" not in m]
