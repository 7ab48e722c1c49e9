"""files/steprunner.py, the wrapper the training workflow (and inference on promoted artifacts)
runs legacy scripts under, run as a real process on this machine: working directory, overlay,
collection of artifacts, and the metric checks with their messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.workflow.conftest import MODULE

RUNNER = MODULE / "files" / "steprunner.py"


@pytest.fixture
def folder(tmp_path) -> Path:
    """A model folder: a baked artifact and a helper file."""
    code = tmp_path / "code"
    (code / "model").mkdir(parents=True)
    (code / "model" / "weights.txt").write_text("baked\n")
    (code / "helper.txt").write_text("helper\n")
    return code


def run(folder: Path, tmp_path: Path, options: list[str], script: str):
    """Run the runner in `folder` on `python3 -c script`; (exit code, stderr, message)."""
    message = tmp_path / "message"
    done = subprocess.run(  # noqa: S603 - the runner under test
        [
            sys.executable,
            str(RUNNER),
            "--message-file",
            str(message),
            *options,
            "--",
            sys.executable,
            "-c",
            script,
        ],  # fmt: skip
        cwd=folder,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
    )
    return done.returncode, done.stderr, message.read_text() if message.exists() else ""


def copies_weights(out: Path) -> str:
    """A script that checks the helper is there and copies model/weights.txt to `out`."""
    return (
        "import pathlib; assert pathlib.Path('helper.txt').is_file(); "
        f"pathlib.Path({str(out)!r}).write_text(pathlib.Path('model/weights.txt').read_text())"
    )


def test_without_overlay_the_script_sees_the_model_folder(folder, tmp_path):
    out = tmp_path / "out.txt"
    assert run(folder, tmp_path, [], copies_weights(out))[0] == 0
    assert out.read_text() == "baked\n"


def test_overlay_replaces_same_named_entries_and_keeps_the_others(folder, tmp_path):
    """Planted bug: linking the model folder's entries after the overlay's turned this red."""
    staged = tmp_path / "staged"
    (staged / "model").mkdir(parents=True)
    (staged / "model" / "weights.txt").write_text("promoted\n")
    out = tmp_path / "out.txt"
    assert run(folder, tmp_path, ["--overlay", str(staged)], copies_weights(out))[0] == 0
    assert out.read_text() == "promoted\n"


def test_an_absent_overlay_keeps_the_baked_artifacts(folder, tmp_path):
    out = tmp_path / "out.txt"
    options = ["--overlay", str(tmp_path / "none")]
    assert run(folder, tmp_path, options, copies_weights(out))[0] == 0
    assert out.read_text() == "baked\n"


def test_collect_copies_what_the_script_wrote_in_its_working_directory(folder, tmp_path):
    into = tmp_path / "artifacts"
    script = "import os; os.makedirs('model'); open('model/weights.txt', 'w').write('new\\n')"
    code, stderr, _ = run(folder, tmp_path, ["--collect", '["model"]', "--into", str(into)], script)
    assert code == 0, stderr
    assert (into / "model" / "weights.txt").read_text() == "new\n"
    assert (folder / "model" / "weights.txt").read_text() == "baked\n"  # the folder unchanged


def test_collect_of_a_path_the_script_never_wrote_fails_naming_it(folder, tmp_path):
    options = ["--collect", '["model.joblib"]', "--into", str(tmp_path / "a")]
    code, stderr, message = run(folder, tmp_path, options, "pass")
    assert code == 1
    assert "without writing 'model.joblib'" in message and "artifact_paths" in message
    assert message in stderr


def test_the_scripts_own_failure_is_passed_on_and_nothing_collected(folder, tmp_path):
    into = tmp_path / "a"
    code, _, message = run(folder, tmp_path, ["--collect", '["x"]', "--into", str(into)],
                           "open('x', 'w'); raise SystemExit(3)")  # fmt: skip
    assert code == 3 and message == "" and not into.exists()


def metrics_options(tmp_path: Path, metric: str, direction="higher", improvement="0.01"):
    return [
        "--metrics", str(tmp_path / "out" / "metrics.json"), "--metric", metric,
        "--direction", direction, "--min-improvement", improvement,
        "--summary", str(tmp_path / "out" / "legacylift-metric.json"),
    ]  # fmt: skip


def writes_metrics(tmp_path: Path, document) -> str:
    target = tmp_path / "out" / "metrics.json"
    return (
        f"import pathlib; p = pathlib.Path({str(target)!r}); p.parent.mkdir(exist_ok=True); "
        f"p.write_text({json.dumps(document)!r})"
    )


@pytest.mark.parametrize(
    ("metric", "direction", "expected_basis"),
    [("scores.rmse", "lower", 41.01), ("$.folds[1].auc", "higher", 0.89)],
)
def test_metric_summary_from_a_json_path(folder, tmp_path, metric, direction, expected_basis):
    document = {"scores": {"rmse": 41.0}, "folds": [{"auc": 0.5}, {"auc": 0.9}]}
    options = metrics_options(tmp_path, metric, direction)
    code, stderr, _ = run(folder, tmp_path, options, writes_metrics(tmp_path, document))
    assert code == 0, stderr
    summary = json.loads((tmp_path / "out" / "legacylift-metric.json").read_text())
    assert summary["basis"] == pytest.approx(expected_basis)
    assert summary["direction"] == direction and summary["metric"] == metric


@pytest.mark.parametrize(
    ("document", "metric", "fragment"),
    [
        (None, "accuracy", "wrote no metrics file"),
        ("not json", "accuracy", "is not JSON"),
        ({"acc": 0.9}, "accuracy", "has no $.accuracy (keys at $: acc)"),
        ({"scores": {"r2": 0.9}}, "scores.rmse", "has no $.scores.rmse (keys at $.scores: r2)"),
        ({"accuracy": "0.9"}, "accuracy", "is '0.9'"),
        ({"accuracy": True}, "accuracy", "is True"),
        ({"accuracy": None}, "accuracy", "not a finite number"),
        ({"folds": []}, "folds[0]", "has no $.folds[0]"),
    ],
)
def test_bad_metrics_fail_the_evaluation_with_a_clear_message(
    folder, tmp_path, document, metric, fragment
):
    if document is None:
        script = "pass"
    elif isinstance(document, str):
        script = writes_metrics(tmp_path, document).replace(
            repr(json.dumps(document)), repr(document)
        )
    else:
        script = writes_metrics(tmp_path, document)
    code, _, message = run(folder, tmp_path, metrics_options(tmp_path, metric), script)
    assert code == 1
    assert fragment in message
    assert not (tmp_path / "out" / "legacylift-metric.json").exists()
