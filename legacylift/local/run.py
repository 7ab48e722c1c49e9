"""`invoke run-local` and `invoke demo`: a model's rendered workflow run end to end locally.

1. the images: the model's own and the framework image, built when missing (build part);
2. the scripts uploaded to the local code location, content-hashed like the cloud's;
3. the definition rendered by real Terraform from modules/workflow;
4. the input staged into the local object store, the execution run, step by step;
5. the output's location printed (or copied to the local path asked for).
"""

from __future__ import annotations

import hashlib
import io
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from legacylift import console
from legacylift.errors import LegacyLiftError
from legacylift.history import Trace
from legacylift.local.arguments import (
    check_input,
    check_output,
    check_store_writable,
    check_workspace,
    parse_time_scale,
)
from legacylift.local.asl.interpreter import Execution, ExecutionResult
from legacylift.local.claims import claim_run
from legacylift.local.datasources import DataSources, join_uri
from legacylift.local.fan_out import (
    BatchProgress,
    check_batch_sizes,
    failed_batches,
    instance_types,
    parallel_cap,
)
from legacylift.local.processing import ProcessingRunner
from legacylift.local.render import RenderedWorkflow, render_workflow
from legacylift.local.reports import write_local_report
from legacylift.local.run_records import resumable_run, write_run_record
from legacylift.local.s3_tasks import S3Tasks, TaskRunners
from legacylift.local.sagemaker_tasks import SageMakerTasks
from legacylift.local.settings import LocalSettings
from legacylift.local.step_cache import StepCache, load_steps
from legacylift.local.transfer import fetch_output, stage_input
from legacylift.paths import MODULES_DIR
from legacylift.report.reporter import Reporter

STEP_RUNNER = MODULES_DIR / "workflow" / "files" / "steprunner.py"
RUNNER_AREA = "_legacylift"  # not a model name: those start with a letter


@dataclass
class StepTiming:
    """One Task state's wall time and outcome."""

    name: str
    seconds: float = 0.0
    status: str = "running"


def step_timings(trace: Trace) -> list[StepTiming]:
    """One StepTiming per Task state (its last visit), in the order they were entered."""
    steps: dict[str, StepTiming] = {}
    for visit in trace.tasks():
        status = {"succeeded": "ok", "running": "running"}.get(visit.status, "failed")
        steps[visit.label] = StepTiming(visit.label, visit.seconds() or 0.0, status)
    return list(steps.values())


@dataclass
class LocalRun:
    """The outcome of one local execution."""

    model: str
    execution_name: str
    result: ExecutionResult
    output_uri: str
    output_path: Path | None
    steps: list[StepTiming] = field(default_factory=list)
    seconds: float = 0.0
    failure: str | None = None
    failed_batches: list[str] = field(default_factory=list)  # a fan-out's, tolerated or not
    reporter: Reporter | None = None
    report_path: Path | None = None
    cost: dict[str, Any] | None = None  # instance-hours and estimate (legacylift.report.cost)

    @property
    def succeeded(self) -> bool:
        """Whether the execution succeeded."""
        return self.result.status == "SUCCEEDED"


def bucket_for(workspace: str) -> str:
    """The local bucket standing for a workspace's data bucket."""
    return f"legacylift-{workspace}"


def execution_name(model: str) -> str:
    """A unique execution name (Step Functions allows 80 characters)."""
    return f"{model}-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"


def upload_code(sources: DataSources, model, bucket: str) -> str:
    """Upload the model folder's code files (`code_files`: what the root module uploads too)
    to their content-hashed folder and return its URI; unchanged code keeps its URI."""
    from legacylift.build.code_folder import code_digest, code_files

    files = code_files(model.path)
    prefix = f"s3://{bucket}/{model.name}/code/{code_digest(files)}/"
    for relative, path in files:
        with path.open("rb") as source:
            sources.put(join_uri(prefix, relative), source)
    return prefix


def upload_step_runner(sources: DataSources, bucket: str) -> str:
    """Upload files/steprunner.py to a content-hashed folder; its s3:// URI (step_runner_uri)."""
    data = STEP_RUNNER.read_bytes()
    folder = f"s3://{bucket}/{RUNNER_AREA}/code/{hashlib.sha256(data).hexdigest()[:16]}/"
    sources.put(join_uri(folder, "steprunner.py"), io.BytesIO(data))
    return folder


