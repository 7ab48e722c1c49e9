"""The rendered execution roles under a real policy engine: moto's IAM enforcement.

Each rendered policy is put inline on a role in moto; requests signed with that role's session
credentials go to the moto server on 127.0.0.1 with IAM authorisation on, for the S3 keys the
definitions name. moto evaluates Action and Resource for S3 object and bucket calls; it
authorises other services (ECR, KMS) against Resource "*" only and evaluates no condition
operator but StringEquals, so for ECR and KMS the same engine (moto's `IAMPolicy`) is asked
directly with the exact ARNs a job uses, and conditions (the ListBucket prefixes, the KMS grant,
PassRole's service) and `?` job-name patterns are asserted on the JSON in test_policies.py.
"""

from __future__ import annotations

import json
import uuid

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from tests.workflow.asl_evaluation import evaluated_requests
from tests.workflow.conftest import ACCOUNT, REGION, base_vars, model_image

PREFIX = "iam-enforce"
BUCKET = f"{PREFIX}-data"
TEAM_BUCKET = f"{PREFIX}-team"  # the original pattern's own bucket
KMS_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
MODELS = ("iris", "iris-x")  # "iris" is a prefix of "iris-x": the boundary IAM's `*` must hold


def model(name: str) -> dict:
    return {
        "image_uri": model_image(name),
        "code_uris": {
            "preprocessing": f"s3://{BUCKET}/{name}/code/1111/",
            "postprocessing": f"s3://{BUCKET}/{name}/code/2222/",
        },
    }


def _client(service: str, endpoint: str, credentials: dict | None = None):
    keys = credentials or {}
    return boto3.client(
        service,
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id=keys.get("AccessKeyId", "testing"),
        aws_secret_access_key=keys.get("SecretAccessKey", "testing"),
        aws_session_token=keys.get("SessionToken", "testing"),
    )


def _split(uri: str) -> tuple[str, str]:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


def _steps(definition: str, execution_input: dict) -> list[dict]:
    """The CreateProcessingJob requests of one execution, in order: their data, code and output
    S3 URIs."""
    result = evaluated_requests(json.loads(definition), execution_input, "iam-" + uuid.uuid4().hex)
    assert result["status"] == "SUCCEEDED", result
    jobs = result["output"].get("jobs") or result["output"]["Results"]
    return [
        {
            "inputs": {i["InputName"]: i["S3Input"]["S3Uri"] for i in r["ProcessingInputs"]},
            "output": r["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"],
        }
        for r in jobs.values()
    ]


@pytest.fixture(scope="module")
def rendered(workflow):
    outputs = workflow.render(
        base_vars(
            {name: model(name) for name in MODELS},
            name_prefix=PREFIX,
            data_bucket=BUCKET,
            enable_generic_workflow=True,
            kms_key_arn=KMS_KEY,
            generic_s3_uris=[f"s3://{TEAM_BUCKET}/legacycode/"],
            extra_output_s3_uris=[f"s3://{TEAM_BUCKET}/results/"],
            generic_image_repositories=["sagemakerstudio"],
        )
    )
    policies = {name: outputs["sagemaker_policies"][name] for name in MODELS}
    policies["generic"] = outputs["generic_sagemaker_policy"]
    roles = {name: outputs["sagemaker_role_names"][name] for name in MODELS}
    roles["generic"] = outputs["generic_sagemaker_role_name"]
    # Evaluated before IAM enforcement starts: moto's in-process interpreter shares its switch.
    runs = {
        name: _steps(
            outputs["definitions"][name],
            {
                "input_uri": f"s3://{BUCKET}/{name}/input/batch-1/",
                "output_uri": f"s3://{BUCKET}/{name}/output/batch-1/",
            },
        )
        for name in MODELS
    }
    return {"outputs": outputs, "policies": policies, "roles": roles, "runs": runs}


