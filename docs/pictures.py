"""Regenerates the README's pictures from real runs: the iris workflow as Terraform renders it
(Graphviz) and the report of a local iris run on its sample input (headless Chromium).

    python docs/pictures.py    # after ./bootstrap; builds the iris images when missing
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from legacylift.local.definitions import rendered_definition  # noqa: E402
from legacylift.local.run import run_local  # noqa: E402
from legacylift.report.graph import write_graph  # noqa: E402
from tests.report.chromium import Chromium, chromium_binary  # noqa: E402

IMAGES = ROOT / "docs" / "images"


def main() -> None:
    graph = write_graph(rendered_definition("iris"), IMAGES / "iris-workflow.png")
    print(f"graph: {graph}")
    run = run_local("iris", str(ROOT / "legacy_models/iris/sample/input"))
    if not run.succeeded:
        raise SystemExit(run.failure)
    binary = chromium_binary()
    if binary is None:
        raise SystemExit("chromium is missing: run ./bootstrap")
    with Chromium(binary) as browser:
        browser.open(run.report_path, width=1400, height=900)
        shot = browser.screenshot(IMAGES / "iris-report.png")
    print(f"report: {run.report_path}\nscreenshot: {shot}")


if __name__ == "__main__":
    main()
