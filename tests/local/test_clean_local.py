"""`invoke clean-local`: old runs' intermediate data and outputs go; recent runs, staged
inputs (unless asked), model code, the user's own objects and job records stay."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from legacylift.errors import LegacyLiftError
from legacylift.local.clean import clean_local
from legacylift.local.settings import LocalSettings
from legacylift.paths import REPO_ROOT
from tests.cli import invoke_cli

DAY = 86400


@pytest.fixture
def store(tmp_path):
    """A store with old and recent runs of one model, and things that must never go."""
    settings = LocalSettings.under(tmp_path / "local")
    root = settings.object_store
    old, recent = time.time() - 10 * DAY, time.time() - DAY / 2
    layout = {
        "legacylift-local/iris/runs/iris-old/preprocessing/x.csv": old,
        "legacylift-local/iris/output/iris-old/out.csv": old,
        "legacylift-local/iris/input/iris-old/in.csv": old,
        "legacylift-local/iris/runs/iris-new/preprocessing/x.csv": recent,
        "legacylift-local/iris/output/iris-new/out.csv": recent,
        "legacylift-local/iris/code/abc123/predict.py": old,
        "legacylift-local/my-data/input.csv": old,
        "my-bucket/iris/output/run/keep.csv": old,
        ".staging/job-1-abcd/output-0/partial.csv": old,
    }
    for key, mtime in layout.items():
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("data")
        for item in [path, *path.relative_to(root).parents]:
            target = root / item
            os.utime(target, (mtime, mtime))
    settings.jobs_dir.mkdir(parents=True)
    (settings.jobs_dir / "job-1.json").write_text("{}")
    return settings


def _remaining(settings):
    root = settings.object_store
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_old_runs_go_everything_else_stays(store):
    report = clean_local(store, older_than_days=7)
    assert _remaining(store) == [
        "legacylift-local/iris/code/abc123/predict.py",
        "legacylift-local/iris/input/iris-old/in.csv",
        "legacylift-local/iris/output/iris-new/out.csv",
        "legacylift-local/iris/runs/iris-new/preprocessing/x.csv",
        "legacylift-local/my-data/input.csv",
        "my-bucket/iris/output/run/keep.csv",
    ]
    assert len(report.removed) == 3 and report.kept_recent == 2
    assert (store.jobs_dir / "job-1.json").exists()


def test_staged_inputs_only_when_asked_and_dry_run_removes_nothing(store):
    before = _remaining(store)
    report = clean_local(store, older_than_days=7, include_inputs=True, dry_run=True)
    assert _remaining(store) == before
    assert any(path.name == "iris-old" and path.parent.name == "input" for path in report.removed)
    clean_local(store, older_than_days=7, include_inputs=True)
    assert "legacylift-local/iris/input/iris-old/in.csv" not in _remaining(store)
    assert "legacylift-local/my-data/input.csv" in _remaining(store)


def test_a_short_age_removes_recent_runs_too(store):
    clean_local(store, older_than_days=0.001)
    assert not [key for key in _remaining(store) if "/runs/" in key or "/output/iris" in key]


def test_an_endpoint_store_and_a_negative_age_are_refused(store):
    with pytest.raises(LegacyLiftError, match="LEGACYLIFT_S3_ENDPOINT_URL"):
        clean_local(LocalSettings.under(store.jobs_dir.parent, s3_endpoint_url="http://x"))
    with pytest.raises(LegacyLiftError, match="--older-than"):
        clean_local(store, older_than_days=-1)


def test_invoke_clean_local(store):
    """`--dry-run --json` lists the three old runs as one JSON document and removes nothing;
    the run itself then removes them."""
    env = {**os.environ, "LEGACYLIFT_LOCAL_DIR": str(store.jobs_dir.parent)}
    command = [sys.executable, "-m", "invoke", "clean-local", "--older-than", "7"]
    listed = invoke_cli(*command[3:], "--dry-run", "--json", env=env, timeout=120)
    assert listed.returncode == 0, listed.stderr
    document = json.loads(listed.stdout)
    assert document["dry_run"] is True and len(document["removed"]) == 3
    assert all(Path(path).exists() for path in document["removed"])
    completed = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert "removed 3 run folders" in completed.stdout
    bad = subprocess.run(
        [*command[:-1], "soon"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 1 and "--older-than 'soon'" in bad.stderr
