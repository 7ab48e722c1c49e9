"""The suite's two workers (tests/conftest.py): the groups reach pytest-xdist's scheduler.

A throwaway suite laid out like this one (tests/aws/, tests/terraform/, tests/local/, with
this suite's collection hook) runs under `-n 2 --dist loadgroup`; each test records the worker
it ran on and when.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

RECORDING_TEST = """
import json, os, time
from pathlib import Path

import pytest


@pytest.mark.parametrize("n", range({count}))
def test_records_its_worker(n{fixture}):
    time.sleep(0.05)
    line = {{"test": "{name}", "n": n, "worker": os.environ["PYTEST_XDIST_WORKER"],
             "at": time.monotonic()}}
    with open(os.environ["RECORD"], "a") as record:
        record.write(json.dumps(line) + "\\n")
"""


def _suite(root: Path) -> None:
    (root / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    (root / "conftest.py").write_text(
        textwrap.dedent(
            """
            import pytest

            from tests.conftest import pytest_itemcollected  # the suite's own hook


            @pytest.fixture
            def docker_client():
                return None
            """
        )
    )
    layout = {
        "tests/aws/test_first.py": ("aws-first", ""),
        "tests/terraform/test_second.py": ("terraform-second", ""),
        "tests/aws/test_with_docker.py": ("aws-docker", ", docker_client"),
        "tests/local/test_third.py": ("local-third", ""),
        "tests/local/test_fourth.py": ("local-fourth", ""),
    }
    for relative, (name, fixture) in layout.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(RECORDING_TEST.format(count=6, name=name, fixture=fixture))


def test_groups_reach_the_scheduler_and_the_serial_group_keeps_its_order(tmp_path):
    """Each module of tests/aws/ and tests/terraform/ runs on one worker; the serial group
    (tests/local/, and a tests/aws/ module using the Docker fixture) on one worker, in
    collection order. Planted bug: the structured node id left without its `@group` suffix
    (suffix_group returning at once: pytest 9.2 with xdist 3.8 then schedules every test
    alone) splits the modules across the workers (red)."""
    _suite(tmp_path)
    record = tmp_path / "record.jsonl"
    env = dict(os.environ, RECORD=str(record), PYTHONPATH=str(REPO))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-q", "tests"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert len(lines) == 30
    workers = {}
    for line in lines:
        workers.setdefault(line["test"], set()).add(line["worker"])
    assert all(len(ran_on) == 1 for ran_on in workers.values()), workers
    serial = ("aws-docker", "local-fourth", "local-third")
    assert len({next(iter(workers[name])) for name in serial}) == 1, workers
    # Both workers had work (the modules beside the serial group ran on the other one too).
    assert len({worker for ran_on in workers.values() for worker in ran_on}) == 2, workers
    # The serial group in collection order (test_fourth.py is collected before test_third.py).
    ordered = sorted((line for line in lines if line["test"] in serial), key=lambda x: x["at"])
    expected = [(name, n) for name in serial for n in range(6)]
    assert [(line["test"], line["n"]) for line in ordered] == expected
