"""Bad inputs to modules/workflow fail at plan with a message naming the rule and the fix."""

from __future__ import annotations

import pytest

from tests.workflow.conftest import base_vars, model_entry

ACCOUNT_IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/legacylift/iris"


def with_iris(**settings) -> dict:
    return base_vars({"iris": model_entry("iris", **settings)})


CASES = {
    "uppercase name": (base_vars({"Iris": model_entry("iris")}), "model name must be lowercase"),
    "name starting with a digit": (base_vars({"1ris": model_entry("iris")}), "start with a letter"),
    "name of 33 characters": (base_vars({"a" * 33: model_entry("a")}), "at most 32 characters"),
    "instance type without ml.": (
        with_iris(defaults={"instance_type": "m5.large"}),
        "must be a SageMaker Processing instance type",
    ),
    "step instance type without ml.": (
        with_iris(inference={"instance_type": "p3.2xlarge"}),
        "must be a SageMaker Processing instance type",
    ),
    "volume 0": (
        with_iris(defaults={"volume_size": 0}),
        "volume_size in models must be a whole number of GB from 1 to 16384",
    ),
    "volume 16385": (with_iris(postprocessing={"volume_size": 16385}), "from 1 to 16384"),
    "runtime 0": (with_iris(defaults={"max_runtime": 0}), "from 1 to 777600"),
    "runtime 777601": (with_iris(preprocessing={"max_runtime": 777601}), "from 1 to 777600"),
    "empty steps": (
        with_iris(steps=[]),
        "non-empty list of preprocessing, inference, postprocessing in that order",
    ),
    "unordered steps": (with_iris(steps=["inference", "preprocessing"]), "in that order"),
    "unknown step": (with_iris(steps=["training"]), "in that order"),
    "repeated step": (with_iris(steps=["inference", "inference"]), "without repeats"),
    "unknown model key": (with_iris(stepz=["inference"]), "unknown key"),
    "unknown step key": (with_iris(inference={"instance": "ml.m5.large"}), "unknown key"),
    "bad image mode": (with_iris(preprocessing={"image": "custom"}), 'must be "framework"'),
    "input path outside processing": (
        with_iris(inference={"input_path": "/tmp/in"}),
        "input_path and output_path in models must be a directory under /opt/ml/processing/",
    ),
    "output path escaping": (
        with_iris(inference={"output_path": "/opt/ml/processing/../x"}),
        "without '.', '..'",
    ),
    "image entrypoint on the framework image": (
        with_iris(preprocessing={"entrypoint": "image"}),
        'pre- and postprocessing then need image = "model"',
    ),
    "unknown entrypoint": (with_iris(inference={"entrypoint": "python"}), 'must be "image"'),
    "script escaping": (
        with_iris(inference={"script": "../predict.py"}),
        "script must be a path relative to the model folder without '..'",
    ),
    "arguments not strings": (
        with_iris(inference={"arguments": "--x"}),
        "arguments must be a list of 1 to 100 strings",
    ),
    "script in defaults": (with_iris(defaults={"script": "x.py"}), "defaults have an unknown key"),
    "mutable tag": (
        base_vars({"iris": {**model_entry("iris"), "image_uri": ACCOUNT_IMAGE + ":latest"}}),
        "models iris: image_uri is not pinned by digest",
    ),
    "missing code_uris": (
        base_vars({"iris": {"image_uri": model_entry("iris")["image_uri"]}}),
        "iris.code_uris.preprocessing, iris.code_uris.postprocessing missing",
    ),
    "bad name_prefix": (base_vars({}, name_prefix="LegacyLift"), "name_prefix must be lowercase"),
    # Planted bug (the "--" validation removed): red. Another deployment named
    # "<prefix>--generic" would match this one's generic job and role patterns.
    "double hyphen name_prefix": (
        base_vars({}, name_prefix="legacylift--generic"),
        'name_prefix may not contain "--"',
    ),
    "bad role": (base_vars({}, sagemaker_role_arn="my-role"), "or an IAM role ARN"),
    "empty repository prefix": (
        base_vars({}, ecr_repository_prefix=""),
        "ecr_repository_prefix must be lowercase repository path segments",
    ),
    "wildcard repository": (
        base_vars({}, generic_image_repositories=["team/*"]),
        "generic_image_repositories entry must be an ECR repository name",
    ),
    "wildcard chain location": (
        base_vars({}, generic_s3_uris=["s3://bucket/*/output/"]),
        "generic_s3_uris entry must be an s3://bucket/prefix URI without wildcards",
    ),
    "bad account": (base_vars({}, aws_account_id="1234"), "must be 12 digits"),
    "kms alias": (base_vars({}, kms_key_arn="alias/mine"), "KMS key ARN"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_with_a_readable_message(workflow, case):
    variables, expected = CASES[case]
    message = " ".join(workflow.render_error(variables).split())  # Terraform wraps long lines
    assert expected in message, message


def test_mutable_tags_render_when_explicitly_allowed(workflow):
    variables = base_vars(
        {"iris": {**model_entry("iris"), "image_uri": "127.0.0.1:5000/legacylift/iris:3f2a"}},
        allow_mutable_image_tags=True,
        aws_account_id="000000000000",
        aws_region="us-east-1",
    )
    outputs = workflow.render(variables)
    assert "127.0.0.1:5000/legacylift/iris:3f2a" in outputs["definitions"]["iris"]


def test_definition_over_one_megabyte_fails_naming_the_model(workflow):
    # 1.2 MB of UTF-8 but 0.6 M characters: the check must count bytes
    environment = {f"VALUE_{index}": "é" * 5_000 for index in range(40)}
    variables = with_iris(defaults={"environment": environment})
    message = " ".join(workflow.render_error(variables).split())
    assert "the state machine definitions of iris (" in message
    assert "exceed Step Functions' 1 MB limit" in message


def test_definition_just_under_the_limit_renders(workflow):
    environment = {f"VALUE_{index}": "é" * 5_000 for index in range(30)}  # ~900 kB in all
    outputs = workflow.render(with_iris(defaults={"environment": environment}))
    size = len(outputs["definitions"]["iris"].encode())
    assert 900_000 < size <= 1_048_576
    assert len(outputs["definitions"]["iris"]) < size  # multi-byte characters: bytes counted
