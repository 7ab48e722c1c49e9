"""CloudWatch logs of SageMaker processing jobs (group /aws/sagemaker/ProcessingJobs, one
stream per instance, named `<job name>/algo-<n>-<epoch>`)."""

from __future__ import annotations

from botocore.exceptions import ClientError

PROCESSING_LOG_GROUP = "/aws/sagemaker/ProcessingJobs"
MAX_PAGES_PER_STREAM = 50


def job_log_lines(logs_client, job_name: str) -> list[str]:
    """Every log line of one processing job, stream by stream ([] when it logged nothing)."""
    lines: list[str] = []
    try:
        paginator = logs_client.get_paginator("describe_log_streams")
        streams = [
            stream["logStreamName"]
            for page in paginator.paginate(
                logGroupName=PROCESSING_LOG_GROUP, logStreamNamePrefix=f"{job_name}/"
            )
            for stream in page.get("logStreams", [])
        ]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return []
        raise
    for stream in sorted(streams):
        if len(streams) > 1:
            lines.append(f"[{stream}]")
        lines.extend(_stream_lines(logs_client, stream))
    return lines


def _stream_lines(logs_client, stream: str) -> list[str]:
    lines: list[str] = []
    request = {"logGroupName": PROCESSING_LOG_GROUP, "logStreamName": stream, "startFromHead": True}
    token = None
    for _ in range(MAX_PAGES_PER_STREAM):
        page = logs_client.get_log_events(**request, **({"nextToken": token} if token else {}))
        lines.extend(event["message"].rstrip("\n") for event in page.get("events", []))
        # GetLogEvents signals the end by returning the token it was given.
        if not page.get("events") or page.get("nextForwardToken") in (None, token):
            break
        token = page["nextForwardToken"]
    return lines


def job_log_tail(logs_client, job_name: str, lines: int = 30) -> list[str]:
    """The last `lines` log lines of a processing job."""
    return job_log_lines(logs_client, job_name)[-lines:]
