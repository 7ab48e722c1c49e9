"""`invoke run-local`, `invoke train` and `invoke demo`: a model's rendered workflow
(inference, a fan-out, training, or the generic workflow) run end to end locally, as a
sequence of steps each done by its own module:

1. the arguments checked before anything is written, and the run's claims taken (run_plan,
   claims);
2. the images: the model's own and the framework image, built when missing (run_images);
3. the scripts uploaded to the local code location, content-hashed like the cloud's, and the
   definition rendered by real Terraform from modules/workflow (run_code);
4. the input staged into the local object store (run_plan, transfer);
5. the execution interpreted step by step, recorded as it starts and ends (run_records);
6. the outcome: the output's location (or a copy at the local path asked for), each job's
   end, the failure, the cost and the HTML report (reports).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from legacylift.history import Trace
from legacylift.local.asl.interpreter import Execution, ExecutionResult
from legacylift.local.claims import claim_run
from legacylift.local.datasources import DataSources
from legacylift.local.fan_out import BatchProgress, failed_batches, instance_types, parallel_cap
from legacylift.local.processing import ProcessingRunner
from legacylift.local.render import RenderedWorkflow
from legacylift.local.reports import write_local_report
from legacylift.local.run_code import bucket_for as bucket_for  # what callers name the bucket by
from legacylift.local.run_code import render_for, upload_code
from legacylift.local.run_images import image_keys, workflow_images
from legacylift.local.run_plan import RunPlan, plan_run
from legacylift.local.run_records import write_run_record
from legacylift.local.s3_tasks import S3Tasks, TaskRunners
from legacylift.local.sagemaker_tasks import SageMakerTasks
from legacylift.local.settings import LocalSettings
from legacylift.local.step_cache import StepCache, load_steps
from legacylift.local.transfer import fetch_output
from legacylift.report.reporter import Reporter


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
    workflow: str = "inference"  # or "train"
    output: dict[str, Any] | None = None  # a succeeded execution's output (training: promoted...)

    @property
    def succeeded(self) -> bool:
        """Whether the execution succeeded."""
        return self.result.status == "SUCCEEDED"

    @property
    def promoted(self) -> bool:
        """Whether this (training) run's model was promoted."""
        return bool(self.output and self.output.get("promoted"))


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


