"""What the local engine guarantees under a careless or hostile step, in both staging modes
(bind mounts and tar streams), against the real Docker daemon: file names kept, inputs
unchangeable, nothing root-owned or half-written, whole logs, orphans swept, out-of-memory
named."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from legacylift.local.processing import ProcessingRunner
from legacylift.paths import REPO_ROOT
from tests.local.jobs import processing_request, s3_input, s3_output, shell, unique_name

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("no_leftover_containers")]

OUT = "/opt/ml/processing/output"
DATA = "/opt/ml/processing/input/data"


@pytest.fixture(params=["mount", "tar"])
def staging(request, monkeypatch):
    """Each test once with bind mounts (the local default) and once with tar streams (what a
    remote daemon gets)."""
    monkeypatch.setenv("LEGACYLIFT_STAGING", request.param)
    return request.param


def _store(runner, uri):
    return runner.sources.s3.path_of(uri)


def test_names_with_newlines_and_tabs_survive_a_job(runner, base_image, staging):
    source = _store(runner, "s3://bkt/names/")
    source.mkdir(parents=True)
    for name, text in (("ab.csv", "plain"), ("a\nb.csv", "newline"), ("a\tb.csv", "tab")):
        (source / name).write_text(text)
    request = processing_request(
        base_image,
        entrypoint=shell(f"cp -r {DATA}/. {OUT}/"),
        inputs=[s3_input("data", "s3://bkt/names/", DATA)],
        outputs=[s3_output("out", "s3://bkt/names-out/", OUT)],
    )
    result = runner.create_processing_job(request)
    assert result.status == "Completed", result.log_tail
    out = _store(runner, "s3://bkt/names-out/")
    kept = {path.name: path.read_text() for path in out.iterdir()}
    assert kept == {"ab.csv": "plain", "a\nb.csv": "newline", "a\tb.csv": "tab"}


def test_inputs_unchangeable_outputs_not_root_owned_links_not_followed(
    runner, base_image, staging, tmp_path
):
    """Planted bug (input mounts read-write): the step changed the store's input; red."""
    source = _store(runner, "s3://bkt/guard/")
    source.mkdir(parents=True)
    (source / "keep.csv").write_text("original")
    # Writable by anyone, as the step's own files are when a user runs the engine: only the
    # read-only mount (or the copy) protects them.
    source.chmod(0o777)
    (source / "keep.csv").chmod(0o666)
    request = processing_request(
        base_image,
        entrypoint=shell(
            f"cd {OUT}; I={DATA}/keep.csv; echo bad >> $I; rm -f $I; ln $I hard.csv; "
            "ln -s /etc/passwd passwd; mkdir sub; echo ok > sub/r.txt"
        ),
        inputs=[s3_input("data", "s3://bkt/guard/", DATA)],
        outputs=[s3_output("out", "s3://bkt/guard-out/", OUT)],
    )
    result = runner.create_processing_job(request)
    assert result.status == "Completed", result.log_tail
    assert (source / "keep.csv").read_text() == "original"
    out = _store(runner, "s3://bkt/guard-out/")
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if not p.is_dir())
    # The hard link cannot cross into another mount (mount mode) and is a link entry in a tar
    # (tar mode): either way the input's data does not come back as a separate output file.
    assert "passwd" not in files and "sub/r.txt" in files
    assert any("passwd (symlink" in entry for entry in result.skipped_outputs)
    owners = {p.stat().st_uid for p in runner.settings.object_store.rglob("*")}
    assert owners == {os.getuid()}, "every file in the store belongs to the invoking user"
    staging_dir = runner.settings.object_store / ".staging"
    assert not staging_dir.exists() or list(staging_dir.iterdir()) == []


def test_inputs_with_symlinks_are_reported_and_staged_without_them(runner, base_image, staging):
    source = _store(runner, "s3://bkt/links/")
    source.mkdir(parents=True)
    (source / "real.csv").write_text("1")
    (source / "link.csv").symlink_to("/etc/hostname")
    request = processing_request(
        base_image,
        entrypoint=shell(f"cd {DATA} && ls -A > {OUT}/listing"),
        inputs=[s3_input("data", "s3://bkt/links/", DATA)],
        outputs=[s3_output("out", "s3://bkt/links-out/", OUT)],
    )
    assert runner.create_processing_job(request).status == "Completed"
    assert _store(runner, "s3://bkt/links-out/listing").read_text().split() == ["real.csv"]
    assert any("link.csv (symlink, skipped" in line for line in runner.lines)


