"""The `fraud` sample: a desktop project with the habits that used to need an edit, lifted by
`new-model --from` as it is. Scripts named neither pre/predict/post (prep.py, score.py,
report.py, ordered by the files they pass on), script-mode scripts reading a sibling JSON file
through `__file__`, data read at /opt/ml/processing/input/<file> while the script-mode code is
staged at .../input/code, an own Dockerfile with WORKDIR /app whose CMD reads weights.json and
writes score.log there, run as uid 1000."""

from __future__ import annotations

import pytest

from legacylift.local.run import expected_matches, run_local
from legacylift.models import MODELS_DIR, load_model
from legacylift.new_model import new_model

FRAUD = MODELS_DIR / "fraud"
LEGACY_FILES = sorted(p.name for p in (FRAUD / "legacy").iterdir())


def test_the_legacy_files_are_byte_identical_to_the_project_as_received():
    """Only model.toml (and the sample) was added: every legacy file runs unedited."""
    assert LEGACY_FILES == [
        "Dockerfile",
        "features.json",
        "prep.py",
        "report.py",
        "requirements.txt",
        "score.py",
        "thresholds.json",
        "weights.json",
    ]
    for name in LEGACY_FILES:
        assert (FRAUD / name).read_bytes() == (FRAUD / "legacy" / name).read_bytes(), name
    added = {p.name for p in FRAUD.iterdir()} - set(LEGACY_FILES)
    assert added == {"legacy", "sample", "model.toml"}


def test_new_model_from_the_legacy_tree_writes_the_samples_settings(tmp_path, monkeypatch):
    """No edit and no hand-written key: what new-model guesses is the sample's model.toml."""
    expected = load_model("fraud")
    monkeypatch.setenv("LEGACYLIFT_MODELS_DIR", str(tmp_path))
    created = new_model("fraud-again", str(FRAUD / "legacy"))
    model = load_model("fraud-again")
    assert model.steps == expected.steps
    assert model.step_settings == expected.step_settings
    assert not [check for check in created.checks if "does not pass" in check]


@pytest.mark.docker
@pytest.mark.slow
def test_the_lifted_project_reproduces_the_desktop_run_byte_for_byte(
    tmp_path, monkeypatch, local_settings
):
    """The folder new-model writes runs as it is: prep.py finds features.json beside itself in
    the staged code folder, the data beside the code input, score.py writes its log in /app.
    Planted once each: code staged as the script alone (prep.py's features.json missing:
    FileNotFoundError), the holding input mounted read-only (the job could not start)."""
    from legacylift.containerise import ensure_framework_image, ensure_model_image

    images = {"model": ensure_model_image("fraud"), "framework": ensure_framework_image()}
    monkeypatch.setenv("LEGACYLIFT_MODELS_DIR", str(tmp_path))
    new_model("fraud-again", str(FRAUD / "legacy"))
    run = run_local(
        "fraud-again",
        str(FRAUD / "sample/input"),
        settings=local_settings,
        quiet=True,
        images=images,
    )
    assert run.succeeded, run.failure
    assert expected_matches(run, FRAUD / "sample/expected") == []