def run_workflow(
    name: str,
    workflow: str = "inference",
    input_ref: str | None = None,
    output_ref: str | None = None,
    evaluation_ref: str | None = None,
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
    """Run model `name`'s `workflow` ("inference", fan-out included, or "train") locally on
    `input_ref` (a path or s3:// URI of the local store; training evaluates on
    `evaluation_ref`, default its training data). Returns the run; `run.failure` explains a
    failed one (failing step, exit code, log tail). `generic_input` runs the generic (original
    pattern) workflow instead; `images` ({"model": ref, "framework": ref}) uses prebuilt images
    instead of the build's; `overwrite` replaces a non-empty output. Every argument is checked
    before anything is written. Progress goes to `reporter` (default: text lines, none when
    `quiet`); `run.report_path` is the run's HTML report. `resume` names a failed local
    inference run of the same model: its completed steps whose content key is unchanged are
    reused instead of run (`input_ref` None: that run's input)."""
    started = time.monotonic()
    plan = plan_run(
        name,
        workflow,
        input_ref,
        output_ref,
        evaluation_ref,
        workspace,
        settings,
        time_scale,
        generic_input,
        overwrite,
        resume,
    )
    # Held until the run ends (released by the kernel if it is killed): a second run on the
    # same --output is refused, and clean-local leaves this execution's folders alone.
    command = "train" if workflow == "train" else "run-local"
    claims = claim_run(plan.settings, name, plan.bucket, plan.execution, plan.output, command)
    try:
        plan.check_output()  # now ours
        built = images is None
        images = images or workflow_images(plan.model, workflow)
        code_uri = upload_code(plan.sources, plan.model, plan.bucket)
        generic = generic_input is not None
        rendered = rendered or render_for(
            plan.model, images, plan.sources, workspace, code_uri, generic
        )
        execution_input = plan.stage()
        reporter = reporter or Reporter("quiet" if quiet else "text")
        cache = _step_cache(plan, images, built)
        definition = plan.definition(rendered)
        record = _run_record(plan, execution_input)
        result, tasks = _execute_recorded(
            plan, definition, execution_input, reporter, cache, record, quiet
        )
        run = _outcome(plan, result, tasks, cache, reporter, started)
        run.report_path = write_local_report(run, definition, plan.settings)
        _record_end(plan, record, run)
        return run
    finally:
        for held in claims:
            held.release()


def run_local(
    name: str, input_ref: str | None, output_ref: str | None = None, **options: Any
) -> LocalRun:
    """`run_workflow` of model `name`'s inference workflow (fan-out included): what
    `invoke run-local`, `invoke demo` and the benchmarks call."""
    return run_workflow(name, "inference", input_ref, output_ref, **options)


def _step_cache(plan: RunPlan, images: dict[str, str], built: bool) -> StepCache | None:
    """What keys and records each job of an inference run (and serves a resumed run's
    unchanged steps); None for training, which is not resumed (train again instead)."""
    if plan.workflow != "inference":
        return None
    model = plan.model
    return StepCache(
        plan.settings,
        plan.execution,
        plan.sources,
        image_keys(model, images, built),
        frozenset(model.script_for(step) for step in model.script_steps),
        previous=load_steps(plan.settings, plan.resume) if plan.resume else {},
        resumed_from=plan.resume,
    )


def _run_record(plan: RunPlan, execution_input: dict[str, Any]) -> dict[str, Any]:
    """The run's record as it starts (what --resume and list-models read)."""
    return {
        "model": plan.model.name,
        "workflow": plan.workflow,
        "workspace": plan.workspace,
        "started": _utc_now(),
        "input_uri": execution_input.get("input_uri"),
        "output_uri": plan.output_uri(),
        "resumed_from": plan.resume,
        "status": "RUNNING",
    }


def _execute_recorded(
    plan: RunPlan,
    definition: str,
    execution_input: dict[str, Any],
    reporter: Reporter,
    cache: StepCache | None,
    record: dict[str, Any],
    quiet: bool,
) -> tuple[ExecutionResult, SageMakerTasks]:
    """`execute` the plan's definition, its record written as it starts (ABORTED when the
    engine itself is cut short)."""
    write_run_record(plan.settings, plan.execution, record)
    fan_out = plan.workflow == "inference" and plan.model.fan_out
    try:
        return execute(
            definition,
            execution_input,
            plan.execution,
            plan.state_machine,
            plan.sources,
            plan.settings,
            plan.time_scale,
            reporter,
            on_event=BatchProgress(quiet or reporter.mode != "text"),
            max_parallel=parallel_cap(instance_types(plan.model)) if fan_out else None,
            cache=cache,
        )
    except BaseException:
        write_run_record(plan.settings, plan.execution, {**record, "status": "ABORTED"})
        raise


def _outcome(
    plan: RunPlan,
    result: ExecutionResult,
    tasks: SageMakerTasks,
    cache: StepCache | None,
    reporter: Reporter,
    started: float,
) -> LocalRun:
    """The finished run: its output where it is on this machine, each job's end told to the
    reporter, its failure explained, its cost."""
    output_uri = plan.output_uri()
    output_path = _local_output(result, plan.output, output_uri, plan.sources, plan.settings)
    _report_jobs(reporter, tasks, cache)
    run = LocalRun(
        plan.model.name,
        plan.execution,
        result,
        output_uri,
        output_path,
        step_timings(reporter.trace),
        time.monotonic() - started,
        workflow=plan.workflow,
    )
    run.reporter = reporter
    run.output = result.output if run.succeeded else None
    run.failed_batches = failed_batches(result.history, tasks.jobs)
    if not run.succeeded:
        run.failure = _failure(plan.model.name, reporter, run.failed_batches)
    run.cost = reporter.cost()
    return run


def _record_end(plan: RunPlan, record: dict[str, Any], run: LocalRun) -> None:
    """The run's record as it ends: its status, cost and report (None: its disk was full)."""
    report = str(run.report_path) if run.report_path else None
    ended = {"status": run.result.status, "cost": run.cost, "stopped": _utc_now()}
    write_run_record(plan.settings, plan.execution, {**record, **ended, "report": report})


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


def _report_jobs(reporter: Reporter, tasks: SageMakerTasks, cache: StepCache | None) -> None:
    """Tell the reporter how each processing job ended, and why a resumed step that could not
    be reused ran again."""
    for job in tasks.jobs.values():
        reporter.job_finished(job.describe["ProcessingJobName"], job.exit_code, job.out_of_memory)
    for job, why in (cache.misses if cache else {}).items():
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
