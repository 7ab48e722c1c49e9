"""ASL runtime errors: an error name and a cause, as Step Functions reports them."""

from __future__ import annotations

from legacylift.errors import LegacyLiftError


class StatesError(Exception):
    """A state failed with `error` (e.g. States.TaskFailed) and `cause` (text, often JSON)."""

    def __init__(self, error: str, cause: str | None = None) -> None:
        super().__init__(f"{error}: {cause}" if cause else error)
        self.error = error
        self.cause = cause
        self.located = False  # runtime errors get "...executing the state 'X'..." once
        self.location: str | None = None  # the JSONata field whose evaluation failed


LOCATED_ERRORS = frozenset({"States.Runtime", "States.QueryEvaluationError"})


def runtime_error(cause: str) -> StatesError:
    """`States.Runtime`: never retried, never caught, fails the execution."""
    return StatesError("States.Runtime", cause)


class DefinitionError(LegacyLiftError):
    """A state machine definition that cannot run (invalid, or not runnable locally)."""


# Errors Retry and Catch never match (AWS: "A retry or catch on States.ALL won't catch
# States.Runtime errors"; States.DataLimitExceeded is terminal too).
UNCATCHABLE = frozenset({"States.Runtime", "States.DataLimitExceeded"})


def error_matches(names: list[str], error: str) -> bool:
    """Whether a Retrier's or Catcher's ErrorEquals list matches `error`."""
    if error in UNCATCHABLE:
        return False
    for name in names:
        if name == error or name == "States.ALL":
            return True
        # States.TaskFailed matches any known error except States.Timeout.
        if name == "States.TaskFailed" and error != "States.Timeout":
            return True
    return False
