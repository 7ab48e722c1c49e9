"""Least privilege on the rendered IAM policy documents, decided by `tests.iam_evaluation`
(Condition and Deny evaluated as IAM does)."""

from __future__ import annotations

import json

import pytest

from tests.iam_evaluation import allowed
from tests.workflow.asl_evaluation import evaluated_requests
from tests.workflow.conftest import ACCOUNT, REGION, ROLE_ARN, base_vars, model_entry

KMS_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
EXTRA_ROLE = f"arn:aws:iam::{ACCOUNT}:role/team-a-sagemaker"

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


@pytest.fixture(scope="module")
def outputs(workflow):
    models = {name: model_entry(name) for name in ("iris", "iris-x", "churn")}
    models["single"] = {"image_uri": model_entry("single")["image_uri"], "steps": ["inference"]}
    return workflow.render(
        base_vars(
            models,
            enable_generic_workflow=True,
            enable_xray_tracing=True,
            kms_key_arn=KMS_KEY,
            generic_pass_role_arns=[EXTRA_ROLE],
            extra_input_s3_uris=["s3://legacy-bucket/legacycode/data/"],
        )
    )


def all_policies(outputs) -> dict[str, dict]:
    policies = {f"state machine {n}": p for n, p in outputs["state_machine_policies"].items()}
    policies["generic state machine"] = outputs["generic_state_machine_policy"]
    policies["sagemaker role"] = outputs["sagemaker_policy"]
    return {name: json.loads(text) for name, text in policies.items()}


def job_arn(name: str) -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:processing-job/{name}"


def test_no_wildcard_actions_and_star_only_for_unscopable_actions(outputs):
    for name, policy in all_policies(outputs).items():
        assert policy["Version"] == "2012-10-17"
        for statement in policy["Statement"]:
            assert statement["Effect"] == "Allow"
            for action in statement["Action"]:
                assert "*" not in action and "?" not in action, (name, action)
            if "*" in statement["Resource"]:
                assert statement["Resource"] == ["*"], (name, statement)
                assert set(statement["Action"]) <= UNSCOPABLE, (name, statement)


def test_every_pass_role_is_conditioned_and_scoped(outputs):
    for name, policy in all_policies(outputs).items():
        for statement in policy["Statement"]:
            if "iam:PassRole" not in statement["Action"]:
                continue
            assert statement["Action"] == ["iam:PassRole"], name
            assert statement["Condition"] == {
                "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}
            }
            assert all("*" not in arn and "?" not in arn for arn in statement["Resource"])
    assert json.loads(outputs["state_machine_policies"]["iris"])["Statement"][2]["Resource"] == [
        ROLE_ARN
    ]
    generic = json.loads(outputs["generic_state_machine_policy"])
    (pass_role,) = [s for s in generic["Statement"] if s["Action"] == ["iam:PassRole"]]
    assert sorted(pass_role["Resource"]) == sorted([ROLE_ARN, EXTRA_ROLE])


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


def test_sync_integration_permissions_present(outputs):
    rule = (
        f"arn:aws:events:{REGION}:{ACCOUNT}:rule/"
        + "StepFunctionsGetEventsForSageMakerProcessingJobsRule"
    )
    for name, policy in all_policies(outputs).items():
        if name == "sagemaker role":
            continue
        for action in ("events:PutTargets", "events:PutRule", "events:DescribeRule"):
            assert allowed(policy, action, rule), (name, action)
            assert not allowed(policy, action, rule.replace("Processing", "Training"))
        assert allowed(policy, "xray:PutTraceSegments", "*")
        # Grants only for AWS resources (SageMaker's volumes), as its Condition says.
        for_aws = {"kms:GrantIsForAWSResource": "true"}
        assert allowed(policy, "kms:CreateGrant", KMS_KEY, for_aws)
        assert not allowed(policy, "kms:CreateGrant", KMS_KEY)


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


