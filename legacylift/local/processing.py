"""A SageMaker processing job run in local Docker, request in, DescribeProcessingJob out.

Order, as on AWS: validate the request (nothing touched yet), reserve the job name, stage the
inputs, run the container, then, only when it exited 0, upload the outputs. A failed or stopped
job's outputs are not uploaded: `S3UploadMode: EndOfJob` uploads "after the job completes"
(API reference, ProcessingS3Output), and a job only completes when its container exits 0
("How Amazon SageMaker Processing Runs Your Processing Container Image"); its ExitMessage and
FailureReason are kept.
"""

from __future__ import annotations

import copy
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import docker

from legacylift import console
from legacylift.errors import LegacyLiftError
from legacylift.local import disk, jobconfig, orphans
from legacylift.local.container import (
    ContainerSpec,
    StepContainer,
    ensure_image,
    step_user,
)
from legacylift.local.datasources import DataSources, LocalObjectStore, join_uri
from legacylift.local.instances import container_limits
from legacylift.local.mounts import MountPlan, daemon_is_local, input_directory, remove_scratch
from legacylift.local.names import JobRegistry
from legacylift.local.network import ensure_step_network, step_network
from legacylift.local.settings import LocalSettings
from legacylift.local.staging import (
    ExtractReport,
    Owner,
    TarStream,
    read_archive,
    read_single_file,
)
from legacylift.local.unsupported import check_supported
from legacylift.local.validation import validate_request

EXIT_MESSAGE_LIMIT = 1024
PROGRESS_BYTES = 256 * 1024 * 1024  # a tar stream this large reports its progress
# What AWS reports for a processing container that exited non-zero.
ALGORITHM_ERROR = "AlgorithmError: See job logs for more information"
# Keys of a CreateProcessingJob request that DescribeProcessingJob echoes back.
ECHOED = (
    "ProcessingInputs",
    "ProcessingOutputConfig",
    "ProcessingJobName",
    "ProcessingResources",
    "StoppingCondition",
    "AppSpecification",
    "Environment",
    "NetworkConfig",
    "RoleArn",
    "ExperimentConfig",
)
INPUT_DEFAULTS = {
    "S3InputMode": "File",
    "S3DataDistributionType": "FullyReplicated",
    "S3CompressionType": "None",
}


def _now_ms() -> int:
    return int(time.time() * 1000)


def _for_validation(request: dict[str, Any]) -> dict[str, Any]:
    """A copy whose file:// URIs (a local extension) pass the API model's s3:// pattern."""
    checked = copy.deepcopy(request)
    holders = [item.get("S3Input") or {} for item in checked.get("ProcessingInputs", [])]
    outputs = checked.get("ProcessingOutputConfig", {}).get("Outputs", [])
    holders += [item.get("S3Output") or {} for item in outputs]
    for holder in holders:
        uri = holder.get("S3Uri")
        if isinstance(uri, str) and uri.startswith("file://"):
            holder["S3Uri"] = "s3://file-uri/" + uri.removeprefix("file://").lstrip("/")
    return checked


def _can_own(owner: Owner) -> bool:
    """Whether this process can give a directory to the step's user (it is that user, or root)."""
    return os.getuid() in (0, owner.uid)


def _depth(item: dict[str, Any]) -> int:
    return item["S3Input"]["LocalPath"].rstrip("/").count("/")


