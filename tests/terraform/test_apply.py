"""Full apply, then destroy, of the root module and of terraform/ into moto on 127.0.0.1, with
the real AWS provider; the created resources are checked through boto3."""

from __future__ import annotations

import json

import boto3
import pytest

from legacylift.containerise.code_folder import code_digest
from tests.terraform.tfcopy import (
    FIXTURE_MODELS,
    REPO_ROOT,
    copy_terraform_tree,
    image_uri,
    moto_provider_block,
    tftest_runner,
    write_json,
)

pytestmark = [pytest.mark.aws_provider, pytest.mark.slow]

PREFIX = "ap-root"
TRAINING = {
    "train": {"artifact_paths": ["model.joblib"]},
    "evaluate": {},
    "promotion": {"metric": "accuracy", "threshold": 0.9},
}


def _client(service: str):
    return boto3.client(service, region_name="us-east-1")


@pytest.fixture(scope="module")
def applied_root(tmp_path_factory, moto_aws):
    """The root module applied into moto with a built model, an unbuilt one and the generic
    workflow; destroyed afterwards (the destroy is asserted in its own test)."""
    tree = copy_terraform_tree(tmp_path_factory.mktemp("apply-root"))
    (tree / "provider.tf").write_text(moto_provider_block(moto_aws.endpoint))
    write_json(
        tree / "test.tfvars.json",
        {
            "name_prefix": PREFIX,
            "models_dir": str(tree / "legacy_models"),
            "force_destroy": True,
            "enable_generic_workflow": True,
            "manage_processing_job_log_group": True,
            "processing_job_log_retention_days": 30,
            "models": {
                "iris": {
                    "image_uri": image_uri("iris"),
                    "defaults": {"volume_size": 20},
                    **TRAINING,
                },
                "churn": {"image_uri": None},
            },
        },
    )
    runner = tftest_runner(tree)
    runner.apply(tf_var_file="test.tfvars.json")
    outputs = runner.output()
    yield runner, outputs
    if runner.state_pull().resources:  # left behind when the destroy test did not run
        runner.destroy(tf_var_file="test.tfvars.json")


def test_outputs_follow_the_contract(applied_root):
    _, outputs = applied_root
    assert set(outputs["state_machine_arns"]) == {"iris"}  # churn has no image yet
    assert set(outputs["ecr_repository_urls"]) == {"iris", "churn"}
    assert outputs["data_bucket"] == f"{PREFIX}-data-123456789012"
    assert set(outputs["sagemaker_role_arns"]) == {"iris"}
    assert outputs["sagemaker_role_arns"]["iris"].endswith(f":role/{PREFIX}-iris-sagemaker")
    assert outputs["generic_sagemaker_role_arn"].endswith(f":role/{PREFIX}--generic-sagemaker")
    assert outputs["log_group_names"] == {"iris": f"/aws/vendedlogs/states/{PREFIX}-iris"}
    assert outputs["generic_state_machine_arn"].endswith(f":stateMachine:{PREFIX}--generic")


def test_bucket_is_hardened(applied_root):
    _, outputs = applied_root
    s3, bucket = _client("s3"), outputs["data_bucket"]
    encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block[key] for key in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls"))
    assert block["RestrictPublicBuckets"]
    ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]
    assert ownership["Rules"][0]["ObjectOwnership"] == "BucketOwnerEnforced"
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    insecure = [s for s in policy["Statement"] if s.get("Sid") == "DenyInsecureTransport"]
    assert insecure and insecure[0]["Effect"] == "Deny"
    assert insecure[0]["Condition"]["Bool"]["aws:SecureTransport"] == "false"
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    expiring = {rule["Filter"].get("Prefix"): rule for rule in rules if "Expiration" in rule}
    assert set(expiring) == {"iris/runs/", "churn/runs/"}
    assert expiring["iris/runs/"]["Expiration"]["Days"] == 30


def test_scripts_are_uploaded_under_content_hashed_keys(applied_root):
    """iris's entry lists no code_files: its scripts alone, in one folder named by code_digest."""
    _, outputs = applied_root
    s3 = _client("s3")
    scripts = [
        (f"{step}.py", FIXTURE_MODELS / "iris" / f"{step}.py")
        for step in ("postprocessing", "preprocessing")
    ]
    for step in ("preprocessing", "postprocessing"):
        uri = outputs["code_uris"]["iris"][step]
        bucket, folder = uri.removeprefix("s3://").split("/", 1)
        assert folder == f"iris/code/{code_digest(scripts)}/"
        for relative, path in scripts:
            body = s3.get_object(Bucket=bucket, Key=f"{folder}{relative}")["Body"].read()
            assert body == path.read_bytes()
    assert outputs["code_uris"]["churn"] == {}


