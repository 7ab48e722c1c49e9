"""Least privilege on the rendered IAM policy documents: their structure, the patterns moto's
policy engine cannot evaluate (`?`, conditions), and parliament's lint. What the roles may and
may not do is proved with moto's IAM enforcement in test_iam_enforcement.py; `allowed` here is
`tests.iam_evaluation`'s, which evaluates Condition and Deny as IAM does."""

from __future__ import annotations

import json

import pytest

from tests.iam_evaluation import allowed
from tests.iam_evaluation import wildcard_match as iam_match
from tests.iam_lint import accepted_findings, unaccepted
from tests.workflow.asl_evaluation import evaluated_requests
from tests.workflow.conftest import (
    ACCOUNT,
    GENERIC_ROLE_ARN,
    REGION,
    base_vars,
    model_entry,
    role_arn,
)

KMS_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
EXTRA_ROLE = f"arn:aws:iam::{ACCOUNT}:role/team-a-sagemaker"
LOG_GROUP = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/sagemaker/ProcessingJobs"

# The only actions granted on Resource "*": AWS offers no resource-level permissions for them.
UNSCOPABLE = {
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "ecr:GetAuthorizationToken",
    "cloudwatch:PutMetricData",
}
# Condition keys and the only actions each applies to (AWS's service authorization reference).
CONDITION_KEY_ACTIONS = {
    "kms:GrantIsForAWSResource": {"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"},
    "iam:PassedToService": {"iam:PassRole"},
    "s3:prefix": {"s3:ListBucket", "s3:ListBucketVersions"},
    "cloudwatch:namespace": {"cloudwatch:PutMetricData"},
    # Data key use through S3: the encryption context S3 sends (the object's or bucket's ARN).
    "kms:ViaService": {"kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt", "kms:DescribeKey"},
    "kms:EncryptionContext:aws:s3:arn": {"kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"},
}


FAN_OUT = {"split": "object", "max_concurrency": 50, "combine": {"script": "combine.py"}}


@pytest.fixture(scope="module")
def outputs(workflow):
    models = {name: model_entry(name) for name in ("iris", "iris-x", "churn")}
    models["single"] = {"image_uri": model_entry("single")["image_uri"], "steps": ["inference"]}
    # A distributed fan-out with a combine step: its state machine runs its own children.
    models["many"] = model_entry("many", fan_out=FAN_OUT)
    models["many"]["code_uris"]["combine"] = "s3://legacylift-dev-data/many/code/3333/"
    return workflow.render(
        base_vars(
            models,
            enable_generic_workflow=True,
            enable_xray_tracing=True,
            kms_key_arn=KMS_KEY,
            generic_pass_role_arns=[EXTRA_ROLE],
            generic_image_repositories=["sagemakerstudio"],
            extra_input_s3_uris=["s3://legacy-bucket/legacycode/data/"],
        )
    )


def all_policies(outputs) -> dict[str, dict]:
    policies = {f"state machine {n}": p for n, p in outputs["state_machine_policies"].items()}
    policies |= {f"sagemaker {n}": p for n, p in outputs["sagemaker_policies"].items()}
    policies["generic state machine"] = outputs["generic_state_machine_policy"]
    policies["generic sagemaker"] = outputs["generic_sagemaker_policy"]
    return {name: json.loads(text) for name, text in policies.items()}


def statement(policy: dict, sid: str) -> dict:
    (found,) = [each for each in policy["Statement"] if each.get("Sid") == sid]
    return found


def job_arn(name: str) -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:processing-job/{name}"


def test_no_wildcard_actions_and_star_only_for_unscopable_actions(outputs):
    for name, policy in all_policies(outputs).items():
        assert policy["Version"] == "2012-10-17"
        for each in policy["Statement"]:
            # Allows only, but for the generic role's read-only code area (a scoped Deny).
            assert each["Effect"] == "Allow" or each["Sid"] == "GenericCodeIsReadOnly", (name, each)
            for action in each["Action"]:
                assert "*" not in action and "?" not in action, (name, action)
            if "*" in each["Resource"]:
                assert each["Resource"] == ["*"], (name, each)
                assert set(each["Action"]) <= UNSCOPABLE, (name, each)