def test_the_whole_log_is_read_even_when_the_terminal_is_slow(
    local_settings, docker_client, base_image
):
    """A slow reader (0.01 s a line, 600 lines) takes longer than the old 5 s grace after the
    container exits. Planted bug (reader.join(timeout=5)): the last line, where a traceback
    would be, was missing and this test went red. A single 1 MB line is shown cut, with the
    count of bytes left out."""
    lines: list[str] = []

    def slow(job, line):
        time.sleep(0.01)
        lines.append(line)

    runner = ProcessingRunner(local_settings, docker_client, on_log=slow)
    script = (
        "for i in $(seq 600); do echo line $i; done; "
        "head -c 1048576 /dev/zero | tr '\\0' x; echo; echo 'Traceback: the end'"
    )
    result = runner.create_processing_job(processing_request(base_image, entrypoint=shell(script)))
    assert result.status == "Completed"
    assert result.log_tail[-1] == "Traceback: the end"
    long_line = result.log_tail[-2]
    assert long_line.startswith("x" * 1000)
    assert long_line.endswith(f"[... line cut: {1048576 - 16 * 1024} more bytes not shown]")
    assert sum(line.startswith("line ") for line in lines) == 600


def test_out_of_memory_is_named_as_the_instance_memory_limit(runner, base_image, monkeypatch):
    """The instance type's memory is lowered to 64 MiB so a 512 MiB allocation is killed by the
    kernel's OOM killer for real."""
    import legacylift.local.processing as processing

    limits = {"mem_limit": 64 * 2**20, "nano_cpus": 10**9}
    monkeypatch.setattr(processing, "container_limits", lambda instance_type: limits)
    request = processing_request(
        base_image, entrypoint=["python3", "-c", "x = bytearray(512 * 2**20); print(len(x))"]
    )
    result = runner.create_processing_job(request)
    assert result.status == "Failed"
    assert result.exit_code == 137
    assert result.out_of_memory and "ml.t3.medium memory limit" in result.out_of_memory
    assert any("ran out of memory" in line for line in runner.lines)


KILLED_ENGINE = """\
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[4])
from legacylift.local.processing import ProcessingRunner
from legacylift.local.settings import LocalSettings
from tests.local.jobs import processing_request, shell
runner = ProcessingRunner(LocalSettings.under(Path(sys.argv[1])),
                          on_log=lambda job, line: print(line, flush=True))
runner.create_processing_job(processing_request(sys.argv[2], name=sys.argv[3],
                             entrypoint=shell("echo started; sleep 300")))
"""


