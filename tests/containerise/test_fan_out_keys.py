"""model.toml's [fan_out] table: its defaults, the tfvars it becomes, and the bad values refused
with the key and the fix before anything is built or run."""

from __future__ import annotations

import pytest

from legacylift.errors import LegacyLiftError
from legacylift.models import load_model
from tests.containerise.conftest import copy_sample


def _model(models_dir, toml: str, name="batches"):
    folder = copy_sample("iris", models_dir, name)
    (folder / "model.toml").write_text(toml)
    return folder


def test_objects_per_batch_reaches_the_tfvars(models_dir):
    _model(models_dir, "[fan_out]\nsplit = 'object'\nobjects_per_batch = 25\n")
    model = load_model("batches")
    assert model.tfvars_settings()["fan_out"]["objects_per_batch"] == 25


def test_defaults_and_tfvars(models_dir):
    folder = _model(models_dir, "[fan_out]\n[fan_out.combine]\nscript = 'combine.py'\n")
    (folder / "combine.py").write_text("print('combine')\n")
    model = load_model("batches")
    assert model.fan_out == {
        "split": "prefix",
        "mode": "distributed",
        "max_concurrency": 10,
        "combine": {"script": "combine.py"},
    }
    assert model.script_steps[-1] == "combine" and model.image_for("combine") == "framework"
    assert model.tfvars_settings()["fan_out"]["combine"] == {"script": "combine.py"}


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[fan_out]\nmax_concurrency = 0\n", "fan_out.max_concurrency = 0"),
        ("[fan_out]\nmode = 'inline'\nmax_concurrency = 41\n", "from 1 to 40"),
        ("[fan_out]\ntolerated_failures = -1\n", "fan_out.tolerated_failures = -1"),
        ("[fan_out]\ntolerated_failure_percentage = 120\n", "from 0 to 100"),
        ("[fan_out]\nmode = 'inline'\ntolerated_failures = 1\n", 'needs mode = "distributed"'),
        ("[fan_out]\nsplit = 'rows'\n", "fan_out.split = 'rows'"),
        ("[fan_out]\nmode = 'fast'\n", "fan_out.mode = 'fast'"),
        ("[fan_out]\nbatch_size = 3\n", "unknown key 'fan_out.batch_size'"),
        ("[fan_out]\nsplit = 'object'\nobjects_per_batch = 0\n", "objects_per_batch = 0"),
        ("[fan_out]\nsplit = 'object'\nobjects_per_batch = 101\n", "from 1 to 100"),
        ("[fan_out]\nobjects_per_batch = 5\n", 'needs split = "object"'),
        (
            "[fan_out]\nsplit = 'object'\nmode = 'inline'\nobjects_per_batch = 5\n",
            'mode = "distributed"',
        ),
        ("[fan_out.combine]\nscript = 'combine.py'\n", "fan_out.combine.script = 'combine.py'"),
        ("[fan_out.combine]\nvolume_size = 0\n", "fan_out.combine.volume_size = 0"),
        ("[inference]\ninstance_count = 0\n", "inference.instance_count = 0"),
        ("[inference]\ninstance_count = 101\n", "from 1 to 100"),
    ],
)
def test_bad_fan_out_values_name_the_key_and_the_fix(models_dir, toml, message):
    _model(models_dir, toml)
    with pytest.raises(LegacyLiftError, match=message.replace("(", r"\(")):
        load_model("batches")
