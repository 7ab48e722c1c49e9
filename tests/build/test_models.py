"""Model folders and model.toml (contracts §1): discovery, defaults, validation errors."""

from __future__ import annotations

import pytest

from legacylift.errors import LegacyLiftError
from legacylift.models import discover_models, load_model
from tests.build.conftest import SAMPLES, copy_sample


def test_samples_are_discovered_and_valid():
    names = [model.name for model in discover_models()]
    assert set(SAMPLES) <= set(names)
    diabetes = load_model("diabetes")
    assert diabetes.system_packages == ("libgomp1",)
    assert diabetes.step_settings["inference"]["environment"] == {"OMP_NUM_THREADS": "1"}


def test_defaults_when_model_toml_is_absent(models_dir):
    (copy_sample("iris", models_dir, "plain") / "model.toml").unlink()
    model = load_model("plain")
    assert model.steps == ("preprocessing", "inference", "postprocessing")
    assert [model.image_for(s) for s in model.steps] == ["framework", "model", "framework"]
    assert model.tfvars_settings() == {
        "steps": list(model.steps),
        "preprocessing": {},
        "inference": {},
        "postprocessing": {},
    }


def test_a_subset_of_steps_needs_only_its_scripts(models_dir):
    folder = copy_sample("iris", models_dir, "inference-only")
    (folder / "preprocessing.py").unlink()
    (folder / "postprocessing.py").unlink()
    (folder / "model.toml").write_text('steps = ["inference"]\n')
    assert load_model("inference-only").steps == ("inference",)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("colour = 1\n", "unknown key 'colour'"),
        ('[inference]\nimage_uri = "x"\n', "unknown key 'inference.image_uri'"),
        ('steps = ["postprocessing", "inference"]\n', "ordered subset"),
        ("steps = []\n", "non-empty"),
        ('[defaults]\ninstance_type = "m5.large"\n', "SageMaker instance type"),
        ("[defaults]\nvolume_size = 0\n", "from 1 to 16384"),
        ("[inference]\nmax_runtime = 999999\n", "from 1 to 777600"),
        ('[preprocessing]\nimage = "gpu"\n', "'framework' or 'model'"),
        ("[preprocessing]\nenvironment = { A = 1 }\n", 'NAME = "string value"'),
        ('[preprocessing]\nnetwork = "yes"\n', "true or false"),
        ('system_packages = ["libgomp1; rm -rf /"]\n', "Debian package names"),
        ("steps = [\n", "not valid TOML"),
    ],
)
def test_invalid_model_toml_names_the_key(models_dir, toml, message):
    (copy_sample("iris", models_dir, "bad-toml") / "model.toml").write_text(toml)
    with pytest.raises(LegacyLiftError, match="model.toml") as failure:
        load_model("bad-toml")
    assert message in str(failure.value)


def test_defaults_carry_environment_and_network_into_the_tfvars(models_dir):
    folder = copy_sample("iris", models_dir, "env-defaults")
    (folder / "model.toml").write_text(
        '[defaults]\nenvironment = { LOG_LEVEL = "info" }\nnetwork = false\n'
        '[preprocessing]\nimage = "model"\n'
    )
    settings = load_model("env-defaults").tfvars_settings()
    assert settings["defaults"] == {"environment": {"LOG_LEVEL": "info"}, "network": False}
    assert settings["preprocessing"] == {"image": "model"}
