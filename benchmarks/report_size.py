"""How large and how slow is the run report of a fan-out run: a Map over N batches (default 256),
each batch running the three processing jobs of the rendered iris workflow, one inference
failing. The history is produced by the local engine's interpreter (real GetExecutionHistory
events) with a task runner that answers like DescribeProcessingJob without starting
containers, so only the report is measured.

    python benchmarks/report_size.py [--batches 256] [--log-lines 50]

Writes benchmarks/results/report_size.md and leaves the report at .legacylift/reports/.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.local_machine import machine_description
from legacylift.local.asl.errors import StatesError
from legacylift.local.asl.interpreter import Execution
from legacylift.paths import project_state_dir
from legacylift.report.html import ReportInput, render_report
from legacylift.report.reporter import Reporter

RESULTS = Path(__file__).parent / "results" / "report_size.md"
STEPS = ("Preprocessing", "Inference", "Postprocessing")


def task(step: str, following: str | None) -> dict:
    """A createProcessingJob.sync Task shaped like the rendered workflow's."""
    folder = step.lower()
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sagemaker:createProcessingJob.sync",
        "Parameters": {
            "ProcessingJobName.$": f"States.Format('legacylift-dev-iris-{folder[:3]}-{{}}', "
            "States.ArrayGetItem(States.StringSplit(States.UUID(), '-'), 4))",
            "RoleArn": "arn:aws:iam::123456789012:role/legacylift-dev-sagemaker",
            "AppSpecification": {
                "ImageUri": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/legacylift/iris@sha256:"
                + "3f" * 32,
                "ContainerEntrypoint": ["python3", f"/opt/ml/code/{folder}.py"],
            },
            "ProcessingResources": {
                "ClusterConfig": {
                    "InstanceCount": 1,
                    "InstanceType": "ml.m5.xlarge",
                    "VolumeSizeInGB": 30,
                }
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
            "ProcessingInputs": [
                {
                    "InputName": "data",
                    "S3Input": {
                        "S3Uri.$": f"States.Format('s3://legacylift-dev-data/iris/runs/{{}}/{folder}/in/',"
                        " $.batch)",
                        "LocalPath": "/opt/ml/processing/input/data",
                        "S3DataType": "S3Prefix",
                        "S3InputMode": "File",
                    },
                }
            ],
            "ProcessingOutputConfig": {
                "Outputs": [
                    {
                        "OutputName": "output",
                        "S3Output": {
                            "S3Uri.$": f"States.Format('s3://legacylift-dev-data/iris/runs/{{}}/{folder}/out/'"
                            ", $.batch)",
                            "LocalPath": "/opt/ml/processing/output",
                            "S3UploadMode": "EndOfJob",
                        },
                    }
                ]
            },
        },
        "ResultPath": f"$.jobs.{step}",
        "ResultSelector": {
            "ProcessingJobName.$": "$.ProcessingJobName",
            "ProcessingJobStatus.$": "$.ProcessingJobStatus",
        },
        "Retry": [{"ErrorEquals": ["SageMaker.AmazonSageMakerException"], "MaxAttempts": 6}],
    }
    state.update({"Next": following} if following else {"End": True})
    return state


def definition() -> dict:
    """A Map over the batches, each running the three steps."""
    states = {
        step: task(step, STEPS[i + 1] if i + 1 < len(STEPS) else None)
        for i, step in enumerate(STEPS)
    }
    return {
        "StartAt": "Batches",
        "States": {
            "Batches": {
                "Type": "Map",
                "ItemsPath": "$.batches",
                "MaxConcurrency": 40,
                "ItemProcessor": {"StartAt": STEPS[0], "States": states},
                "End": True,
            },
        },
    }