def _model_entry(model, images: dict[str, str], code_uri: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"image_uri": images.get("model"), **model.tfvars_settings()}
    if code_uri:
        script_steps = [
            s for s in ("preprocessing", "postprocessing", "combine") if s in model.script_steps
        ]
        entry["code_uris"] = {
            step: code_uri for step in script_steps if model.image_for(step) == "framework"
        }
    return entry


def _images(model) -> dict[str, str]:
    from legacylift.build import ensure_framework_image, ensure_model_image

    kinds = {model.image_for(step) for step in model.script_steps}
    images = {}
    with console.timed(f"{model.name}: images"):
        # The module renders every model with its own image_uri, framework steps or not.
        images["model"] = ensure_model_image(model.name)
        if "framework" in kinds:
            images["framework"] = ensure_framework_image()
    return images


def render_for(
    model,
    images: dict[str, str],
    sources: DataSources,
    workspace: str,
    code_uri: str | None,
    generic: bool = False,
) -> RenderedWorkflow:
    """The model's definitions (inference, training; with `generic` the generic workflow too)
    as modules/workflow renders them for a local run, its code at `code_uri` (the step runner
    is uploaded first: the definitions name it)."""
    bucket = bucket_for(workspace)
    runner_uri = upload_step_runner(sources, bucket)
    with console.timed(f"{model.name}: rendering modules/workflow with Terraform"):
        return render_workflow(
            {model.name: _model_entry(model, images, code_uri)},
            images.get("framework", images["model"]),
            name_prefix=f"legacylift-{workspace}",
            data_bucket=bucket,
            enable_generic_workflow=generic,
            step_runner_uri=runner_uri,
        )


def execute(
    definition: str,
    execution_input: dict[str, Any],
    execution: str,
    state_machine_name: str,
    sources: DataSources,
    settings: LocalSettings,
    time_scale: float,
    reporter: Reporter,
    on_event: Callable[[dict[str, Any]], Any] | None = None,
    max_parallel: int | None = None,
    cache: StepCache | None = None,
) -> tuple[ExecutionResult, SageMakerTasks]:
    """Interpret `definition` on the local engine (processing jobs in Docker, S3 reads and
    writes on the local object store), progress through `reporter` (and `on_event`, when
    given); `max_parallel` caps concurrent Map iterations; `cache` keys and records each job
    (and serves a resumed run's unchanged steps). The result and the SageMaker task runner
    (each step's job)."""
    runner = ProcessingRunner(settings, on_log=reporter.job_log)
    tasks = SageMakerTasks(runner, time_scale=time_scale, cache=cache, on_reuse=reporter.job_reused)
    engine = Execution(
        definition,
        execution_input,
        name=execution,
        task_runner=TaskRunners(tasks, S3Tasks(sources)),
        time_scale=time_scale,
        state_machine_name=state_machine_name,
        on_event=(lambda event: (reporter.event(event), on_event(event)))
        if on_event
        else reporter.event,
        max_parallel=max_parallel,
    )
    reporter.trace.name, reporter.trace.arn = execution, engine.base_context["Execution"]["Id"]
    try:
        result = engine.run()
    finally:
        reporter.close()
    return result, tasks


