"""Every LEGACYLIFT_* variable is declared once (legacylift/settings.py), read nowhere else, and
listed in docs/settings.md's one table."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from legacylift import settings
from legacylift.paths import REPO_ROOT

NAME = re.compile(r"\bLEGACYLIFT_[A-Z0-9_]+\b")
# A read of the environment: os.environ.get("X"), os.environ["X"] (not assigned), os.getenv("X").
READ = re.compile(
    r"""(?:environ\.get|getenv)\(\s*["'](LEGACYLIFT_[A-Z0-9_]+)["']"""
    r"""|environ\[\s*["'](LEGACYLIFT_[A-Z0-9_]+)["']\s*\](?!\s*=[^=])"""
)
# Names that are not environment variables: a Docker build argument of the model Dockerfile.
NOT_SETTINGS = {"LEGACYLIFT_RESOLVE"}
SETTINGS_MODULE = REPO_ROOT / "legacylift" / "settings.py"
THIS_FILE = Path(__file__).resolve()


def project_files(*suffixes: str) -> list[Path]:
    """The repository's files (tracked or new, not ignored) with these suffixes, this test's
    own file (which names made-up variables) left out."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    paths = [REPO_ROOT / name for name in listed]
    return [
        path
        for path in paths
        if path.is_file() and path.suffix in suffixes and path.resolve() != THIS_FILE
    ]


def test_no_module_but_settings_reads_a_legacylift_variable():
    """Planted bug, seen red: `os.environ.get("LEGACYLIFT_STEP_NETWORK", "host")` back in
    legacylift/local/container.py."""
    readers = {
        f"{path.relative_to(REPO_ROOT)}: {next(name for name in match.groups() if name)}"
        for path in project_files(".py")
        if path != SETTINGS_MODULE
        for match in READ.finditer(path.read_text(encoding="utf-8"))
    }
    assert readers == set()


def test_the_read_pattern_finds_reads_and_ignores_writes():
    assert READ.search('os.environ.get("LEGACYLIFT_X", "d")')
    assert READ.search("value = os.environ['LEGACYLIFT_X']")
    assert READ.search('os.getenv("LEGACYLIFT_X")')
    assert not READ.search('os.environ["LEGACYLIFT_X"] = "1"')
    assert not READ.search('monkeypatch.setenv("LEGACYLIFT_X", "1")')


def test_every_variable_named_anywhere_is_declared():
    named = {
        f"{path.relative_to(REPO_ROOT)}: {name}"
        for path in project_files(".py", ".md", ".sh", ".tf", ".toml") + [REPO_ROOT / "bootstrap"]
        for name in NAME.findall(path.read_text(encoding="utf-8"))
        if name not in settings.VARIABLES and name not in NOT_SETTINGS
    }
    assert named == set()


def test_the_docs_table_lists_exactly_the_declared_variables():
    text = (REPO_ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    rows = dict(
        re.findall(r"^\| `(LEGACYLIFT_[A-Z0-9_]+)` \| \w+ \| [^|]+ \| (.+) \|$", text, re.M)
    )
    assert set(rows) == set(settings.VARIABLES)
    for name, variable in settings.VARIABLES.items():
        assert rows[name] == variable.meaning


def test_undeclared_variables_cannot_be_read():
    with pytest.raises(KeyError):
        settings.get("LEGACYLIFT_NOT_DECLARED")


def test_empty_means_default(monkeypatch):
    monkeypatch.setenv("LEGACYLIFT_STEP_NETWORK", "")
    assert settings.get("LEGACYLIFT_STEP_NETWORK") == "legacylift-steps"
    monkeypatch.setenv("LEGACYLIFT_STEP_NETWORK", "bridge")
    assert settings.get("LEGACYLIFT_STEP_NETWORK") == "bridge"
