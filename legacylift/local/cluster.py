"""A processing job on several instances (ClusterConfig.InstanceCount > 1), as SageMaker runs it.

Each instance is a container named `algo-<i>` in its `resourceconfig.json` (`current_host`,
`hosts`), reachable by that host name from the job's other instances and from nothing else: the
instances share a network of the job's own (`network.job_network`), as on SageMaker. An
input with `S3DataDistributionType: ShardedByS3Key` gives each instance its own
share of the objects: sorted by key, object k goes to instance k mod N, so every object lands on
exactly one instance and each gets about 1/N of them ("ShardedByS3Key: ... replicates a subset
of data on each ML compute instance", S3DataDistributionType in the API reference); a
FullyReplicated input goes to every instance whole.

Every instance uploads its output LocalPath to the same S3 prefix. Two instances writing a file
of the same relative name would overwrite each other's on S3, so the job fails, naming the file
and the instances, before anything is uploaded (the fix: name outputs per instance, e.g. after
`current_host` in resourceconfig.json, or write under a per-host folder). The job completes only
when every instance exits 0. Data moves as tar streams (no bind mounts), and each instance's
outputs wait in a temporary directory until all are checked.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from legacylift.errors import LegacyLiftError
from legacylift.local import jobconfig, orphans
from legacylift.local.container import ContainerSpec, StepContainer, ensure_image
from legacylift.local.datasources import join_uri
from legacylift.local.instances import container_limits
from legacylift.local.network import job_network
from legacylift.local.staging import Owner, TarStream, read_archive


def shard(objects: list, host: int, hosts: int) -> list:
    """The objects instance `host` (1-based) of `hosts` receives under ShardedByS3Key."""
    ordered = sorted(objects, key=lambda staged: staged.relative)
    return ordered[host - 1 :: hosts]


def stage_host(
    runner, request: dict[str, Any], arn: str, owner: Owner, host: int, hosts: int
) -> TarStream:
    """The tar stream of instance `host`: its inputs (its shard of the sharded ones), the
    output directories and the config files."""
    stream = TarStream(owner)
    for item in request.get("ProcessingInputs", []):
        s3 = item["S3Input"]
        objects = (
            runner.sources.manifest(s3["S3Uri"])
            if s3["S3DataType"] == "ManifestFile"
            else runner.sources.list(s3["S3Uri"])
        )
        if not objects:
            raise LegacyLiftError(
                f'No S3 objects found under S3 URL "{s3["S3Uri"]}" given in input data source '
                f"'{item['InputName']}'. Please ensure that the bucket exists and that objects "
                "exist under that S3 prefix"
            )
        if s3.get("S3DataDistributionType") == "ShardedByS3Key":
            objects = shard(objects, host, hosts)
        stream.directory(s3["LocalPath"])
        stream.files_staged_from_inputs += len(objects)
        for staged in objects:
            stream.file(join_uri(s3["LocalPath"], staged.relative), staged)
    for item in request.get("ProcessingOutputConfig", {}).get("Outputs", []):
        stream.directory(item["S3Output"]["LocalPath"])
    instance_type = request["ProcessingResources"]["ClusterConfig"]["InstanceType"]
    stream.text(
        f"{jobconfig.CONFIG_DIR}/processingjobconfig.json",
        jobconfig.processing_job_config(request, arn),
    )
    stream.text(
        f"{jobconfig.CONFIG_DIR}/resourceconfig.json",
        jobconfig.resource_config(instance_type, host, hosts),
    )
    stream.directory(jobconfig.OUTPUT_DIR)
    return stream


def run_cluster(
    runner, request: dict[str, Any], arn: str, result, owner: Owner, user: str, max_runtime: float
) -> str | None:
    """Run every instance at once; upload their outputs when all exit 0 and no two wrote the
    same file. Returns the FailureReason of a failed job, None when it completed."""
    name = request["ProcessingJobName"]
    app = request["AppSpecification"]
    cluster = request["ProcessingResources"]["ClusterConfig"]
    hosts = cluster["InstanceCount"]
    streams = [stage_host(runner, request, arn, owner, host, hosts) for host in range(1, hosts + 1)]
    ensure_image(runner.client, app["ImageUri"])
    outcomes: dict[int, Any] = {}
    labels = {orphans.OWNER_LABEL: orphans.owner_id()}
    with (
        job_network(runner.client, name, labels) as network,
        tempfile.TemporaryDirectory(prefix="legacylift-cluster-") as scratch,
    ):
        errors: list[BaseException] = []

        def instance(host: int) -> None:
            try:
                outcomes[host] = _run_host(
                    runner,
                    request,
                    streams[host - 1],
                    host,
                    user,
                    max_runtime,
                    Path(scratch) / f"algo-{host}",
                    network,
                )
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=instance, args=(h,)) for h in range(1, hosts + 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        result.log_tail = [
            f"[algo-{h}] {line}" for h in sorted(outcomes) for line in outcomes[h].log_tail
        ][-30:]
        failed = [h for h in sorted(outcomes) if outcomes[h].exit_code != 0]
        result.exit_code = outcomes[failed[0]].exit_code if failed else 0
        if any(outcomes[h].timed_out for h in outcomes):
            return (
                f"MaxRuntimeExceeded: the job ran longer than MaxRuntimeInSeconds "
                f"({max_runtime} s) and was stopped"
            )
        if failed:
            hosts_failed = ", ".join(f"algo-{h}" for h in failed)
            return f"AlgorithmError: See job logs for more information ({hosts_failed} failed)"
        clash = _overlap(request, Path(scratch), hosts)
        if clash:
            return f"ClientError: {clash}"
        for host in range(1, hosts + 1):
            _upload_host(runner, request, Path(scratch) / f"algo-{host}", result)
    runner.on_log(name, f"[{hosts} instances: uploaded {len(result.uploaded)} output files]")
    return None


def _run_host(
    runner,
    request,
    stream: TarStream,
    host: int,
    user: str,
    max_runtime: float,
    outputs: Path,
    network: str,
):
    """One instance: stage, run, and copy its outputs to `outputs/<output name>/`."""
    name = request["ProcessingJobName"]
    app = request["AppSpecification"]
    spec = ContainerSpec(
        image=app["ImageUri"],
        name=f"legacylift-{name[:36]}-algo-{host}-{secrets.token_hex(3)}",
        entrypoint=app.get("ContainerEntrypoint"),
        arguments=app.get("ContainerArguments"),
        environment=dict(request.get("Environment", {})),
        user=user,
        network_mode=network,
        hostname=f"algo-{host}",
        limits=container_limits(request["ProcessingResources"]["ClusterConfig"]["InstanceType"]),
        labels={
            "legacylift.job": name,
            "legacylift.host": f"algo-{host}",
            orphans.OWNER_LABEL: orphans.owner_id(),
            orphans.JOBS_DIR_LABEL: str(runner.registry.jobs_dir.resolve()),
        },
    )
    with StepContainer(runner.client, spec) as step:
        runner._active.add(step)
        try:
            step.put("/", stream.chunks())
            outcome = step.run(
                max_runtime,
                lambda line: runner.on_log(f"{name}/algo-{host}", line),
                stop_grace=runner.stop_grace,
            )
            if outcome.exit_code == 0 and not outcome.timed_out:
                for item in request.get("ProcessingOutputConfig", {}).get("Outputs", []):
                    chunks = step.archive(item["S3Output"]["LocalPath"])
                    if chunks is not None:
                        for entry in _save(chunks, outputs / item["OutputName"]):
                            runner.on_log(
                                f"{name}/algo-{host}",
                                f"[output {item['OutputName']}: {entry}: not uploaded]",
                            )
        finally:
            runner._active.discard(step)
    return outcome


def _save(chunks, directory: Path) -> list[str]:
    """Write the archive's regular files under `directory`; the entries skipped (links)."""

    def sink(relative, source):
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as handle:
            shutil.copyfileobj(source, handle)

    return read_archive(chunks, sink).skipped


