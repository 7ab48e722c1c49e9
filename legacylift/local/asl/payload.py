"""The JSONPath input/output pipeline of a state: InputPath, Parameters (payload templates),
ResultSelector, ResultPath, OutputPath; `$$` reads the context object."""

from __future__ import annotations

import json
from typing import Any

from legacylift.local.asl import intrinsics, jsonpath
from legacylift.local.asl.errors import StatesError, runtime_error

_MISSING = object()


def read_path(path: str, document: Any, context: dict[str, Any], field: str) -> Any:
    """The value at `path` (`$...` in document, `$$...` in the context object); a missing
    definite path is States.Runtime, worded as AWS words it for payload template fields
    (`x.$`) and for the path fields (InputPath, OutputPath, ItemsPath, ...)."""
    source = context if path.startswith("$$") else document
    try:
        return jsonpath.get(path, source)
    except jsonpath.PathNotFound:
        if field.endswith(".$"):
            raise runtime_error(
                f"The JSONPath '{path}' specified for the field '{field}' could not be found "
                f"in the input '{json.dumps(source)}'"
            ) from None
        raise runtime_error(
            f"Invalid path '{path}' : No results for path: {jsonpath.normalised(path)}"
        ) from None


def apply_template(template: Any, document: Any, context: dict[str, Any]) -> Any:
    """Evaluate a payload template (Parameters, ItemSelector, ResultSelector): keys ending in
    `.$` take a path's value or an intrinsic function's result."""
    if isinstance(template, dict):
        result = {}
        for key, value in template.items():
            if key.endswith(".$"):
                if not isinstance(value, str):
                    raise runtime_error(f"The value of the field '{key}' must be a string")
                if intrinsics.is_intrinsic(value):
                    result[key[:-2]] = intrinsics.evaluate(
                        value, lambda path, key=key: read_path(path, document, context, key)
                    )
                else:
                    result[key[:-2]] = read_path(value, document, context, key)
            else:
                result[key] = apply_template(value, document, context)
        return result
    if isinstance(template, list):
        return [apply_template(item, document, context) for item in template]
    return template


def input_path(state: dict[str, Any], raw: Any, context: dict[str, Any]) -> Any:
    """InputPath (default `$`; null gives `{}`)."""
    path = state.get("InputPath", "$")
    if path is None:
        return {}
    return read_path(path, raw, context, "InputPath")


def parameters(state: dict[str, Any], effective: Any, context: dict[str, Any], key="Parameters"):
    """Parameters (or ItemSelector) applied to the effective input, when present."""
    if key not in state:
        return effective
    return apply_template(state[key], effective, context)


def result_selector(state: dict[str, Any], result: Any, context: dict[str, Any]) -> Any:
    """ResultSelector applied to a task/Map/Parallel result, when present."""
    if "ResultSelector" not in state:
        return result
    return apply_template(state["ResultSelector"], result, context)


def result_path(state: dict[str, Any], raw: Any, result: Any) -> Any:
    """ResultPath: where the result goes in the raw input (default `$`: replaces it; null:
    the raw input passes through unchanged)."""
    path = state.get("ResultPath", "$")
    if path is None:
        return raw
    return jsonpath.put(path, raw, result)


def output_path(state: dict[str, Any], document: Any, context: dict[str, Any]) -> Any:
    """OutputPath (default `$`; null gives `{}`)."""
    path = state.get("OutputPath", "$")
    if path is None:
        return {}
    return read_path(path, document, context, "OutputPath")


def process_output(state: dict[str, Any], raw: Any, result: Any, context: dict[str, Any]) -> Any:
    """ResultSelector, ResultPath, OutputPath in order: a state's output from its result."""
    return output_path(
        state, result_path(state, raw, result_selector(state, result, context)), context
    )


def error_output(catcher: dict[str, Any], raw: Any, error: StatesError) -> Any:
    """A Catcher's output: {Error, Cause} placed at its ResultPath in the state's raw input."""
    info: dict[str, Any] = {"Error": error.error}
    if error.cause is not None:
        info["Cause"] = error.cause
    return result_path(catcher, raw, info)