def test_a_killed_engine_leaves_nothing_running_at_the_next_start(
    local_settings, docker_client, base_image
):
    """`kill -9` of the engine mid-step: its container and InProgress record stay until the
    next engine starts, which removes the one and marks the other Stopped. Planted bug (no
    sweep on start): the container and the InProgress record stayed; red."""
    name = unique_name("killed")
    engine = subprocess.Popen(
        [
            sys.executable,
            "-c",
            KILLED_ENGINE,
            str(local_settings.jobs_dir.parent),
            base_image,
            name,
            str(REPO_ROOT),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert engine.stdout.readline().strip() == "started"
    finally:
        engine.kill()
        engine.wait()
    label = {"label": f"legacylift.job={name}"}
    assert docker_client.containers.list(all=True, filters=label), "the kill left it running"
    assert (
        json.loads((local_settings.jobs_dir / f"{name}.json").read_text())["ProcessingJobStatus"]
        == "InProgress"
    )

    scratch = list((local_settings.object_store / ".staging").glob(f"{name}-*"))
    assert scratch, "the killed engine's scratch directory (config, /opt/ml/output) remains"

    next_engine = ProcessingRunner(local_settings, docker_client, on_log=lambda *_: None)
    assert next_engine.client is docker_client  # connecting sweeps
    assert docker_client.containers.list(all=True, filters=label) == []
    described = next_engine.describe_processing_job(name)
    assert described["ProcessingJobStatus"] == "Stopped"
    assert f"(pid {engine.pid})" in described["FailureReason"]
    assert not (local_settings.jobs_dir / f"{name}.owner").exists()
    assert not list((local_settings.object_store / ".staging").glob(f"{name}-*"))


# An engine holding a multi-instance job's network (as cluster.py creates it), killed while
# it runs.
NETWORK_ENGINE = """\
import sys, time
sys.path.insert(0, sys.argv[2])
from legacylift.docker_client import docker_client
from legacylift.local import orphans
from legacylift.local.network import job_network
with job_network(docker_client(), sys.argv[1], {orphans.OWNER_LABEL: orphans.owner_id()}) as name:
    print(name, flush=True)
    time.sleep(300)
"""


def test_a_killed_engines_job_network_is_removed_and_a_live_ones_kept(
    local_settings, docker_client
):
    """The sweep removes a `legacylift-job-*` network whose owner was killed, and leaves the
    one a live engine holds (and another machine's). Planted bug (networks removed whatever
    their owner): the live engine's network was removed; red."""
    from legacylift.local import orphans
    from legacylift.local.names import JobRegistry
    from legacylift.local.network import NETWORK_LABEL, job_network

    engine = subprocess.Popen(
        [sys.executable, "-c", NETWORK_ENGINE, unique_name("killed-net"), str(REPO_ROOT)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        killed = engine.stdout.readline().strip()
    finally:
        engine.kill()
        engine.wait()
    elsewhere = docker_client.networks.create(
        f"legacylift-job-{unique_name('elsewhere')}",
        internal=True,
        labels={NETWORK_LABEL: "job", orphans.OWNER_LABEL: "another-machine/1:1:1"},
    )

    def names() -> set[str]:
        return {n.name for n in docker_client.networks.list(names=["legacylift-job-"])}

    try:
        assert killed.startswith("legacylift-job-") and killed in names(), "the kill left it"
        with job_network(
            docker_client, unique_name("live"), {orphans.OWNER_LABEL: orphans.owner_id()}
        ) as live:
            orphans.sweep(docker_client, JobRegistry(local_settings.jobs_dir))
            left = names()
            assert killed not in left
            assert live in left
            assert elsewhere.name in left
    finally:
        for network in docker_client.networks.list(names=[killed, elsewhere.name]):
            network.remove()


def test_owners_alive_or_elsewhere_are_never_gone():
    from legacylift.local import orphans

    assert not orphans.owner_gone(orphans.owner_id())
    assert orphans.owner_gone(orphans.owner_id().rsplit(":", 1)[0] + ":0")  # pid reused
    assert not orphans.owner_gone("another-machine:1:1")
    boot = orphans.owner_id().split("/")[0]
    assert not orphans.owner_gone(f"{boot}/another-pid-namespace:1:1")


def test_a_large_tar_stream_reports_its_progress(runner, base_image, monkeypatch):
    """The threshold lowered to one byte, so a small input counts as large."""
    import legacylift.local.processing as processing

    monkeypatch.setenv("LEGACYLIFT_STAGING", "tar")
    monkeypatch.setattr(processing, "PROGRESS_BYTES", 1)
    path = _store(runner, "s3://bkt/big/data.bin")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"x" * 3_000_000)
    request = processing_request(
        base_image, entrypoint=shell("true"), inputs=[s3_input("data", "s3://bkt/big/", DATA)]
    )
    assert runner.create_processing_job(request).status == "Completed"
    assert [line for line in runner.lines if line.startswith("[staged ")][-1].startswith(
        "[staged 3 of 3 MB]"
    )


def test_ctrl_c_while_collecting_outputs_says_what_was_kept(runner, base_image, monkeypatch):
    """Ctrl-C arrives as the second output file is moved into the store (mount mode): the first
    is there whole, the rest not at all, and the Stopped reason says so."""
    import legacylift.local.mounts as mounts

    monkeypatch.setenv("LEGACYLIFT_STAGING", "mount")
    moves = []
    real_replace = os.replace
    bucket = _store(runner, "s3://bkt/")

    def interrupted_replace(source, target):
        # os is one module: only the moves into the store count, not the engine's own atomic
        # writes (job records, owner files).
        if Path(target).is_relative_to(bucket):
            moves.append(target)
            if len(moves) == 2:
                raise KeyboardInterrupt
        real_replace(source, target)

    monkeypatch.setattr(mounts.os, "replace", interrupted_replace)
    request = processing_request(
        base_image,
        entrypoint=shell(f"for f in a b c; do echo $f > {OUT}/$f.txt; done"),
        outputs=[s3_output("out", "s3://bkt/cut/", OUT)],
    )
    with pytest.raises(KeyboardInterrupt):
        runner.create_processing_job(request)
    described = runner.describe_processing_job(request["ProcessingJobName"])
    assert described["ProcessingJobStatus"] == "Stopped"
    assert "1 output files had been uploaded whole" in described["FailureReason"]
    out = _store(runner, "s3://bkt/cut/")
    assert [p.read_text() for p in out.iterdir()] == ["a\n"]
    assert not (runner.settings.object_store / ".staging").exists() or not list(
        (runner.settings.object_store / ".staging").iterdir()
    )
