"""`invoke run-definition`: a team's existing Step Functions definition and execution input,
run unchanged on the local engine.

Everything is checked before any job starts: the definition (JSON, ASL, only SageMaker
createProcessingJob(.sync) Tasks), the input, every image URI found in them (mapped with
`--image` or the scikit-learn twin), the shape of every role ARN (otherwise ignored locally),
processing job names already used (refused, as AWS does), and the `--stage` paths. The files
to stage are then uploaded into the local object store under the input's own bucket names, and
the definition runs with the same progress display and failure report as `run-local`.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from legacylift import console
from legacylift.config_files import parse_file
from legacylift.errors import LegacyLiftError
from legacylift.local.arguments import parse_time_scale
from legacylift.local.asl import definition as asl_definition
from legacylift.local.asl.errors import StatesError
from legacylift.local.asl.interpreter import Execution, TaskContext
from legacylift.local.datasources import DataSources, FileTree, join_uri
from legacylift.local.errors import SageMakerApiError
from legacylift.local.image_map import ImageMap
from legacylift.local.names import JobRegistry
from legacylift.local.processing import ProcessingRunner
from legacylift.local.reports import write_local_report
from legacylift.local.run import LocalRun, step_timings
from legacylift.local.s3_tasks import S3Tasks, TaskRunners
from legacylift.local.sagemaker_tasks import SageMakerTasks
from legacylift.local.settings import LocalSettings
from legacylift.report.reporter import Reporter

ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
S3_URI = re.compile(r"^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(/.*)?$")


@dataclass
class DefinitionRun(LocalRun):
    """A local run of an existing definition: `outputs` are the S3 URIs its jobs wrote and
    where they are on this machine (None when the store is an S3 endpoint)."""

    outputs: dict[str, Path | None] = field(default_factory=dict)


def read_json(path: str, what: str) -> Any:
    """The JSON document in `path`; errors name the file and the fix."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise LegacyLiftError(f"{what} {path}: no such file; give the path of a JSON file")
    try:
        return parse_file(file, json.loads, "JSON", "fix the file")
    except LegacyLiftError as exc:
        raise LegacyLiftError(f"{what} {exc}") from None


def _walk(value: Any, key: str | None = None) -> Iterator[tuple[str | None, Any]]:
    """Every (key, value) pair of a JSON document, depth first."""
    yield key, value
    if isinstance(value, dict):
        for child_key, child in value.items():
            yield from _walk(child, child_key)
    elif isinstance(value, list):
        for child in value:
            yield from _walk(child, key)


def _named(document: Any, *names: str) -> list[str]:
    """Static string values of the keys `names` in `document` (JSONata expressions, known
    only at run time, left out)."""
    return [
        v
        for k, v in _walk(document)
        if k in names and isinstance(v, str) and not (v.startswith("{%") and v.endswith("%}"))
    ]


def parse_stages(pairs: list[str] | tuple[str, ...]) -> list[tuple[Path, str]]:
    """`LOCAL_PATH=s3://bucket/key` pairs, checked: the path exists, the URI is an S3 URI."""
    stages = []
    for pair in pairs:
        local, separator, uri = pair.rpartition("=")
        if not separator or not local:
            raise LegacyLiftError(
                f"--stage {pair!r}: give LOCAL_PATH=s3://bucket/key, e.g. "
                "--stage data/sales.csv=s3://my-bucket/legacycode/data/sales.csv"
            )
        if not S3_URI.match(uri):
            raise LegacyLiftError(f"--stage {pair!r}: {uri!r} is not an s3://bucket/key URI")
        path = Path(local).expanduser()
        if not path.exists():
            raise LegacyLiftError(
                f"--stage {pair!r}: {local} does not exist; give an existing file or directory"
            )
        stages.append((path.resolve(), uri))
    return stages


def upload_stages(sources: DataSources, stages: list[tuple[Path, str]]) -> None:
    """A file goes to its key (under it, when the key ends in '/'); a directory's files go
    under the prefix, keeping their relative paths."""
    for path, uri in stages:
        if path.is_file():
            target = join_uri(uri, path.name) if uri.endswith("/") else uri
            with path.open("rb") as source:
                sources.put(target, source)
            continue
        prefix = uri if uri.endswith("/") else uri + "/"
        for staged in FileTree().list(path.as_uri()):
            with staged.open() as source:
                sources.put(join_uri(prefix, staged.relative), source)


