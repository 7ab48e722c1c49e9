"""The local interpreter's own cost per query language: one pure-state workflow written twice.

The workflow: a Pass assigns a variable, then an inline Map over N items (MaxConcurrency 4)
whose ItemSelector builds each item's input and whose two-state item processor assigns and
reads a variable; written once in JSONPath (paths, intrinsic functions) and once in JSONata
(`{% %}` expressions, jsonata-python). Reports the median wall time of an execution and the
time per state run; no Docker, no jobs.

    python benchmarks/asl_query_languages.py [--items 500] [--repeat 5]
        [--out benchmarks/results/asl_query_languages.md]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]


def jsonpath_workflow() -> dict:
    """The workflow in JSONPath."""
    return {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Assign": {"k": 1}, "Next": "M"},
            "M": {
                "Type": "Map",
                "End": True,
                "MaxConcurrency": 4,
                "ItemSelector": {"v.$": "$$.Map.Item.Value", "k.$": "$k"},
                "ItemProcessor": {
                    "StartAt": "P",
                    "States": {
                        "P": {
                            "Type": "Pass",
                            "Assign": {"z.$": "States.MathAdd($.v, $.v)"},
                            "Next": "Q",
                        },
                        "Q": {
                            "Type": "Pass",
                            "Parameters": {"r.$": "States.MathAdd($z, $.k)"},
                            "OutputPath": "$.r",
                            "End": True,
                        },
                    },
                },
            },
        },
    }


def jsonata_workflow() -> dict:
    """The same workflow in JSONata."""
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Assign": {"k": 1}, "Next": "M"},
            "M": {
                "Type": "Map",
                "End": True,
                "MaxConcurrency": 4,
                "ItemSelector": {"v": "{% $states.context.Map.Item.Value %}", "k": "{% $k %}"},
                "ItemProcessor": {
                    "StartAt": "P",
                    "States": {
                        "P": {
                            "Type": "Pass",
                            "Assign": {"z": "{% $states.input.v * 2 %}"},
                            "Next": "Q",
                        },
                        "Q": {"Type": "Pass", "Output": "{% $z + $states.input.k %}", "End": True},
                    },
                },
            },
        },
    }


def _time(definition: dict, items: int, repeat: int) -> float:
    from legacylift.local.asl.interpreter import Execution

    expected = [2 * item + 1 for item in range(items)]
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = Execution(definition, list(range(items))).run()
        timings.append(time.perf_counter() - started)
        assert result.status == "SUCCEEDED" and result.output == expected, result.cause
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--out", type=Path, default=REPO / "benchmarks/results/asl_query_languages.md"
    )
    args = parser.parse_args()

    from local_machine import machine_description

    states = 2 + 2 * args.items
    rows = []
    for label, definition in (("JSONPath", jsonpath_workflow()), ("JSONata", jsonata_workflow())):
        seconds = _time(definition, args.items, args.repeat)
        rows.append(f"| {label} | {seconds:.2f} | {seconds / states * 1000:.2f} |")
        print(rows[-1])
    text = "\n".join(
        [
            "# Local interpreter: the same workflow in JSONPath and in JSONata",
            "",
            machine_description(),
            "",
            f"`python benchmarks/asl_query_languages.py --items {args.items} --repeat "
            f"{args.repeat}`: an inline Map of {args.items} items, {states} states run per "
            f"execution; median of {args.repeat} executions. Load average when it ended: "
            f"{os.getloadavg()[0]:.1f} (other work on the machine slows both rows alike).",
            "",
            "| query language | seconds per execution | ms per state |",
            "| --- | --- | --- |",
            *rows,
            "",
        ]
    )
    args.out.write_text(text)
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
