"""files/steprunner.py, the wrapper the training workflow (and inference on promoted artifacts)
runs legacy scripts under, run as a real process on this machine: working directory, overlay,
collection of artifacts, and the metric checks with their messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require
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


# A PID namespace whose init outlives the runner by 1.5 s, as a container's init would while
# the job's outputs are uploaded: a process left running has time to act after the runner.
UNSHARE = [
    "unshare",
    "--fork",
    "--pid",
    "--mount-proc",
    "sh",
    "-c",
    '"$@"; code=$?; sleep 1.5; exit $code',
    "init",
]


def run(folder: Path, tmp_path: Path, options: list[str], script: str, prefix=()):
    """Run the runner in `folder` on `python3 -c script` (under `prefix`, e.g. UNSHARE);
    (exit code, stderr, message)."""
    message = tmp_path / "message"
    done = subprocess.run(
        [
            *prefix,
            sys.executable,
            str(RUNNER),
            "--message-file",
            str(message),
            *options,
            "--",
            sys.executable,
            "-c",
            script,
        ],
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
    code, _, message = run(
        folder,
        tmp_path,
        ["--collect", '["x"]', "--into", str(into)],
        "open('x', 'w'); raise SystemExit(3)",
    )
    assert code == 3 and message == "" and not into.exists()


def metrics_options(tmp_path: Path, metric: str, direction="higher", improvement="0.01"):
    return [
        "--metrics",
        str(tmp_path / "out" / "metrics.json"),
        "--metric",
        metric,
        "--direction",
        direction,
        "--min-improvement",
        improvement,
        "--summary",
        str(tmp_path / "out" / "legacylift-metric.json"),
    ]


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


FORGED = {"metric": "accuracy", "value": 0.99, "basis": 1e300, "direction": "higher"}


def leaves_a_forger(tmp_path: Path, accuracy: float) -> str:
    """An evaluation that writes its metrics, then leaves a detached grandchild (double fork,
    new session) that waits for the runner's summary and replaces it at once (the container
    ends, killing it, only when the runner exits)."""
    summary = tmp_path / "out" / "legacylift-metric.json"
    forger = (
        f"import json, os, time\np = {str(summary)!r}\n"
        "while not os.path.exists(p): time.sleep(0.0005)\n"
        f"os.remove(p); open(p, 'w').write(json.dumps({FORGED!r}))"
    )
    return (
        writes_metrics(tmp_path, {"accuracy": accuracy})
        + "; import os, subprocess, sys; os.setsid() if os.fork() == 0 and os.fork() == 0 and "
        f"subprocess.Popen([sys.executable, '-c', {forger!r}], start_new_session=True) else None"
    )


def test_processes_the_evaluation_leaves_behind_cannot_forge_the_summary(folder, tmp_path):
    """In its own process namespace (as in a job's container), the runner with
    --end-all-processes kills what the evaluation left running before it writes the summary:
    after the runner has exited, the summary is still the one it measured.

    Planted bug: end_all_processes not called (the left-behind process replaced the summary
    with value 0.99 and basis 1e300, as in a local proof): red."""
    import shutil

    require(shutil.which("unshare") is not None, "util-linux unshare (a PID namespace)")
    probe = subprocess.run(["unshare", "-fp", "--mount-proc", "true"], check=False)
    require(probe.returncode == 0, "unshare -fp (root, to give the runner a PID namespace)")
    options = ["--end-all-processes", *metrics_options(tmp_path, "accuracy")]
    code, stderr, message = run(
        folder, tmp_path, options, leaves_a_forger(tmp_path, 0.5), prefix=UNSHARE
    )
    assert code == 0, (stderr, message)
    summary = json.loads((tmp_path / "out" / "legacylift-metric.json").read_text())
    assert summary["value"] == 0.5 and summary["basis"] == pytest.approx(0.49)


def test_a_summary_already_there_or_a_link_fails_the_step(folder, tmp_path):
    """The summary is created exclusively and never through a link: an evaluation that wrote
    it, or planted a symlink there, fails the step and nothing is written through the link.

    Planted bug: the summary written with Path.write_text (following the link, replacing the
    file): red."""
    out = tmp_path / "out"
    target = tmp_path / "elsewhere.json"
    planted = (
        writes_metrics(tmp_path, {"accuracy": 0.95})
        + f"; import os; os.symlink({str(target)!r}, {str(out / 'legacylift-metric.json')!r})"
    )
    code, _, message = run(folder, tmp_path, metrics_options(tmp_path, "accuracy"), planted)
    assert code == 1
    assert "must not write the runner's metric summary" in message
    assert not target.exists()
