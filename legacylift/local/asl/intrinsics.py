"""Intrinsic functions: `States.Format('{}', $.x)` and friends, parsed and evaluated."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import random
import re
import uuid
from collections.abc import Callable
from typing import Any

from legacylift.local.asl.errors import StatesError

MAX_ARRAY = 1000


def _failure(message: str) -> StatesError:
    return StatesError("States.IntrinsicFailure", message)


class _Parser:
    """Recursive descent over `Name(arg, ...)`; args: 'strings', numbers, true/false/null,
    JSONPaths ($ or $$) and nested calls."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def _skip(self) -> None:
        while self.position < len(self.text) and self.text[self.position].isspace():
            self.position += 1

    def parse(self):
        node = self._call()
        self._skip()
        if self.position != len(self.text):
            raise _failure(f"Unexpected text after the intrinsic function: {self.text!r}")
        return node

    def _call(self):
        self._skip()
        match = re.compile(r"States\.[A-Za-z0-9]+").match(self.text, self.position)
        if not match or self.text[match.end() : match.end() + 1] != "(":
            raise _failure(f"Invalid intrinsic function call: {self.text!r}")
        name = match.group(0)
        self.position = match.end() + 1
        arguments = []
        self._skip()
        if self.text[self.position : self.position + 1] == ")":
            self.position += 1
            return ("call", name, arguments)
        while True:
            arguments.append(self._argument())
            self._skip()
            char = self.text[self.position : self.position + 1]
            self.position += 1
            if char == ")":
                return ("call", name, arguments)
            if char != ",":
                raise _failure(f"Expected ',' or ')' in {self.text!r}")

    def _argument(self):
        self._skip()
        rest = self.text[self.position :]
        if rest.startswith("'"):
            return self._string()
        if rest.startswith("States."):
            return self._call()
        if rest.startswith("$"):
            return self._path()
        match = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null").match(
            self.text, self.position
        )
        if not match:
            raise _failure(f"Invalid argument in {self.text!r}")
        self.position = match.end()
        return ("literal", json.loads(match.group(0)))

    def _string(self):
        """A quoted string argument, its backslash escapes kept for States.Format."""
        value, index = [], self.position + 1
        while index < len(self.text) and self.text[index] != "'":
            if self.text[index] == "\\" and index + 1 < len(self.text):
                value.append(self.text[index : index + 2])  # kept for Format's \{ \}
                index += 2
                continue
            value.append(self.text[index])
            index += 1
        if index >= len(self.text):
            raise _failure(f"Unterminated string in {self.text!r}")
        self.position = index + 1
        return ("string", "".join(value))

    def _path(self):
        """A path argument: up to the comma or parenthesis that ends it (outside brackets)."""
        depth, index = 0, self.position
        while index < len(self.text):
            char = self.text[index]
            if char in "[(":
                depth += 1
            elif char in "])":
                if depth == 0:
                    break
                depth -= 1
            elif char == "," and depth == 0:
                break
            index += 1
        path = self.text[self.position : index].strip()
        self.position = index
        return ("path", path)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _format_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + ", ".join(map(_format_value, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}={_format_value(item)}" for key, item in value.items()) + "}"
    return json.dumps(value)


def _format(template: str, *values: Any) -> str:
    pieces = re.split(r"(\\.|\{\})", template)
    output, used = [], 0
    for piece in pieces:
        if piece == "{}":
            if used >= len(values):
                raise _failure("States.Format has more {} placeholders than arguments")
            output.append(_format_value(values[used]))
            used += 1
        elif piece.startswith("\\") and len(piece) == 2:
            output.append(piece[1])
        else:
            output.append(piece)
    if used != len(values):
        raise _failure("States.Format has more arguments than {} placeholders")
    return "".join(output)


def _finite(value: Any) -> bool:
    """A JSON number Python can compute with (json.loads reads 1e999 as infinity)."""
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


def _integer(value: Any, what: str) -> int:
    if not _finite(value) or int(value) != value:
        raise _failure(f"{what} must be an integer, got {json.dumps(value)}")
    return int(value)


def _rounded(value: Any, what: str) -> int:
    """A number rounded half up, as Java's Math.round does (1.5 -> 2, -1.5 -> -1): MathAdd and
    MathRandom accept non-integer numbers this way."""
    if not _finite(value):
        raise _failure(f"{what} must be a number, got {json.dumps(value)}")
    return math.floor(value + 0.5)


def _array(value: Any, what: str) -> list:
    if not isinstance(value, list):
        raise _failure(f"{what} must be an array, got {json.dumps(value)}")
    return value


