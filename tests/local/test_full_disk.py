"""A full disk, on real filesystems of fixed size (tmpfs mounted by the test; skipped through
`require` where the machine does not allow mounting): the engine says which filesystem is full
and how much was needed, keeps what it promised to keep, and leaves every job record in a final
state."""

from __future__ import annotations

import io
import json
import os
import subprocess
import uuid

import pytest

from legacylift.errors import LegacyLiftError
from legacylift.local.datasources import DataSources
from legacylift.local.names import JobRegistry
from legacylift.local.settings import LocalSettings
from legacylift.local.transfer import fetch_output
from tests.conftest import require

MB = 1024 * 1024


@pytest.fixture
def small_fs(tmp_path):
    """`small_fs(megabytes)`: a directory on a tmpfs of that size, unmounted after the test."""
    mounted = []

    def make(megabytes: int):
        point = tmp_path / f"small-{uuid.uuid4().hex[:6]}"
        point.mkdir()
        command = ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(point)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        require(done.returncode == 0, f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(point)
        return point

    yield make
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


def _fill(directory):
    """Write into `directory` until its filesystem is full (to the last block)."""
    with open(directory / "filler", "wb", buffering=0) as handle:
        for chunk in (MB, 4096):
            try:
                while True:
                    handle.write(b"\0" * chunk)
            except OSError:
                continue


def test_output_on_a_full_filesystem_says_what_is_full_and_where_the_output_is(tmp_path, small_fs):
    """Planted bug `output-full-traceback` (ENOSPC re-raised as is): an OSError traceback that
    neither names the full filesystem nor says the complete output is still in the store."""
    settings = LocalSettings.under(tmp_path / "local")
    sources = DataSources(settings)
    for index in range(3):
        sources.put(
            f"s3://legacylift-local/m/output/e/part-{index}.bin", io.BytesIO(os.urandom(MB))
        )
    destination = small_fs(2) / "out"
    destination.mkdir()
    (destination / "old.txt").write_text("earlier run\n")
    kept_at = str(settings.object_store / "legacylift-local/m/output/e")
    with pytest.raises(LegacyLiftError) as raised:
        fetch_output(sources, "s3://legacylift-local/m/output/e/", destination, kept_at=kept_at)
    message = str(raised.value)
    where = f"no space left on the filesystem holding {destination.parent} (mounted at"
    assert f"{where} {destination.parent};" in message
    assert "3.1 MB needed" in message
    assert f"the complete output stays at {kept_at}" in message
    assert sorted(p.name for p in destination.iterdir()) == ["old.txt"]
    assert [p.name for p in destination.parent.iterdir()] == ["out"]  # no partial copy left


def test_a_job_record_reaches_its_final_state_on_a_full_disk(small_fs):
    """Planted bug `record-full-disk` (no in-place fallback): the final write fails with ENOSPC
    and the record stays InProgress."""
    jobs = small_fs(1) / "jobs"
    registry = JobRegistry(jobs)
    record = {"ProcessingJobName": "job-1", "ProcessingJobStatus": "InProgress"}
    registry.reserve("job-1", "arn:job-1", record, owner="someone")
    _fill(jobs.parent)
    final = {
        **record,
        "ProcessingJobStatus": "Failed",
        "FailureReason": "x" * 1024,
        "ExitMessage": "y" * 1024,
        "ProcessingEndTime": 1,
    }
    registry.record("job-1", final)
    assert registry.describe("job-1") == final
    assert not (jobs / "job-1.owner").exists()
    assert not [p.name for p in jobs.iterdir() if p.name.endswith(".tmp")]


FILL_OUTPUT = """\
import pathlib
out = pathlib.Path("/opt/ml/processing/output")
with open(out / "big.bin", "wb") as handle:
    for _ in range(64):
        handle.write(b"0" * (1024 * 1024))
print("wrote 64 MB")
"""


@pytest.mark.docker
def test_state_directory_full_the_run_fails_cleanly_with_final_records(
    small_fs, monkeypatch, docker_client, base_image, tmp_path
):
    """Real engine, real tmpfs as the state directory: the step gets ENOSPC. Planted bug
    (by hand: both defences removed, the in-place record fallback and the OSError handler of
    create_processing_job): the engine dies writing the job record and leaves it InProgress."""
    from legacylift.local.run import run_local
    from tests.local.tiny_models import one_step_model

    images, data = one_step_model(
        tmp_path, monkeypatch, docker_client, base_image, "filler", FILL_OUTPUT
    )
    state = small_fs(16)
    settings = LocalSettings.under(state)
    run = run_local("filler", str(data), settings=settings, quiet=True, images=images)
    assert not run.succeeded
    assert (
        f"no space left on the filesystem holding the local store {settings.object_store}"
        in run.failure
    )
    assert "the step had written 16.7 MB there" in run.failure
    records = [json.loads(p.read_text()) for p in settings.jobs_dir.glob("*.json")]
    assert records and all(r["ProcessingJobStatus"] == "Failed" for r in records)
