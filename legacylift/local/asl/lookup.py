"""Reading one path in a state's fields: `$...` in the document, `$$...` in the context object,
`$name...` in the workflow variable `name`, and AWS's wording when a definite path is missing.

The payload pipeline (`payload.py`) and the Choice rules (`choice.py`) both read paths here.
"""

from __future__ import annotations

import json
from typing import Any

from legacylift.local.asl import jsonpath
from legacylift.local.asl.errors import runtime_error
from legacylift.local.asl.variables import REFERENCE, Context

# Fields whose missing path AWS reports as "The JSONPath ... specified for the field ..."
# (payload template keys `x.$` too); the other path fields say "Invalid path ...".
_FIELD_WORDING = frozenset({"ErrorPath", "CausePath", "TimestampPath"})


def resolve(path: str, document: Any, context: dict[str, Any]) -> Any:
    """The value at `path`: `$...` in document, `$$...` in the context object, `$name...` in
    the workflow variable `name`; jsonpath.PathNotFound when a definite path is missing."""
    if path.startswith("$$"):
        return jsonpath.get(path, context)
    reference = REFERENCE.match(path)
    if reference and isinstance(context, Context):
        value = context.variables.get(reference["name"])
        return jsonpath.get("$" + reference["rest"], value)
    return jsonpath.get(path, document)


def read_path(path: str, document: Any, context: dict[str, Any], field: str) -> Any:
    """The value at `path` (see `resolve`); a missing definite path is States.Runtime, worded
    as AWS words it for payload template fields (`x.$`), ErrorPath, CausePath and
    TimestampPath, for SecondsPath, and for the other path fields (InputPath, OutputPath,
    ItemsPath, ...)."""
    try:
        return resolve(path, document, context)
    except jsonpath.PathNotFound:
        source = context if path.startswith("$$") else document
        if field == "SecondsPath":
            raise runtime_error(
                f"The SecondsPath parameter does not reference an input value: {path}"
            ) from None
        if field.endswith(".$") or field in _FIELD_WORDING:
            raise runtime_error(
                f"The JSONPath '{path}' specified for the field '{field}' could not be found "
                f"in the input '{json.dumps(source)}'"
            ) from None
        raise runtime_error(
            f"Invalid path '{path}' : No results for path: {jsonpath.normalised(path)}"
        ) from None
