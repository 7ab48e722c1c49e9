"""`run-local --resume`: a run failing in its last step, resumed without running its first two
steps again (the job registry and the report prove it), and invalidated by a one-line change
to an earlier script. Real images built by the build tooling, real Docker, real Terraform."""

from __future__ import annotations

import json

import pytest

from legacylift.errors import LegacyLiftError
from legacylift.local.run import run_local

pytestmark = [
    pytest.mark.docker,
    pytest.mark.slow,
    pytest.mark.usefixtures("no_leftover_containers"),
]

COPY = """\
import pathlib, shutil
src, dst = pathlib.Path("/opt/ml/processing/input/data"), pathlib.Path("/opt/ml/processing/output")
for path in sorted(src.rglob("*.txt")):
    shutil.copyfile(path, dst / path.name)
print("copied")
"""
# Rejects a row it does not know: the failure comes from the input, not from the engine.
POSTPROCESS = """\
import pathlib, sys
src, dst = pathlib.Path("/opt/ml/processing/input/data"), pathlib.Path("/opt/ml/processing/output")
rows = [line for path in sorted(src.rglob("*.txt")) for line in path.read_text().splitlines()]
rows = [row for row in rows if row != "unknown"]
bad = [row for row in rows if not row.isalpha()]
if bad:
    sys.exit(f"cannot report rows {bad}")
(dst / "report.txt").write_text("\\n".join(row.upper() for row in rows) + "\\n")
print("reported", len(rows))
"""


@pytest.fixture
def model(tmp_path, monkeypatch):
    """A three-step model in its own models directory; postprocessing rejects digits."""
    folder = tmp_path / "models" / "resumable"
    folder.mkdir(parents=True)
    (folder / "requirements.txt").write_text("")
    (folder / "preprocessing.py").write_text(COPY)
    (folder / "predict.py").write_text(COPY)
    (folder / "postprocessing.py").write_text(POSTPROCESS)
    monkeypatch.setenv("LEGACYLIFT_MODELS_DIR", str(tmp_path / "models"))
    return folder


def _jobs(settings) -> set[str]:
    return {path.stem for path in settings.jobs_dir.glob("*.json")}


def _reused(run) -> dict[str, str]:
    return {
        step["name"]: step["reused"][0]["run"] for step in run.reporter.steps() if step["reused"]
    }


def test_failed_run_resumes_from_its_failed_step(model, tmp_path, local_settings):
    """Planted bugs, each seen red: the inputs left out of `StepCache.key` (the changed
    preprocessing.py is reused with everything after it); no provenance (`_produced` not
    recorded: preprocessing's output is byte-identical, so inference is reused although the
    step before it ran again); the model image keyed by its ID (`image_keys`: the fix to
    postprocessing.py rebuilds the image, so inference runs again on resume)."""
    data = tmp_path / "input"
    data.mkdir()
    (data / "rows.txt").write_text("alpha\nbeta\nrow42\n")
    failed = run_local("resumable", str(data), settings=local_settings, quiet=True)
    assert failed.result.status == "FAILED"
    assert "failing step: Postprocessing" in failed.failure
    first_jobs = _jobs(local_settings)
    assert len(first_jobs) == 3

    # The fix: postprocessing drops the rows it cannot report (one line).
    script = model / "postprocessing.py"
    script.write_text(script.read_text().replace('row != "unknown"', "row.isalpha()"))
    resumed = run_local(
        "resumable", None, settings=local_settings, quiet=True, resume=failed.execution_name
    )
    assert resumed.succeeded, resumed.failure
    assert (resumed.output_path / "report.txt").read_text() == "ALPHA\nBETA\n"
    new_jobs = _jobs(local_settings) - first_jobs
    assert len(new_jobs) == 1 and "-pos-" in next(iter(new_jobs)), new_jobs
    assert _reused(resumed) == {
        "Preprocessing": failed.execution_name,
        "Inference": failed.execution_name,
    }
    report = resumed.report_path.read_text()
    assert report.count(f"reused from {failed.execution_name}") == 2

    # A one-line change to the first script invalidates it and every step after it.
    script = model / "preprocessing.py"
    script.write_text(script.read_text().replace('print("copied")', 'print("copied rows")'))
    before = _jobs(local_settings)
    again = run_local(
        "resumable", None, settings=local_settings, quiet=True, resume=failed.execution_name
    )
    assert again.succeeded, again.failure
    assert _reused(again) == {}
    assert len(_jobs(local_settings) - before) == 3


def test_resume_refuses_a_run_that_succeeded_or_does_not_exist(model, tmp_path, local_settings):
    data = tmp_path / "input"
    data.mkdir()
    (data / "rows.txt").write_text("alpha\n")
    ok = run_local("resumable", str(data), settings=local_settings, quiet=True)
    assert ok.succeeded, ok.failure
    with pytest.raises(LegacyLiftError, match="that run succeeded, there is nothing to resume"):
        run_local("resumable", None, settings=local_settings, quiet=True, resume=ok.execution_name)
    with pytest.raises(LegacyLiftError, match="no local run of that name"):
        run_local("resumable", None, settings=local_settings, quiet=True, resume="nope-1")
    record = json.loads(
        (local_settings.jobs_dir.parent / "runs" / ok.execution_name / "run.json").read_text()
    )
    assert record["status"] == "SUCCEEDED" and record["model"] == "resumable"


def test_a_redriven_run_reruns_its_failed_job_in_docker(
    model, tmp_path, local_settings, monkeypatch
):
    """A real local run fails in Postprocessing (a row it cannot report); the row is taken out
    of Inference's output in the object store (the operator's fix) and the same execution is
    redriven on our interpreter, as Step Functions' RedriveExecution would: only Postprocessing
    runs again, in Docker, on the fixed data, and the execution succeeds. Planted bug
    (tests/planted_bugs.py `job-failure-caught-into-fail-state`): the job's failure caught into
    a Fail state, which the redrive restarts and fails in again without running a job; red."""
    import io

    from legacylift.local import run as local_run
    from legacylift.local.asl.interpreter import Execution
    from legacylift.local.datasources import DataSources

    engines = []

    class Kept(Execution):
        """The engine run_local creates, kept to redrive it."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            engines.append(self)

    monkeypatch.setattr(local_run, "Execution", Kept)
    data = tmp_path / "input"
    data.mkdir()
    (data / "rows.txt").write_text("alpha\nbeta\nrow42\n")
    failed = run_local("resumable", str(data), settings=local_settings, quiet=True)
    assert failed.result.status == "FAILED"
    first_jobs = _jobs(local_settings)

    sources = DataSources(local_settings)
    inference = f"s3://legacylift-local/resumable/runs/{failed.execution_name}/inference/"
    (row_file,) = list(sources.list(inference))
    assert row_file.open().read() == b"alpha\nbeta\nrow42\n"
    sources.put(inference + row_file.relative, io.BytesIO(b"alpha\nbeta\n"))

    (engine,) = engines
    redriven = engine.redrive()
    assert redriven.status == "SUCCEEDED", (redriven.error, redriven.cause)
    new_jobs = _jobs(local_settings) - first_jobs
    assert len(new_jobs) == 1 and "-pos-" in next(iter(new_jobs)), new_jobs
    (report,) = list(sources.list(redriven.output["output_uri"]))
    assert report.relative == "report.txt" and report.open().read() == b"ALPHA\nBETA\n"
    assert failed.result.error == "States.TaskFailed"  # the job's own error: no Fail state
