"""Mutation testing of the safety-critical modules with mutmut; writes the score per module.

The modules and the fast tests that judge them are configured in pyproject.toml
([tool.mutmut]); mutants and mutmut's state live in mutants/ (git-ignored). A rerun resumes:
only functions changed since the last run are mutated again (every mutant of the modules
named on the command line is tested again).

    python -m benchmarks.mutation                      # every configured module
    python -m benchmarks.mutation legacylift.tfvars     # one module (a prefix of mutant names)
    python -m benchmarks.mutation --survivors legacylift.tfvars  # only its mutants not killed
    python -m benchmarks.mutation --report-only         # rewrite the table from mutants/

Writes benchmarks/results/mutation.md (the score table, and each run's duration and machine).
The surviving mutants are triaged in docs/mutation-testing.md. CPU-heavy: 20-30 minutes for
every module on 2 busy cores (jsonpath alone about 10), so not part of every CI run.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.local_machine import machine_description

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "mutation.md"
STATS = REPO / "mutants" / "mutmut-stats.json"
COUNTED = ("killed", "survived", "no tests", "timeout", "suspicious", "skipped", "not checked")


def run_mutmut(prefixes: list[str], children: int) -> float:
    """Run mutmut on mutants whose names start with `prefixes` (all when empty); seconds.

    mutmut's map of which tests call which function is collected once and then extended for
    new tests only: a function added later (a rewrite splitting out a helper) stays mapped to
    no test, or to the few new ones, and its mutants survive tests that do call it. So the map
    is rebuilt on every run (one traced run of the selection, about a minute)."""
    started = time.monotonic()
    STATS.unlink(missing_ok=True)
    names = [prefix if "__mutmut_" in prefix else f"{prefix}*" for prefix in prefixes]
    subprocess.run(
        ["mutmut", "run", "--max-children", str(children), *names], cwd=REPO, check=False
    )
    return time.monotonic() - started


def statuses() -> dict[str, str]:
    """Every mutant's status, from `mutmut results --all true`."""
    listed = subprocess.run(
        ["mutmut", "results", "--all", "true"], cwd=REPO, capture_output=True, text=True
    ).stdout
    found = {}
    for line in listed.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if "__mutmut_" in name:
            found[name] = status.strip()
    return found


def survivors(prefixes: list[str]) -> list[str]:
    """The mutants under `prefixes` that no test has caught yet (survived, no tests, ...)."""
    return [
        name
        for name, status in statuses().items()
        if status not in ("killed", "timeout") and name.startswith(tuple(prefixes))
    ]


def results() -> dict[str, collections.Counter]:
    """Mutant statuses per module."""
    per_module: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for name, status in statuses().items():
        module = name.split(".x")[0] if ".x" in name else name.rsplit(".", 1)[0]
        per_module[module][status] += 1
    return dict(sorted(per_module.items()))


COLUMNS = ("killed", "survived", "no tests", "timeout", "not checked")


def recorded() -> dict[str, collections.Counter]:
    """The statuses per module in the table already written (what earlier runs found)."""
    if not RESULTS.exists():
        return {}
    found = {}
    for line in RESULTS.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 8 or not cells[0].startswith("legacylift") or not cells[2].isdigit():
            continue
        found[cells[0]] = collections.Counter(
            {status: int(cells[2 + index]) for index, status in enumerate(COLUMNS)}
        )
    return found


def with_recorded(per_module: dict[str, collections.Counter]) -> dict[str, collections.Counter]:
    """`per_module`, where a module none of whose mutants ran here (a fresh mutants/ directory,
    a run limited to other modules) keeps the statuses the table recorded for it."""
    merged = dict(per_module)
    for module, counts in recorded().items():
        ran_here = per_module.get(module)
        if ran_here is None or ran_here["not checked"] == sum(ran_here.values()):
            merged[module] = counts
    return dict(sorted(merged.items()))


def table(per_module: dict[str, collections.Counter]) -> str:
    """Markdown rows: module, mutants, each status, score (killed + timeout over all)."""
    lines = [
        "| module | mutants | killed | survived | no tests | timeout | not run | score |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    total: collections.Counter = collections.Counter()
    for module, counts in per_module.items():
        total.update(counts)
        lines.append(_row(module, counts))
    lines.append(_row("**all**", total))
    return "\n".join(lines)


def _row(module: str, counts: collections.Counter) -> str:
    mutants = sum(counts.values())
    checked = mutants - counts["not checked"]  # a run limited to other modules leaves these
    caught = counts["killed"] + counts["timeout"]
    score = f"{100 * caught / checked:.1f}%" if checked else "-"
    return (
        f"| {module} | {mutants} | {counts['killed']} | {counts['survived']} | "
        f"{counts['no tests']} | {counts['timeout']} | {counts['not checked']} | {score} |"
    )


KEPT_RUNS = 15
RUNS_HEADING = "## Runs behind this table"


def earlier_runs() -> list[str]:
    """The run lines already recorded in the results file (one per run)."""
    if not RESULTS.exists():
        return []
    text = RESULTS.read_text()
    if RUNS_HEADING not in text:
        return []
    return [line for line in text.split(RUNS_HEADING, 1)[1].splitlines() if line.startswith("- ")]


def main(argv: list[str] | None = None) -> int:
    """Run (unless --report-only) and write benchmarks/results/mutation.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="mutant name prefixes, e.g. legacylift.tfvars")
    parser.add_argument("--children", type=int, default=2, help="parallel test processes")
    parser.add_argument("--report-only", action="store_true", help="only rewrite the table")
    parser.add_argument(
        "--survivors",
        action="store_true",
        help="run only the named modules' mutants not killed yet (after adding tests)",
    )
    args = parser.parse_args(argv)
    targets = args.modules
    if args.survivors:
        targets = survivors(args.modules)
        if not targets:
            print("no surviving mutants under " + ", ".join(args.modules), file=sys.stderr)
            return 1
    seconds = None if args.report_only else run_mutmut(targets, args.children)
    per_module = with_recorded(results())
    if not per_module:
        print("no mutmut results: run without --report-only first", file=sys.stderr)
        return 1
    ran = ", ".join(args.modules) or "every module"
    if args.survivors:
        ran = f"the {len(targets)} mutants of {ran} not killed before"
    runs = earlier_runs()
    if seconds is not None:
        runs.append(f"- {seconds / 60:.1f} min for {ran}. {machine_description()}")
    RESULTS.write_text(
        "# Mutation score of the safety-critical modules\n\n"
        "`python -m benchmarks.mutation` (mutmut 3.8.1, configured in pyproject.toml "
        '[tool.mutmut]); score = (killed + timeout) / mutants run, where "no tests" means no '
        "configured fast test calls the function. Every surviving mutant is triaged in "
        "docs/mutation-testing.md.\n\n"
        f"{table(per_module)}\n\n"
        "## Runs behind this table (latest last)\n\n"
        "Each run updates the statuses of the mutants it ran; the others keep their last "
        "status.\n\n" + "\n".join(runs[-KEPT_RUNS:]) + "\n"
    )
    print(RESULTS.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