def test_repositories_are_immutable_scanned_and_expire_images(applied_root):
    ecr = _client("ecr")
    for model in ("iris", "churn"):
        repository = ecr.describe_repositories(repositoryNames=[f"legacylift/{model}"])[
            "repositories"
        ][0]
        assert repository["imageTagMutability"] == "IMMUTABLE"
        assert repository["imageScanningConfiguration"]["scanOnPush"] is True
        assert repository["encryptionConfiguration"]["encryptionType"] == "AES256"
        policy = json.loads(
            ecr.get_lifecycle_policy(repositoryName=f"legacylift/{model}")["lifecyclePolicyText"]
        )
        selections = [rule["selection"] for rule in policy["rules"]]
        assert {"untagged", "any"} == {selection["tagStatus"] for selection in selections}


def test_roles_have_inline_policies_only(applied_root):
    _, outputs = applied_root
    iam = _client("iam")
    for arn in (outputs["sagemaker_role_arns"]["iris"], outputs["generic_sagemaker_role_arn"]):
        sagemaker_role = arn.rsplit("/", 1)[1]
        trust = iam.get_role(RoleName=sagemaker_role)["Role"]["AssumeRolePolicyDocument"]
        assert trust["Statement"][0]["Principal"]["Service"] == "sagemaker.amazonaws.com"
        condition = trust["Statement"][0]["Condition"]
        assert condition["StringEquals"]["aws:SourceAccount"] == "123456789012"
        sources = condition["ArnLike"]["aws:SourceArn"]
        sources = [sources] if isinstance(sources, str) else sources
        assert all(":processing-job/" + PREFIX in source for source in sources), sources
        assert iam.list_role_policies(RoleName=sagemaker_role)["PolicyNames"] == ["processing-jobs"]
        assert iam.list_attached_role_policies(RoleName=sagemaker_role)["AttachedPolicies"] == []

    machine_role = outputs["state_machine_role_arns"]["iris"].rsplit("/", 1)[1]
    trust = iam.get_role(RoleName=machine_role)["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"]["Service"] == "states.amazonaws.com"
    source = trust["Statement"][0]["Condition"]["ArnLike"]["aws:SourceArn"]
    assert outputs["state_machine_arns"]["iris"] in source
    names = iam.list_role_policies(RoleName=machine_role)["PolicyNames"]
    assert sorted(names) == ["observability", "workflow"]
    workflow = iam.get_role_policy(RoleName=machine_role, PolicyName="workflow")["PolicyDocument"]
    statements = workflow["Statement"]
    create = [s for s in statements if "sagemaker:CreateProcessingJob" in _actions(s)]
    assert create, "the state machine role cannot create processing jobs"
    assert all(resource != "*" for s in create for resource in _resources(s))


def test_every_role_policy_passes_parliament(applied_root):
    """parliament over every inline policy of every role the deployment created; each finding
    must be listed with its reason in tests/iam_accepted_findings.json."""
    from tests.iam_lint import unaccepted

    iam = _client("iam")
    roles = [r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(PREFIX)]
    documents = {
        f"{role}/{name}": iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        for role in roles
        for name in iam.list_role_policies(RoleName=role)["PolicyNames"]
    }
    # iris: jobs' role and machine's role for inference; for training the Train and Evaluate
    # jobs' roles and the machine's role; generic: jobs' and machine's roles.
    assert sorted(roles) == sorted(
        f"{PREFIX}-{suffix}"
        for suffix in (
            "iris-sagemaker",
            "iris-sfn",
            "iris-train",
            "iris-evaluate",
            "iris-train-sfn",
            "-generic-sagemaker",
            "-generic-sfn",
        )
    )
    assert all(any(key.startswith(role + "/") for key in documents) for role in roles)
    problems, seen = unaccepted(documents)
    assert problems == []
    assert seen


def test_processing_job_log_group_is_managed_when_asked(applied_root):
    """Opt-in: the account-wide group gets retention; the roles then cannot create it."""
    _, outputs = applied_root
    group = _client("logs").describe_log_groups(logGroupNamePrefix="/aws/sagemaker/Processing")
    (found,) = group["logGroups"]
    assert found["logGroupName"] == outputs["processing_job_log_group_name"]
    assert found["retentionInDays"] == 30
    role = outputs["sagemaker_role_arns"]["iris"].rsplit("/", 1)[1]
    policy = _client("iam").get_role_policy(RoleName=role, PolicyName="processing-jobs")
    assert "logs:CreateLogGroup" not in json.dumps(policy["PolicyDocument"])


