"""Reports of cloud executions, drawn from what `aws/reports.py` fetches: the history replayed
through the same reporter as local runs, and console links to the outputs in S3."""

from __future__ import annotations

from urllib.parse import quote

from legacylift.report.reporter import Reporter

MAX_OUTPUT_LINKS = 200


def s3_console_link(uri: str, region: str) -> str:
    """The S3 console page of an s3:// prefix."""
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    return (
        f"https://s3.console.aws.amazon.com/s3/buckets/{quote(bucket)}?region={region}"
        f"&prefix={quote(prefix)}"
    )


def replay(events: list[dict], arn: str, mode: str = "quiet") -> Reporter:
    """A reporter fed a whole recorded or fetched history."""
    reporter = Reporter(mode)
    reporter.trace.arn, reporter.trace.name = arn, arn.rsplit(":", 1)[-1]
    for event in sorted(events, key=lambda e: int(e["id"])):
        reporter.event(event)
    reporter.close()
    return reporter


def output_links(s3_client, uri: str, region: str) -> list[tuple[str, str]]:
    """(key, console link) of each object under the output prefix (the prefix itself when
    there are none or they cannot be listed)."""
    from botocore.exceptions import ClientError

    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    links = []
    try:
        listed = s3_client.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=MAX_OUTPUT_LINKS)
    except ClientError:
        listed = {}
    for item in listed.get("Contents", []):
        key = item["Key"]
        links.append(
            (
                key.removeprefix(prefix) or key,
                f"https://s3.console.aws.amazon.com/s3/object/{quote(bucket)}"
                f"?region={region}&prefix={quote(key)}",
            )
        )
    return links or [(uri, s3_console_link(uri, region))]