class FakeJobs:
    """Answers each CreateProcessingJob like DescribeProcessingJob; one inference fails."""

    def __init__(self, reporter: Reporter, log_lines: int, failing_batch: str) -> None:
        self.reporter, self.log_lines, self.failing = reporter, log_lines, failing_batch

    def supports(self, resource: str) -> bool:
        return True

    def run(self, resource, parameters, task_context):
        name = parameters["ProcessingJobName"]
        now = int(time.time() * 1000)
        for n in range(self.log_lines):
            self.reporter.job_log(name, f"{name} processed chunk {n:03d}: 1000 rows, 0 rejected")
        arn = f"arn:aws:sagemaker:eu-west-1:123456789012:processing-job/{name}"
        describe = {
            **parameters,
            "ProcessingJobArn": arn,
            "ProcessingJobStatus": "Completed",
            "CreationTime": now,
            "ProcessingStartTime": now,
            "ProcessingEndTime": now,
        }
        uri = parameters["ProcessingInputs"][0]["S3Input"]["S3Uri"]
        if task_context.state_name == "Inference" and f"/{self.failing}/" in uri:
            describe.update(
                ProcessingJobStatus="Failed",
                FailureReason="AlgorithmError: See job logs for more information",
                ExitMessage="KeyError: 'petal_width'",
            )
            raise StatesError("States.TaskFailed", json.dumps(describe))
        return describe


def browser_load_seconds(path: Path) -> float | None:
    """Seconds until Debian's headless Chromium has loaded the report (None without it)."""
    from tests.report.chromium import Chromium, chromium_binary

    binary = chromium_binary()
    if binary is None:
        return None
    with Chromium(binary, timeout=300) as browser:
        started = time.monotonic()
        browser.open(path)
        return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=256)
    parser.add_argument("--log-lines", type=int, default=50, help="log lines per job")
    args = parser.parse_args()
    reporter = Reporter("quiet")
    batches = [f"batch-{n:04d}" for n in range(args.batches)]
    jobs = FakeJobs(reporter, args.log_lines, batches[len(batches) // 2])
    started = time.monotonic()
    result = Execution(
        definition(),
        {"batches": [{"batch": b} for b in batches]},
        name="fanout",
        task_runner=jobs,
        on_event=reporter.event,
    ).run()
    run_seconds = time.monotonic() - started
    history_bytes = len(json.dumps(result.history).encode())
    started = time.monotonic()
    html = render_report(reporter, ReportInput("iris: fan-out", definition(), "benchmark"))
    render_seconds = time.monotonic() - started
    data = html.encode()
    target = project_state_dir() / "reports" / f"fanout-{args.batches}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    attempts = len(reporter.trace.attempts())
    load = browser_load_seconds(target)
    rows = [
        ("batches", f"{args.batches}"),
        ("processing jobs in the report (timeline bars, table rows)", f"{attempts}"),
        ("history events", f"{len(result.history)}"),
        ("history JSON", f"{history_bytes / 1e6:.2f} MB"),
        ("log lines kept per job (shown: 10 for succeeded jobs)", f"{args.log_lines}"),
        ("report HTML", f"{len(data) / 1e6:.2f} MB"),
        ("report HTML gzipped", f"{len(gzip.compress(data)) / 1e6:.2f} MB"),
        ("report bytes per job", f"{len(data) / max(attempts, 1) / 1e3:.1f} kB"),
        ("rendering the report (graph included)", f"{render_seconds:.2f} s"),
        ("interpreting the synthetic execution", f"{run_seconds:.2f} s"),
        ("loading it in headless Chromium", f"{load:.1f} s" if load else "chromium missing"),
        ("execution status", result.status),
    ]
    lines = [
        f"# Run report of a {args.batches}-batch fan-out",
        "",
        machine_description(),
        f"Rerun: `python benchmarks/report_size.py --batches {args.batches}`.",
        "",
        "| measure | value |",
        "| --- | ---: |",
        *[f"| {name} | {value} |" for name, value in rows],
        "",
    ]
    RESULTS.write_text("\n".join(lines))
    print("\n".join(lines))
    print(f"report: {target}")


if __name__ == "__main__":
    main()
