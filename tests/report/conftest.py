"""Fixtures of the report tests: Graphviz, Debian's headless Chromium, and where screenshots
are kept (`LEGACYLIFT_TEST_ARTIFACTS`, default .legacylift/test-artifacts/)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from legacylift.paths import project_state_dir
from tests.conftest import require
from tests.report.chromium import Chromium, chromium_binary


@pytest.fixture(scope="session")
def graphviz_dot():
    """Graphviz's dot (setup installs the Debian package)."""
    dot = shutil.which("dot")
    require(dot is not None, "Graphviz's dot is missing: run ./bootstrap (installs graphviz)")
    return dot


@pytest.fixture
def browser():
    """A fresh headless Chromium (its own profile), closed after the test."""
    binary = chromium_binary()
    require(binary is not None, "chromium is missing: run ./bootstrap (installs chromium)")
    with Chromium(binary) as chromium:
        yield chromium


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The directory where tests keep screenshots for people to look at."""
    default = project_state_dir() / "test-artifacts"
    path = Path(os.environ.get("LEGACYLIFT_TEST_ARTIFACTS", default))
    path.mkdir(parents=True, exist_ok=True)
    return path
