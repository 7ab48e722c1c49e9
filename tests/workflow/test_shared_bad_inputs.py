"""One table of bad model settings, refused by both owners of the rules: Python's early check of
`model.toml` (legacylift/models.py) and modules/workflow, the rules' owner in Terraform. A rule
one side drops or loosens turns its rows red, so the two cannot drift apart.

Planted bug, seen red: allowing `image = "framework"` for the inference step in Python (as it
once did) turns the "inference in the framework image" row red.
"""

from __future__ import annotations

import tomllib

import pytest

from legacylift.errors import LegacyLiftError
from legacylift.models import load_model
from tests.workflow.conftest import base_vars, model_entry

pytestmark = pytest.mark.terraform_matrix

# name of the case -> (model name, model.toml text)
BAD_SETTINGS = {
    "uppercase model name": ("Iris", ""),
    "model name starting with a digit": ("1ris", ""),
    "model name of 33 characters": ("a" * 33, ""),
    "empty steps": ("iris", "steps = []"),
    "steps out of order": ("iris", 'steps = ["inference", "preprocessing"]'),
    "unknown step": ("iris", 'steps = ["training"]'),
    "repeated step": ("iris", 'steps = ["inference", "inference"]'),
    "unknown top-level key": ("iris", 'stepz = ["inference"]'),
    "unknown step key": ("iris", '[inference]\ninstance = "ml.m5.large"'),
    "instance type without ml.": ("iris", '[defaults]\ninstance_type = "m5.large"'),
    "instance type without a size": ("iris", '[inference]\ninstance_type = "ml.m5"'),
    "volume 0": ("iris", "[defaults]\nvolume_size = 0"),
    "volume 16385": ("iris", "[postprocessing]\nvolume_size = 16385"),
    "fractional volume": ("iris", "[defaults]\nvolume_size = 2.5"),
    "runtime 0": ("iris", "[defaults]\nmax_runtime = 0"),
    "runtime 777601": ("iris", "[preprocessing]\nmax_runtime = 777601"),
    "unknown image mode": ("iris", '[preprocessing]\nimage = "custom"'),
    "inference in the framework image": ("iris", '[inference]\nimage = "framework"'),
}


def write_model(models_dir, name: str, toml: str) -> None:
    folder = models_dir / name
    folder.mkdir()
    (folder / "model.toml").write_text(toml + "\n")
    for script in ("requirements.txt", "preprocessing.py", "predict.py", "postprocessing.py"):
        (folder / script).write_text("")


@pytest.mark.parametrize("case", list(BAD_SETTINGS))
def test_python_refuses(models_dir, case):
    name, toml = BAD_SETTINGS[case]
    write_model(models_dir, name, toml)
    with pytest.raises(LegacyLiftError):
        load_model(name)


@pytest.mark.parametrize("case", list(BAD_SETTINGS))
def test_the_workflow_module_refuses(workflow, case):
    name, toml = BAD_SETTINGS[case]
    entry = model_entry(name, **tomllib.loads(toml))
    message = " ".join(workflow.render_error(base_vars({name: entry})).split())
    # Terraform 1.0 names the variable by its declaration (`variable "models"`), newer releases
    # as `var.models`: either way the refusal is of the models variable.
    names_models = "var.models" in message or 'variable "models"' in message
    assert "Invalid value for variable" in message and names_models, message
