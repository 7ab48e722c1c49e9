"""`invoke run-local` end to end through the command line: the JSON result for CI pipelines,
and the report it points to."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from legacylift.paths import REPO_ROOT
from legacylift.terraform_env import terraform_env
from tests.local.tiny_models import write_models

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def test_run_local_json_names_the_failure_and_the_report(tmp_path, base_image):
    models = write_models(tmp_path / "models", ["fails"])
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "x.txt").write_text("x\n")
    env = terraform_env(
        {
            **os.environ,
            "LEGACYLIFT_MODELS_DIR": str(models),
            "LEGACYLIFT_LOCAL_DIR": str(tmp_path / "local"),
        }
    )
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "invoke",
            "run-local",
            "fails",
            "--input",
            str(tmp_path / "in"),
            "--json",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    result = json.loads(completed.stdout)  # nothing but the JSON document on stdout
    assert result["status"] == "FAILED"
    assert result["failure"]["step"] == "Inference"
    assert result["failure"]["exit_code"] == 1
    assert result["failure"]["exit_message"] == "column 'price' not found"
    assert "ValueError: column 'price' not found" in result["failure"]["log_tail"]
    tasks = [step for step in result["steps"] if step["type"] == "Task"]
    assert [(t["name"], t["status"]) for t in tasks] == [("Inference", "failed")]
    assert tasks[0]["seconds"] > 0 and tasks[0]["jobs"][0].startswith("legacylift-local-fails-")
    report = Path(result["report"])
    assert report.is_file() and report.parent == tmp_path / "local" / "reports"
    assert "failing step: Inference" in report.read_text()
    assert result["output"]["uri"].startswith("s3://legacylift-local/fails/output/")
