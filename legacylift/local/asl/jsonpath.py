"""JSONPath as Step Functions uses it (Jayway semantics): read paths and reference paths.

Read: `$`, `.name`, `['name']`, `[0]`, `[-1]`, `[*]`, `.*`, `[1:3]`, `..name`, `[?(@.k op v)]`.
A definite path (no wildcard, slice, filter or deep scan) yields one value; an indefinite one
yields a list of every match. Reference paths (ResultPath) are definite paths of names and
indices only.
"""

from __future__ import annotations

import json
import re
from typing import Any

from legacylift.local.asl.errors import StatesError


class PathNotFound(Exception):
    """The path names something the document does not have."""


_TOKEN = re.compile(
    r"""\.\.(?P<deep>[A-Za-z0-9_$@\-]+|\*)
      | \.(?P<field>[^.\[\]]+)
      | \[\s*'(?P<quoted>(?:[^'\\]|\\.)*)'\s*\]
      | \[\s*"(?P<dquoted>(?:[^"\\]|\\.)*)"\s*\]
      | \[\s*(?P<index>-?\d+)\s*\]
      | \[\s*(?P<slice>-?\d*\s*:\s*-?\d*(?:\s*:\s*-?\d+)?)\s*\]
      | \[\s*\*\s*\]
      | \[\s*\?\(\s*(?P<filter>.*?)\s*\)\s*\]""",
    re.VERBOSE,
)


def _parse(path: str) -> list[tuple[str, Any]]:
    if path.startswith("$$"):
        rest = path[2:]
    elif path.startswith("$"):
        rest = path[1:]
    else:
        raise StatesError("States.Runtime", f"Invalid JSONPath '{path}': must start with $")
    steps: list[tuple[str, Any]] = []
    position = 0
    while position < len(rest):
        match = _TOKEN.match(rest, position)
        if not match:
            raise StatesError("States.Runtime", f"Invalid JSONPath '{path}'")
        position = match.end()
        steps.append(_token_step(match.groupdict()))
    return steps


def _token_step(groups: dict[str, str | None]) -> tuple[str, Any]:
    """(kind, argument) of one matched token of a path."""
    if groups["deep"] is not None:
        return ("deep", groups["deep"])
    if groups["field"] is not None:
        return ("wild", None) if groups["field"] == "*" else ("field", groups["field"])
    if groups["quoted"] is not None:
        # Only the enclosing quote is unescaped: AWS keeps any other backslash in the key
        # (the path `$['Test\"Name"']` names the key `Test\"Name"`).
        return ("field", groups["quoted"].replace("\\'", "'"))
    if groups["dquoted"] is not None:
        return ("field", groups["dquoted"].replace('\\"', '"'))
    if groups["index"] is not None:
        return ("index", int(groups["index"]))
    if groups["slice"] is not None:
        parts = [part.strip() for part in groups["slice"].split(":")]
        return ("slice", tuple(int(part) if part else None for part in parts))
    if groups["filter"] is not None:
        return ("filter", groups["filter"])
    return ("wild", None)


def normalised(path: str) -> str:
    """The path in Jayway's normalised form, e.g. `$['a'][0]`, as AWS prints it in errors."""
    parts = []
    for kind, argument in _parse(path):
        if kind == "field":
            parts.append(f"['{argument}']")
        elif kind == "index":
            parts.append(f"[{argument}]")
        elif kind == "wild":
            parts.append("[*]")
        else:
            return path
    return ("$$" if path.startswith("$$") else "$") + "".join(parts)


_FILTER = re.compile(r"@((?:\.[A-Za-z0-9_]+|\['[^']*'\])*)\s*(?:(==|!=|<=|>=|<|>)\s*(.+))?$")


def _filter_match(expression: str, item: Any) -> bool:
    match = _FILTER.match(expression)
    if not match:
        raise StatesError("States.Runtime", f"Unsupported JSONPath filter '{expression}'")
    sub_path, operator, literal = match.groups()
    try:
        value = get("$" + sub_path, item)
    except PathNotFound:
        return False
    if operator is None:
        return True
    literal = literal.strip()
    if literal.startswith("'") and literal.endswith("'"):
        expected: Any = literal[1:-1]
    else:
        try:
            expected = json.loads(literal)
        except ValueError:  # a half-quoted string, a bare word
            raise StatesError(
                "States.Runtime", f"Unsupported JSONPath filter '{expression}'"
            ) from None
    if operator in ("==", "!="):
        return (value == expected) == (operator == "==")
    if type(value) is not type(expected) and not (
        isinstance(value, int | float) and isinstance(expected, int | float)
    ):
        return False
    return {
        "<": value < expected,
        ">": value > expected,
        "<=": value <= expected,
        ">=": value >= expected,
    }[operator]