def _string(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise _failure(f"{what} must be a string, got {json.dumps(value)}")
    return value


def _partition(array, size):
    array, size = _array(array, "ArrayPartition's array"), _integer(size, "chunk size")
    if size <= 0:
        raise _failure("ArrayPartition's chunk size must be positive")
    return [array[index : index + size] for index in range(0, len(array), size)]


def _range(start, end, step):
    start, end, step = (_integer(v, "ArrayRange argument") for v in (start, end, step))
    if step == 0:
        raise _failure("ArrayRange's step must not be 0")
    count = max(0, (end - start) // step + 1)
    if count > MAX_ARRAY:
        raise _failure(f"ArrayRange would make {count} items (limit {MAX_ARRAY})")
    return list(range(start, end + (1 if step > 0 else -1), step))


def _get_item(array, index):
    array, index = _array(array, "ArrayGetItem's array"), _integer(index, "index")
    if not 0 <= index < len(array):
        raise _failure(f"ArrayGetItem index {index} is out of bounds (length {len(array)})")
    return array[index]


def _unique(array):
    seen: list = []
    for item in _array(array, "ArrayUnique's array"):
        if item not in seen:
            seen.append(item)
    return seen


def _decode(data):
    try:
        return base64.b64decode(_string(data, "Base64Decode's data"), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise _failure(f"Base64Decode: not base64-encoded UTF-8 ({exc})") from None


_HASHES = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


def _hash(data, algorithm):
    if algorithm not in _HASHES:
        raise _failure(f"Hash algorithm must be one of {', '.join(_HASHES)}")
    return hashlib.new(_HASHES[algorithm], _format_value(data).encode()).hexdigest()


def _merge(first, second, deep):
    if not isinstance(first, dict) or not isinstance(second, dict):
        raise _failure("JsonMerge merges two JSON objects")
    if deep is not False:
        raise _failure("JsonMerge supports shallow merging only: pass false as its third argument")
    return {**first, **second}


def _random(start, end, seed=None):
    start, end = _rounded(start, "MathRandom start"), _rounded(end, "MathRandom end")
    if start > end:
        raise _failure(f"MathRandom's start {start} is greater than its end {end}")
    generator = random.Random(_integer(seed, "seed")) if seed is not None else random  # noqa: S311
    return generator.randint(start, end)


def _split(text, delimiters):
    text, delimiters = _string(text, "StringSplit's string"), _string(delimiters, "delimiter")
    pattern = "|".join(re.escape(char) for char in delimiters)
    return [part for part in re.split(pattern, text) if part] if delimiters else [text]


def _string_to_json(text):
    if not _string(text, "StringToJson's argument").strip():
        return None  # AWS: an empty or blank string is null
    try:
        return json.loads(_string(text, "StringToJson's argument"))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, or a number too long
        raise _failure(f"StringToJson: not JSON ({exc})") from None


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "States.Format": _format,
    "States.StringToJson": _string_to_json,
    "States.JsonToString": lambda value: json.dumps(value, separators=(",", ":")),
    "States.Array": lambda *items: list(items),
    "States.ArrayPartition": _partition,
    "States.ArrayContains": lambda array, value: value in _array(array, "ArrayContains' array"),
    "States.ArrayRange": _range,
    "States.ArrayGetItem": _get_item,
    "States.ArrayLength": lambda array: len(_array(array, "ArrayLength's array")),
    "States.ArrayUnique": _unique,
    "States.Base64Encode": lambda data: base64.b64encode(
        _string(data, "Base64Encode's data").encode()
    ).decode(),
    "States.Base64Decode": _decode,
    "States.Hash": _hash,
    "States.JsonMerge": _merge,
    "States.MathRandom": _random,
    "States.MathAdd": lambda a, b: (
        _rounded(a, "MathAdd argument") + _rounded(b, "MathAdd argument")
    ),
    "States.StringSplit": _split,
    "States.UUID": lambda: str(uuid.uuid4()),
}


def is_intrinsic(text: str) -> bool:
    """Whether a `.$` value is an intrinsic function call rather than a path."""
    return text.lstrip().startswith("States.")


def evaluate(text: str, resolve_path: Callable[[str], Any]) -> Any:
    """Evaluate an intrinsic function call; `resolve_path` reads `$`/`$$` paths."""
    return _evaluate(_Parser(text).parse(), resolve_path)


def _evaluate(node, resolve_path) -> Any:
    kind = node[0]
    if kind == "literal":
        return node[1]
    if kind == "path":
        return resolve_path(node[1])
    if kind == "string":
        return node[1]
    _, name, arguments = node
    if name not in FUNCTIONS:
        raise _failure(f"Unknown intrinsic function {name}")
    values = []
    for position, argument in enumerate(arguments):
        value = _evaluate(argument, resolve_path)
        if argument[0] == "string" and not (name == "States.Format" and position == 0):
            value = _unescape(value)
        values.append(value)
    try:
        return FUNCTIONS[name](*values)
    except TypeError as exc:
        raise _failure(f"{name}: wrong number of arguments ({exc})") from None
