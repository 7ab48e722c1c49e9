"""The data bucket's guardrails beyond the roles (`code_writer_arns`): the bucket policy a real
plan of the root module puts (moto answering the plan's reads), decided by `tests.iam_evaluation`
with the roles the same plan creates, and linted by parliament.

Set, writing or deleting the code folders and the step runner is denied to every principal but
the deployers, and the promotion records and sealed artifacts to every principal but the
training state machines; empty, the policy holds the transport rules alone.
"""

from __future__ import annotations

import json

import pytest

from tests.iam_evaluation import EXPLICIT_DENY, Request, decide
from tests.iam_lint import unaccepted
from tests.terraform.tfcopy import (
    copy_terraform_tree,
    image_uri,
    moto_provider_block,
    planned_resources,
    tftest_runner,
    write_json,
)

pytestmark = pytest.mark.aws_provider

ACCOUNT = "123456789012"
# 38 characters: "<prefix>-<model>-train" of the long-named model is cut at 58 by the
# state-machine module, so its role is not covered by the name pattern.
PREFIX = "guard-a-rather-long-deployment-prefix1"
LONG_MODEL = "forecast-with-a-long-name"
BUCKET = f"{PREFIX}-data-{ACCOUNT}"
DEPLOYER = f"arn:aws:iam::{ACCOUNT}:role/deploy/terraform-apply"
TRAINING = {
    "train": {"artifact_paths": ["model.joblib"]},
    "evaluate": {},
    "promotion": {"metric": "accuracy", "threshold": 0.9},
}
CODE_KEY = "iris/code/" + "0123456789abcdef" * 4 + "/preprocessing.py"
RUNNER_KEY = "_legacylift/code/0123456789abcdef/steprunner.py"


@pytest.fixture(scope="module")
def tree(tmp_path_factory, moto_aws):
    tree = copy_terraform_tree(tmp_path_factory.mktemp("protected-keys"))
    (tree / "provider.tf").write_text(moto_provider_block(moto_aws.endpoint))
    return tree


@pytest.fixture(scope="module")
def root(tree):
    return tftest_runner(tree)


def _plan(root, tree, name: str, **extra):
    variables = {
        "name_prefix": PREFIX,
        "models_dir": str(tree / "legacy_models"),
        "models": {
            "iris": {"image_uri": image_uri("iris"), **TRAINING},
            # As in a split deployment's shared stack: known by name, no image.
            LONG_MODEL: {"image_uri": None, **TRAINING},
        },
        **extra,
    }
    write_json(tree / name, variables)
    return root.plan(output=True, tf_var_file=name)


@pytest.fixture(scope="module")
def guarded_plan(root, tree):
    """Every planned resource by address, with code_writer_arns set."""
    return planned_resources(_plan(root, tree, "guarded.json", code_writer_arns=[DEPLOYER]))


@pytest.fixture(scope="module")
def guarded(guarded_plan):
    """(bucket policy, role ARN by role) of a plan with code_writer_arns set."""
    resources = guarded_plan
    policy = json.loads(resources["module.s3.aws_s3_bucket_policy.this[0]"]["values"]["policy"])

    def role(address: str) -> str:
        name = resources[f"{address}.aws_iam_role.this"]["values"]["name"]
        return f"arn:aws:iam::{ACCOUNT}:role/{name}"

    roles = {
        "training state machine": role('module.state_machine["iris/train"]'),
        "inference state machine": role('module.state_machine["iris"]'),
        "train job": role('module.sagemaker_role["iris/train"]'),
        "evaluate job": role('module.sagemaker_role["iris/evaluate"]'),
        "inference job": role('module.sagemaker_role["iris"]'),
        "deployer": DEPLOYER,
        # The long-named model's training state machine, named as the state-machine module
        # names it once its stack exists (its name cut at 58 characters, then -sfn).
        "long training state machine": f"arn:aws:iam::{ACCOUNT}:role/"
        + f"{PREFIX}-{LONG_MODEL}-train"[:58]
        + "-sfn",
    }
    return policy, roles