def test_state_machine_definition_and_logging(applied_root):
    _, outputs = applied_root
    sfn, logs = _client("stepfunctions"), _client("logs")
    machine = sfn.describe_state_machine(stateMachineArn=outputs["state_machine_arns"]["iris"])
    assert machine["type"] == "STANDARD"
    assert machine["roleArn"] == outputs["state_machine_role_arns"]["iris"]
    definition = json.loads(machine["definition"])
    assert image_uri("iris") in _strings(definition)
    assert all(
        state["Resource"].endswith(":states:::sagemaker:createProcessingJob.sync")
        for state in definition["States"].values()
        if state["Type"] == "Task"
    )
    logging = machine["loggingConfiguration"]
    assert logging["level"] == "ERROR"
    assert logging.get("includeExecutionData", False) is False  # moto omits false
    destination = logging["destinations"][0]["cloudWatchLogsLogGroup"]["logGroupArn"]
    assert f":log-group:{outputs['log_group_names']['iris']}:" in destination
    assert machine["tracingConfiguration"]["enabled"] is True
    group = logs.describe_log_groups(logGroupNamePrefix=outputs["log_group_names"]["iris"])
    assert group["logGroups"][0]["retentionInDays"] == 365


def test_training_state_machine_role_and_step_runner(applied_root):
    _, outputs = applied_root
    sfn, iam, s3 = _client("stepfunctions"), _client("iam"), _client("s3")
    assert set(outputs["training_state_machine_arns"]) == {"iris"}
    machine = sfn.describe_state_machine(
        stateMachineArn=outputs["training_state_machine_arns"]["iris"]
    )
    assert machine["name"] == f"{PREFIX}-iris-train"
    states = json.loads(machine["definition"])["States"]
    assert states["Promote"]["Resource"] == "arn:aws:states:::aws-sdk:s3:putObject"
    assert states["Promote"]["Parameters"]["Key"] == "iris/models/promoted.json"
    role = outputs["training_role_arns"]["iris"]
    assert states["Train"]["Parameters"]["RoleArn"] == role
    evaluation_role = outputs["evaluation_role_arns"]["iris"]
    assert states["Evaluate"]["Parameters"]["RoleArn"] == evaluation_role != role
    assert iam.get_role(RoleName=evaluation_role.rsplit("/", 1)[1])["Role"]["RoleName"].endswith(
        "-iris-evaluate"
    )
    role_name = role.rsplit("/", 1)[1]
    trust = iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"]["Service"] == "sagemaker.amazonaws.com"
    runner = states["Train"]["Parameters"]["ProcessingInputs"][1]["S3Input"]["S3Uri"]
    bucket, folder = runner.removeprefix("s3://").split("/", 1)
    source = (REPO_ROOT / "modules/workflow/files/steprunner.py").read_bytes()
    assert s3.get_object(Bucket=bucket, Key=f"{folder}steprunner.py")["Body"].read() == source
    assert outputs["promotion_records"]["iris"] == (
        f"s3://{outputs['data_bucket']}/iris/models/promoted.json"
    )


def test_destroy_removes_everything(applied_root):
    runner, outputs = applied_root
    runner.destroy(tf_var_file="test.tfvars.json")
    assert not any(
        machine["name"].startswith(PREFIX)
        for machine in _client("stepfunctions").list_state_machines()["stateMachines"]
    )
    buckets = [bucket["Name"] for bucket in _client("s3").list_buckets()["Buckets"]]
    assert outputs["data_bucket"] not in buckets
    roles = [role["RoleName"] for role in _client("iam").list_roles()["Roles"]]
    assert not [role for role in roles if role.startswith(PREFIX)]


@pytest.fixture(scope="module")
def deployment_root(tmp_path_factory, moto_aws):
    """A copy of terraform/ with its provider and backend overridden for moto (local state)."""
    tree = copy_terraform_tree(tmp_path_factory.mktemp("apply-deployment"))
    root = tree / "terraform"
    (root / "moto_override.tf").write_text(
        moto_provider_block(moto_aws.endpoint) + '\nterraform {\n  backend "local" {}\n}\n'
    )
    return root