def test_condition_keys_only_on_actions_they_apply_to(outputs):
    """A condition key that does not apply to an action never matches, silently denying it
    (as kms:GrantIsForAWSResource did on kms:DescribeKey). (Planted bug: putting DescribeKey
    back into the conditioned grant statement turns this red.)"""
    for name, policy in all_policies(outputs).items():
        for each in policy["Statement"]:
            for operator in each.get("Condition", {}).values():
                for key in operator:
                    assert set(each["Action"]) <= CONDITION_KEY_ACTIONS[key], (name, each)


def test_kms_grant_for_both_the_caller_and_the_execution_role(outputs):
    """With a key, CreateProcessingJob's VolumeKmsKeyId needs kms:CreateGrant on the execution
    role as well as on the caller; DescribeKey is granted without condition."""
    for name, policy in all_policies(outputs).items():
        grant = statement(policy, "KmsGrantForSageMaker")
        assert grant["Action"] == ["kms:CreateGrant"] and grant["Resource"] == [KMS_KEY], name
        assert grant["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}
        describe = [s for s in policy["Statement"] if "kms:DescribeKey" in s["Action"]]
        assert describe and all("Condition" not in s for s in describe), name


def test_each_state_machine_passes_only_its_own_role(outputs):
    for name, policy in all_policies(outputs).items():
        for each in policy["Statement"]:
            if "iam:PassRole" not in each["Action"]:
                continue
            assert each["Action"] == ["iam:PassRole"], name
            assert each["Condition"] == {
                "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}
            }
            assert all("*" not in arn and "?" not in arn for arn in each["Resource"])
    policies = all_policies(outputs)
    for model in ("iris", "iris-x", "single"):
        pass_role = statement(policies[f"state machine {model}"], "PassSageMakerRole")
        assert pass_role["Resource"] == [role_arn(model)]
    generic = statement(policies["generic state machine"], "PassSageMakerRole")
    assert sorted(generic["Resource"]) == sorted([GENERIC_ROLE_ARN, EXTRA_ROLE])
    assert outputs["sagemaker_role_arns"]["iris"] == role_arn("iris")
    assert outputs["generic_sagemaker_role_arn"] == GENERIC_ROLE_ARN


def _processing_tasks(states: dict) -> list[dict]:
    """The processing job Tasks of `states`, inside Map item processors too."""
    found = []
    for state in states.values():
        if state["Type"] == "Task" and "sagemaker:" in state["Resource"]:
            found.append(state)
        if state["Type"] == "Map":
            found.extend(_processing_tasks(state["ItemProcessor"]["States"]))
    return found


def test_definitions_name_their_own_role(outputs):
    for model, text in outputs["definitions"].items():
        tasks = _processing_tasks(json.loads(text)["States"])
        roles = {s["Parameters"]["RoleArn"] for s in tasks}
        assert tasks and roles == {role_arn(model)}, model


def test_state_machine_may_create_exactly_its_own_jobs(outputs):
    policies = all_policies(outputs)
    execution = {"input_uri": "s3://b/in/", "output_uri": "s3://b/out/"}
    jobs = {
        model: [
            request["ProcessingJobName"]
            for request in evaluated_requests(
                json.loads(outputs["definitions"][model]), execution, "policy-check"
            )["output"]["jobs"].values()
        ]
        for model in ("iris", "iris-x")
    }
    iris, iris_x = policies["state machine iris"], policies["state machine iris-x"]
    for action in (
        "sagemaker:CreateProcessingJob",
        "sagemaker:DescribeProcessingJob",
        "sagemaker:StopProcessingJob",
        "sagemaker:AddTags",
        "sagemaker:ListTags",
    ):
        for job in jobs["iris"]:
            assert allowed(iris, action, job_arn(job)), (action, job)
            assert not allowed(iris_x, action, job_arn(job)), (action, job)
        for job in jobs["iris-x"]:
            assert allowed(iris_x, action, job_arn(job))
            assert not allowed(iris, action, job_arn(job)), (action, job)
    single = policies["state machine single"]
    assert not allowed(
        single, "sagemaker:CreateProcessingJob", job_arn("legacylift-dev-single-pre-0123456789ab")
    )
    assert allowed(
        single, "sagemaker:CreateProcessingJob", job_arn("legacylift-dev-single-inf-0123456789ab")
    )


def test_execution_roles_trust_only_their_own_jobs(outputs):
    """The trust policy's aws:SourceArn patterns: a model's role serves its own jobs only."""
    sources = outputs["sagemaker_role_source_arns"]
    iris_job = job_arn("legacylift-dev-iris-inf-0123456789ab")
    assert any(iam_match(pattern, iris_job) for pattern in sources["iris"])
    assert not any(iam_match(pattern, iris_job) for pattern in sources["iris-x"])
    generic_job = job_arn(outputs["generic_job_name_prefix"] + "sm-inf-job")
    assert any(iam_match(pattern, generic_job) for pattern in outputs["generic_job_arns"])
    assert not any(iam_match(p, generic_job) for each in sources.values() for p in each)


def test_sync_integration_permissions_present(outputs):
    rule = (
        f"arn:aws:events:{REGION}:{ACCOUNT}:rule/"
        + "StepFunctionsGetEventsForSageMakerProcessingJobsRule"
    )
    for name, policy in all_policies(outputs).items():
        if name.startswith(("sagemaker", "generic sagemaker")):
            continue
        for action in ("events:PutTargets", "events:PutRule", "events:DescribeRule"):
            assert allowed(policy, action, rule), (name, action)
            assert not allowed(policy, action, rule.replace("Processing", "Training"))
        assert allowed(policy, "xray:PutTraceSegments", "*")


def test_generic_jobs_are_scoped_by_prefix(outputs):
    generic = all_policies(outputs)["generic state machine"]
    prefix = outputs["generic_job_name_prefix"]
    assert allowed(
        generic, "sagemaker:CreateProcessingJob", job_arn(prefix + "sm-inf-job-0211-1156")
    )
    assert not allowed(generic, "sagemaker:CreateProcessingJob", job_arn("sm-inf-job-0211-1156"))
    assert not allowed(
        generic, "sagemaker:CreateProcessingJob", job_arn("legacylift-dev-iris-pre-0123456789ab")
    )


def test_log_statements_use_the_documented_arn_forms(outputs):
    """Group-level actions on `log-group:NAME:*`; CreateLogStream and PutLogEvents on the
    role's own job streams (`<job name>/algo-...`) only.

    Planted bug: CreateLogStream back on `log-group:NAME:*` (a role creating streams named
    after another model's or the generic workflow's jobs): red."""
    policies = all_policies(outputs)
    for name, policy in policies.items():
        if "sagemaker" not in name:
            continue
        group = statement(policy, "ProcessingJobLogGroup")
        assert group["Resource"] == [f"{LOG_GROUP}:*"], name
        assert set(group["Action"]) == {"logs:CreateLogGroup", "logs:DescribeLogStreams"}
        streams = statement(policy, "OwnJobLogStreams")
        assert streams["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
        assert all(arn.startswith(f"{LOG_GROUP}:log-stream:") for arn in streams["Resource"])
    iris = policies["sagemaker iris"]
    stream = f"{LOG_GROUP}:log-stream:legacylift-dev-iris-pre-0123456789ab/algo-1-1700000000"
    generic_stream = f"{LOG_GROUP}:log-stream:legacylift-dev--generic-pre-0123/algo-1-1700000000"
    for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
        assert allowed(iris, action, stream)
        assert not allowed(policies["sagemaker iris-x"], action, stream)
        assert not allowed(iris, action, f"{LOG_GROUP}:log-stream:other-job/algo-1")
        assert not allowed(iris, action, generic_stream)
        assert allowed(policies["generic sagemaker"], action, generic_stream)
        assert not allowed(policies["generic sagemaker"], action, stream)


def test_log_delivery_is_granted_once_by_the_state_machine_module(outputs):
    """The vended log delivery statement is modules/state-machine's (which configures the
    logging); the workflow's state machine policies do not repeat it.

    Planted bug: the workflow's own LogDeliveryUnscopable statement back: red."""
    for name, policy in all_policies(outputs).items():
        if "state machine" in name:
            actions = {a for each in policy["Statement"] for a in each["Action"]}
            assert not {a for a in actions if "LogDelivery" in a or "ResourcePolic" in a}, name


def test_each_role_pulls_only_its_own_images(outputs):
    policies = all_policies(outputs)
    framework = f"arn:aws:ecr:{REGION}:141502667606:repository/sagemaker-scikit-learn"
    repository = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/"
    pulls = {
        name: statement(p, "PullOwnImages")["Resource"]
        for name, p in policies.items()
        if "sagemaker" in name
    }
    assert sorted(pulls["sagemaker iris"]) == sorted([repository + "legacylift/iris", framework])
    assert sorted(pulls["generic sagemaker"]) == sorted([framework, repository + "sagemakerstudio"])
    assert all("*" not in arn for arns in pulls.values() for arn in arns)


def test_list_bucket_is_limited_to_the_roles_own_prefixes(outputs):
    """moto ignores conditions: the s3:prefix condition is asserted here."""
    policies = all_policies(outputs)
    (data,) = [
        s
        for s in policies["sagemaker iris"]["Statement"]
        if s["Action"] == ["s3:ListBucket"]
        and s["Resource"] == ["arn:aws:s3:::legacylift-dev-data"]
    ]
    prefixes = data["Condition"]["StringLike"]["s3:prefix"]
    assert all(prefix.startswith("iris/") for prefix in prefixes), prefixes
    assert {"iris/input", "iris/input/*", "iris/runs/*"} <= set(prefixes)


def test_parliament_finds_nothing_but_the_accepted(outputs):
    """Every policy linted by parliament: each finding is listed with its reason in
    tests/iam_accepted_findings.json. (Planted bug: DescribeKey back under the grant condition
    gives UNKNOWN_CONDITION_FOR_ACTION and turns this red.)"""
    problems, seen = unaccepted(all_policies(outputs))
    assert problems == []
    assert seen  # the linter ran and saw the accepted findings it should
    # Linted elsewhere: LogResourcePolicies (modules/state-machine, test_apply), PassTrainingRoles
    # (tests/workflow/test_training.py).
    others = {"LogResourcePolicies", "PassTrainingRoles"}
    missing = {key for key in accepted_findings() if key[0] not in others} - seen
    assert missing == set(), f"accepted findings no policy produces any more: {missing}"


def test_without_kms_or_tracing_no_such_statements(workflow):
    outputs = workflow.render(
        base_vars({"iris": model_entry("iris")}, processing_job_log_group_managed=True)
    )
    text = outputs["state_machine_policies"]["iris"] + outputs["sagemaker_policies"]["iris"]
    assert "kms:" not in text and "xray:" not in text
    assert "logs:CreateLogGroup" not in text  # the group is Terraform's
    # Terraform leaves null outputs out
    assert outputs.get("generic_state_machine_policy") is None
    assert outputs.get("generic_sagemaker_policy") is None
    assert outputs.get("generic_definition") is None


def test_list_bucket_is_allowed_only_under_the_models_own_prefixes(outputs):
    """ListBucket is scoped by its `s3:prefix` condition, not by resource (a bucket ARN has no
    key). Planted bug: the Condition removed from the listing statement; the assertions on other
    prefixes and on a listing with no prefix turn red."""
    role = all_policies(outputs)["sagemaker iris"]
    bucket = "arn:aws:s3:::legacylift-dev-data"
    for prefix in ("iris/input/", "iris/code/1111/", "iris/runs/exec/", "iris/output/"):
        assert allowed(role, "s3:ListBucket", bucket, {"s3:prefix": prefix}), prefix
    for prefix in ("", "secrets/", "iris/", "iris-x/input/", "diabetes/input/"):
        assert not allowed(role, "s3:ListBucket", bucket, {"s3:prefix": prefix}), prefix
    assert not allowed(role, "s3:ListBucket", bucket)  # no prefix: the whole bucket


def test_conditions_of_pass_role_are_evaluated(outputs):
    """PassRole only to SageMaker. Planted bug: the Condition removed; the assertions with
    another service or none turn red."""
    machine = all_policies(outputs)["state machine iris"]
    sagemaker = {"iam:PassedToService": "sagemaker.amazonaws.com"}
    assert allowed(machine, "iam:PassRole", role_arn("iris"), sagemaker)
    assert not allowed(
        machine, "iam:PassRole", role_arn("iris"), {"iam:PassedToService": "ec2.amazonaws.com"}
    )
    assert not allowed(machine, "iam:PassRole", role_arn("iris"))


def test_the_tools_default_locations_are_ones_the_role_may_use(outputs):
    """`upload-input` writes where the model's role may read, and `run`'s default output is
    where it may write. Planted bug: upload-input's old `<model>/inputs/` (and `outputs/`)
    keys, which AWS would deny; this test went red."""
    from legacylift.aws.operations import default_output_key_prefix, input_key_prefix

    role = all_policies(outputs)["sagemaker iris"]
    bucket = "legacylift-dev-data"
    uploaded = f"arn:aws:s3:::{bucket}/{input_key_prefix('iris', 'batch-7')}/a.csv"
    written = f"arn:aws:s3:::{bucket}/{default_output_key_prefix('iris', 'run-1')}result.csv"
    assert allowed(role, "s3:GetObject", uploaded)
    assert allowed(role, "s3:PutObject", written)
