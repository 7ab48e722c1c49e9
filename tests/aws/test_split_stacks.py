"""Split stacks on the real deployment root with the real AWS provider, applied into moto, every
state in Terraform's S3 backend (also in moto): `invoke deploy --split` (a shared stack and one
stack per model, several at a time, under an artificial CreateStateMachine throttle), deploys
that plan only what changed, a failing model stack that does not stop the others, and the move
of a single-state workspace to split stacks (`split_state`) whose plans destroy nothing.

Tests run on a copy of the tree (tests/terraform/tfcopy.py), never in terraform/ itself.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import boto3
import pytest
from invoke import Context, Exit

import tasks
from legacylift.aws import stacks
from legacylift.aws.backend import bootstrap_backend
from legacylift.aws.deploy import deploy, deploy_stacks
from legacylift.aws.deployed import load_stack
from legacylift.aws.split_state import split_state
from legacylift.errors import LegacyLiftError
from legacylift.paths import TERRAFORM_ROOT
from legacylift.terraform_env import find_provider_mirror
from tests.aws.test_state_backend import moto_backend_settings
from tests.conftest import require
from tests.moto_server import FAKE_CREDENTIALS, throttled

pytestmark = [pytest.mark.slow, pytest.mark.aws_provider]

STATE_BUCKET = "legacylift-split-test-tfstate"
REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


def pin(workspace: str, model: str, byte: str) -> dict:
    """A pinned models entry with a digest of one repeated byte (e.g. "ab")."""
    return {"image_uri": f"{REGISTRY}/legacylift-{workspace}/{model}@sha256:{byte * 32}"}


def write_pins(root: Path, workspace: str, models: dict) -> None:
    (root / "tfvars" / f"{workspace}.tfvars").write_text(
        f'ecr_repository_prefix = "legacylift-{workspace}/"\nforce_destroy = true\n'
    )
    (root / "tfvars" / f"{workspace}.models.tfvars.json").write_text(json.dumps({"models": models}))


@pytest.fixture(scope="module")
def tree(moto_server, tmp_path_factory):
    """A copy of the tree whose terraform/ talks to moto, its backend bootstrapped, and a
    project state dir shared by the module's tests (stack data dirs and deploy records)."""
    assert (TERRAFORM_ROOT / "main.tf").is_file(), f"no deployment root in {TERRAFORM_ROOT}"
    from tests.terraform.tfcopy import copy_terraform_tree

    require(find_provider_mirror() is not None, "no hashicorp/aws provider mirror: ./bootstrap")
    base = tmp_path_factory.mktemp("split")
    root = copy_terraform_tree(base / "tree") / "terraform"
    for copy in ("churn", "anomaly"):  # more models: copies of the fixture model's scripts
        shutil.copytree(
            root.parent / "legacy_models" / "iris", root.parent / "legacy_models" / copy
        )
    return root, moto_deployment(root, base / "state", moto_server.endpoint, STATE_BUCKET)


def moto_deployment(root: Path, state: Path, endpoint: str, state_bucket: str) -> dict:
    """Point the deployment root `root` (a tree copy's terraform/, beside its legacy_models/)
    at the moto server at `endpoint`: its provider override, a project state dir `state`, its
    S3 backend bootstrapped in `state_bucket`. Returns the environment to deploy it with."""
    from legacylift.paths import project_state_dir
    from tests.terraform.tfcopy import moto_provider_block

    (root / "moto_override.tf").write_text(moto_provider_block(endpoint))
    state.mkdir()
    real_state = project_state_dir()
    (state / "bin").symlink_to(real_state / "bin")
    if (real_state / "terraform.rc").exists():
        (state / "terraform.rc").symlink_to(real_state / "terraform.rc")
    settings = {
        **FAKE_CREDENTIALS,
        "AWS_ENDPOINT_URL": endpoint,
        "LEGACYLIFT_TFVARS_DIR": str(root / "tfvars"),
        "LEGACYLIFT_TERRAFORM_DIR": str(root),
        "LEGACYLIFT_STATE_DIR": str(state),
        "LEGACYLIFT_MODELS_DIR": str(root.parent / "legacy_models"),
    }
    with pytest.MonkeyPatch.context() as env:
        for key, value in settings.items():
            env.setenv(key, value)
        aws = boto3.session.Session(region_name="us-east-1")
        backend = bootstrap_backend(aws, state_bucket, root / "backend.hcl")
        backend.write_text(backend.read_text() + moto_backend_settings(endpoint))
    return settings


@pytest.fixture
def at_tree(tree, aws_env, monkeypatch):
    """Per-test environment on the module's tree (the autouse fixture moved the dirs)."""
    root, settings = tree
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    return root