@pytest.fixture(scope="module")
def principals(rendered, moto_server):
    """Each execution role created in moto with exactly its rendered policy, and boto3 S3
    clients signing as a session of that role; IAM enforcement on while the module runs."""
    endpoint = moto_server.endpoint
    admin_s3, iam, sts = (_client(s, endpoint) for s in ("s3", "iam", "sts"))
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    for bucket in (BUCKET, TEAM_BUCKET):
        admin_s3.create_bucket(Bucket=bucket)
    # What the first steps read: the models' input batches and uploaded scripts.
    for name in MODELS:
        for key in (
            f"{name}/input/batch-1/data.csv",
            f"{name}/code/1111/preprocessing.py",
            f"{name}/code/2222/postprocessing.py",
        ):
            admin_s3.put_object(Bucket=BUCKET, Key=key, Body=b"x")
    admin_s3.put_object(Bucket=TEAM_BUCKET, Key="legacycode/data/preproc/input/a.csv", Body=b"x")
    admin_s3.put_object(Bucket=TEAM_BUCKET, Key="legacycode/scripts/preprocessing.py", Body=b"x")

    clients = {}
    for key, role in rendered["roles"].items():
        arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))["Role"][
            "Arn"
        ]
        iam.put_role_policy(
            RoleName=role, PolicyName="processing-jobs", PolicyDocument=rendered["policies"][key]
        )
        session = sts.assume_role(RoleArn=arn, RoleSessionName="job")["Credentials"]
        clients[key] = _client("s3", endpoint, session)

    answer = requests.post(f"{endpoint}/moto-api/reset-auth", data=b"0", timeout=10)
    previous = answer.json()["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"]
    try:
        yield clients
    finally:
        requests.post(f"{endpoint}/moto-api/reset-auth", data=previous.encode(), timeout=10)
        for bucket in (BUCKET, TEAM_BUCKET):
            for item in admin_s3.list_objects_v2(Bucket=bucket).get("Contents", []):
                admin_s3.delete_object(Bucket=bucket, Key=item["Key"])
            admin_s3.delete_bucket(Bucket=bucket)
        for role in rendered["roles"].values():
            iam.delete_role_policy(RoleName=role, PolicyName="processing-jobs")
            iam.delete_role(RoleName=role)


def can_get(s3, uri: str) -> bool:
    return _allowed(lambda: s3.get_object(Bucket=_split(uri)[0], Key=_split(uri)[1]))


def can_put(s3, uri: str) -> bool:
    return _allowed(lambda: s3.put_object(Bucket=_split(uri)[0], Key=_split(uri)[1], Body=b"y"))


def listed(s3, uri: str) -> list[str]:
    bucket, prefix = _split(uri)
    return [item["Key"] for item in s3.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]]


def _allowed(call) -> bool:
    try:
        call()
    except ClientError as error:
        if error.response["Error"]["Code"] in ("AccessDenied", "403"):
            return False
        raise
    return True


def test_enforcement_is_on(principals):
    """Guards the other tests: a session may not do what its policy does not name."""
    assert not can_put(principals["iris"], f"s3://{BUCKET}/not-a-model-area/x")
    with pytest.raises(ClientError):
        principals["iris"].list_buckets()


@pytest.mark.parametrize("name", MODELS)
def test_each_step_reads_and_writes_the_keys_its_definition_names(rendered, principals, name):
    """A run chained for real: each step lists and reads its data and code, and writes its
    output, which the next step then reads (through `<model>/runs/`)."""
    s3 = principals[name]
    for step in rendered["runs"][name]:
        for uri in step["inputs"].values():
            keys = listed(s3, uri)
            assert keys, uri
            for key in keys:
                assert can_get(s3, f"s3://{_split(uri)[0]}/{key}"), key
        assert can_put(s3, step["output"] + "part-0.csv"), step["output"]
    assert rendered["runs"][name][1]["inputs"]["data"].startswith(f"s3://{BUCKET}/{name}/runs/")


@pytest.mark.parametrize(
    "key",
    [
        "iris-x/input/batch-1/data.csv",
        "iris-x/code/1111/preprocessing.py",
        "iris-x/output/batch-1/part-0.csv",
        "iris-x/runs/some-execution/preprocessing/part-0.csv",
        "_generic/chain/part-0.csv",
    ],
)
def test_a_model_role_cannot_read_or_write_another_models_keys(principals, key):
    """Isolation: iris's role against iris-x's keys (a prefix of it, the hardest boundary) and
    the generic workflow's. (Planted bug: the former shared patterns `*/input/*`, ... in place
    of `<model>/input/*` turn this red.)"""
    s3 = principals["iris"]
    assert not can_get(s3, f"s3://{BUCKET}/{key}")
    assert not can_put(s3, f"s3://{BUCKET}/{key}")


