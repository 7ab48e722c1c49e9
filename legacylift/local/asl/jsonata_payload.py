"""The JSONata twin of `payload`: Arguments, Output, Assign, Condition, Items, ItemSelector
and the other fields as `{% ... %}` expressions, evaluated by jsonata-python with the
`$states` variable (input, result, errorOutput, context), the workflow variables and the
functions AWS adds to JSONata ($partition, $range, $hash, $random, $uuid, $parse).

AWS's reference: https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
"""

from __future__ import annotations

import json
import math
import random
import threading
import uuid
from typing import Any

from jsonata import Jsonata
from jsonata.utils import Utils

from legacylift.local.asl import intrinsics
from legacylift.local.asl.errors import StatesError
from legacylift.local.asl.variables import Context

QUERY_ERROR = "States.QueryEvaluationError"
_UNDEFINED = object()


def is_expression(value: Any) -> bool:
    """Whether a field value is a JSONata expression `{% ... %}` (else a JSON literal)."""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def _query_error(cause: str, location: str | None = None) -> StatesError:
    error = StatesError(QUERY_ERROR, cause)
    error.location = location
    return error


def _aws_function(name: str, implementation):
    """One of the functions AWS adds, failing as a JSONata evaluation error would."""

    def call(*arguments):
        try:
            return implementation(*arguments)
        except StatesError as exc:
            raise ValueError(f"${name}: {exc.cause}") from None
        except TypeError:
            raise ValueError(f"${name}: wrong number of arguments") from None

    return Jsonata.JLambda(call)


_JAVA_MULTIPLIER, _JAVA_MASK = 0x5DEECE66D, (1 << 48) - 1
MAX_RANGE = 1_000_000  # AWS bounds an evaluation's memory (a $range of 200000 values runs)


def _finite(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


def _signature_error(argument: int, name: str) -> ValueError:
    """JSONata's sentence for an argument of the wrong type (T0410)."""
    return ValueError(f'Argument {argument} of function "{name}" does not match function signature')


def _random_number(seed=None) -> float:
    """$random(): a number in [0, 1); with a seed, the first nextDouble() of Java's
    java.util.Random(seed), as AWS computes it ($random(42) is 0.7275636800328681)."""
    if seed is None:
        return random.random()  # noqa: S311 - not cryptographic
    if not _finite(seed):
        raise _signature_error(1, "randomSeeded")
    state = (int(seed) ^ _JAVA_MULTIPLIER) & _JAVA_MASK

    def bits(count: int) -> int:
        nonlocal state
        state = (state * _JAVA_MULTIPLIER + 0xB) & _JAVA_MASK
        return state >> (48 - count)

    return ((bits(26) << 27) + bits(27)) * 2.0**-53


def _range(start, end, step=1):
    """$range(start, end[, step]): start, start+step, ... up to and including end; each
    argument truncated towards zero. One value is that value (a JSONata sequence of one),
    none is undefined."""
    for index, value in enumerate((start, end, step), start=1):
        if not _finite(value):
            raise _signature_error(index, "range")
    start, end, step = int(start), int(end), int(step)
    if step == 0:
        raise ValueError("$range: the step must not be 0")
    count = max(0, (end - start) // step + 1)
    if count > MAX_RANGE:
        raise ValueError(f"$range: {count} values, more than the {MAX_RANGE} evaluated here")
    values = list(range(start, end + (1 if step > 0 else -1), step))
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def _parse(text):
    if not isinstance(text, str):
        raise ValueError("its argument must be a string")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc})") from None


AWS_FUNCTIONS = {
    "partition": intrinsics.FUNCTIONS["States.ArrayPartition"],
    "range": _range,
    "hash": intrinsics.FUNCTIONS["States.Hash"],
    "random": _random_number,
    "uuid": lambda: str(uuid.uuid4()),
    "parse": _parse,
}
_AWS_BINDINGS = {name: _aws_function(name, function) for name, function in AWS_FUNCTIONS.items()}


