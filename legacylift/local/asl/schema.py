"""The JSON types AWS's validator requires of a definition's fields (CreateStateMachine
refuses the others with SCHEMA_VALIDATION_FAILED), checked before a run so that no malformed
field reaches the interpreter as a Python error.

Only types and required fields are checked here, never a value AWS might accept: the rules
of what a state may contain are `definition.py`'s.
"""

from __future__ import annotations

import json
from typing import Any

from legacylift.local.asl.errors import DefinitionError

# Fields that hold a state name, a path, or a flag, whichever state they are in.
_STRINGS = ("Type", "Next", "Default", "Comment", "Resource")
_PATHS_OR_NULL = ("InputPath", "OutputPath", "ResultPath")
_RETRIER_COUNTS = ("IntervalSeconds", "MaxAttempts", "MaxDelaySeconds")
_JITTER = ("FULL", "NONE")


def _shown(value: Any) -> str:
    return json.dumps(value) if _jsonable(value) else repr(value)


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _refuse(where: str, field: str, kind: str, value: Any) -> DefinitionError:
    return DefinitionError(f"{where}: {field} must be {kind}, not {_shown(value)}")


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_machine(where: str, machine: Any) -> None:
    """A state machine (or a branch, or an item processor) is an object whose StartAt is a
    string and whose TimeoutSeconds, when given, is a non-negative integer."""
    if not isinstance(machine, dict):
        raise _refuse(where, "the definition", "a JSON object", machine)
    if "StartAt" in machine and not isinstance(machine["StartAt"], str):
        raise _refuse(where, "StartAt", "a state name (a string)", machine["StartAt"])
    if "TimeoutSeconds" in machine and not _count(machine["TimeoutSeconds"]):
        raise _refuse(where, "TimeoutSeconds", "a non-negative integer", machine["TimeoutSeconds"])


def check_state(label: str, state: Any) -> None:
    """A state is an object; its names, paths, flags, Retry, Catch, Choices and Branches have
    the types AWS requires."""
    if not isinstance(state, dict):
        raise _refuse(label, "a state", "a JSON object", state)
    _check_fields(label, state)
    for index, retrier in enumerate(_objects(label, state, "Retry")):
        _check_retrier(f"{label} Retry[{index}]", retrier)
    for index, catcher in enumerate(_objects(label, state, "Catch")):
        _check_catcher(f"{label} Catch[{index}]", catcher)
    for index, rule in enumerate(_objects(label, state, "Choices")):
        if "Next" in rule and not isinstance(rule["Next"], str):
            raise _refuse(
                f"{label} Choices[{index}]", "Next", "a state name (a string)", rule["Next"]
            )
        _check_rule(f"{label} Choices[{index}]", rule)
    if state.get("Type") == "Parallel":
        branches = _objects(label, state, "Branches")
        if not branches:
            raise DefinitionError(f"{label}: a Parallel state needs Branches (a non-empty list)")
    _check_map_objects(label, state)
    if state.get("Type") == "Wait" and not any(
        field in state for field in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath")
    ):
        raise DefinitionError(f"{label}: a Wait state needs Seconds or Timestamp (or their paths)")


def _check_fields(label: str, state: dict[str, Any]) -> None:
    """Names are strings, End is a boolean, paths are strings (some may be null)."""
    for field in _STRINGS:
        if field in state and not isinstance(state[field], str):
            raise _refuse(label, field, "a string", state[field])
    if "End" in state and not isinstance(state["End"], bool):
        raise _refuse(label, "End", "true or false", state["End"])
    for field, value in state.items():
        paths = field in _PATHS_OR_NULL
        if (paths or field.endswith("Path")) and not (
            isinstance(value, str) or (paths and value is None)
        ):
            raise _refuse(label, field, "a path (a string)", value)


def _check_catcher(where: str, catcher: dict[str, Any]) -> None:
    _check_error_equals(where, catcher)
    if not isinstance(catcher.get("Next"), str):
        raise _refuse(where, "Next", "a state name (a string)", catcher.get("Next"))
    if "ResultPath" in catcher and not isinstance(catcher["ResultPath"], str | None):
        raise _refuse(where, "ResultPath", "a path (a string) or null", catcher["ResultPath"])


