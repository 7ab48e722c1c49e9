"""The JSONPath input/output pipeline of a state: InputPath, Parameters (payload templates),
ResultSelector, ResultPath, OutputPath, Assign; `$$` reads the context object, `$name` a
workflow variable.

`JSONPATH` bundles the pipeline behind the entry points the states call; its JSONata twin is
`jsonata_payload.JSONATA`, so no state knows which query language it runs in.
"""

from __future__ import annotations

import json
from typing import Any

from legacylift.local.asl import choice, intrinsics, jsonpath
from legacylift.local.asl.errors import StatesError, runtime_error
from legacylift.local.asl.lookup import read_path
from legacylift.local.asl.variables import Context


def read_value(value: str, document: Any, context: dict[str, Any], field: str) -> Any:
    """A path field's or `x.$` key's value: an intrinsic function call or a path."""
    if intrinsics.is_intrinsic(value):
        return intrinsics.evaluate(value, lambda path: read_path(path, document, context, field))
    return read_path(value, document, context, field)


def apply_template(template: Any, document: Any, context: dict[str, Any]) -> Any:
    """Evaluate a payload template (Parameters, ItemSelector, ResultSelector, Assign): keys
    ending in `.$` take a path's value or an intrinsic function's result."""
    if isinstance(template, dict):
        result = {}
        for key, value in template.items():
            if key.endswith(".$"):
                if not isinstance(value, str):
                    raise runtime_error(f"The value of the field '{key}' must be a string")
                result[key[:-2]] = read_value(value, document, context, key)
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


def assignments(fields: dict[str, Any], result: Any, context: dict[str, Any]) -> dict[str, Any]:
    """A JSONPath `Assign` evaluated against the state's result (`$`) and the variables as
    they were when the state was entered."""
    return apply_template(fields.get("Assign", {}), result, context)


def error_info(error: StatesError) -> dict[str, Any]:
    """The error output a Catcher passes on: {Error, Cause}."""
    info: dict[str, Any] = {"Error": error.error}
    if error.cause is not None:
        info["Cause"] = error.cause
    return info


class JSONPathPayload:
    """The JSONPath query language behind the entry points every state calls. Each returns
    what the state needs; `finish`/`caught` also return the `Assign` values, which the
    interpreter binds after the output is computed."""

    language = "JSONPath"

    def effective(self, state: dict[str, Any], raw: Any, context: Context) -> Any:
        """The input the state works on: InputPath then Parameters."""
        return parameters(state, input_path(state, raw, context), context)

    def selected(self, state: dict[str, Any], raw: Any, context: Context) -> Any:
        """InputPath alone (Wait, Choice, Succeed, Map before ItemsPath)."""
        return input_path(state, raw, context)

    def pass_result(self, state: dict[str, Any], raw: Any, context: Context) -> Any:
        """A Pass state's result: Result, or its effective input."""
        effective = self.effective(state, raw, context)
        return state.get("Result", effective)

    def finish(self, state: dict[str, Any], raw: Any, result: Any, context: Context):
        """(output, assignments): ResultSelector, ResultPath, OutputPath; Assign on the result."""
        return process_output(state, raw, result, context), assignments(state, result, context)

    def caught(self, catcher: dict[str, Any], raw: Any, error: StatesError, context: Context):
        """(output, assignments) of a Catcher: ResultPath; Assign on the error output."""
        info = error_info(error)
        return result_path(catcher, raw, info), assignments(catcher, info, context)

    def matches(self, rule: dict[str, Any], effective: Any, context: Context) -> bool:
        """Whether a Choice rule matches."""
        return choice.evaluate(rule, effective, context)

    def items(self, state: dict[str, Any], effective: Any, context: Context) -> Any:
        """The Map state's items: ItemsPath on the effective input (default `$`)."""
        if "ItemsPath" in state:
            return read_path(state["ItemsPath"], effective, context, "ItemsPath")
        return effective

    def item_input(self, state: dict[str, Any], effective: Any, item_context: Context) -> Any:
        """One iteration's input: ItemSelector (or legacy Parameters), or the item itself."""
        selector = "ItemSelector" if "ItemSelector" in state else "Parameters"
        if selector in state:
            return apply_template(state[selector], effective, item_context)
        return item_context["Map"]["Item"]["Value"]

    def field(self, state: dict[str, Any], name: str, document: Any, context: Context) -> Any:
        """A value given directly (`name`) or by a path (`namePath`, read from `document`);
        MISSING when neither is there."""
        if f"{name}Path" in state:
            return read_value(state[f"{name}Path"], document, context, f"{name}Path")
        return state.get(name, MISSING)

    def source(self, state: dict[str, Any], name: str) -> str:
        """How a field was given, for error messages: the path text or the literal."""
        return state.get(f"{name}Path", json.dumps(state.get(name)))


MISSING = object()
JSONPATH = JSONPathPayload()