def test_sagemaker_role_reads_inputs_writes_outputs_and_pulls_images(outputs):
    role = all_policies(outputs)["sagemaker role"]
    layout = outputs["s3_layout"]["models"]["iris"]

    def obj(uri):
        return "arn:aws:s3:::" + uri.removeprefix("s3://")

    assert allowed(role, "s3:GetObject", obj(layout["input"] + "batch/1.csv"))
    assert allowed(role, "s3:GetObject", obj(layout["code"] + "1111/preprocessing.py"))
    assert allowed(role, "s3:GetObject", obj(layout["runs"] + "exec/preprocessing/x.csv"))
    assert allowed(role, "s3:GetObject", "arn:aws:s3:::legacy-bucket/legacycode/data/x.csv")
    assert not allowed(role, "s3:GetObject", "arn:aws:s3:::legacy-bucket/secrets/x")
    assert not allowed(role, "s3:GetObject", obj(layout["output"] + "x.csv"))
    assert allowed(role, "s3:PutObject", obj(layout["output"] + "x.csv"))
    assert allowed(role, "s3:PutObject", obj(layout["runs"] + "exec/inference/x.csv"))
    assert not allowed(role, "s3:PutObject", obj(layout["input"] + "x.csv"))
    assert not allowed(role, "s3:PutObject", obj(layout["code"] + "x.py"))
    repository = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/legacylift/iris"
    assert allowed(role, "ecr:BatchGetImage", repository)
    assert allowed(
        role,
        "ecr:BatchGetImage",
        f"arn:aws:ecr:{REGION}:141502667606:repository/sagemaker-scikit-learn",
    )
    assert not allowed(
        role, "ecr:BatchGetImage", f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/other/iris"
    )
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/sagemaker/ProcessingJobs"
    assert allowed(role, "logs:PutLogEvents", group + ":log-stream:iris/algo-1")
    assert not allowed(
        role, "logs:PutLogEvents", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/other:log-stream:x"
    )
    assert allowed(role, "kms:GenerateDataKey", KMS_KEY) and allowed(role, "kms:Decrypt", KMS_KEY)


def test_without_kms_or_tracing_no_such_statements(workflow):
    outputs = workflow.render(base_vars({"iris": model_entry("iris")}))
    text = outputs["state_machine_policies"]["iris"] + outputs["sagemaker_policy"]
    assert "kms:" not in text and "xray:" not in text
    # Terraform leaves null outputs out
    assert outputs.get("generic_state_machine_policy") is None
    assert outputs.get("generic_definition") is None


def test_list_bucket_is_allowed_only_under_the_workflow_prefixes(outputs):
    """ListBucket is scoped by its `s3:prefix` condition, not by resource (a bucket ARN has no
    key). Planted bug: the Condition removed from ListDataBucketAreas; the assertions on other
    prefixes and on a listing with no prefix turn red."""
    role = all_policies(outputs)["sagemaker role"]
    bucket = "arn:aws:s3:::legacylift-dev-data"
    for prefix in ("iris/input/", "iris/code/1111/", "iris/runs/exec/", "iris/output/"):
        assert allowed(role, "s3:ListBucket", bucket, {"s3:prefix": prefix}), prefix
    for prefix in ("", "secrets/", "iris/", "iris/inputs-other"):
        assert not allowed(role, "s3:ListBucket", bucket, {"s3:prefix": prefix}), prefix
    assert not allowed(role, "s3:ListBucket", bucket)  # no prefix: the whole bucket
    legacy = "arn:aws:s3:::legacy-bucket"
    assert allowed(role, "s3:ListBucket", legacy, {"s3:prefix": "legacycode/data/2024/"})
    assert not allowed(role, "s3:ListBucket", legacy, {"s3:prefix": "secrets/"})


def test_conditions_of_pass_role_and_metrics_are_evaluated(outputs):
    """PassRole only to SageMaker, metrics only in SageMaker's namespace. Planted bug: either
    Condition removed; the assertions with another service or namespace turn red."""
    policies = all_policies(outputs)
    machine = policies["state machine iris"]
    sagemaker = {"iam:PassedToService": "sagemaker.amazonaws.com"}
    assert allowed(machine, "iam:PassRole", ROLE_ARN, sagemaker)
    assert not allowed(
        machine, "iam:PassRole", ROLE_ARN, {"iam:PassedToService": "ec2.amazonaws.com"}
    )
    assert not allowed(machine, "iam:PassRole", ROLE_ARN)
    role = policies["sagemaker role"]
    namespace = {"cloudwatch:namespace": "/aws/sagemaker/ProcessingJobs"}
    assert allowed(role, "cloudwatch:PutMetricData", "*", namespace)
    assert not allowed(role, "cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": "Custom"})
