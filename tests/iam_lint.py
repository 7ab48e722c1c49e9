"""parliament (an IAM linter) over rendered policy documents, statement by statement, against the
accepted findings of tests/iam_accepted_findings.json."""

from __future__ import annotations

import json
from pathlib import Path

ACCEPTED_FILE = Path(__file__).with_name("iam_accepted_findings.json")


def accepted_findings() -> dict[tuple[str, str], str]:
    """(Sid, parliament issue) -> the reason it is accepted."""
    entries = json.loads(ACCEPTED_FILE.read_text())["accepted"]
    return {(entry["sid"], entry["issue"]): entry["reason"] for entry in entries}


def findings(document: dict | str) -> set[tuple[str, str, str]]:
    """(Sid, issue, detail) of every parliament finding, community auditors included; each
    statement is analysed on its own so that a finding names the statement it is about."""
    from parliament import analyze_policy_string

    policy = json.loads(document) if isinstance(document, str) else document
    statements = policy["Statement"]
    statements = statements if isinstance(statements, list) else [statements]
    found = set()
    for statement in statements:
        single = {"Version": policy.get("Version", "2012-10-17"), "Statement": [statement]}
        analysed = analyze_policy_string(json.dumps(single), include_community_auditors=True)
        for finding in analysed.findings:
            found.add((statement.get("Sid", ""), finding.issue, json.dumps(finding.detail)))
    return found


def unaccepted(documents: dict[str, dict | str]) -> tuple[list[str], set[tuple[str, str]]]:
    """Findings (as readable lines) not listed as accepted, and the accepted keys seen."""
    accepted = accepted_findings()
    problems, seen = [], set()
    for name, document in documents.items():
        for sid, issue, detail in sorted(findings(document)):
            if (sid, issue) in accepted:
                seen.add((sid, issue))
            else:
                problems.append(f"{name}: statement {sid or '(no Sid)'}: {issue} {detail}")
    return problems, seen
