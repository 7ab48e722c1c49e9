"""A definition that never ends, run by the local interpreter until AWS's 25,000-event history
limit fails it: wall time to the limit and the process's peak memory (each in a fresh child
process, so earlier runs do not count), for a two-state Pass loop and for the same loop
carrying a larger payload through every state.

    python benchmarks/history_limit.py [--payload-kb 0 16]
        [--out benchmarks/results/history_limit.md]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

CHILD = """
import json, resource, sys, time
from legacylift.local.asl.interpreter import Execution
loop = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
                                   "B": {"Type": "Pass", "Next": "A"}}}
payload = {"data": "x" * (int(sys.argv[1]) * 1024)}
started = time.perf_counter()
result = Execution(loop, payload).run()
seconds = time.perf_counter() - started
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"status": result.status, "cause": result.cause, "events": len(result.history),
                  "seconds": seconds, "peak_mb": peak_mb}))
"""


def _measure(payload_kb: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(payload_kb)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payload-kb", type=int, nargs="+", default=[0, 16])
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks/results/history_limit.md")
    args = parser.parse_args()

    from local_machine import machine_description

    rows = []
    for payload_kb in args.payload_kb:
        found = _measure(payload_kb)
        assert found["status"] == "FAILED" and found["events"] == 25_000, found
        rows.append(
            f"| {payload_kb} | {found['events']:,} | {found['seconds']:.1f} | "
            f"{found['peak_mb']:.0f} |"
        )
        print(rows[-1])
    payloads = " ".join(str(kb) for kb in args.payload_kb)
    text = "\n".join(
        [
            "# Local interpreter: a definition that never ends, stopped by the history limit",
            "",
            machine_description(),
            "",
            f"`python benchmarks/history_limit.py --payload-kb {payloads}`: a two-state Pass loop "
            'run until the execution fails with "The execution reached the maximum number of '
            'history events (25000)."; each row in a fresh process. Peak memory is the child '
            "process's maximum resident set (Python and the engine included). Load average when "
            f"it ended: {os.getloadavg()[0]:.1f}.",
            "",
            "| payload carried (KB) | history events | seconds to the limit | peak memory (MB) |",
            "| --- | --- | --- | --- |",
            *rows,
            "",
        ]
    )
    args.out.write_text(text)
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
