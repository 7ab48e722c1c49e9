"""Rules the test suite keeps about itself.

- A test skips only through `tests.conftest.require`, which fails instead under CI (CI=true):
  a direct `pytest.skip`, `pytest.importorskip`, `pytest.mark.skip` or `skipif` would let CI go
  green without the part it skipped. Planted bug: a `pytest.skip(...)` call added to any test
  module turns `test_tests_skip_only_through_require` red.
- CI sets CI=true itself (.ci/run), whatever the CI service exports.
- No process can block the suite on a full pipe: tftest runners are built only by
  tests/terraform/tfcopy.py (whose runner drains stdout and stderr together), and no `Popen`
  pipes both stdout and stderr (one reader loop cannot drain both; `subprocess.run` or
  `communicate` can). Planted bug: the workflow renderer built on `tftest.TerraformTest` again
  turns `test_no_process_can_block_on_a_full_pipe` red.
"""

from __future__ import annotations

import ast
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import require

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SKIPPING = {"skip", "importorskip", "skipif", "xfail"}


def _attribute_chain(node: ast.AST) -> list[str]:
    chain = []
    while isinstance(node, ast.Attribute):
        chain.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        chain.append(node.id)
    return chain[::-1]


def skip_uses(source: str) -> list[tuple[int, str]]:
    """(line, expression) of every pytest skip/xfail reference in `source`, called or not,
    whether written `pytest.skip`, `pytest.mark.skipif` or imported by name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            chain = _attribute_chain(node)
            if chain[:1] == ["pytest"] and node.attr in SKIPPING:
                found.append((node.lineno, ".".join(chain)))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            ("pytest", "_pytest")
        ):
            found += [
                (node.lineno, f"from {node.module} import {a.name}")
                for a in node.names
                if a.name in SKIPPING | {"Skipped"}
            ]
    return found


def test_skip_finder_sees_every_form():
    source = (
        "import pytest\nfrom pytest import skip\n"
        "pytest.skip('x')\n@pytest.mark.skipif(True, reason='y')\ndef f(): pass\n"
        "pytest.importorskip('z')\nmarker = pytest.mark.skip\n"
    )
    assert sorted(line for line, _ in skip_uses(source)) == [2, 3, 4, 6, 7]
    assert skip_uses("import pytest\npytest.fail('no')\nrequire(False, 'why')\n") == []


def test_tests_skip_only_through_require():
    offenders = []
    modules = sorted(TESTS.rglob("*.py"))
    assert len(modules) > 40  # the whole suite was scanned
    for path in modules:
        for line, expression in skip_uses(path.read_text()):
            if path == TESTS / "conftest.py" and expression == "pytest.skip":
                continue  # require() itself
            offenders.append(f"{path.relative_to(REPO)}:{line}: {expression}")
    assert offenders == [], "skip through tests.conftest.require (fails under CI): " + ", ".join(
        offenders
    )


def test_require_fails_under_ci_and_skips_elsewhere(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(BaseException, match="CI must provide this: no widget") as failed:
        require(False, "no widget")
    assert type(failed.value).__name__ == "Failed"
    monkeypatch.delenv("CI")
    with pytest.raises(BaseException, match="no widget") as skipped:
        require(False, "no widget")
    assert type(skipped.value).__name__ == "Skipped"
    require(True, "never raised")


def test_ci_script_exports_ci_true(tmp_path):
    """.ci/run runs ./bootstrap test with CI=true in its environment: run the script with a
    stand-in bootstrap that records its environment."""
    script = (REPO / ".ci" / "run").read_text()
    (tmp_path / ".ci").mkdir()
    (tmp_path / ".ci" / "run").write_text(script)
    (tmp_path / "bootstrap").write_text('#!/bin/sh\necho "args=$* CI=$CI"\n')
    for path in (tmp_path / ".ci" / "run", tmp_path / "bootstrap"):
        path.chmod(0o755)
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    completed = subprocess.run(
        ["bash", str(tmp_path / ".ci" / "run")], env=env, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "args=test CI=true"


def blocking_pipe_uses(source: str) -> list[tuple[int, str]]:
    """(line, what) of every tftest runner construction and every `Popen` piping both stdout
    and stderr in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = (_attribute_chain(node.func) or [""])[-1]
        if name == "TerraformTest":
            found.append((node.lineno, "tftest.TerraformTest(...)"))
        elif name == "Popen":
            piped = {
                keyword.arg
                for keyword in node.keywords
                if _attribute_chain(keyword.value)[-1:] == ["PIPE"]
            }
            if {"stdout", "stderr"} <= piped:
                found.append((node.lineno, "Popen(stdout=PIPE, stderr=PIPE)"))
    return found


def test_pipe_finder_sees_both_forms():
    source = (
        "import subprocess, tftest\nfrom subprocess import PIPE, Popen\n"
        "tftest.TerraformTest('.')\n"
        "subprocess.Popen(['x'], stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
        "Popen(['x'], stderr=PIPE, stdout=PIPE)\n"
        "subprocess.Popen(['x'], stdout=subprocess.PIPE)\n"
        "subprocess.run(['x'], stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
    )
    assert [line for line, _ in blocking_pipe_uses(source)] == [3, 4, 5]


def test_no_process_can_block_on_a_full_pipe():
    offenders = []
    sources = [
        *TESTS.rglob("*.py"),
        *(REPO / "legacylift").rglob("*.py"),
        *(REPO / "tasks").rglob("*.py"),
    ]
    sources += (REPO / "benchmarks").rglob("*.py")
    for path in sorted(sources):
        if path == TESTS / "terraform" / "tfcopy.py":
            continue  # DrainedTerraformTest itself
        for line, what in blocking_pipe_uses(path.read_text()):
            offenders.append(f"{path.relative_to(REPO)}:{line}: {what}")
    assert offenders == [], (
        "build tftest runners with tests.terraform.tfcopy.tftest_runner or DrainedTerraformTest, "
        "and read both streams of a process with subprocess.run or communicate: "
        + ", ".join(offenders)
    )


def test_every_planted_bug_still_applies_to_the_code():
    """Each planted bug's `old` text occurs exactly once in its file, so the planted-bug script
    plants what it says (a reformatting or a rewrite that moves the code fails here, naming the
    bug, rather than in a 20-minute script run)."""
    from tests.planted_bugs import BUGS, REPO

    stale = {
        bug.name: (REPO / bug.path).read_text().count(bug.old)
        for bug in BUGS
        if (REPO / bug.path).read_text().count(bug.old) != 1
    }
    assert len(BUGS) > 90
    assert stale == {}