def run_local(
    name: str,
    input_ref: str,
    output_ref: str | None = None,
    workspace: str = "local",
    settings: LocalSettings | None = None,
    time_scale: float = 1.0,
    quiet: bool = False,
    generic_input: dict[str, Any] | None = None,
    rendered: RenderedWorkflow | None = None,
    images: dict[str, str] | None = None,
    overwrite: bool = False,
    reporter: Reporter | None = None,
    resume: str | None = None,
) -> LocalRun:
    """Run model `name`'s workflow locally on `input_ref` (a path or s3:// URI of the local
    store). Returns the run; `run.failure` explains a failed one (failing step, exit code,
    log tail). `generic_input` runs the generic (original pattern) workflow instead; `images`
    ({"model": ref, "framework": ref}) uses prebuilt images instead of the build's; `overwrite`
    replaces a non-empty output. Every argument is checked before anything is written. Progress
    goes to `reporter` (default: text lines, none when `quiet`); `run.report_path` is the
    run's HTML report. `resume` names a failed local run of the same model: its completed
    steps whose content key is unchanged are reused instead of run (`input_ref` None: that
    run's input)."""
    from legacylift.models import load_model

    started = time.monotonic()
    settings = settings or LocalSettings.from_env()
    check_workspace(workspace)
    time_scale = parse_time_scale(time_scale)
    model = load_model(name)
    sources = DataSources(settings)
    check_store_writable(settings)
    if resume is not None:
        input_ref = _resumed_input(settings, sources, resume, name, input_ref)
    input_path = None
    if generic_input is None:
        input_path = check_input(input_ref, settings, sources)
    input_uri = None if input_path or generic_input is not None else input_ref
    output = check_output(output_ref, input_path, input_uri, overwrite, sources)
    bucket = bucket_for(workspace)
    execution = execution_name(name)
    # Held until the run ends (released by the kernel if it is killed): a second run on the
    # same --output is refused, and clean-local leaves this execution's folders alone.
    claims = claim_run(settings, name, bucket, execution, output)
    output = check_output(output_ref, input_path, input_uri, overwrite, sources)  # now ours
    built = images is None
    images = images or _images(model)
    code_uri = upload_code(sources, model, bucket)
    if rendered is None:
        generic = generic_input is not None
        rendered = render_for(model, images, sources, workspace, code_uri, generic)
    if generic_input is not None:
        definition, execution_input = rendered.generic_definition, generic_input
        output_uri = (
            generic_input.get("PostProcessing", generic_input.get("Inference", {}))
            .get("OutputUri", {})
            .get("S3Uri", "")
        )
    else:
        input_uri = stage_input(
            sources, input_ref, f"s3://{bucket}/{name}/input/{execution}/", input_path
        )
        if model.fan_out:
            check_batch_sizes(sources, input_uri, model)
        output_uri = output.uri or f"s3://{bucket}/{name}/output/{execution}/"
        definition = rendered.definitions[name]
        execution_input = {"input_uri": input_uri, "output_uri": output_uri}
    reporter = reporter or Reporter("quiet" if quiet else "text")
    batches = BatchProgress(quiet or reporter.mode != "text")
    cache = StepCache(
        settings,
        execution,
        sources,
        image_keys(model, images, built),
        frozenset(model.script_for(step) for step in model.script_steps),
        previous=load_steps(settings, resume) if resume else {},
        resumed_from=resume,
    )
    record = {
        "model": name,
        "workspace": workspace,
        "started": _utc_now(),
        "input_uri": execution_input.get("input_uri"),
        "output_uri": output_uri,
        "resumed_from": resume,
        "status": "RUNNING",
    }
    write_run_record(settings, execution, record)
    try:
        result, tasks = execute(
            definition,
            execution_input,
            execution,
            f"legacylift-{workspace}-{name}",
            sources,
            settings,
            time_scale,
            reporter,
            on_event=batches,
            max_parallel=parallel_cap(instance_types(model)) if model.fan_out else None,
            cache=cache,
        )
    except BaseException:
        write_run_record(settings, execution, {**record, "status": "ABORTED"})
        raise
    output_path = _local_output(result, output, output_uri, sources, settings)
    _report_jobs(reporter, tasks, cache)
    run = LocalRun(
        name,
        execution,
        result,
        output_uri,
        output_path,
        step_timings(reporter.trace),
        time.monotonic() - started,
    )
    run.reporter = reporter
    run.failed_batches = failed_batches(result.history, tasks.jobs)
    if not run.succeeded:
        run.failure = _failure(name, reporter, run.failed_batches)
    run.cost = reporter.cost()
    run.report_path = write_local_report(run, definition, settings)
    report = str(run.report_path) if run.report_path else None  # None: its disk was full
    write_run_record(
        settings,
        execution,
        {
            **record,
            "status": result.status,
            "cost": run.cost,
            "stopped": _utc_now(),
            "report": report,
        },
    )
    for held in claims:
        held.release()
    return run


