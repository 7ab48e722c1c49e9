"""The one-line alert of a run that failed, timed out or was aborted: published to the alerts
topic by EventBridge on AWS (modules/alerts renders the same line as an input template), printed
by `invoke run-local` for a local run."""

from __future__ import annotations

ALERTED = ("FAILED", "TIMED_OUT", "ABORTED")


def execution_link(region: str, execution_arn: str) -> str:
    """The Step Functions console page of an execution."""
    return (
        f"https://{region}.console.aws.amazon.com/states/home?region={region}"
        f"#/v2/executions/details/{execution_arn}"
    )


def summary(
    model: str, workspace: str, name: str, status: str, error: str, cause: str, link: str
) -> str:
    """The alert line: model, workspace, execution and how it ended, the error and its cause
    (a processing job's FailureReason), where to look (`link`: the execution's page, or the
    local report), and the `invoke report` command."""
    return (
        f"LegacyLift {model} ({workspace}): execution {name} {status}: {error}: {cause}"
        f" | {link} | invoke report {name} --workspace {workspace} --model {model}"
    )