def _plain(value: Any) -> Any:
    """A JSONata result as JSON values: JSONata's null as None, integral numbers as ints (as
    Step Functions prints them)."""
    value = Utils.convert_nulls(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


_COMPILED = threading.local()  # jsonata-python keeps per-thread state: one cache per thread


def _compiled(expression: str) -> Jsonata:
    cache = _COMPILED.__dict__.setdefault("expressions", {})
    if expression not in cache:
        compiled = Jsonata(expression)
        compiled.set_output_convert_nulls(False)
        cache[expression] = compiled
    # The library's functions ($now, $millis, higher-order ones) read the thread's current
    # expression, which constructing one sets: point it at the one about to run.
    Jsonata.CURRENT.jsonata = cache[expression]
    return cache[expression]


# JSONata's sentences for an argument of the wrong type, which jsonata-python prints with its
# placeholders unfilled ("Argument 1 of Object sum must be an array of n").
_ARGUMENT_ERRORS = {
    "T0410": 'Argument {index} of function "{name}" does not match function signature',
    "T0411": 'Context value is not a compatible type with argument {index} of function "{name}"',
    "T0412": 'Argument {index} of function "{name}" must be an array of "{kind}"',
}
_ARRAY_KINDS = {
    "a": "arrays",
    "b": "booleans",
    "f": "functions",
    "n": "numbers",
    "o": "objects",
    "s": "strings",
}


def _message(exc: Exception) -> str:
    """An evaluation error's text, in JSONata's own words where jsonata-python garbles them."""
    template = _ARGUMENT_ERRORS.get(getattr(exc, "error", None))
    if template is None:
        return str(exc)
    kind = _ARRAY_KINDS.get(exc.extra, exc.extra)
    return template.format(index=exc.current, name=exc.expected, kind=kind)


def evaluate(text: str, states: dict[str, Any], context: Context, field: str) -> Any:
    """The value of the expression `{% text %}` in `field`; States.QueryEvaluationError when
    it fails or returns nothing (undefined)."""
    expression = text[2:-2].strip()
    bindings = {**context.variables.visible(), "states": states, **_AWS_BINDINGS}
    try:
        value = _compiled(expression).evaluate(None, bindings)
    except StatesError:
        raise
    except Exception as exc:  # jsonata-python raises JException and Python errors alike
        raise _query_error(
            f"An error occurred while evaluating the JSONata expression '{expression}' "
            f"specified for the field '{field}': {_message(exc)}",
            field,
        ) from None
    if value is None:
        raise _query_error(
            f"The JSONata expression '{expression}' specified for the field '{field}' returned "
            "nothing (undefined).",
            field,
        )
    return _plain(value)


def evaluate_template(template: Any, states: dict[str, Any], context: Context, field: str):
    """A JSONata field's value: `{% %}` strings evaluated wherever they are in the JSON
    (Arguments, Output, ItemSelector, Assign values); other values are literals."""
    if is_expression(template):
        return evaluate(template, states, context, field)
    if isinstance(template, dict):
        return {
            key: evaluate_template(value, states, context, f"{field}/{key}")
            for key, value in template.items()
        }
    if isinstance(template, list):
        return [
            evaluate_template(item, states, context, f"{field}[{index}]")
            for index, item in enumerate(template)
        ]
    return template


def _states(raw: Any, context: Context, **extra: Any) -> dict[str, Any]:
    return {"input": raw, "context": dict(context), **extra}


def _fields(state, states, context, default):
    output = state.get("Output", _UNDEFINED)
    if output is _UNDEFINED:
        output_value = default
    else:
        output_value = evaluate_template(output, states, context, "Output")
    assigned = {
        name: evaluate_template(value, states, context, f"Assign/{name}")
        for name, value in state.get("Assign", {}).items()
    }
    return output_value, assigned


class JSONataPayload:
    """The JSONata query language behind the same entry points as `payload.JSONPathPayload`.
    Output and Assign are evaluated with the same `$states` and the variables as they were on
    entry; the interpreter binds the assignments afterwards."""

    language = "JSONata"

    def effective(self, state: dict[str, Any], raw: Any, context: Context) -> Any:
        """A Task's or Parallel's Arguments (default: the state's input)."""
        if "Arguments" not in state:
            return raw
        return evaluate_template(state["Arguments"], _states(raw, context), context, "Arguments")

    def selected(self, state: dict[str, Any], raw: Any, context: Context) -> Any:
        """The state's input: JSONata has no InputPath."""
        return raw

    def pass_result(self, state: dict[str, Any], raw: Any, context: Context) -> Any:
        """A Pass state has no result but its input (its Output shapes what it passes on)."""
        return raw

    def finish(self, state: dict[str, Any], raw: Any, result: Any, context: Context):
        """(output, assignments): Output (default: the result, or the input of states
        without one) and Assign, with `$states.input` and `$states.result`."""
        states = _states(raw, context, result=result)
        return _fields(state, states, context, result)

    def caught(self, catcher: dict[str, Any], raw: Any, error: StatesError, context: Context):
        """(output, assignments) of a Catcher: Output (default `$states.errorOutput`), Assign."""
        from legacylift.local.asl.payload import error_info

        info = error_info(error)
        states = _states(raw, context, errorOutput=info)
        return _fields(catcher, states, context, info)

    def matches(self, rule: dict[str, Any], effective: Any, context: Context) -> bool:
        """A Choice rule's Condition, which must give a boolean."""
        value = evaluate_template(
            rule["Condition"], _states(effective, context), context, "Condition"
        )
        if not isinstance(value, bool):
            raise _query_error(
                f"The Condition '{rule['Condition']}' returned {json.dumps(value)}, not a boolean.",
                "Condition",
            )
        return value

    def items(self, state: dict[str, Any], effective: Any, context: Context) -> Any:
        """The Map state's Items: a JSON array or object, or an expression giving one (default:
        the input); an expression giving anything else is States.QueryEvaluationError."""
        if "Items" not in state:
            return effective
        items = evaluate_template(state["Items"], _states(effective, context), context, "Items")
        if is_expression(state["Items"]) and not isinstance(items, list | dict):
            raise _query_error(
                f"The JSONata expression '{state['Items'][2:-2].strip()}' specified for the "
                "field 'Items' returned an unexpected result type.",
                "Items",
            )
        return items

    def item_input(self, state: dict[str, Any], effective: Any, item_context: Context) -> Any:
        """One iteration's input: ItemSelector (with `$states.context.Map.Item`), or the item."""
        if "ItemSelector" not in state:
            return item_context["Map"]["Item"]["Value"]
        states = _states(effective, item_context)
        return evaluate_template(state["ItemSelector"], states, item_context, "ItemSelector")

    def field(self, state: dict[str, Any], name: str, document: Any, context: Context) -> Any:
        """A field given as a literal or an expression (Seconds, Timestamp, TimeoutSeconds,
        MaxConcurrency, Error, Cause); MISSING when absent."""
        from legacylift.local.asl.payload import MISSING

        if name not in state:
            return MISSING
        return evaluate_template(state[name], _states(document, context), context, name)

    def source(self, state: dict[str, Any], name: str) -> str:
        """How a field was given, for error messages."""
        value = state.get(name)
        return value if isinstance(value, str) else json.dumps(value)


JSONATA = JSONataPayload()
