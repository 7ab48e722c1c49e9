"""Validate a CreateProcessingJob request against the SageMaker API model botocore ships.

botocore's own validator checks types and minimums only; SageMaker's service also enforces
maximum lengths, patterns, enums and ranges, and answers with a `ValidationException` listing
every violation. This module walks the request against the same shapes and answers the same way,
before anything is staged or any container is created.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import botocore.session

from legacylift.local.errors import SageMakerApiError, validation_error
from legacylift.local_paths import local_path_clash

OPERATION = "CreateProcessingJob"


@functools.cache
def _operation_input_shape(operation: str = OPERATION):
    model = botocore.session.get_session().get_service_model("sagemaker")
    return model.operation_model(operation).input_shape


@functools.cache
def _compiled(pattern: str) -> re.Pattern | None:
    try:
        return re.compile(pattern)
    except re.error:
        # Java-only constructs (\p{L} ...) that Python's re lacks: the type and length checks
        # still apply; such patterns only guard free-text fields (tags).
        return None


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _member(path: str, name: str) -> str:
    """The path of a structure's member, as AWS's messages write it (`a.b`, camelCase)."""
    return f"{path}.{_camel(name)}" if path else _camel(name)


def _render(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


class _Walker:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.unknown: list[str] = []

    def fail(self, value: Any, path: str, constraint: str) -> None:
        self.errors.append(
            f"Value '{_render(value)}' at '{path}' failed to satisfy constraint: "
            f"Member must {constraint}"
        )

    def walk(self, shape, value: Any, path: str) -> None:
        """Record every constraint of `shape` that `value` (at `path`) breaks."""
        check = self._CHECKS.get(shape.type_name)
        if check is not None:
            check(self, shape, value, path)

    def _structure(self, shape, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            self.fail(value, path, "be a structure")
            return
        for required in shape.required_members:
            if value.get(required) is None:
                self.errors.append(
                    f"Value null at '{_member(path, required)}' failed to satisfy constraint: "
                    "Member must not be null"
                )
        for key, item in value.items():
            if key not in shape.members:
                self.unknown.append(_member(path, key))
            elif item is not None:
                self.walk(shape.members[key], item, _member(path, key))

    def _list(self, shape, value: Any, path: str) -> None:
        if not isinstance(value, list):
            self.fail(value, path, "be a list")
            return
        self._length(value, shape.metadata, path)
        for index, item in enumerate(value, start=1):
            self.walk(shape.member, item, f"{path}.{index}.member")

    def _map(self, shape, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            self.fail(value, path, "be a map")
            return
        self._length(value, shape.metadata, path)
        for key, item in value.items():
            self.walk(shape.key, key, f"{path}.{key}.key")
            self.walk(shape.value, item, f"{path}.{key}.value")

    def _string(self, shape, value: Any, path: str) -> None:
        if not isinstance(value, str):
            self.fail(value, path, "be a string")
            return
        meta = shape.metadata
        self._length(value, meta, path)
        if "enum" in meta and value not in meta["enum"]:
            self.fail(value, path, f"satisfy enum value set: [{', '.join(meta['enum'])}]")
        pattern = meta.get("pattern")
        compiled = _compiled(pattern) if pattern else None
        if compiled is not None and not compiled.fullmatch(value):
            self.fail(value, path, f"satisfy regular expression pattern: {pattern}")

    def _integer(self, shape, value: Any, path: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(value, path, "be an integer")
            return
        meta = shape.metadata
        if "min" in meta and value < meta["min"]:
            self.fail(value, path, f"have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            self.fail(value, path, f"have value less than or equal to {meta['max']}")

    def _boolean(self, shape, value: Any, path: str) -> None:
        if not isinstance(value, bool):
            self.fail(value, path, "be a boolean")

    # The API model's shape types that carry constraints; the others (timestamp, double, blob)
    # are not checked.
    _CHECKS = {
        "structure": _structure,
        "list": _list,
        "map": _map,
        "string": _string,
        "integer": _integer,
        "long": _integer,
        "boolean": _boolean,
    }

    def _length(self, value: Any, meta: dict, path: str) -> None:
        if "min" in meta and len(value) < meta["min"]:
            self.fail(value, path, f"have length greater than or equal to {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            self.fail(value, path, f"have length less than or equal to {meta['max']}")


def validate_against_model(request: dict[str, Any], operation: str = OPERATION) -> None:
    """Raise `ValidationException` (AWS's wording) when `request` breaks the API model."""
    if not isinstance(request, dict):
        raise validation_error(f"the {operation} request must be a JSON object")
    walker = _Walker()
    walker.walk(_operation_input_shape(operation), request, "")
    if walker.unknown:
        # boto3 refuses unknown parameters client-side; the API answers SerializationException.
        raise SageMakerApiError(
            "SerializationException",
            f"Unknown parameter(s) in {operation}: {', '.join(walker.unknown)}; "
            "remove them (see the CreateProcessingJob API reference for the accepted members)",
        )
    if walker.errors:
        count = len(walker.errors)
        noun = "error" if count == 1 else "errors"
        raise validation_error(f"{count} validation {noun} detected: " + "; ".join(walker.errors))


PROCESSING_ROOT = "/opt/ml/processing/"


def _check_local_paths(request: dict[str, Any]) -> None:
    """The service-side rules the API model cannot express (AWS checks them too)."""
    seen_names: set[str] = set()
    seen_paths: list[tuple[str, str]] = []
    entries = [
        ("ProcessingInputs", item, "InputName") for item in request.get("ProcessingInputs", [])
    ]
    outputs = request.get("ProcessingOutputConfig", {}).get("Outputs", [])
    entries += [("ProcessingOutputConfig.Outputs", item, "OutputName") for item in outputs]
    for where, item, name_key in entries:
        name = item[name_key]
        if name in seen_names:
            raise validation_error(
                f"{where}: the name '{name}' is used twice; input and output names must be unique"
            )
        seen_names.add(name)
        source = item.get("S3Input") or item.get("S3Output") or item.get("DatasetDefinition") or {}
        path = source.get("LocalPath")
        if path is None:
            raise validation_error(f"{where} '{name}': LocalPath is required")
        normalised = path.rstrip("/") + "/"
        if (
            not normalised.startswith(PROCESSING_ROOT)
            or "/../" in normalised
            or normalised == PROCESSING_ROOT
        ):
            raise validation_error(
                f"{where} '{name}': LocalPath '{path}' must be a directory under "
                f"{PROCESSING_ROOT} (for example /opt/ml/processing/input/data)"
            )
        kind = "input" if name_key == "InputName" else "output"
        clash = local_path_clash(kind, path, seen_paths)
        if clash:
            raise validation_error(f"{where} '{name}': {clash}")
        seen_paths.append((kind, path))


def validate_request(request: dict[str, Any]) -> None:
    """Everything SageMaker itself would refuse in a CreateProcessingJob request."""
    validate_against_model(request)
    _check_local_paths(request)