@pytest.mark.parametrize(
    "key",
    [
        "iris/code/1111/output/preprocessing.py",  # `*/output/*` once matched this
        "iris/code/1111/preprocessing.py",
        "iris/input/batch-1/data.csv",
        "iris-x/output/batch-1/x.csv",
    ],
)
def test_a_model_role_cannot_overwrite_code_or_input(principals, key):
    assert not can_put(principals["iris"], f"s3://{BUCKET}/{key}")


def test_model_roles_cannot_touch_each_others_data_either_way(principals):
    assert not can_get(principals["iris-x"], f"s3://{BUCKET}/iris/input/batch-1/data.csv")
    assert not can_get(principals["generic"], f"s3://{BUCKET}/iris/input/batch-1/data.csv")
    assert not can_put(principals["generic"], f"s3://{BUCKET}/iris/code/1111/x.py")


def test_generic_workflow_chains_steps_through_its_locations(principals):
    """The original pattern's chaining: each step reads what the previous wrote, through
    generic_s3_uris, the data bucket's `_generic/` area and a write-only-for-models extra
    output prefix."""
    s3 = principals["generic"]
    team = f"s3://{TEAM_BUCKET}/legacycode/"
    assert can_get(s3, team + "data/preproc/input/a.csv")
    assert can_get(s3, team + "scripts/preprocessing.py")
    for location in (
        team + "data/predict/input/",
        f"s3://{BUCKET}/_generic/predict/input/",
        f"s3://{TEAM_BUCKET}/results/",
    ):
        assert can_put(s3, location + "part-0.csv"), location
        assert listed(s3, location) == [_split(location)[1] + "part-0.csv"]
        assert can_get(s3, location + "part-0.csv"), location
    assert not can_put(s3, f"s3://{TEAM_BUCKET}/elsewhere/x.csv")
    assert not can_put(principals["iris"], team + "data/predict/input/x.csv")


def _permitted(policy: str, action: str, resource: str) -> bool:
    from moto.iam.access_control import IAMPolicy, PermissionResult

    return IAMPolicy(policy).is_action_permitted(action, resource) == PermissionResult.PERMITTED


def test_images_each_role_may_pull(rendered):
    """moto's engine asked directly: its server checks ECR calls against Resource "*" only."""
    policies = rendered["policies"]
    repository = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/"
    framework = f"arn:aws:ecr:{REGION}:141502667606:repository/sagemaker-scikit-learn"
    for action in ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"):
        assert _permitted(policies["iris"], action, repository + "legacylift/iris")
        assert _permitted(policies["iris"], action, framework)
        assert not _permitted(policies["iris"], action, repository + "legacylift/iris-x")
        assert not _permitted(policies["iris-x"], action, repository + "legacylift/iris")
        assert _permitted(policies["generic"], action, repository + "sagemakerstudio")
        assert _permitted(policies["generic"], action, framework)
        assert not _permitted(policies["generic"], action, repository + "legacylift/iris")
    for policy in policies.values():
        assert _permitted(policy, "ecr:GetAuthorizationToken", "*")


def test_kms_grant_and_key_description_with_the_key_only(rendered):
    """CreateGrant and DescribeKey (no encryption context) on the deployment's key alone; data
    key use is tested with its conditions in test_kms_request_sequences_*."""
    other_key = KMS_KEY.replace("1234abcd", "9999abcd")
    state_machine = rendered["outputs"]["state_machine_policies"]["iris"]
    for policy in [*rendered["policies"].values(), state_machine]:
        for action in ("kms:CreateGrant", "kms:DescribeKey"):
            assert _permitted(policy, action, KMS_KEY), action
            assert not _permitted(policy, action, other_key), action


def test_state_machines_pass_only_their_own_role(rendered):
    outputs = rendered["outputs"]
    arns = outputs["sagemaker_role_arns"]
    iris = outputs["state_machine_policies"]["iris"]
    assert _permitted(iris, "iam:PassRole", arns["iris"])
    assert not _permitted(iris, "iam:PassRole", arns["iris-x"])
    assert not _permitted(iris, "iam:PassRole", outputs["generic_sagemaker_role_arn"])
    generic = outputs["generic_state_machine_policy"]
    assert _permitted(generic, "iam:PassRole", outputs["generic_sagemaker_role_arn"])
    assert not _permitted(generic, "iam:PassRole", arns["iris"])