def _outer_first(inputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The inputs, each nested one after the input holding it (its files are staged last)."""
    return sorted(inputs, key=_depth)


def _holding_inputs(request: dict[str, Any]) -> set[str]:
    """LocalPaths of inputs that hold another input: staged as copies (a read-only bind mount
    of the data would have no mount point for the nested input, and Docker would create one in
    the store's own directory)."""
    paths = [item["S3Input"]["LocalPath"] for item in request.get("ProcessingInputs", [])]
    return {
        outer
        for outer in paths
        for inner in paths
        if inner.rstrip("/") != outer.rstrip("/")
        and inner.rstrip("/").startswith(outer.rstrip("/") + "/")
    }


def network_allowed(request: dict[str, Any]) -> bool:
    """Networking is on only when the request's NetworkConfig sets EnableNetworkIsolation to
    false explicitly; absent or true, the step container has no network at all."""
    return request.get("NetworkConfig", {}).get("EnableNetworkIsolation") is False


def upload_archive(
    chunks, prefix: str, put: Callable[[str, Any], None], uploaded: list[str]
) -> ExtractReport:
    """Put each regular file of an output directory's archive (`read_archive` decides which
    entries are files inside the directory) at `prefix`/its relative path, each URI appended to
    `uploaded` as it lands; the extraction report (files, entries skipped)."""

    def sink(relative, source):
        uri = join_uri(prefix, relative)
        put(uri, source)
        uploaded.append(uri)

    return read_archive(chunks, sink)


@dataclass
class JobResult:
    """A finished job: its DescribeProcessingJob response, exit code and last log lines."""

    describe: dict[str, Any]
    exit_code: int | None
    log_tail: list[str] = field(default_factory=list)
    uploaded: list[str] = field(default_factory=list)
    skipped_outputs: list[str] = field(default_factory=list)
    caller_timeout: bool = False
    out_of_memory: str | None = None

    @property
    def status(self) -> str:
        """ProcessingJobStatus: Completed, Failed or Stopped."""
        return self.describe["ProcessingJobStatus"]


class ProcessingRunner:
    """Runs CreateProcessingJob requests in local Docker."""

    def __init__(
        self,
        settings: LocalSettings | None = None,
        client: docker.DockerClient | None = None,
        on_log: Callable[[str, str], None] | None = None,
        stop_grace: float = 10,
    ) -> None:
        self.settings = settings or LocalSettings.from_env()
        self._client = client
        self.sources = DataSources(self.settings)
        self.registry = JobRegistry(self.settings.jobs_dir)
        self.on_log = on_log or (lambda job, line: console.detail(f"[{job}] {line}"))
        self.stop_grace = stop_grace
        self._active: set[StepContainer] = set()
        self._swept = False

    @property
    def client(self) -> docker.DockerClient:
        """The Docker client, connected on first use (after validation); the first use also
        sweeps what a killed engine left behind (see `orphans`)."""
        if self._client is None:
            from legacylift.docker_client import docker_client

            self._client = docker_client()
        if not self._swept:
            self._swept = True
            for name in orphans.sweep(self._client, self.registry):
                if isinstance(self.sources.s3, LocalObjectStore):
                    remove_scratch(self.sources.s3, name)
        return self._client

    def describe_processing_job(self, name: str) -> dict[str, Any]:
        """The stored DescribeProcessingJob response of job `name`."""
        return self.registry.describe(name)

    def create_processing_job(
        self, request: dict[str, Any], wait_limit: float | None = None
    ) -> JobResult:
        """Run the job to its end; raise `SageMakerApiError` for what the API would refuse.

        `wait_limit` (seconds) stops the job earlier than its MaxRuntimeInSeconds, as a Task
        state's TimeoutSeconds does; `JobResult.caller_timeout` then says so."""
        validate_request(_for_validation(request))
        check_supported(request)
        name = request["ProcessingJobName"]
        arn = jobconfig.processing_job_arn(name, self.settings.region, self.settings.account_id)
        describe = {key: copy.deepcopy(request[key]) for key in ECHOED if key in request}
        for item in describe.get("ProcessingInputs", []):
            item["S3Input"] = {**INPUT_DEFAULTS, **item["S3Input"]}
            item.setdefault("AppManaged", False)
        created = _now_ms()
        describe.update(
            ProcessingJobArn=arn,
            ProcessingJobStatus="InProgress",
            CreationTime=created,
            LastModifiedTime=created,
        )
        self.registry.reserve(name, arn, describe, owner=orphans.owner_id())
        result = JobResult(describe=describe, exit_code=None)
        try:
            self._run(request, arn, result, wait_limit)
        except KeyboardInterrupt:
            kept = (
                f"; {len(result.uploaded)} output files had been uploaded whole, the rest "
                "not at all"
                if result.uploaded
                else ""
            )
            self._finish(result, "Stopped", f"Stopped: interrupted by the user (Ctrl-C){kept}")
            raise
        except LegacyLiftError as exc:
            self._finish(result, "Failed", f"ClientError: {exc}")
        except OSError as exc:  # the engine's own writes (staging, outputs) on a full disk
            if not disk.is_full(exc):
                raise
            full = disk.full_message(self.settings.object_store, what="the local store")
            self.on_log(name, f"[writing {exc.filename or 'the job files'}: {full}]")
            self._finish(result, "Failed", f"ClientError: {full}")
        return result

    def _finish(self, result: JobResult, status: str, reason: str | None) -> None:
        now = _now_ms()
        result.describe.update(ProcessingJobStatus=status, LastModifiedTime=now)
        result.describe.setdefault("ProcessingEndTime", now)
        if reason:
            result.describe["FailureReason"] = reason[:1024]
        self.registry.record(result.describe["ProcessingJobName"], result.describe)

    def _stage(
        self, request: dict[str, Any], arn: str, owner: Owner
    ) -> tuple[TarStream, MountPlan]:
        """What goes into the container: bind mounts where the daemon is local and the data
        lies in directories of this machine (see `mounts`: inputs, outputs, the config files
        and /opt/ml/output), a tar stream for everything else (empty when all is mounted)."""
        name = request["ProcessingJobName"]
        stream, plan = TarStream(owner), MountPlan()
        mounting = daemon_is_local()
        holders = _holding_inputs(request)
        try:
            for item in _outer_first(request.get("ProcessingInputs", [])):
                mount = mounting and item["S3Input"]["LocalPath"] not in holders
                self._stage_input(name, item, stream, plan, owner, mount)
            for item in request.get("ProcessingOutputConfig", {}).get("Outputs", []):
                s3 = item["S3Output"]
                store = self.sources.store_for(s3["S3Uri"])
                if mounting and isinstance(store, LocalObjectStore) and _can_own(owner):
                    plan.add_output(
                        store, name, item["OutputName"], s3["S3Uri"], s3["LocalPath"], owner
                    )
                else:
                    stream.directory(s3["LocalPath"])
            instance_type = request["ProcessingResources"]["ClusterConfig"]["InstanceType"]
            config = {
                "processingjobconfig.json": jobconfig.processing_job_config(request, arn),
                "resourceconfig.json": jobconfig.resource_config(instance_type),
            }
            store = self.sources.s3
            if mounting and isinstance(store, LocalObjectStore) and _can_own(owner):
                plan.add_job_files(
                    store, name, config, jobconfig.CONFIG_DIR, jobconfig.OUTPUT_DIR, owner
                )
            else:
                for filename, text in config.items():
                    stream.text(f"{jobconfig.CONFIG_DIR}/{filename}", text)
                stream.directory(jobconfig.OUTPUT_DIR)
        except BaseException:
            plan.cleanup()
            raise
        return stream, plan

    def _stage_input(
        self,
        name: str,
        item: dict[str, Any],
        stream: TarStream,
        plan: MountPlan,
        owner: Owner,
        mount: bool,
    ) -> None:
        """One input: bind-mounted from its directory when `mount` allows and the store has
        one (never a manifest's objects), else its objects added to the tar stream."""
        s3 = item["S3Input"]
        skipped: list[str] = []
        manifest = s3["S3DataType"] == "ManifestFile"
        objects = (
            self.sources.manifest(s3["S3Uri"])
            if manifest
            else self.sources.list(s3["S3Uri"], on_skip=skipped.append)
        )
        if not objects:
            raise LegacyLiftError(
                f'No S3 objects found under S3 URL "{s3["S3Uri"]}" given in input data '
                f"source '{item['InputName']}'. Please ensure that the bucket exists and "
                "that objects exist under that S3 prefix"
            )
        for entry in skipped:
            self.on_log(name, f"[input {item['InputName']}: {entry}]")
        store = self.sources.store_for(s3["S3Uri"])
        directory = (
            input_directory(store, s3["S3Uri"], owner.uid, owner.gid)
            if mount and not manifest
            else None
        )
        if directory is not None:
            plan.add_input(s3["LocalPath"], directory, objects)
            return
        stream.directory(s3["LocalPath"])
        stream.files_staged_from_inputs += len(objects)
        for staged in objects:
            stream.file(join_uri(s3["LocalPath"], staged.relative), staged)

    def _run(
        self, request: dict[str, Any], arn: str, result: JobResult, wait_limit: float | None
    ) -> None:
        if request["ProcessingResources"]["ClusterConfig"].get("InstanceCount", 1) > 1:
            self._run_cluster(request, arn, result, wait_limit)
            return
        uid, _, gid = step_user().partition(":")
        stream, plan = self._stage(request, arn, Owner(int(uid), int(gid or uid)))
        try:
            self._run_staged(request, result, wait_limit, stream, plan)
        finally:
            plan.cleanup()
        if result.describe["ProcessingJobStatus"] == "InProgress":
            self._finish(result, "Completed", None)

    def _run_staged(
        self,
        request: dict[str, Any],
        result: JobResult,
        wait_limit: float | None,
        stream: TarStream,
        plan: MountPlan,
    ) -> None:
        name = request["ProcessingJobName"]
        app = request["AppSpecification"]
        user = step_user()
        ensure_image(self.client, app["ImageUri"])
        network = step_network(network_allowed(request))
        ensure_step_network(self.client, network)
        spec = ContainerSpec(
            image=app["ImageUri"],
            name=f"legacylift-{name[:40]}-{secrets.token_hex(3)}",
            entrypoint=app.get("ContainerEntrypoint"),
            arguments=app.get("ContainerArguments"),
            environment=dict(request.get("Environment", {})),
            user=user,
            network_mode=network,
            limits=container_limits(
                request["ProcessingResources"]["ClusterConfig"]["InstanceType"]
            ),
            labels={
                "legacylift.job": name,
                orphans.OWNER_LABEL: orphans.owner_id(),
                orphans.JOBS_DIR_LABEL: str(self.registry.jobs_dir.resolve()),
            },
            mounts=plan.mounts,
        )
        with StepContainer(self.client, spec) as step:
            self._active.add(step)
            try:
                self._stage_and_run(step, stream, plan, request, result, wait_limit)
            finally:
                self._active.discard(step)

    def _run_cluster(
        self, request: dict[str, Any], arn: str, result: JobResult, wait_limit: float | None
    ) -> None:
        """InstanceCount > 1: one container per instance (legacylift.local.cluster)."""
        from legacylift.local.cluster import run_cluster

        user = step_user()
        uid, _, gid = user.partition(":")
        max_runtime = request["StoppingCondition"]["MaxRuntimeInSeconds"]
        if wait_limit is not None and wait_limit < max_runtime:
            max_runtime = wait_limit
        result.describe["ProcessingStartTime"] = _now_ms()
        reason = run_cluster(
            self, request, arn, result, Owner(int(uid), int(gid or uid)), user, max_runtime
        )
        status = (
            "Completed"
            if reason is None
            else ("Stopped" if reason.startswith("MaxRuntimeExceeded") else "Failed")
        )
        self._finish(result, status, reason)

    def stop_all(self) -> None:
        """Remove every running step container now (Ctrl-C of a Map or Parallel state, whose
        jobs run on worker threads that KeyboardInterrupt does not reach)."""
        for step in list(self._active):
            step.kill()

    def _put_inputs(
        self, step: StepContainer, stream: TarStream, plan: MountPlan, name: str
    ) -> None:
        """Copy the staged files into the step's container, saying what is staged and what
        is mounted."""
        if stream.files_staged_from_inputs:
            self.on_log(
                name,
                f"[staging {stream.files_staged_from_inputs} input files, "
                f"{stream.bytes_total / 1e6:.1f} MB]",
            )
        if plan.files_mounted:
            self.on_log(
                name,
                f"[mounting {plan.files_mounted} input files, "
                f"{plan.bytes_mounted / 1e6:.1f} MB, read-only]",
            )
        if stream.directories or stream.files:
            step.put("/", stream.chunks(self._staging_progress(name, stream.bytes_total)))

    def _stage_and_run(
        self,
        step: StepContainer,
        stream: TarStream,
        plan: MountPlan,
        request: dict[str, Any],
        result: JobResult,
        wait_limit: float | None,
    ) -> None:
        name = request["ProcessingJobName"]
        self._put_inputs(step, stream, plan, name)
        result.describe["ProcessingStartTime"] = _now_ms()
        max_runtime = request["StoppingCondition"]["MaxRuntimeInSeconds"]
        by_caller = wait_limit is not None and wait_limit < max_runtime
        if by_caller:
            max_runtime = wait_limit
        outcome = step.run(
            max_runtime,
            lambda line: self.on_log(name, line),
            stop_grace=self.stop_grace,
        )
        result.exit_code, result.log_tail = outcome.exit_code, outcome.log_tail
        message = self._exit_message(step, plan)
        if message is not None:
            result.describe["ExitMessage"] = message
        if outcome.timed_out and by_caller:
            result.caller_timeout = True
            self._finish(
                result, "Stopped", f"Stopped: the caller's time limit ({max_runtime} s) elapsed"
            )
            return
        if outcome.timed_out:
            self._finish(
                result,
                "Stopped",
                f"MaxRuntimeExceeded: the job ran longer than "
                f"MaxRuntimeInSeconds ({max_runtime} s) and was stopped",
            )
            return
        if outcome.log_cut:
            self.on_log(name, f"[{outcome.log_cut}]")
        if outcome.oom_killed:
            instance_type = request["ProcessingResources"]["ClusterConfig"]["InstanceType"]
            result.out_of_memory = (
                f"the step ran out of memory: it was killed at the {instance_type} memory limit "
                f"({container_limits(instance_type)['mem_limit'] / 2**30:.1f} GiB on this "
                "machine); choose an instance_type with more memory in model.toml"
            )
            self.on_log(name, f"[{result.out_of_memory}]")
        if outcome.exit_code != 0:
            self._say_if_store_full(name, plan)
            self._finish(result, "Failed", ALGORITHM_ERROR)
            return
        self._upload(step, plan, request, result)
        if result.uploaded:
            self.on_log(name, f"[uploaded {len(result.uploaded)} output files]")

    def _say_if_store_full(self, name: str, plan: MountPlan) -> None:
        """A step that failed with (almost) no space left where its outputs go: say which
        filesystem is full and how much the step had written there."""
        store = self.settings.object_store
        if disk.free_bytes(store) >= disk.NEARLY_FULL_BYTES:
            return
        written = disk.tree_bytes(plan.scratch) if plan.scratch is not None else None
        full = disk.full_message(store, what="the local store")
        wrote = f"; the step had written {disk.size_text(written)} there" if written else ""
        self.on_log(
            name,
            f"[{full}{wrote}; free space there or point LEGACYLIFT_LOCAL_DIR at a larger disk]",
        )

    def _staging_progress(self, name: str, total: int):
        """A progress callback logging every few seconds while a large tar stream is sent."""
        if total < PROGRESS_BYTES:
            return None
        last = [time.monotonic()]

        def progress(done: int) -> None:
            if time.monotonic() - last[0] >= 2 or done == total:
                last[0] = time.monotonic()
                self.on_log(name, f"[staged {done / 1e6:.0f} of {total / 1e6:.0f} MB]")

        return progress

    def _exit_message(self, step: StepContainer, plan: MountPlan) -> str | None:
        if plan.message_dir is not None:
            data = plan.read_message(EXIT_MESSAGE_LIMIT)
        else:
            chunks = step.archive(f"{jobconfig.OUTPUT_DIR}/message")
            data = None if chunks is None else read_single_file(chunks, EXIT_MESSAGE_LIMIT)
        if data is None:
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            # Cut mid-character by the 1 KB limit is fine; anything else is not UTF-8.
            try:
                return data[:-3].decode("utf-8") + data[-3:].decode("utf-8", "ignore")
            except UnicodeDecodeError:
                raise LegacyLiftError("/opt/ml/output/message is not UTF-8 encoded text") from None

    def _upload(
        self, step: StepContainer, plan: MountPlan, request: dict[str, Any], result: JobResult
    ) -> None:
        for item in request.get("ProcessingOutputConfig", {}).get("Outputs", []):
            s3 = item["S3Output"]
            mounted = plan.outputs.get(s3["LocalPath"])
            if mounted is not None:
                skipped = plan.collect(self.sources.s3, mounted, result.uploaded)
                result.skipped_outputs += [f"{item['OutputName']}: {entry}" for entry in skipped]
                continue
            chunks = step.archive(s3["LocalPath"])
            if chunks is None:
                continue
            report = upload_archive(chunks, s3["S3Uri"], self.sources.put, result.uploaded)
            result.skipped_outputs += [f"{item['OutputName']}: {entry}" for entry in report.skipped]
        for entry in result.skipped_outputs:  # each named, never dropped silently
            self.on_log(request["ProcessingJobName"], f"[output {entry}: not uploaded]")