@pytest.fixture(scope="module")
def dev(tree):
    """Workspace splitdev deployed as split stacks (iris, churn) while two of every three
    CreateStateMachine calls are throttled."""
    root, settings = tree
    with pytest.MonkeyPatch.context() as env:
        for key, value in settings.items():
            env.setenv(key, value)
        write_pins(
            root,
            "splitdev",
            {"iris": pin("splitdev", "iris", "a1"), "churn": pin("splitdev", "churn", "c1")},
        )
        with throttled("AWSStepFunctions.CreateStateMachine", refused=2, period=3) as throttle:
            outcomes = deploy_stacks("splitdev", jobs=2)
    return outcomes, throttle


def machine_definition(name: str) -> str:
    sfn = boto3.client("stepfunctions")
    arn = f"arn:aws:states:us-east-1:123456789012:stateMachine:{name}"
    return sfn.describe_state_machine(stateMachineArn=arn)["definition"]


def test_first_split_deploy_applies_every_stack_through_throttles(dev, at_tree):
    """Planted bug: the provider's max_retries set to 1 in terraform/main.tf (a throttled
    CreateStateMachine then fails the model stacks); the merged outputs of a split workspace
    limited to a fixed list of maps (the `live` aliases missing: `invoke run` refused)."""
    outcomes, throttle = dev
    assert {o.name: o.status for o in outcomes} == {
        "shared": "applied",
        "iris": "applied",
        "churn": "applied",
    }
    assert throttle.throttled >= 4, throttle  # two refusals before each machine's creation
    assert outcomes[0].name == "shared"  # the bucket exists before a model stack writes to it
    for model in ("iris", "churn"):
        assert "createProcessingJob.sync" in machine_definition(f"legacylift-splitdev-{model}")
    keys = {
        item["Key"] for item in boto3.client("s3").list_objects_v2(Bucket=STATE_BUCKET)["Contents"]
    }
    assert {
        "env:/splitdev/legacylift/stacks/shared.tfstate",
        "env:/splitdev/legacylift/stacks/models/iris.tfstate",
        "env:/splitdev/legacylift/stacks/models/churn.tfstate",
    } <= keys
    assert "env:/splitdev/legacylift/terraform.tfstate" not in keys
    deployed = load_stack("splitdev")
    assert sorted(deployed.state_machine_arns) == ["churn", "iris"]
    # What `invoke run` starts: the model's `live` alias, from the model stack's outputs.
    assert deployed.alias_arn("iris").endswith(":stateMachine:legacylift-splitdev-iris:live")


def test_no_change_deploy_plans_no_stack(dev, at_tree, capsys):
    """Also through `invoke deploy --json`: one JSON document on stdout, no stack in it."""
    assert deploy_stacks("splitdev") == []
    capsys.readouterr()
    tasks.deploy(Context(), "splitdev", json=True)
    document = json.loads(capsys.readouterr().out)
    assert document == {
        "workspace": "splitdev",
        "layout": "split stacks",
        "plan_only": False,
        "stacks": [],
    }


def test_a_fresh_runner_sees_what_was_applied_and_plans_no_stack(dev, at_tree, tmp_path):
    """A machine with no local LegacyLift state (a fresh CI runner) reads the fingerprints
    beside the stack states in the S3 backend. Planted bug: the deploy record read as empty
    (every stack planned again on every fresh runner)."""
    from legacylift.paths import project_state_dir

    fresh = tmp_path / "fresh-runner"
    fresh.mkdir()
    for link in ("bin", "terraform.rc"):
        (fresh / link).symlink_to((project_state_dir() / link).resolve())
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LEGACYLIFT_STATE_DIR", str(fresh))
        assert deploy_stacks("splitdev") == []
    keys = {
        item["Key"] for item in boto3.client("s3").list_objects_v2(Bucket=STATE_BUCKET)["Contents"]
    }
    assert "env:/splitdev/legacylift/stacks/models/iris.tfstate.fingerprint" in keys


def test_a_model_change_plans_and_applies_only_its_stack(dev, at_tree):
    """Planted bug: the model stack fingerprint ignores the entry (every pin change is missed),
    or the shared stack's models keep image_uri (the shared stack would build state machines)."""
    write_pins(
        at_tree,
        "splitdev",
        {"iris": pin("splitdev", "iris", "a2"), "churn": pin("splitdev", "churn", "c1")},
    )
    outcomes = deploy_stacks("splitdev")
    assert [(o.name, o.status) for o in outcomes] == [("iris", "applied")]
    changes = outcomes[0].changes
    # The definition changes in place; the new version it publishes moves the `live` alias.
    assert dict(changes["update"]) == {"aws_sfn_state_machine": 1, "aws_sfn_alias": 1}
    assert not changes["create"] and not changes["delete"] and not changes["replace"]
    assert "a2" * 32 in machine_definition("legacylift-splitdev-iris")
    assert "c1" * 32 in machine_definition("legacylift-splitdev-churn")