def _decision(policy: dict, action: str, key: str, principal: str) -> str:
    context = {"aws:SecureTransport": "true", "s3:TlsVersion": "1.3", "aws:PrincipalArn": principal}
    return decide(policy, Request(action, f"arn:aws:s3:::{BUCKET}/{key}", context, principal))


WRITES = ("s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion")


def test_only_the_deployers_write_code_and_the_step_runner(guarded):
    """Every write or delete of a content-hashed code folder or the step runner is denied to
    every principal but the deployer; reads, and keys merely containing `code/`, are not.
    Planted bug: the Deny's ArnNotLike turned ArnLike (exempting everyone but the writers)
    turns the job and state machine assertions red; its values widened to every ARN
    (`arn:*`, exempting everyone) does too."""
    policy, roles = guarded
    for key in (CODE_KEY, RUNNER_KEY):
        for action in WRITES:
            for who in ("train job", "evaluate job", "inference job", "training state machine"):
                assert _decision(policy, action, key, roles[who]) == EXPLICIT_DENY, (who, key)
            assert _decision(policy, action, key, roles["deployer"]) != EXPLICIT_DENY
        assert _decision(policy, "s3:GetObject", key, roles["inference job"]) != EXPLICIT_DENY
    # A job's output that merely has a code/ folder is not a code folder.
    output = "iris/output/run-1/code/report.txt"
    assert _decision(policy, "s3:PutObject", output, roles["inference job"]) != EXPLICIT_DENY


def test_only_the_training_state_machines_write_promotions_and_sealed_artifacts(guarded):
    """The promotion record and the sealed artifacts: writes and deletes (a deleted current
    version brings back the previous record) denied to the jobs, the inference state machine
    and the deployer; the training state machines, the cut-named one included, are not denied.
    Planted bug: the name pattern's `-train-sfn` widened to `-sfn` (the inference state
    machine exempted) turns the inference state machine assertion red; the cut-named roles
    left out turns the long-named model's assertion red."""
    policy, roles = guarded
    for key in ("iris/models/promoted.json", "_sealed/iris/models/run-1/artifacts/model.joblib"):
        for action in WRITES:
            for who in ("train job", "evaluate job", "inference job", "inference state machine"):
                assert _decision(policy, action, key, roles[who]) == EXPLICIT_DENY, (who, key)
            assert _decision(policy, action, key, roles["deployer"]) == EXPLICIT_DENY
            assert _decision(policy, action, key, roles["training state machine"]) != EXPLICIT_DENY
    long_record = f"{LONG_MODEL}/models/promoted.json"
    assert (
        _decision(policy, "s3:PutObject", long_record, roles["long training state machine"])
        != EXPLICIT_DENY
    )
    # Reading the record (inference does) is not denied.
    record = "iris/models/promoted.json"
    assert _decision(policy, "s3:GetObject", record, roles["inference state machine"]) != (
        EXPLICIT_DENY
    )
    # A request with no principal ARN (an AWS service acting on its own) is denied too.
    anonymous = Request("s3:PutObject", f"arn:aws:s3:::{BUCKET}/{record}", {}, None)
    assert decide(policy, anonymous) == EXPLICIT_DENY


def test_the_guardrail_statements_lint_clean(guarded):
    """parliament over the guardrail statements finds nothing that is not accepted with its
    reason (the transport statements are tests/terraform/test_bucket_policy.py's)."""
    policy, _ = guarded
    guardrails = [s for s in policy["Statement"] if s.get("Sid", "").startswith("DenyWrites")]
    assert {s["Sid"] for s in guardrails} == {
        "DenyWritesCodeAndStepRunner",
        "DenyWritesPromotionRecordsAndSealedArtifacts",
    }
    problems, _ = unaccepted({"bucket policy": {"Version": "2012-10-17", "Statement": guardrails}})
    assert problems == []


