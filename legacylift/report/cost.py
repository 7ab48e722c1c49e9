"""What a run costs: each processing job's instance-hours (instances × its running time,
ProcessingStartTime to ProcessingEndTime, as SageMaker bills them) priced from a dated table of
on-demand prices per instance type and region (`legacylift/prices.json`, or the file
LEGACYLIFT_PRICE_TABLE names). Jobs a resumed run reused cost this run nothing."""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

from legacylift import settings
from legacylift.errors import LegacyLiftError
from legacylift.history import Trace, timestamp


@functools.cache
def _load(path: str | None) -> dict[str, Any]:
    if path is None:
        return json.loads(resources.files("legacylift").joinpath("prices.json").read_text())
    try:
        table = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise LegacyLiftError(
            f"LEGACYLIFT_PRICE_TABLE={path}: cannot read it as JSON ({exc}); "
            "give a file shaped like legacylift/prices.json"
        ) from None
    prices = table.get("prices") if isinstance(table, dict) else None
    if (
        not isinstance(prices, dict)
        or not isinstance(table.get("as_of"), str)
        or not all(
            isinstance(region, dict)
            and all(isinstance(v, int | float) and v >= 0 for v in region.values())
            for region in prices.values()
        )
    ):
        raise LegacyLiftError(
            f'LEGACYLIFT_PRICE_TABLE={path}: needs "as_of" (a date) and '
            '"prices": {region: {instance type: USD per hour}}, as '
            "legacylift/prices.json"
        )
    return table


def price_table() -> dict[str, Any]:
    """The price table in force: the shipped one, or LEGACYLIFT_PRICE_TABLE's."""
    return _load(settings.get("LEGACYLIFT_PRICE_TABLE"))


def job_hours(describe: dict[str, Any]) -> float | None:
    """Instance-hours of one job (None when it never started running)."""
    start, end = describe.get("ProcessingStartTime"), describe.get("ProcessingEndTime")
    if not start or not end:
        return None
    seconds = max((_instant(end) - _instant(start)).total_seconds(), 0.0)
    count = describe.get("ProcessingResources", {}).get("ClusterConfig", {}).get("InstanceCount", 1)
    return seconds * count / 3600


def _instant(value: Any):
    """A job timestamp: epoch milliseconds (the local engine, Step Functions' task output),
    epoch seconds (a number too small to be milliseconds since 1973), or ISO text."""
    if isinstance(value, int | float) and abs(value) < 1e11:
        value = value * 1000
    return timestamp(value)


def run_cost(
    trace: Trace,
    region: str,
    reused: set[str] | frozenset[str] = frozenset(),
    table: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Instance-hours and estimated cost of the processing jobs of an execution (each attempt
    that ran; `reused` job names left out): totals, per instance type, and what was not priced."""
    table = table or price_table()
    prices = table["prices"].get(region, {})
    hours: dict[str, float] = {}
    for _, attempt in trace.attempts():
        if not attempt.job_name or attempt.job_name in reused:
            continue
        describe = attempt.describe
        used = job_hours(describe)
        if used is None:
            continue
        kind = (
            describe.get("ProcessingResources", {})
            .get("ClusterConfig", {})
            .get("InstanceType", "unknown")
        )
        hours[kind] = hours.get(kind, 0.0) + used
    unpriced = sorted(kind for kind in hours if kind not in prices)
    cost = sum(used * prices[kind] for kind, used in hours.items() if kind in prices)
    return {
        "instance_hours": round(sum(hours.values()), 6),
        "estimated_cost": round(cost, 6) if not unpriced else None,
        "priced_cost": round(cost, 6),
        "currency": table.get("currency", "USD"),
        "region": region,
        "prices_as_of": table["as_of"],
        "by_instance_type": {kind: round(used, 6) for kind, used in sorted(hours.items())},
        "unpriced": unpriced,
    }


def cost_line(cost: dict[str, Any]) -> str:
    """One line: instance-hours and the estimate (or why there is none)."""
    hours = f"{cost['instance_hours']:.4f} instance-hours"
    if cost["unpriced"]:
        return (
            f"{hours}; no price for {', '.join(cost['unpriced'])} in {cost['region']} "
            f"(prices of {cost['prices_as_of']}): add it with LEGACYLIFT_PRICE_TABLE"
        )
    return (
        f"{hours}, estimated {format_money(cost['estimated_cost'], cost['currency'])} "
        f"on demand in {cost['region']} (prices of {cost['prices_as_of']})"
    )


def format_money(amount: float | None, currency: str = "USD") -> str:
    """`$0.0123` (four decimals: one step of a small model costs fractions of a cent;
    `<$0.0001` below that)."""
    if amount is None:
        return "-"
    if 0 < amount < 0.0001:
        return "<$0.0001" if currency == "USD" else f"<0.0001 {currency}"
    return f"${amount:.4f}" if currency == "USD" else f"{amount:.4f} {currency}"