def test_a_failing_model_stack_does_not_stop_the_others(dev, at_tree, capsys):
    """Through `invoke deploy --json`: the document lists every stack, the failed one with
    its error, and the command exits 1. Planted bug: the first failed stack raises at once
    (the stacks after it never run). Planted bug: `--json` drops the outcomes of a deploy with
    a failed stack (no document)."""
    models = {
        "iris": pin("splitdev", "iris", "a2"),
        "churn": pin("splitdev", "churn", "c2"),
        "anomaly": {**pin("splitdev", "anomaly", "d1"), "preprocessing": {"bogus": 1}},
    }
    write_pins(at_tree, "splitdev", models)
    # One at a time, in name order: the failing stack comes first.
    capsys.readouterr()
    with pytest.raises(Exit) as exited:
        tasks.deploy(Context(), "splitdev", jobs=1, json=True)
    assert exited.value.code == 1
    assert "c2" * 32 in machine_definition("legacylift-splitdev-churn")
    out = capsys.readouterr()
    assert "1 stack(s) failed in workspace 'splitdev': anomaly" in out.err
    assert "model churn: applied" in out.err and "model anomaly: failed" in out.err
    stacks_ = {entry["stack"]: entry for entry in json.loads(out.out)["stacks"]}
    assert stacks_["model churn"]["status"] == "applied"
    assert stacks_["model anomaly"]["status"] == "failed"
    assert "Invalid value for" in stacks_["model anomaly"]["error"]
    # The next deploy retries the failed stack only.
    del models["anomaly"]
    write_pins(at_tree, "splitdev", models)
    assert [o.name for o in deploy_stacks("splitdev")] == ["shared"]


def test_model_option_names_an_unknown_model(dev, at_tree):
    with pytest.raises(LegacyLiftError, match="--model nosuch: not built in this workspace"):
        deploy_stacks("splitdev", models=["nosuch"])


def test_single_state_moves_to_split_stacks_without_destroying_anything(tree, at_tree):
    """Planted bugs: the code files (aws_s3_object.code) stay in the shared state (the model
    stack's plan then creates them again); the pre-move plan's pending resource changes not
    counted (fingerprints recorded over a state that was not applied with the current
    inputs); the model stacks moved without their own outputs (a later shared apply would
    drop their state machines from the merged outputs)."""
    from legacylift.aws.deploy_record import DeployRecord
    from legacylift.aws.split_state import _pending_changes
    from legacylift.aws.stack import initialised_runner

    pins = {"iris": pin("mig", "iris", "b1"), "churn": pin("mig", "churn", "e1")}
    write_pins(at_tree, "mig", pins)
    single = deploy("mig")
    assert single.applied and not stacks.is_split("mig")
    # A pin changed since the single state was applied: the move would record nothing.
    write_pins(at_tree, "mig", {**pins, "churn": pin("mig", "churn", "e2")})
    assert _pending_changes(initialised_runner(), "mig") > 0
    write_pins(at_tree, "mig", pins)

    assert split_state("mig") == ["churn", "iris", "shared"]
    assert stacks.is_split("mig")
    # Every stack planned after the move: nothing created, replaced or destroyed.
    outcomes = deploy_stacks("mig", plan_only=True, every=True)
    assert sorted(o.name for o in outcomes) == ["churn", "iris", "shared"]
    for outcome in outcomes:
        assert outcome.status in ("up to date", "planned"), outcome
        touched = {kind: dict(outcome.changes[kind]) for kind in ("create", "replace", "delete")}
        assert touched == {"create": {}, "replace": {}, "delete": {}}, outcome.name
    # The move recorded every stack as deployed with the current inputs: nothing to plan.
    assert deploy_stacks("mig") == []
    # Each model stack holds its own entries of the outputs, as its own apply writes them.
    own = DeployRecord("mig", stacks.state_key).model_stack_outputs()
    arns = single.outputs["state_machine_arns"]
    assert {name: own[name]["state_machine_arns"] for name in own} == {
        name: {name: arns[name]} for name in ("churn", "iris")
    }
    # The single state holds nothing any more; the workspace reads from its stacks.
    assert initialised_runner().state_pull("mig")["resources"] == []
    assert sorted(load_stack("mig").state_machine_arns) == ["churn", "iris"]
    # A second move is refused before anything is written.
    with pytest.raises(LegacyLiftError, match="nothing in its single state"):
        split_state("mig")
    # A model changed after the move: only its stack is planned and applied.
    write_pins(at_tree, "mig", {**pins, "iris": pin("mig", "iris", "b2")})
    assert [o.name for o in deploy_stacks("mig")] == ["iris"]
    assert "b2" * 32 in machine_definition("legacylift-mig-iris")