def _files(directory: Path) -> set[str]:
    if not directory.is_dir():
        return set()
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}


def _overlap(request: dict[str, Any], scratch: Path, hosts: int) -> str | None:
    """The first output file two instances both wrote, explained; None when there is none."""
    for item in request.get("ProcessingOutputConfig", {}).get("Outputs", []):
        owners: dict[str, str] = {}
        for host in range(1, hosts + 1):
            for relative in sorted(_files(scratch / f"algo-{host}" / item["OutputName"])):
                if relative in owners:
                    return (
                        f"output '{item['OutputName']}': {owners[relative]} and algo-{host} both "
                        f"wrote {relative}, which would overwrite each other under "
                        f"{item['S3Output']['S3Uri']}; name each instance's files after its "
                        "current_host (/opt/ml/config/resourceconfig.json) or write them under "
                        "a folder of that name"
                    )
                owners[relative] = f"algo-{host}"
    return None


def _upload_host(runner, request: dict[str, Any], outputs: Path, result) -> None:
    for item in request.get("ProcessingOutputConfig", {}).get("Outputs", []):
        directory = outputs / item["OutputName"]
        for relative in sorted(_files(directory)):
            uri = join_uri(item["S3Output"]["S3Uri"], relative)
            with (directory / relative).open("rb") as source:
                runner.sources.put(uri, source)
            result.uploaded.append(uri)
