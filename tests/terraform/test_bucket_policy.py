"""The data bucket's policy (modules/s3), decided by `tests.iam_evaluation` with its conditions.

The test server (tests/moto_server.py) skips transport-only Deny statements when *it* enforces
a bucket policy, so it cannot tell whether those statements deny what they should: they are
evaluated here instead. The fast tests read the policy document from the module's HCL
(tests.terraform.policy_documents); the slow one applies modules/s3 into moto with the real
AWS provider and checks the document Terraform renders is the one the fast tests evaluate.
"""

from __future__ import annotations

import json
import shutil
import uuid

import boto3
import pytest

from legacylift.paths import REPO_ROOT
from tests.iam_evaluation import EXPLICIT_DENY, Request, decide
from tests.terraform.policy_documents import policy_document

MODULE = REPO_ROOT / "modules" / "s3"
CALLER = "arn:aws:iam::123456789012:role/legacylift-dev-sagemaker"


def module_policy(bucket: str) -> dict:
    """The module's bucket policy for `bucket`, from its HCL."""
    return policy_document(
        MODULE / "main.tf", "tls_only", {"local.bucket_arn": f"arn:aws:s3:::{bucket}"}
    )


def _decision(policy: dict, bucket: str, secure: bool, tls: str | None) -> str:
    context = {"aws:SecureTransport": "true" if secure else "false"}
    if tls is not None:
        context["s3:TlsVersion"] = tls
    request = Request("s3:GetObject", f"arn:aws:s3:::{bucket}/iris/input/x.csv", context, CALLER)
    return decide(policy, request)


def test_bucket_policy_denies_plain_http_and_old_tls_only():
    """Evaluated with conditions: plain HTTP and TLS 1.0/1.1 are explicitly denied, TLS 1.2
    and 1.3 are not (the role's own policy then decides). Planted bugs: DenyOutdatedTLS's
    operator flipped to NumericGreaterThan turns the TLS 1.1 and 1.3 assertions red;
    DenyInsecureTransport's value set to "true" turns the plain-HTTP assertion red."""
    bucket = "legacylift-dev-data"
    policy = module_policy(bucket)
    sids = {statement.get("Sid") for statement in policy["Statement"]}
    assert sids == {"DenyInsecureTransport", "DenyOutdatedTLS"}
    assert _decision(policy, bucket, secure=False, tls=None) == EXPLICIT_DENY
    assert _decision(policy, bucket, secure=True, tls="1.0") == EXPLICIT_DENY
    assert _decision(policy, bucket, secure=True, tls="1.1") == EXPLICIT_DENY
    assert _decision(policy, bucket, secure=True, tls="1.2") != EXPLICIT_DENY
    assert _decision(policy, bucket, secure=True, tls="1.3") != EXPLICIT_DENY


def test_bucket_policy_covers_the_bucket_and_every_object():
    """Both Deny statements name the bucket and its objects, for every principal and action."""
    bucket = "legacylift-dev-data"
    policy = module_policy(bucket)
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Deny" and statement["Principal"] == "*"
        assert statement["Action"] == ["s3:*"]
        assert set(statement["Resource"]) == {
            f"arn:aws:s3:::{bucket}",
            f"arn:aws:s3:::{bucket}/*",
        }
    listing = Request(
        "s3:ListBucket", f"arn:aws:s3:::{bucket}", {"aws:SecureTransport": "false"}, CALLER
    )
    assert decide(policy, listing) == EXPLICIT_DENY
    other = Request("s3:GetObject", "arn:aws:s3:::other/x", {"aws:SecureTransport": "false"})
    assert decide(policy, other) != EXPLICIT_DENY


def _normalised(policy: dict) -> list[dict]:
    statements = []
    for statement in policy["Statement"]:
        statement = dict(statement)
        for key in ("Action", "Resource"):
            value = statement[key]
            statement[key] = sorted(value if isinstance(value, list) else [value])
        statement["Condition"] = {
            operator: {k: sorted(v if isinstance(v, list) else [v]) for k, v in entries.items()}
            for operator, entries in statement.get("Condition", {}).items()
        }
        statements.append(statement)
    return sorted(statements, key=lambda s: s.get("Sid", ""))


@pytest.mark.aws_provider
@pytest.mark.slow
def test_terraform_renders_the_evaluated_policy(tmp_path, moto_aws):
    """modules/s3's bucket policy applied into moto: the bucket carries exactly the document
    the fast tests evaluate (left in the session's moto server under a unique name; no destroy,
    which would double the time). The apply targets the policy, so it creates the bucket and
    the public access block the policy depends on, not the lifecycle configuration, whose
    creation the AWS provider waits about a minute to see settle. Planted bug: the module
    putting the document with a statement renamed (`DenyOutdatedTLS` replaced) turns it red."""
    from tests.terraform.tfcopy import moto_provider_block, terraform

    workdir = tmp_path / "s3"
    shutil.copytree(MODULE, workdir)
    (workdir / "provider.tf").write_text(moto_provider_block(moto_aws.endpoint))
    bucket = f"legacylift-policy-{uuid.uuid4().hex[:8]}"
    terraform(workdir, "init", "-backend=false", "-input=false", "-no-color")
    terraform(
        workdir,
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-target=aws_s3_bucket_policy.this",
        "-var",
        f"bucket_name={bucket}",
        "-var",
        "force_destroy=true",
    )
    client = boto3.client("s3", region_name="us-east-1")
    rendered = json.loads(client.get_bucket_policy(Bucket=bucket)["Policy"])
    assert _normalised(rendered) == _normalised(module_policy(bucket))
