"""Terraform's machine-readable UI (`-json`): its messages, one JSON object per line, and the
error diagnostics among them as Terraform prints them."""

from __future__ import annotations

import json
from typing import Any


def json_messages(out: str) -> list[dict[str, Any]]:
    """The JSON lines of Terraform's machine-readable UI (anything else is skipped)."""
    messages = []
    for line in (out or "").splitlines():
        if line.startswith("{"):
            try:
                messages.append(json.loads(line))
            except ValueError:
                continue
    return messages


def error_diagnostics(messages: list[dict[str, Any]]) -> str:
    """The error diagnostics of a `-json` run as Terraform prints them: summary, then detail."""
    lines = []
    for message in messages:
        diagnostic = message.get("diagnostic") or {}
        if message.get("type") == "diagnostic" and diagnostic.get("severity") == "error":
            where = f" ({diagnostic['address']})" if diagnostic.get("address") else ""
            lines.append(f"Error: {diagnostic.get('summary', '')}{where}")
            if diagnostic.get("detail"):
                lines.append(diagnostic["detail"])
    return "\n".join(lines)