def test_without_code_writer_arns_nothing_more_is_denied(root, tree):
    """The default: the transport rules alone, so a deployment that has not named its
    deployers cannot lock them out."""
    resources = planned_resources(_plan(root, tree, "open.json"))
    policy = json.loads(resources["module.s3.aws_s3_bucket_policy.this[0]"]["values"]["policy"])
    assert {statement["Sid"] for statement in policy["Statement"]} == {
        "DenyInsecureTransport",
        "DenyOutdatedTLS",
    }


def test_a_wildcard_deployer_is_refused_at_plan(root, tree):
    """A deployer ARN that would exempt every principal of the account is refused, naming the
    variable."""
    import tftest

    with pytest.raises(tftest.TerraformTestError) as failure:
        _plan(root, tree, "wild.json", code_writer_arns=[f"arn:aws:iam::{ACCOUNT}:role/*"])
    message = " ".join(" ".join(str(arg) for arg in failure.value.args).split())
    assert "code_writer_arns" in message and "wildcard" in message


def test_the_cloud_workflow_refuses_an_output_outside_the_models_output_area(guarded_plan):
    """The root module renders its workflows with restrict_output_uri (local renders do not):
    iris's deployed definition refuses another run's folder as output_uri and accepts its own
    output area (tests/workflow/test_output_area.py covers the rule itself)."""
    from tests.workflow.asl_evaluation import evaluated_requests

    address = 'module.state_machine["iris"].aws_sfn_state_machine.this'
    definition = json.loads(guarded_plan[address]["values"]["definition"])
    source = f"s3://{BUCKET}/iris/input/a/"
    refused = evaluated_requests(
        definition, {"input_uri": source, "output_uri": f"s3://{BUCKET}/iris/runs/r1/"}, "r2"
    )
    assert refused["error"] == "LegacyLift.InvalidInput"
    accepted = evaluated_requests(
        definition, {"input_uri": source, "output_uri": f"s3://{BUCKET}/iris/output/r2/"}, "r2"
    )
    assert accepted["status"] == "SUCCEEDED", accepted


def _apply_guarded(tmp_path, moto_aws, prefix: str, deployer: str):
    """The root module applied into moto with iris (training, script-mode code) and the
    guardrails naming `deployer`; its runner (an apply that fails raises)."""
    tree = copy_terraform_tree(tmp_path / prefix)
    (tree / "provider.tf").write_text(moto_provider_block(moto_aws.endpoint))
    variables = {
        "name_prefix": prefix,
        "models_dir": str(tree / "legacy_models"),
        "force_destroy": True,
        "code_writer_arns": [deployer],
        "models": {"iris": {"image_uri": image_uri("iris"), **TRAINING}},
    }
    write_json(tree / "apply.json", variables)
    runner = tftest_runner(tree)
    runner.apply(tf_var_file="apply.json")
    return runner


@pytest.mark.slow
def test_applied_guardrails_let_the_deployer_upload_and_keep_promotions_to_training(
    tmp_path, moto_aws
):
    """Applied into moto (which decides the guardrail statements for its one caller,
    tests/moto_server.py): Terraform, named as the deployer, uploads the code folder and the
    step runner; the same caller may not write a promotion record, and writes a run's output.
    (Left in the session's moto server under its own prefix; no destroy, which would double
    the time.)"""
    import boto3

    from tests.moto_server import CALLER_PRINCIPAL_ARN

    runner = _apply_guarded(tmp_path, moto_aws, "guard-applied", CALLER_PRINCIPAL_ARN)
    bucket = runner.output()["data_bucket"]
    s3 = boto3.client("s3", region_name="us-east-1")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert any(key.startswith("iris/code/") for key in keys)
    assert any(key.startswith("_legacylift/code/") for key in keys)
    with pytest.raises(s3.exceptions.ClientError, match="AccessDenied|403"):
        s3.put_object(Bucket=bucket, Key="iris/models/promoted.json", Body=b"{}")
    s3.put_object(Bucket=bucket, Key="iris/output/run-1/result.csv", Body=b"x")