def test_deployment_root_first_apply_before_any_image_then_pinned(deployment_root):
    """The documented flow: workspace, first apply with image_uri = null (repository only),
    then the build pins the digest and a second apply creates the state machine. (Workspace
    `rootflow`: the deploy tests leave their `dev` deployment in the session's moto.)"""
    tfvars = deployment_root / "tfvars"
    runner = tftest_runner(deployment_root, workspace_name="rootflow")
    first = {"models": {"iris": {"image_uri": None}}}
    write_json(tfvars / "rootflow.models.tfvars.json", first)
    extra = {"force_destroy": True}
    write_json(deployment_root / "test.tfvars.json", extra)
    files = ["tfvars/rootflow.models.tfvars.json", "test.tfvars.json"]
    try:
        runner.apply(tf_var_file=files)
        outputs = runner.output()
        assert outputs["workspace"] == "rootflow"
        assert outputs["state_machine_arns"] == {}
        assert outputs["data_bucket"] == "legacylift-rootflow-data-123456789012"
        assert _client("ecr").describe_repositories(repositoryNames=["legacylift/iris"])

        pinned = {"models": {"iris": {"image_uri": image_uri("iris", "b")}}}
        write_json(tfvars / "rootflow.models.tfvars.json", pinned)
        runner.apply(tf_var_file=files)
        outputs = runner.output()
        arn = outputs["state_machine_arns"]["iris"]
        assert arn.endswith(":stateMachine:legacylift-rootflow-iris")
        definition = _client("stepfunctions").describe_state_machine(stateMachineArn=arn)
        assert image_uri("iris", "b") in _strings(json.loads(definition["definition"]))
        tags = _client("stepfunctions").list_tags_for_resource(resourceArn=arn)["tags"]
        assert {"key": "legacylift:workspace", "value": "rootflow"} in tags
    finally:
        runner.destroy(tf_var_file=files)
    assert "legacylift-rootflow-data-123456789012" not in [
        bucket["Name"] for bucket in _client("s3").list_buckets()["Buckets"]
    ]


def _actions(statement: dict) -> list[str]:
    action = statement.get("Action", [])
    return [action] if isinstance(action, str) else action


def _resources(statement: dict) -> list[str]:
    resource = statement.get("Resource", [])
    return [resource] if isinstance(resource, str) else resource


def _strings(node) -> list[str]:
    """Every string value anywhere in a decoded JSON document."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [text for value in node.values() for text in _strings(value)]
    if isinstance(node, list):
        return [text for value in node for text in _strings(value)]
    return []


def test_a_fan_out_of_object_groups_applies_and_destroys(tmp_path_factory, moto_aws):
    """The root module with `objects_per_batch`, its state machine (and what it depends on)
    applied into moto: the definition holds the ItemBatcher and the ManifestFile input, the
    role the manifest grant alone in the run area; then destroyed."""
    tree = copy_terraform_tree(tmp_path_factory.mktemp("apply-groups"))
    (tree / "provider.tf").write_text(moto_provider_block(moto_aws.endpoint))
    fan_out = {"split": "object", "objects_per_batch": 10}
    write_json(
        tree / "groups.tfvars.json",
        {
            "name_prefix": "ap-groups",
            "models_dir": str(tree / "legacy_models"),
            "force_destroy": True,
            "models": {"iris": {"image_uri": image_uri("iris"), "fan_out": fan_out}},
        },
    )
    runner, target = tftest_runner(tree), ['module.state_machine["iris"]']
    runner.apply(tf_var_file="groups.tfvars.json", targets=target)
    try:
        sfn = _client("stepfunctions")
        (arn,) = [
            m["stateMachineArn"]
            for m in sfn.list_state_machines()["stateMachines"]
            if m["name"] == "ap-groups-iris"
        ]
        machine = sfn.describe_state_machine(stateMachineArn=arn)
        batches = json.loads(machine["definition"])["States"]["RunBatches"]
        assert batches["ItemBatcher"]["MaxItemsPerBatch"] == 10
        first = batches["ItemProcessor"]["States"]["Preprocessing"]["Parameters"]
        assert first["ProcessingInputs"][0]["S3Input"]["S3DataType"] == "ManifestFile"
        role = machine["roleArn"].rsplit("/", 1)[1]
        policy = _client("iam").get_role_policy(RoleName=role, PolicyName="workflow")
        writes = [
            resource
            for s in policy["PolicyDocument"]["Statement"]
            if "s3:PutObject" in _actions(s)
            for resource in _resources(s)
            if "/iris/runs/" in resource
        ]
        assert len(writes) == 1 and writes[0].endswith("/iris/runs/*/manifests/*"), writes
    finally:
        runner.destroy(tf_var_file="groups.tfvars.json", targets=target)
