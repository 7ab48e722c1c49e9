"""An `aws_iam_policy_document` data source of a module, read from its HCL (python-hcl2) into
the policy JSON the AWS provider renders, without Terraform or the provider.

Supports what the modules use: statements with sid, effect, actions, resources, principals and
conditions, whose strings are literals or interpolate references given in `references`
(e.g. `{"aws_s3_bucket.this.arn": "arn:aws:s3:::b"}`). Anything else raises, so a module using
more than this fails the test rather than being read wrongly. tests/terraform/test_bucket_policy.py
checks the result against the document Terraform itself renders.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

KNOWN = {"sid", "effect", "actions", "resources", "principals", "condition", "__is_block__"}


def _string(value: Any, references: dict[str, str]) -> str:
    text = str(value)
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]

    def substitute(match: re.Match) -> str:
        reference = match.group(1)
        if reference not in references:
            raise ValueError(f"no value given for the reference {reference}")
        return references[reference]

    return re.sub(r"\$\{([^}]+)\}", substitute, text)


def _strings(values: list, references: dict[str, str]) -> list[str]:
    return [_string(v, references) for v in values]


def _principal(blocks: list[dict], references: dict[str, str]) -> Any:
    if len(blocks) == 1 and _string(blocks[0]["type"], references) == "*":
        return "*"
    principal: dict[str, list[str]] = {}
    for block in blocks:
        principal.setdefault(_string(block["type"], references), []).extend(
            _strings(block["identifiers"], references)
        )
    return principal


def policy_document(path: Path, name: str, references: dict[str, str]) -> dict:
    """The policy JSON of `data "aws_iam_policy_document" "<name>"` in the file at `path`."""
    import hcl2

    with Path(path).open() as handle:
        parsed = hcl2.load(handle)
    blocks = [
        body
        for data in parsed.get("data", [])
        for kind, named in data.items()
        if kind.strip('"') == "aws_iam_policy_document"
        for block_name, body in named.items()
        if block_name.strip('"') == name
    ]
    if len(blocks) != 1:
        raise ValueError(f"{path} declares {len(blocks)} policy documents named {name!r}")
    statements = []
    for block in blocks[0]["statement"]:
        unknown = set(block) - KNOWN
        if unknown:
            raise ValueError(f"statement fields not read by this helper: {sorted(unknown)}")
        statement: dict[str, Any] = {"Effect": _string(block.get("effect", "Allow"), references)}
        if "sid" in block:
            statement["Sid"] = _string(block["sid"], references)
        statement["Action"] = _strings(block["actions"], references)
        statement["Resource"] = _strings(block["resources"], references)
        if "principals" in block:
            statement["Principal"] = _principal(block["principals"], references)
        conditions: dict[str, dict[str, list[str]]] = {}
        for condition in block.get("condition", []):
            operator = conditions.setdefault(_string(condition["test"], references), {})
            key = _string(condition["variable"], references)
            operator.setdefault(key, []).extend(_strings(condition["values"], references))
        if conditions:
            statement["Condition"] = conditions
        statements.append(statement)
    return {"Version": "2012-10-17", "Statement": statements}
