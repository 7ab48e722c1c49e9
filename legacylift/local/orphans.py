"""Step containers, job networks and job records whose engine was killed (`kill -9`, a closed
terminal).

Every step container carries its owner (this machine's boot id and pid namespace, the engine's
pid and that process's start time, so a reused pid is not mistaken for the owner) and its jobs
directory, and so does a multi-instance job's network; every job in progress has an owner file
beside its record. On start, the engine removes the containers and networks and stops the jobs
whose owner is gone. Those of other machines or pid namespaces (a daemon shared by several)
and of live processes are left alone.
"""

from __future__ import annotations

import contextlib
import functools
import os
from pathlib import Path

from legacylift import console

OWNER_LABEL = "legacylift.owner"
JOBS_DIR_LABEL = "legacylift.jobs-dir"
ORPHAN_REASON = (
    "Stopped: the engine running this job (pid {pid}) ended without finishing it (killed?); "
    "found and stopped when the engine next started"
)


@functools.cache
def _boot_id() -> str:
    """This machine's boot and pid namespace: pids of another namespace (an engine in another
    container sharing the daemon) cannot be checked from here, so they never count as gone."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        boot = os.uname().nodename
    try:
        namespace = os.readlink("/proc/self/ns/pid").strip("pid:[]")
    except OSError:
        namespace = "?"
    return f"{boot}/{namespace}"


def _start_time(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
    return stat.rsplit(")", 1)[1].split()[19]


def owner_id(pid: int | None = None) -> str:
    """`boot id:pid:start time` of this process (or `pid`)."""
    pid = pid or os.getpid()
    return f"{_boot_id()}:{pid}:{_start_time(pid) or '?'}"


def owner_gone(owner: str) -> bool:
    """Whether the process an owner id names has ended (False for another machine's)."""
    try:
        boot, pid, started = owner.rsplit(":", 2)
    except ValueError:
        return False
    if boot != _boot_id() or not pid.isdigit():
        return False
    return _start_time(int(pid)) != started


def pid_of(owner: str) -> str:
    """The pid part of an owner id."""
    return owner.rsplit(":", 2)[1] if owner.count(":") >= 2 else "?"


def sweep(client, registry) -> list[str]:
    """Remove orphaned step containers and stop their jobs (and every job of `registry` whose
    owner is gone); returns the job names stopped."""
    from docker.errors import APIError, NotFound

    from legacylift.local.container import LABEL
    from legacylift.local.names import JobRegistry

    stopped: list[str] = []
    # sparse: one list call, no per-container inspect, so a container that another engine (or
    # this one's other threads) removes meanwhile cannot fail the sweep with a 404.
    listed = client.containers.list(all=True, sparse=True, filters={"label": OWNER_LABEL})
    for container in listed:
        labels = container.attrs.get("Labels") or {}
        if LABEL not in labels or not owner_gone(labels[OWNER_LABEL]):
            continue
        with contextlib.suppress(NotFound, APIError):
            container.remove(force=True, v=True)
        job, jobs_dir = labels.get("legacylift.job"), labels.get(JOBS_DIR_LABEL)
        if (
            job
            and jobs_dir
            and JobRegistry(Path(jobs_dir)).stop_orphan(
                job, ORPHAN_REASON.format(pid=pid_of(labels[OWNER_LABEL]))
            )
        ):
            stopped.append(job)
    _sweep_job_networks(client)
    stopped += [
        name for name in registry.sweep(owner_gone, ORPHAN_REASON, pid_of) if name not in stopped
    ]
    for name in stopped:
        console.info(f"job {name} was left running by an engine that was killed: marked Stopped")
    return stopped


def _sweep_job_networks(client) -> None:
    """Remove the `legacylift-job-*` networks (a multi-instance job's own, `network.job_network`)
    whose owner is gone, after their containers: the same ownership rule as containers."""
    from docker.errors import APIError, NotFound

    from legacylift.local.network import NETWORK_LABEL

    for network in client.networks.list(filters={"label": [f"{NETWORK_LABEL}=job", OWNER_LABEL]}):
        owner = (network.attrs.get("Labels") or {}).get(OWNER_LABEL, "")
        if not owner_gone(owner):
            continue
        try:
            network.remove()
        except (NotFound, APIError):
            continue  # removed meanwhile, or still holding a container of a live owner
        console.info(
            f"network {network.name} was left by an engine that was killed (pid "
            f"{pid_of(owner)}): removed"
        )
