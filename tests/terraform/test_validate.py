"""`terraform validate` of every module, example and the deployment root, real AWS provider."""

from __future__ import annotations

import pytest

from tests.terraform.tfcopy import copy_terraform_tree, validate

pytestmark = [pytest.mark.aws_provider, pytest.mark.terraform_matrix]

CONFIGURATIONS = [
    ".",
    "modules/s3",
    "modules/ecr",
    "modules/sagemaker-role",
    "modules/state-machine",
    "examples/complete",
    "examples/single-model",
    "terraform",
]


@pytest.fixture(scope="module")
def tree(tmp_path_factory, aws_provider):
    """One copy of the Terraform tree shared by the validate tests (init per configuration)."""
    return copy_terraform_tree(tmp_path_factory.mktemp("validate"))


@pytest.mark.parametrize("configuration", CONFIGURATIONS)
def test_configuration_is_valid(tree, configuration):
    result = validate(tree / configuration)
    assert result["valid"], result["diagnostics"]
    assert result["error_count"] == 0
    assert not [d for d in result["diagnostics"] if d["severity"] == "warning"], result
