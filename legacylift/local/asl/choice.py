"""Choice rules: comparisons, type tests, And/Or/Not."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from legacylift.local.asl import jsonpath
from legacylift.local.asl.errors import runtime_error
from legacylift.local.asl.lookup import read_path, resolve

_OPERATORS = {
    "Equals": "==",
    "LessThan": "<",
    "GreaterThan": ">",
    "LessThanEquals": "<=",
    "GreaterThanEquals": ">=",
}


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_FAMILIES = (
    ("String", lambda v: isinstance(v, str)),
    ("Numeric", _number),
    ("Boolean", lambda v: isinstance(v, bool)),
    ("Timestamp", None),
)


def _compare(left: Any, operator: str, right: Any) -> bool:
    return {
        "==": left == right,
        "<": left < right,
        ">": left > right,
        "<=": left <= right,
        ">=": left >= right,
    }[operator]


def _string_matches(value: str, pattern: str) -> bool:
    # Only * is a wildcard; \* is a literal star (and \\ a literal backslash).
    regex = ""
    for token in re.findall(r"\\\\|\\\*|\*|.", pattern, re.DOTALL):
        regex += {"\\\\": r"\\", "\\*": r"\*", "*": ".*"}.get(token, re.escape(token))
    return re.fullmatch(regex, value, re.DOTALL) is not None


_TYPE_TESTS = (
    ("IsNull", lambda v: v is None),
    ("IsNumeric", _number),
    ("IsString", lambda v: isinstance(v, str)),
    ("IsBoolean", lambda v: isinstance(v, bool)),
    ("IsTimestamp", lambda v: _timestamp(v) is not None),
)


def evaluate(rule: dict[str, Any], document: Any, context: dict[str, Any]) -> bool:
    """Whether a Choice rule (with or without Next) matches `document`."""
    if "And" in rule:
        return all(evaluate(sub, document, context) for sub in rule["And"])
    if "Or" in rule:
        return any(evaluate(sub, document, context) for sub in rule["Or"])
    if "Not" in rule:
        return not evaluate(rule["Not"], document, context)
    variable = rule.get("Variable")
    if variable is None:
        raise runtime_error(f"Choice rule without Variable: {rule}")
    if "IsPresent" in rule:
        try:
            resolve(variable, document, context)
            present = True
        except jsonpath.PathNotFound:
            present = False
        return present == rule["IsPresent"]
    try:
        value = resolve(variable, document, context)
    except jsonpath.PathNotFound:
        raise runtime_error(
            f"Invalid path '{variable}': The choice state's condition path references an "
            "invalid value."
        ) from None
    for test, check in _TYPE_TESTS:
        if test in rule:
            return check(value) == rule[test]
    return _comparison(rule, value, document, context)


def _comparison(rule: dict[str, Any], value: Any, document: Any, context: dict[str, Any]) -> bool:
    """The rule's comparison of `value` with its literal operand or its `…Path` operand."""
    for key, expected in rule.items():
        if key in ("Variable", "Next", "Comment"):
            continue
        if key.endswith("Path"):
            expected = read_path(expected, document, context, key)
            key = key[: -len("Path")]
        if key == "StringMatches":
            return isinstance(value, str) and _string_matches(value, expected)
        return _operator(key, value, expected)
    raise runtime_error(f"Choice rule has no comparison: {rule}")


def _operator(key: str, value: Any, expected: Any) -> bool:
    """A comparison operator such as NumericLessThan or TimestampEquals: false when either
    side is not of the operator's type."""
    for family, test in _FAMILIES:
        if not key.startswith(family):
            continue
        operator = _OPERATORS.get(key[len(family) :])
        if operator is None:
            break
        if family == "Timestamp":
            left, right = _timestamp(value), _timestamp(expected)
            return left is not None and right is not None and _compare(left, operator, right)
        if not test(value) or not test(expected):
            return False
        return _compare(value, operator, expected)
    raise runtime_error(f"Unknown Choice comparison operator '{key}'")
