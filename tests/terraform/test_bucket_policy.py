"""The data bucket's policy, as modules/s3 puts it, decided by `tests.iam_evaluation`.

The policy is read back from moto after `terraform apply` of modules/s3 and evaluated here,
statement by statement, with its conditions: the test server (tests/moto_server.py) skips
transport-only Deny statements when *it* enforces a bucket policy, so it cannot tell whether
those statements would deny what they should.
"""

from __future__ import annotations

import json
import shutil
import uuid

import boto3
import pytest

from legacylift.paths import REPO_ROOT
from tests.iam_evaluation import EXPLICIT_DENY, Request, decide
from tests.terraform.tfcopy import moto_provider_block, terraform

pytestmark = pytest.mark.aws_provider

CALLER = "arn:aws:iam::123456789012:role/legacylift-dev-sagemaker"


@pytest.fixture(scope="module")
def bucket_policy(tmp_path_factory, moto_aws):
    """modules/s3 applied into moto; the bucket's name and policy document."""
    workdir = tmp_path_factory.mktemp("bucket") / "s3"
    shutil.copytree(REPO_ROOT / "modules" / "s3", workdir)
    (workdir / "provider.tf").write_text(moto_provider_block(moto_aws.endpoint))
    bucket = f"legacylift-policy-{uuid.uuid4().hex[:8]}"
    terraform(workdir, "init", "-backend=false", "-input=false", "-no-color")
    variables = ["-var", f"bucket_name={bucket}", "-var", "force_destroy=true"]
    terraform(workdir, "apply", "-auto-approve", "-input=false", "-no-color", *variables)
    client = boto3.client("s3", region_name="us-east-1")
    policy = json.loads(client.get_bucket_policy(Bucket=bucket)["Policy"])
    yield bucket, policy
    terraform(workdir, "destroy", "-auto-approve", "-input=false", "-no-color", *variables)


def _decision(policy: dict, bucket: str, secure: bool, tls: str | None) -> str:
    context = {"aws:SecureTransport": "true" if secure else "false"}
    if tls is not None:
        context["s3:TlsVersion"] = tls
    request = Request("s3:GetObject", f"arn:aws:s3:::{bucket}/iris/input/x.csv", context, CALLER)
    return decide(policy, request)


def test_bucket_policy_denies_plain_http_and_old_tls_only(bucket_policy):
    """Evaluated with conditions: plain HTTP and TLS 1.0/1.1 are explicitly denied, TLS 1.2
    and 1.3 are not (the role's own policy then decides). Planted bug: DenyOutdatedTLS's
    operator flipped to NumericGreaterThan turns the TLS 1.1 and 1.3 assertions red;
    DenyInsecureTransport's value set to "true" turns the plain-HTTP assertion red."""
    bucket, policy = bucket_policy
    sids = {statement.get("Sid") for statement in policy["Statement"]}
    assert {"DenyInsecureTransport", "DenyOutdatedTLS"} <= sids
    assert _decision(policy, bucket, secure=False, tls=None) == EXPLICIT_DENY
    assert _decision(policy, bucket, secure=True, tls="1.0") == EXPLICIT_DENY
    assert _decision(policy, bucket, secure=True, tls="1.1") == EXPLICIT_DENY
    assert _decision(policy, bucket, secure=True, tls="1.2") != EXPLICIT_DENY
    assert _decision(policy, bucket, secure=True, tls="1.3") != EXPLICIT_DENY


def test_bucket_policy_covers_the_bucket_and_every_object(bucket_policy):
    """Both Deny statements name the bucket and its objects, for every principal and action."""
    bucket, policy = bucket_policy
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Deny"
        assert set(statement["Resource"]) == {
            f"arn:aws:s3:::{bucket}",
            f"arn:aws:s3:::{bucket}/*",
        }
        assert statement["Principal"] in ("*", {"AWS": "*"})
    listing = Request(
        "s3:ListBucket", f"arn:aws:s3:::{bucket}", {"aws:SecureTransport": "false"}, CALLER
    )
    assert decide(policy, listing) == EXPLICIT_DENY
