"""Reports of cloud executions: the history from Step Functions, the definition that ran, and
the processing jobs' CloudWatch logs, fetched here and drawn by the same reporter as local
runs."""

from __future__ import annotations

import json
from pathlib import Path

from legacylift.aws.executions import history_events
from legacylift.aws.logs import job_log_tail
from legacylift.paths import project_state_dir
from legacylift.report.cloud import output_links, replay, s3_console_link
from legacylift.report.html import ReportInput, write_report
from legacylift.report.reporter import LOG_LINES_KEPT, Reporter


def cloud_report(
    sfn, logs_client, arn: str, output: Path | None = None, s3_client=None
) -> tuple[Path, Reporter]:
    """Write the report of execution `arn`; return its path and the reporter."""
    region = arn.split(":")[3]
    reporter = replay(history_events(sfn, arn), arn)
    jobs = [a.job_name for _, a in reporter.trace.attempts() if a.job_name]
    reporter.logs_from(lambda job: job_log_tail(logs_client, job, LOG_LINES_KEPT), jobs)
    definition = sfn.describe_state_machine_for_execution(executionArn=arn)["definition"]
    execution_input = reporter.trace.input if isinstance(reporter.trace.input, dict) else {}
    output_uri = execution_input.get("output_uri")
    if isinstance(reporter.trace.output, dict):
        output_uri = reporter.trace.output.get("output_uri", output_uri)
    outputs = []
    if output_uri:
        outputs = (
            [(output_uri, s3_console_link(output_uri, region))]
            if s3_client is None
            else output_links(s3_client, output_uri, region)
        )
    info = ReportInput(
        title=f"{arn.split(':')[-2]}: execution report",
        definition=json.loads(definition) if isinstance(definition, str) else definition,
        where=f"AWS {region}",
        outputs=outputs,
    )
    path = output or project_state_dir() / "reports" / f"{reporter.trace.name}.html"
    return write_report(path, reporter, info), reporter


def execution_report(
    execution: str, workspace: str | None, model: str | None, output: Path | None = None
) -> Path:
    """`invoke report`: the report of an execution given by ARN, or by name with its
    workspace and model."""
    from legacylift.aws.operations import resolve_execution
    from legacylift.aws.session import check_credentials, region_of_arn, session

    if execution.startswith("arn:"):
        check_credentials(session(region_of_arn(execution)))
    arn = resolve_execution(execution, workspace, model)
    aws = session(region_of_arn(arn))
    path, _ = cloud_report(
        aws.client("stepfunctions"), aws.client("logs"), arn, output, aws.client("s3")
    )
    return path
