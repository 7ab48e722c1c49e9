"""Numeric fields a state reads at run time, given directly, by a path or by a JSONata
expression, checked as Step Functions checks them: MaxConcurrency, ToleratedFailureCount,
ToleratedFailurePercentage, an ItemReader's MaxItems, an ItemBatcher's limits and a Task's
TimeoutSeconds.

Where AWS accepts a number it accepts the same number written as a JSON string (`"1"`); any
other value fails the execution with `States.Runtime` (MaxItems: `States.ItemReaderFailed`)
and AWS's sentence, never with a Python error.
"""

from __future__ import annotations

import json
import re
from typing import Any

from legacylift.local.asl.errors import StatesError, runtime_error
from legacylift.local.asl.payload import MISSING

_INTEGER = re.compile(r"-?[0-9]{1,19}")  # a Java long at most (longer: no valid integer)
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def as_integer(value: Any) -> int | None:
    """`value` as an integer: a JSON integer, or a string holding one; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INTEGER.fullmatch(value):
        return int(value)
    return None


def as_number(value: Any) -> float | None:
    """`value` as a number: a JSON number, or a string holding one; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        return float(value)
    return None


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _given(state: dict[str, Any], name: str) -> str:
    """The field's name as the state gives it: `namePath`, or `name` (literal or JSONata)."""
    return f"{name}Path" if f"{name}Path" in state else name


def _not_valid(state, name: str, value: Any, source: str, kind: str = "integer") -> StatesError:
    return runtime_error(
        f'The {_given(state, name)} field refers to value "{_shown(value)}" which is not a '
        f"valid {kind}: {source}"
    )


# name -> (how its value is read, the type AWS's sentence names, whether a value is in range,
# AWS's sentence when it is not)
_RANGES = {
    "MaxConcurrency": (
        as_integer,
        "integer",
        lambda n: n >= 0,
        "Expected non-negative integer for MaxConcurrency, got '{}' instead.",
    ),
    "ToleratedFailureCount": (
        as_integer,
        "integer",
        lambda n: n >= 0,
        "ToleratedFailureCount cannot be negative.",
    ),
    "ToleratedFailurePercentage": (
        as_number,
        "float",
        lambda n: 0 <= n <= 100,
        "ToleratedFailurePercentage must be between 0 and 100.",
    ),
    **{
        name: (
            as_integer,
            "integer",
            lambda n: n > 0,
            f"Expected positive integer for {name}, got '{{}}' instead.",
        )
        for name in ("MaxItemsPerBatch", "MaxInputBytesPerBatch")
    },
}


def read(value: Any, state: dict[str, Any], name: str, source: str) -> int | float | None:
    """The value of `name` (MaxConcurrency: 0 means no limit; ToleratedFailureCount;
    ToleratedFailurePercentage, 0 to 100; an ItemBatcher's MaxItemsPerBatch and
    MaxInputBytesPerBatch, positive) as given (`value`, from `source`); None when absent."""
    if value is MISSING:
        return None
    parse, kind, valid, sentence = _RANGES[name]
    number = parse(value)
    if number is None:
        raise _not_valid(state, name, value, source, kind)
    if not valid(number):
        raise runtime_error(sentence.format(number))
    return number


def max_items(value: Any, config: dict[str, Any], source: str) -> int | None:
    """An ItemReader's MaxItems(Path): a non-negative integer (0: no limit); None when absent.
    AWS fails the map run with States.ItemReaderFailed for anything else."""
    if value is MISSING:
        return None
    number = as_integer(value)
    if number is None:
        raise StatesError(
            "States.ItemReaderFailed",
            f"The {_given(config, 'MaxItems')} field refers to value '{_shown(value)}' which is "
            f"not a valid integer: {source}",
        )
    if number < 0:
        raise StatesError("States.ItemReaderFailed", "field MaxItems must be positive")
    return number or None


def timeout_seconds(value: Any, state: dict[str, Any]) -> int | None:
    """A Task's TimeoutSeconds(Path): a positive integer; None when absent."""
    if value is MISSING:
        return None
    number = as_integer(value)
    if number is None or number <= 0:
        raise runtime_error(
            f"Expected non-negative integer for {_given(state, 'TimeoutSeconds')}, got "
            f"'{_shown(value)}' instead."
        )
    return number