def _deep(node: Any, name: str) -> list[Any]:
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if name == "*" or key == name:
                found.append(value)
            found += _deep(value, name)
    elif isinstance(node, list):
        for value in node:
            if name == "*":
                found.append(value)
            found += _deep(value, name)
    return found


def _step(nodes: list[Any], kind: str, argument: Any, definite: bool) -> list[Any]:
    """The nodes one step of a path selects from `nodes`; a definite path's missing field or
    index raises PathNotFound."""
    select = _SELECTORS[kind]
    return [found for node in nodes for found in select(node, argument, definite)]


def _select_field(node: Any, name: str, definite: bool) -> list[Any]:
    if isinstance(node, dict) and name in node:
        return [node[name]]
    if definite:
        raise PathNotFound(name)
    return []


def _select_index(node: Any, index: int, definite: bool) -> list[Any]:
    if isinstance(node, list) and -len(node) <= index < len(node):
        return [node[index]]
    if definite:
        raise PathNotFound(index)
    return []


def _children(node: Any) -> list[Any]:
    """A list's items or an object's values; nothing for a scalar."""
    if isinstance(node, dict):
        return list(node.values())
    if isinstance(node, list):
        return node
    return []


def _select_slice(node: Any, bounds: tuple, definite: bool) -> list[Any]:
    return node[slice(*bounds)] if isinstance(node, list) else []


def _select_filter(node: Any, expression: str, definite: bool) -> list[Any]:
    return [item for item in _children(node) if _filter_match(expression, item)]


_SELECTORS = {
    "field": _select_field,
    "index": _select_index,
    "wild": lambda node, argument, definite: _children(node),
    "slice": _select_slice,
    "filter": _select_filter,
    "deep": lambda node, name, definite: _deep(node, name),
}


def get(path: str, document: Any) -> Any:
    """The value at `path` in `document`; PathNotFound when a definite path is missing."""
    steps = _parse(path)
    definite = all(kind in ("field", "index") for kind, _ in steps)
    nodes = [document]
    for kind, argument in steps:
        nodes = _step(nodes, kind, argument, definite)
    return nodes[0] if definite else nodes


def put(path: str, document: Any, value: Any) -> Any:
    """A copy of `document` with `value` at the reference path `path` (ResultPath semantics:
    missing objects on the way are created; `$` replaces the whole document)."""
    steps = _parse(path)
    if any(kind not in ("field", "index") for kind, _ in steps):
        raise StatesError("States.Runtime", f"Invalid ResultPath '{path}': not a reference path")
    if not steps:
        return value
    root = json.loads(json.dumps(document))
    if not isinstance(root, dict | list):
        raise StatesError(
            "States.Runtime",
            f"Unable to apply ResultPath '{path}' to input {json.dumps(document)}: "
            "the input is not an object",
        )
    node = root
    for kind, key in steps[:-1]:
        node = _child(node, kind, key, path)
    _check_step(node, steps[-1][0], steps[-1][1], path)
    node[steps[-1][1]] = value
    return root


def _check_step(node: Any, kind: str, key: Any, path: str) -> None:
    """A ResultPath step needs an object (a field) or a list holding the index."""
    if kind == "field" and not isinstance(node, dict):
        raise StatesError("States.Runtime", f"Unable to apply ResultPath '{path}'")
    if kind == "index" and (not isinstance(node, list) or not -len(node) <= key < len(node)):
        raise StatesError("States.Runtime", f"Unable to apply ResultPath '{path}'")


def _child(node: Any, kind: str, key: Any, path: str) -> Any:
    """The node a ResultPath step leads to; a missing (or scalar) field becomes an object."""
    _check_step(node, kind, key, path)
    if kind == "index":
        return node[key]
    child = node.get(key)
    if not isinstance(child, dict | list):
        child = node[key] = {}
    return child
