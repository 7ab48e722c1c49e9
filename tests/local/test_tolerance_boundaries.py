"""A Distributed Map's tolerated failures at, just below and just above their boundary. AWS
fails the Map run only when the failures *exceed* the tolerance: "ToleratedFailurePercentage
... The Map Run fails if this percentage is exceeded", "ToleratedFailureCount ... fails if this
number is exceeded" (https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html).
Pure states: each child fails through a Fail state when its item says so."""

from __future__ import annotations

import pytest

from legacylift.local.asl.interpreter import Execution

ITEMS = 4  # one failed child is exactly 25 %


def _run(failures: int, **tolerance) -> str:
    child = {
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.fail", "BooleanEquals": True, "Next": "Broken"}],
                "Default": "Done",
            },
            "Broken": {"Type": "Fail", "Error": "Item.Failed", "Cause": "planted"},
            "Done": {"Type": "Succeed"},
        },
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
    }
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": child,
                "MaxConcurrency": 1,
                "End": True,
                **tolerance,
            }
        },
    }
    items = [{"fail": index < failures} for index in range(ITEMS)]
    result = Execution(definition, {"items": items}).run()
    assert result.status == "SUCCEEDED" or result.error == "States.ExceedToleratedFailureThreshold"
    return result.status


@pytest.mark.parametrize(
    ("percentage", "failures", "status"),
    [
        (25, 1, "SUCCEEDED"),  # at: 25 % failed is not more than 25 %
        (25.0, 1, "SUCCEEDED"),  # the same bound as a float
        (24.9, 1, "FAILED"),  # just below the failed share
        (25.1, 1, "SUCCEEDED"),  # just above it
        (25, 0, "SUCCEEDED"),
        (25, 2, "FAILED"),  # 50 %
        (0, 0, "SUCCEEDED"),
        (0, 1, "FAILED"),
        (100, ITEMS, "SUCCEEDED"),  # everything tolerated
    ],
)
def test_tolerated_failure_percentage_fails_only_above_the_percentage(percentage, failures, status):
    """Planted bug (`>=` instead of `>`: a run failing exactly the tolerated share fails):
    the cases at the boundary turn red."""
    assert _run(failures, ToleratedFailurePercentage=percentage) == status


@pytest.mark.parametrize(
    ("count", "failures", "status"),
    [
        (1, 0, "SUCCEEDED"),
        (1, 1, "SUCCEEDED"),
        (1, 2, "FAILED"),
        (0, 1, "FAILED"),
        (ITEMS, ITEMS, "SUCCEEDED"),
    ],
)
def test_tolerated_failure_count_fails_only_above_the_count(count, failures, status):
    """Planted bug (`>=` instead of `>` for the count): (1, 1) turns red."""
    assert _run(failures, ToleratedFailureCount=count) == status
