"""A short summary of a plan (`terraform show -json` of a saved plan, or the `planned_change`
messages of a `-json` run): what is created, updated, replaced, deleted."""

from __future__ import annotations

from collections import Counter
from typing import Any

# A replacement shows as ["delete", "create"] or ["create", "delete"]: count it once, as replace.
_ACTION_KIND = {
    ("create",): "create",
    ("update",): "update",
    ("delete",): "delete",
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
}
KINDS = ("create", "update", "replace", "delete")


def count_changes(plan: dict[str, Any]) -> dict[str, Counter]:
    """Per change kind (create/update/replace/delete), a Counter of resource types."""
    counts: dict[str, Counter] = {kind: Counter() for kind in KINDS}
    for change in plan.get("resource_changes") or []:
        kind = _ACTION_KIND.get(tuple(change.get("change", {}).get("actions", ())))
        if kind:
            counts[kind][change["type"]] += 1
    return counts


def count_planned(planned: list[dict[str, Any]]) -> dict[str, Counter]:
    """The same counts from the `planned_change` messages of Terraform's `-json` output
    (`{"resource": {"resource_type": ...}, "action": "create" | "update" | "replace" | ...}`)."""
    counts: dict[str, Counter] = {kind: Counter() for kind in KINDS}
    for change in planned:
        if change.get("action") in KINDS:
            counts[change["action"]][change["resource"]["resource_type"]] += 1
    return counts


def count_lines(counts: dict[str, Counter]) -> list[str]:
    """Human lines of change counts: a total, then one line per change kind listing the
    resource types."""
    total = ", ".join(f"{sum(counts[kind].values())} to {kind}" for kind in KINDS)
    lines = [f"Plan: {total}"]
    for kind in KINDS:
        if counts[kind]:
            types = ", ".join(f"{name} x{n}" for name, n in sorted(counts[kind].items()))
            lines.append(f"  {kind}: {types}")
    return lines


def summary_lines(plan: dict[str, Any]) -> list[str]:
    """Human lines of a saved plan: the change counts, then the outputs it changes."""
    lines = count_lines(count_changes(plan))
    output_changes = [
        name
        for name, change in (plan.get("output_changes") or {}).items()
        if change.get("actions") not in (["no-op"], None)
    ]
    if output_changes:
        lines.append(f"  outputs changed: {', '.join(sorted(output_changes))}")
    return lines