def _check_map_objects(label: str, state: dict[str, Any]) -> None:
    """A Map's processor, reader, batcher and writer (and their configs) are objects."""
    for field in ("ItemProcessor", "Iterator", "ItemReader", "ItemBatcher", "ResultWriter"):
        if field in state and not isinstance(state[field], dict):
            raise _refuse(label, field, "a JSON object", state[field])
    for field, inner in (("ItemReader", "ReaderConfig"), ("ItemProcessor", "ProcessorConfig")):
        if inner in state.get(field, {}) and not isinstance(state[field][inner], dict):
            raise _refuse(f"{label} {field}", inner, "a JSON object", state[field][inner])
    _check_reader_config(f"{label} ItemReader", state.get("ItemReader", {}).get("ReaderConfig", {}))


# A JSONPath Choice rule's comparison operators by the type of their literal value.
_OPERAND_TYPES = (
    ("String", "a string", lambda v: isinstance(v, str)),
    ("Numeric", "a number", _number),
    ("Boolean", "true or false", lambda v: isinstance(v, bool)),
    ("Timestamp", "a timestamp (a string)", lambda v: isinstance(v, str)),
    ("Is", "true or false", lambda v: isinstance(v, bool)),
)


def _check_rule(where: str, rule: dict[str, Any]) -> None:
    """A JSONPath Choice rule: And/Or a non-empty list of rules, Not a rule, Variable and the
    `…Path` operands paths, each comparison's literal of its operator's type."""
    _check_nested_rules(where, rule)
    for field, value in rule.items():
        if field == "Variable" or field.endswith("Path"):
            if not isinstance(value, str):
                raise _refuse(where, field, "a path (a string)", value)
            continue
        for prefix, kind, valid in _OPERAND_TYPES:
            if field.startswith(prefix) and not valid(value):
                raise _refuse(where, field, kind, value)


def _check_nested_rules(where: str, rule: dict[str, Any]) -> None:
    """And/Or: a non-empty list of rules; Not: one rule; each checked in turn."""
    for field in ("And", "Or"):
        if field in rule:
            nested = rule[field]
            if (
                not isinstance(nested, list)
                or not nested
                or not all(isinstance(item, dict) for item in nested)
            ):
                raise _refuse(where, field, "a non-empty list of Choice rules", nested)
            for index, item in enumerate(nested):
                _check_rule(f"{where} {field}[{index}]", item)
    if "Not" in rule:
        if not isinstance(rule["Not"], dict):
            raise _refuse(where, "Not", "a Choice rule (a JSON object)", rule["Not"])
        _check_rule(f"{where} Not", rule["Not"])


_CSV_CHOICES = {
    "CSVDelimiter": ("COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB"),
    "CSVHeaderLocation": ("FIRST_ROW", "GIVEN"),
}


def _check_reader_config(where: str, config: dict[str, Any]) -> None:
    """An ItemReader's CSV settings: the delimiter and header location among AWS's values,
    the headers a list of strings."""
    for field, allowed in _CSV_CHOICES.items():
        if field in config and config[field] not in allowed:
            raise _refuse(where, field, " or ".join(allowed), config[field])
    headers = config.get("CSVHeaders", [])
    if not isinstance(headers, list) or not all(isinstance(h, str) for h in headers):
        raise _refuse(where, "CSVHeaders", "a list of strings", headers)


def _objects(label: str, state: dict[str, Any], field: str) -> list[dict[str, Any]]:
    """The list of objects in `field` ([] when absent)."""
    value = state.get(field, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise _refuse(label, field, "a list of JSON objects", value)
    return value


def _check_error_equals(where: str, place: dict[str, Any]) -> None:
    names = place.get("ErrorEquals")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise _refuse(where, "ErrorEquals", "a non-empty list of error names", names)


def _check_retrier(where: str, retrier: dict[str, Any]) -> None:
    _check_error_equals(where, retrier)
    for field in _RETRIER_COUNTS:
        if field in retrier and not _count(retrier[field]):
            raise _refuse(where, field, "a non-negative integer", retrier[field])
    if "BackoffRate" in retrier and not _number(retrier["BackoffRate"]):
        raise _refuse(where, "BackoffRate", "a number", retrier["BackoffRate"])
    if "JitterStrategy" in retrier and retrier["JitterStrategy"] not in _JITTER:
        raise _refuse(where, "JitterStrategy", "FULL or NONE", retrier["JitterStrategy"])