def _static_parameters(machine: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The Parameters (or JSONata Arguments) of every Task state, nested branches and item
    processors included."""
    for state in machine.get("States", {}).values():
        if not isinstance(state, dict):
            continue
        for key in ("Parameters", "Arguments"):  # JSONPath, JSONata
            if state.get("Type") == "Task" and isinstance(state.get(key), dict):
                yield state[key]
        for branch in state.get("Branches", []) or []:
            if isinstance(branch, dict):
                yield from _static_parameters(branch)
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if isinstance(processor, dict):
            yield from _static_parameters(processor)


def preflight(
    machine: dict[str, Any], execution_input: Any, images: ImageMap, jobs: JobRegistry
) -> None:
    """Refuse before anything runs: unmapped image URIs, malformed role ARNs, used job names."""
    documents = [*_static_parameters(machine), execution_input]
    for uri in sorted(set(_named(documents, "ImageUri"))):
        images.check(uri)
    for arn in sorted(set(_named(documents, "RoleArn"))):
        if not ROLE_ARN.match(arn):
            raise LegacyLiftError(
                f"role ARN {arn!r} is not an IAM role ARN: use "
                "arn:aws:iam::<12-digit account>:role/<name> (roles are not assumed locally, "
                "but AWS would refuse this one)"
            )
    for name in sorted(set(_named(documents, "ProcessingJobName"))):
        try:
            jobs.describe(name)
        except SageMakerApiError:  # not found: the name is free
            continue
        raise LegacyLiftError(
            f"processing job name {name!r} was already used on this machine, and AWS refuses "
            "a name used before in an account and region: give the input new "
            "ProcessingJobName values (e.g. add a date or a counter) and run again"
        )


class MappedTasks:
    """The local SageMaker Task runner, with each request's image URI mapped to a local image
    and its role ARN checked for shape (roles are not assumed locally)."""

    def __init__(self, tasks: SageMakerTasks, images: ImageMap) -> None:
        self.tasks = tasks
        self.images = images

    def supports(self, resource: str) -> bool:
        """What the SageMaker Task runner supports."""
        return self.tasks.supports(resource)

    def cancel(self) -> None:
        """Stop every running job."""
        self.tasks.cancel()

    def run(self, resource: str, parameters: Any, task: TaskContext) -> Any:
        """Run the job with its ImageUri replaced by the local image standing for it."""
        if isinstance(parameters, dict) and isinstance(parameters.get("AppSpecification"), dict):
            app = parameters["AppSpecification"]
            uri = app.get("ImageUri")
            if isinstance(uri, str):
                try:
                    local = self.images.resolve(uri)
                except LegacyLiftError as exc:
                    raise StatesError("LegacyLift.ImageNotMapped", str(exc)) from None
                parameters = {**parameters, "AppSpecification": {**app, "ImageUri": local}}
            role = parameters.get("RoleArn")
            if isinstance(role, str) and not ROLE_ARN.match(role):
                raise StatesError(
                    "SageMaker.AmazonSageMakerException",
                    f"RoleArn {role!r} is not an IAM role ARN (arn:aws:iam::<account>:role/...)",
                )
        return self.tasks.run(resource, parameters, task)


def _outputs(tasks: SageMakerTasks, sources: DataSources, local: bool) -> dict[str, Path | None]:
    outputs: dict[str, Path | None] = {}
    for result in tasks.jobs.values():
        if result.status != "Completed":
            continue
        config = result.describe.get("ProcessingOutputConfig", {})
        for output in config.get("Outputs", []):
            uri = output.get("S3Output", {}).get("S3Uri")
            if uri:
                outputs[uri] = sources.s3.path_of(uri) if local else None
    return outputs


def run_definition(
    definition_path: str,
    input_path: str | None = None,
    image_mappings: dict[str, str] | None = None,
    stages: list[tuple[Path, str]] | None = None,
    name: str | None = None,
    settings: LocalSettings | None = None,
    time_scale: str | float = 1.0,
    quiet: bool = False,
    images: ImageMap | None = None,
    reporter: Reporter | None = None,
) -> DefinitionRun:
    """Run the definition in `definition_path` on `input_path`'s JSON (default `{}`) locally;
    `run.failure` explains a failed run (failing step, exit code, log tail). Progress goes to
    `reporter` (default: text lines, none when `quiet`), as for run-local;
    `run.report_path` is the run's HTML report."""
    started = time.monotonic()
    time_scale = parse_time_scale(time_scale)
    settings = settings or LocalSettings.from_env()
    machine = read_json(definition_path, "definition")
    if not isinstance(machine, dict):
        raise LegacyLiftError(f"definition {definition_path}: must be a JSON object (ASL)")
    try:  # the file as it would be sent to CreateStateMachine, whitespace included
        asl_definition.check_size(Path(definition_path).expanduser().read_text(encoding="utf-8"))
    except LegacyLiftError as exc:
        raise LegacyLiftError(f"definition {definition_path}: {exc}") from None
    execution_input = read_json(input_path, "input") if input_path else {}
    images = images or ImageMap(dict(image_mappings or {}))
    sources = DataSources(settings)
    reporter = reporter or Reporter("quiet" if quiet else "text")
    runner = ProcessingRunner(settings, on_log=reporter.job_log)
    tasks = SageMakerTasks(runner, time_scale=time_scale)
    label = Path(definition_path).stem
    execution_name = name or f"{label}-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    execution = Execution(  # validates the ASL and that every Task's resource runs locally
        machine,
        execution_input,
        name=execution_name,
        task_runner=TaskRunners(MappedTasks(tasks, images), S3Tasks(sources)),
        time_scale=time_scale,
        state_machine_name=re.sub(r"[^A-Za-z0-9_-]", "-", label)[:80] or "definition",
        on_event=reporter.event,
    )
    preflight(machine, execution_input, images, JobRegistry(settings.jobs_dir))
    if stages:
        with console.timed(f"{label}: staging {len(stages)} path(s) into the local object store"):
            upload_stages(sources, stages)
    reporter.trace.name = execution_name
    reporter.trace.arn = execution.base_context["Execution"]["Id"]
    try:
        result = execution.run()
    finally:
        reporter.close()
    for job in tasks.jobs.values():
        reporter.job_finished(job.describe["ProcessingJobName"], job.exit_code, job.out_of_memory)
    local = not settings.s3_endpoint_url
    outputs = _outputs(tasks, sources, local)
    run = DefinitionRun(
        label,
        execution_name,
        result,
        next(reversed(outputs), ""),  # the last job's output: the pipeline's result
        next(reversed(outputs.values()), None),
        step_timings(reporter.trace),
        time.monotonic() - started,
        outputs=outputs,
    )
    run.reporter = reporter
    if not run.succeeded:
        run.failure = f"{label}: {reporter.failure_text()}"
    run.report_path = write_local_report(run, machine, settings)
    return run