def _resumed_input(
    settings: LocalSettings, sources: DataSources, resume: str, name: str, input_ref: str | None
) -> str:
    """The input of a resumed run: `input_ref` when given, else the failed run's own, which
    must still be in the object store."""
    previous = resumable_run(settings, resume, name)
    if previous is None or input_ref is not None:
        return input_ref
    input_ref = previous.get("input_uri") or ""
    if not input_ref.startswith("s3://") or not sources.list(input_ref):
        raise LegacyLiftError(
            f"--resume {resume}: that run's input ({input_ref or 'none'}) "
            "is no longer in the object store (clean-local --inputs "
            "removes it); give it again with --input"
        )
    return input_ref


def _local_output(
    result: ExecutionResult, output, output_uri: str, sources: DataSources, settings
) -> Path | None:
    """Where a succeeded run's output is on this machine: the --output directory (fetched
    there), else its folder in the local object store; None for a failed run or an S3
    endpoint."""
    if result.status != "SUCCEEDED":
        return None
    in_store = None if settings.s3_endpoint_url else sources.s3.path_of(output_uri)
    if output.path is None:
        return in_store
    fetch_output(sources, output_uri, output.path, kept_at=str(in_store or output_uri))
    return output.path


def _report_jobs(reporter: Reporter, tasks: SageMakerTasks, cache: StepCache) -> None:
    """Tell the reporter how each processing job ended, and why a resumed step that could not
    be reused ran again."""
    for job in tasks.jobs.values():
        reporter.job_finished(job.describe["ProcessingJobName"], job.exit_code, job.out_of_memory)
    for job, why in cache.misses.items():
        reporter.job_notes.setdefault(job, why)


def _failure(name: str, reporter: Reporter, batches: list[str]) -> str:
    """A failed run's explanation: the failing step, and the fan-out's failed batches."""
    failure = f"{name}: {reporter.failure_text()}"
    if batches:
        failure += f"\n{len(batches)} failed batches:\n" + "\n".join(batches)
    return failure


def _utc_now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="milliseconds")


def image_keys(model, images: dict[str, str], built: bool) -> Callable[..., str | None]:
    """What names an image in a step's content key: the model image LegacyLift built, by
    its build context less the other steps' scripts (the default image holds the whole
    folder, and predict.py does not run postprocessing.py); any other image by its ID."""

    known: dict[tuple[str, frozenset[str]], str | None] = {}  # a fan-out keys many jobs

    def key(reference: str, ignored: frozenset[str]) -> str | None:
        if (reference, ignored) in known:
            return known[reference, ignored]
        named = local_image_id(reference)
        if built and reference == images.get("model") and named:
            from dataclasses import replace

            from legacylift.build.images import ImageBuilder

            context = ImageBuilder().model_context(model)
            files = [
                (relative, path)
                for relative, path in context.files
                if relative.removeprefix("code/") not in ignored
            ]
            named = "context:" + replace(context, files=files).content_hash
        known[reference, ignored] = named
        return named

    return key


def local_image_id(reference: str) -> str | None:
    """The ID of a local image (what a step's content key names), None when it is absent."""
    from docker.errors import DockerException

    from legacylift.docker_client import docker_client

    try:
        return docker_client().images.get(reference).id
    except (DockerException, LegacyLiftError):
        return None


def expected_matches(run: LocalRun, expected_dir: Path) -> list[str]:
    """Differences between a run's output and the expected files (empty when equal)."""
    if run.output_path is None:
        return ["no local output to compare"]
    problems = []
    expected = {
        p.relative_to(expected_dir).as_posix(): p for p in expected_dir.rglob("*") if p.is_file()
    }
    actual = {
        p.relative_to(run.output_path).as_posix(): p
        for p in run.output_path.rglob("*")
        if p.is_file()
    }
    for missing in sorted(set(expected) - set(actual)):
        problems.append(f"missing {missing}")
    for extra in sorted(set(actual) - set(expected)):
        problems.append(f"unexpected {extra}")
    for common in sorted(set(expected) & set(actual)):
        if expected[common].read_bytes() != actual[common].read_bytes():
            problems.append(f"{common} differs")
    return problems
