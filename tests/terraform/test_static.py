"""Checks on the Terraform source itself: pitfalls of the public modules, and checkov."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from legacylift.paths import REPO_ROOT
from tests.conftest import require
from tests.terraform.tfcopy import terraform

SCANNED = ("modules", "terraform", "examples")


def _terraform_files() -> list:
    files = list(REPO_ROOT.glob("*.tf"))
    for folder in SCANNED:
        files += [p for p in (REPO_ROOT / folder).rglob("*.tf") if ".terraform" not in p.parts]
    return files


def test_no_aws_iam_policy_attachment_anywhere():
    """aws_iam_policy_attachment owns every attachment of a policy account-wide: applying it
    detaches the policy from roles other stacks attached it to."""
    offenders = [
        str(path.relative_to(REPO_ROOT))
        for path in _terraform_files()
        if re.search(r'resource\s+"aws_iam_policy_attachment"', path.read_text())
    ]
    assert len(_terraform_files()) > 20
    assert offenders == []


def _blocks(kind: str) -> list[tuple[str, str, dict]]:
    """(file, label, body) of every `kind` block (resource, module, variable) of every .tf file,
    labels unquoted and joined by '.'."""
    import hcl2

    found = []
    for path in _terraform_files():
        with path.open() as handle:
            parsed = hcl2.load(handle)
        for entry in parsed.get(kind, []):
            for label, body in entry.items():
                if kind == "resource":
                    for name, resource in body.items():
                        found.append(
                            (str(path), f"{label.strip(chr(34))}.{name.strip(chr(34))}", resource)
                        )
                else:
                    found.append((str(path), label.strip('"'), body))
    return found


def test_only_standard_state_machines_are_declared():
    """EXPRESS is refused by validation; no configuration may hard-code another type. Every
    state machine resource takes its type from a variable that defaults to and only accepts
    STANDARD, and no module call passes a type. Planted bug: `type = "EXPRESS"` in a module
    call, or the variable's validation dropped, turns this red."""
    machines = [(f, b) for f, label, b in _blocks("resource") if label.startswith("aws_sfn_state")]
    assert len(machines) >= 1, "no aws_sfn_state_machine found: the check would prove nothing"
    for path, body in machines:
        assert body.get("type") == "${var.type}", (path, body.get("type"))
        variables = [
            b
            for f, label, b in _blocks("variable")
            if label == "type" and Path(f).parent == Path(path).parent
        ]
        assert len(variables) == 1, path
        (variable,) = variables
        assert variable["default"] == '"STANDARD"'
        assert [v["condition"] for v in variable["validation"]] == ['${var.type == "STANDARD"}']
    calls = [
        (f, label, b) for f, label, b in _blocks("module") if "state-machine" in b.get("source", "")
    ]
    assert len(calls) >= 2, "the root module's state machine calls were not found"
    assert [(f, label) for f, label, b in calls if "type" in b] == []


@pytest.mark.aws_provider
def test_state_machine_waits_for_its_role_policies(tmp_path, aws_provider):
    """IAM is eventually consistent and Step Functions checks the .sync integration's
    EventBridge permission at creation: the graph must order both role policies first."""
    import shutil

    shutil.copytree(REPO_ROOT / "modules" / "state-machine", tmp_path, dirs_exist_ok=True)
    terraform(tmp_path, "init", "-backend=false", "-input=false", "-no-color")
    graph = terraform(tmp_path, "graph").stdout
    # Terraform 1.0 names nodes `[root] ADDRESS (expand)`; newer releases the bare address.
    edges = set(
        re.findall(
            r'"(?:\[root\] )?([^"]+?)(?: \(expand\))?" -> "(?:\[root\] )?([^"]+?)(?: \(expand\))?"',
            graph,
        )
    )
    for policy in ("workflow", "observability"):
        edge = ("aws_sfn_state_machine.this", f"aws_iam_role_policy.{policy}")
        assert edge in edges, f"the state machine does not depend on the {policy} policy"


@pytest.fixture(scope="module")
def checkov_report():
    """checkov's JSON report over the root module, modules/, terraform/ and examples/ (one run
    from the repository root, the Python parts skipped; hidden folders are never scanned)."""
    from legacylift.setup.checkov import checkov_binary

    require(checkov_binary().exists(), "checkov is not installed: run ./bootstrap")
    arguments = [str(checkov_binary()), "-d", ".", "--framework", "terraform", "--skip-download"]
    for folder in ("tests", "legacylift", "benchmarks", "build", "legacy_models"):
        arguments += ["--skip-path", folder]
    result = subprocess.run(
        [*arguments, "--output", "json"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]
    report = json.loads(result.stdout)
    return report if isinstance(report, list) else [report]


def test_checkov_finds_no_failed_check(checkov_report):
    failed = [
        f"{check['check_id']} {check['resource']} ({check['file_path']})"
        for report in checkov_report
        for check in report["results"].get("failed_checks", [])
    ]
    assert failed == []
    assert all(report["summary"]["parsing_errors"] == 0 for report in checkov_report)
    assert sum(report["summary"]["passed"] for report in checkov_report) > 50
    scanned = {
        check["file_path"].split("/")[1]
        for report in checkov_report
        for check in report["results"].get("passed_checks", [])
    }
    assert {"modules", "examples"} <= scanned, scanned


def test_every_checkov_skip_states_its_reason():
    """Skips are inline `#checkov:skip=CKV_...:reason`; a reason is a sentence, not a word."""
    skips = [
        (str(path.relative_to(REPO_ROOT)), match)
        for path in _terraform_files()
        for match in re.findall(r"#checkov:skip=([A-Z0-9_]+)(?::(.*))?", path.read_text())
    ]
    assert skips, "expected the documented skips"
    short = [(path, check) for path, (check, reason) in skips if len(reason or "") < 40]
    assert short == []


def test_docs_list_every_root_input_and_output():
    """The README's tables (the registry page) name every variable and output of the root module."""
    docs = (REPO_ROOT / "README.md").read_text()
    for kind, file in (("variable", "variables.tf"), ("output", "outputs.tf")):
        names = re.findall(rf'^{kind} "([^"]+)"', (REPO_ROOT / file).read_text(), re.M)
        assert names
        missing = [name for name in names if f"| `{name}` |" not in docs]
        assert missing == [], f"README.md lacks the {kind}s {missing}"
