"""Records `fixtures/local_failed_history.json`: a real local run (real Terraform rendering,
real step containers) of a two-step model whose preprocessing succeeds and whose inference
fails, as the recorded cloud history does. Rerun to refresh it:

    python -m tests.report.record_local
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from tests.local.tiny_models import COPY_DATA, FAIL, model_image

FIXTURE = Path(__file__).parent / "fixtures" / "local_failed_history.json"
MODEL_TOML = 'steps = ["preprocessing", "inference"]\n\n[preprocessing]\nimage = "model"\n'


def write_model(root: Path) -> Path:
    """The two-step model folder under `root` (use as LEGACYLIFT_MODELS_DIR)."""
    folder = root / "prefails"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "requirements.txt").write_text("")
    (folder / "model.toml").write_text(MODEL_TOML)
    (folder / "preprocessing.py").write_text(COPY_DATA)
    (folder / "predict.py").write_text(FAIL)
    return root


def record(scratch: Path, client, base_image: str):
    """Run the model once with every state under `scratch`; return the LocalRun."""
    from legacylift.local.run import run_local
    from legacylift.local.settings import LocalSettings

    models = write_model(scratch / "models")
    os.environ["LEGACYLIFT_MODELS_DIR"] = str(models)
    (scratch / "in").mkdir(exist_ok=True)
    (scratch / "in" / "note.txt").write_text("hello\n")
    image = model_image(client, base_image, models / "prefails")
    return run_local(
        "prefails",
        str(scratch / "in"),
        settings=LocalSettings.under(scratch / "l"),
        quiet=True,
        images={"model": image, "framework": base_image},
    )


def main() -> None:
    from legacylift.docker_client import docker_client
    from legacylift.settings import base_image

    with tempfile.TemporaryDirectory() as scratch:
        run = record(Path(scratch), docker_client(), base_image())
    reporter = run.reporter
    document = {
        "_comment": "History of a real local run (python -m tests.report.record_local): "
        "Preprocessing succeeded, Inference's container exited 1.",
        "executionArn": reporter.trace.arn,
        "events": run.result.history,
        "job_logs": {job: list(lines) for job, lines in reporter.job_logs.items()},
        "exit_codes": reporter.exit_codes,
    }
    FIXTURE.write_text(json.dumps(document, indent=1) + "\n")
    print(f"wrote {FIXTURE}: {len(run.result.history)} events, status {run.result.status}")


if __name__ == "__main__":
    main()
