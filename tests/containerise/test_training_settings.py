"""model.toml's training workflow: [train], [evaluate], [promotion] and
`[inference] artifacts = "promoted"`, parsed into the tfvars entry; bad input names the fix."""

from __future__ import annotations

import pytest

from legacylift.errors import LegacyLiftError
from legacylift.models import load_model
from tests.containerise.conftest import copy_sample

TRAINING = """
[train]
arguments = ["/opt/ml/processing/input/data"]
artifact_paths = ["model.joblib"]
[evaluate]
script = "evaluate.py"
output_path = "/opt/ml/processing/metrics"
[promotion]
metric = "scores.accuracy"
threshold = 0.9
"""


def with_toml(models_dir, text: str, name: str = "trained") -> str:
    folder = copy_sample("iris", models_dir, name)
    (folder / "model.toml").write_text(text)
    return name


def test_training_sections_flow_into_the_tfvars_entry(models_dir):
    model = load_model(with_toml(models_dir, TRAINING + '[inference]\nartifacts = "promoted"\n'))
    assert model.has_training and model.uses_promoted_artifacts
    settings = model.tfvars_settings()
    assert settings["train"] == {
        "arguments": ["/opt/ml/processing/input/data"],
        "artifact_paths": ["model.joblib"],
    }
    assert settings["evaluate"]["output_path"] == "/opt/ml/processing/metrics"
    assert settings["promotion"] == {
        "metric": "scores.accuracy",
        "threshold": 0.9,
        "metrics_file": "metrics.json",
        "direction": "higher",
    }
    assert settings["inference"] == {"artifacts": "promoted"}


def test_a_model_without_training_keeps_its_tfvars_entry(models_dir):
    model = load_model(with_toml(models_dir, 'steps = ["inference"]\n'))
    assert not model.has_training
    assert "train" not in model.tfvars_settings()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[train]\n[evaluate]\n", "needs [train], [evaluate] and [promotion]: add [promotion]"),
        (TRAINING.replace("threshold = 0.9", ""), "[promotion] needs a bar"),
        (TRAINING.replace("threshold = 0.9", "threshold = nan"), "give a finite number"),
        (TRAINING.replace("threshold = 0.9", "threshold = inf"), "give a finite number"),
        (TRAINING.replace("threshold = 0.9", 'threshold = "0.9"'), "give a finite number"),
        (TRAINING + "min_improvement = -0.1\n", "would promote worse models"),
        (TRAINING + 'direction = "up"\n', "use 'higher' or 'lower'"),
        (TRAINING.replace('"scores.accuracy"', '"scores accuracy"'), "promotion.metric"),
        (TRAINING + "tolerance = 1\n", "unknown key 'promotion.tolerance'"),
        (
            TRAINING.replace("[train]\n", '[train]\nentrypoint = "image"\n'),
            "unknown key 'train.entrypoint'",
        ),
        (TRAINING.replace('["model.joblib"]', '["../model.joblib"]'), "train.artifact_paths"),
        (
            TRAINING.replace('output_path = "/opt/ml/processing/metrics"', 'output_path = "/tmp"'),
            "evaluate.output_path",
        ),
        ('[inference]\nartifacts = "promoted"\n', "needs the training workflow"),
        ('[inference]\nartifacts = "latest"\n', "use 'promoted'"),
        (
            TRAINING + '[inference]\nartifacts = "promoted"\nentrypoint = "image"\n',
            "remove inference.entrypoint",
        ),
    ],
)
def test_bad_training_settings_name_the_key_and_the_fix(models_dir, text, message):
    name = with_toml(models_dir, text)
    with pytest.raises(LegacyLiftError, match=None) as error:
        load_model(name)
    assert message in str(error.value)


def test_training_scripts_must_exist(models_dir):
    name = with_toml(models_dir, TRAINING.replace('script = "evaluate.py"', 'script = "score.py"'))
    with pytest.raises(LegacyLiftError, match="score.py"):
        load_model(name)
