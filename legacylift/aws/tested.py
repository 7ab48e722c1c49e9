"""Whether an image digest ever ran successfully in a workspace, read from Step Functions
itself: the workspace's succeeded executions, newest first, and the definition each one ran
(the version it started, or DescribeStateMachineForExecution for executions started without
one), which pins the model's image by digest. No local record can be forgotten or forged."""

from __future__ import annotations

from typing import Any

from legacylift.aws.versions import digest_of, image_uris

SCANNED_EXECUTIONS = 1000  # newest succeeded executions looked at before giving up


def last_succeeded_with(
    sfn, state_machine_arn: str, digest: str, limit: int = SCANNED_EXECUTIONS
) -> dict[str, Any] | None:
    """The newest SUCCEEDED execution of the state machine whose definition pins an image with
    `digest` (`sha256:<hex>`): its name, ARN, stop date and version; None when there is none."""
    definitions: dict[str, str] = {}
    seen = 0
    kwargs: dict[str, Any] = {"stateMachineArn": state_machine_arn, "statusFilter": "SUCCEEDED"}
    while seen < limit:
        page = sfn.list_executions(**kwargs)
        rows = sorted(page["executions"], key=lambda row: row["startDate"], reverse=True)
        for row in rows[: limit - seen]:
            seen += 1
            described = sfn.describe_execution(executionArn=row["executionArn"])
            version = described.get("stateMachineVersionArn")
            if version:
                if version not in definitions:
                    machine = sfn.describe_state_machine(stateMachineArn=version)
                    definitions[version] = machine["definition"]
                definition = definitions[version]
            else:
                definition = sfn.describe_state_machine_for_execution(
                    executionArn=row["executionArn"]
                )["definition"]
            if any(digest_of(uri) == digest for uri in image_uris(definition)):
                stopped = described.get("stopDate")
                return {
                    "name": described["name"],
                    "arn": described["executionArn"],
                    "stopped": stopped.isoformat() if stopped else None,
                    "version": version,
                }
        if not page.get("nextToken"):
            return None
        kwargs["nextToken"] = page["nextToken"]
    return None
