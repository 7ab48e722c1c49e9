"""Model folders and model.toml (contracts §1): discovery, defaults, validation errors."""

from __future__ import annotations

import pytest

from legacylift.errors import LegacyLiftError
from legacylift.models import discover_models, load_model
from tests.containerise.conftest import SAMPLES, copy_sample


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


def test_step_keys_declare_scripts_arguments_paths_and_entrypoint(models_dir):
    folder = copy_sample("iris", models_dir, "declared")
    (folder / "src").mkdir()
    (folder / "preprocessing.py").rename(folder / "prep.py")
    (folder / "predict.py").rename(folder / "src" / "infer.py")
    (folder / "model.toml").write_text(
        '[preprocessing]\nscript = "prep.py"\narguments = ["--sep", ";"]\n'
        'input_path = "/opt/ml/processing/raw"\n'
        '[inference]\nscript = "src/infer.py"\ninput_path = "/opt/ml/processing/input"\n'
        'output_path = "/opt/ml/processing/predictions"\nentrypoint = "image"\n'
    )
    model = load_model("declared")
    assert model.script_for("preprocessing") == "prep.py"
    assert model.arguments_for("preprocessing") == ("--sep", ";")
    assert model.input_path_for("preprocessing") == "/opt/ml/processing/raw"
    assert model.output_path_for("preprocessing") == "/opt/ml/processing/output"
    assert not model.uses_image_entrypoint("preprocessing")
    assert model.script_for("inference") == "src/infer.py"
    assert model.uses_image_entrypoint("inference")
    assert model.script_for("postprocessing") == "postprocessing.py"
    assert model.arguments_for("postprocessing") == ()
    assert model.input_path_for("postprocessing") == "/opt/ml/processing/input/data"
    assert model.tfvars_settings()["inference"] == {
        "script": "src/infer.py",
        "input_path": "/opt/ml/processing/input",
        "output_path": "/opt/ml/processing/predictions",
        "entrypoint": "image",
    }


def test_image_entrypoint_needs_no_script(models_dir):
    folder = copy_sample("iris", models_dir, "own-cmd")
    (folder / "predict.py").rename(folder / "serve.py")
    (folder / "model.toml").write_text('[inference]\nentrypoint = "image"\n')
    assert load_model("own-cmd").needs_script("inference") is False


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[inference]\nscript = "../x.py"\n', "inference.script = '../x.py': give the"),
        ('[inference]\nscript = "/abs/predict.py"\n', "relative to the model folder"),
        ('[inference]\nscript = "a/../predict.py"\n', "without '..'"),
        ("[inference]\nscript = 3\n", "inference.script = 3"),
        ('[inference]\narguments = "--x"\n', "list of 1 to 100 strings"),
        ("[inference]\narguments = []\n", "list of 1 to 100 strings"),
        ("[inference]\narguments = [1]\n", "ContainerArguments"),
        ('[inference]\ninput_path = "/tmp/in"\n', "under /opt/ml/processing/"),
        ('[inference]\ninput_path = "/opt/ml/processing"\n', "under /opt/ml/processing/"),
        ('[inference]\noutput_path = "/opt/ml/processing/../x"\n', "without '..'"),
        ('[inference]\noutput_path = "/opt/ml/processing/out/"\n', "trailing '/'"),
        ('[inference]\nentrypoint = "python"\n', 'only value is "image"'),
        ('[preprocessing]\nentrypoint = "image"\n', 'set preprocessing.image = "model"'),
        (
            '[inference]\ninput_path = "/opt/ml/processing/io"\n'
            'output_path = "/opt/ml/processing/io/out"\n',
            "overlap",
        ),
        ('[preprocessing]\ninput_path = "/opt/ml/processing/input/code"\n', "stages the code"),
        (
            '[preprocessing]\ninput_path = "/opt/ml/processing/raw"\n'
            'output_path = "/opt/ml/processing/input"\n',
            "stages the code",
        ),
        ('[preprocessing]\noutput_path = "/opt/ml/processing/input/code/o"\n', "stages the code"),
        ('[defaults]\nscript = "x.py"\n', "unknown key 'defaults.script'"),
    ],
)
def test_invalid_step_keys_name_the_key_and_the_fix(models_dir, toml, message):
    """Path containment: planting a `script` check without its '..' test turns the '../x.py'
    case red (the error then comes later, without naming the rule)."""
    (copy_sample("iris", models_dir, "bad-step") / "model.toml").write_text(toml)
    with pytest.raises(LegacyLiftError, match="model.toml") as failure:
        load_model("bad-step")
    assert message in str(failure.value)


def test_a_script_outside_the_usable_files_is_refused(models_dir):
    """Missing, a directory, a symlink to a file outside the folder, or under legacy/.
    Planting the symlink check as always-false turns the 'link.py' case red."""
    folder = copy_sample("iris", models_dir, "bad-script")
    outside = models_dir.parent / "outside.py"
    outside.write_text("print('not in the model')\n")
    (folder / "link.py").symlink_to(outside)
    (folder / "scripts").mkdir()
    cases = {
        "missing.py": "no such file",
        "scripts": "not a regular file",
        "link.py": "symbolic link",
        "legacy/original.py": "stay out of the image",
    }
    for script, message in cases.items():
        (folder / "model.toml").write_text(f'[inference]\nscript = "{script}"\n')
        with pytest.raises(LegacyLiftError, match="inference.script") as failure:
            load_model("bad-script")
        assert message in str(failure.value), script


def test_a_missing_default_script_says_to_declare_it(models_dir):
    folder = copy_sample("iris", models_dir, "renamed")
    (folder / "predict.py").rename(folder / "inference.py")
    with pytest.raises(LegacyLiftError, match="set inference.script in model.toml"):
        load_model("renamed")


def test_script_mode_input_may_hold_the_code_path(models_dir):
    """The SDK's own layout: a framework-image step reading /opt/ml/processing/input/<file>
    while its code is staged at .../input/code. Planted once: `_check_step` refusing any
    overlap with the code path (the former rule) turned this red."""
    folder = copy_sample("iris", models_dir, "sdk-layout")
    (folder / "model.toml").write_text('[preprocessing]\ninput_path = "/opt/ml/processing/input"\n')
    assert load_model("sdk-layout").input_path_for("preprocessing") == "/opt/ml/processing/input"
