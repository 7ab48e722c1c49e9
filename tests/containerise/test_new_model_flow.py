"""`new-model --from` ordering a project's steps by the files its scripts pass on (literal paths
and argparse defaults), and refusing to guess when the files do not form one chain."""

from __future__ import annotations

import pytest

from legacylift.errors import LegacyLiftError
from legacylift.models import load_model
from legacylift.new_model import new_model
from legacylift.script_flow import files_read_and_written

PREP = """import pandas as pd
rows = pd.read_csv("/opt/ml/processing/input/raw.csv")
rows.to_csv("/opt/ml/processing/output/features.csv", index=False)
"""
SCORE = """import argparse
parser = argparse.ArgumentParser()
parser.add_argument("--features", default="/opt/ml/processing/input/features.csv")
parser.add_argument("--out", default="/opt/ml/processing/output/scores.csv")
args = parser.parse_args()
open(args.out, "w").write(open(args.features).read())
"""
REPORT = """SCORES = '/opt/ml/processing/input/scores.csv'
open('/opt/ml/processing/output/report.txt', 'w').write(open(SCORES).read())
"""


def _project(tmp_path, scripts: dict[str, str]):
    project = tmp_path / "project"
    project.mkdir()
    for name, text in scripts.items():
        (project / name).write_text(text)
    return project


def test_literal_and_argparse_paths_say_what_is_read_and_written():
    assert files_read_and_written(SCORE) == ({"features.csv"}, {"scores.csv"})
    assert files_read_and_written('x = "/opt/ml/processing/input/"') == (set(), set())


def test_steps_named_neither_pre_predict_nor_post_are_ordered_by_their_files(tmp_path, models_dir):
    """Planted once: `data_flow` returning None (names only, as before) made new-model refuse
    the project (no script looks like a step)."""
    project = _project(tmp_path, {"report.py": REPORT, "score.py": SCORE, "prep.py": PREP})
    created = new_model("ordered", str(project))
    model = load_model("ordered")
    assert model.steps == ("preprocessing", "inference", "postprocessing")
    assert [model.script_for(step) for step in model.steps] == ["prep.py", "score.py", "report.py"]
    assert model.input_path_for("preprocessing") == "/opt/ml/processing/input"
    assert "prep.py writes features.csv, which score.py reads" in created.guesses


@pytest.mark.parametrize(
    ("scripts", "unplaced"),
    [
        # features.csv feeds two scripts: a branch, not a chain.
        (
            {"prep.py": PREP, "score.py": SCORE, "other.py": SCORE.replace("scores", "b")},
            "other.py, prep.py, score.py",
        ),
        # A chain, and a script with processing paths linked to neither.
        (
            {
                "prep.py": PREP,
                "score.py": SCORE,
                "audit.py": 'open("/opt/ml/processing/output/audit.log", "w")',
            },
            "audit.py",
        ),
    ],
)
def test_files_that_fit_no_chain_are_named_and_the_model_toml_fails_clearly(
    tmp_path, models_dir, scripts, unplaced
):
    """Planted once: `_unplaced` skipped (the chain's steps written), the second case gave a
    two-step model without audit.py and loaded cleanly."""
    created = new_model("unplaced", str(_project(tmp_path, scripts)))
    assert any(f"could not place {unplaced} in one chain" in check for check in created.checks)
    text = (created.path / "model.toml").read_text()
    assert f"could not place {unplaced}" in text
    with pytest.raises(LegacyLiftError, match="steps = \\[\\]: give a non-empty"):
        load_model("unplaced")
