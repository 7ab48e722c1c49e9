"""Workflow variables (`Assign`, `$name`) and the evaluation context a state's fields see.

AWS's rules (https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html):
a Parallel branch or Map iteration reads the variables of the scopes around it but cannot
assign them (its own assignments stay inside it); every expression of one `Assign` sees the
values as they were when the state was entered, and the assignment happens after the state's
output is computed; one variable holds at most 256 KiB, one `Assign` at most 256 KiB, and an
execution at most 10 MiB in all.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any

from legacylift.local.asl.errors import StatesError, runtime_error

MAX_VARIABLE_BYTES = 256 * 1024
MAX_ASSIGN_BYTES = 256 * 1024
MAX_EXECUTION_BYTES = 10 * 1024 * 1024
MAX_NAME_LENGTH = 80
RESERVED_NAMES = frozenset({"states"})
# A variable reference in a JSONPath field: `$name`, `$name.field`, `$name[0]` (not `$`, `$.x`,
# `$$`, `$[0]`).
REFERENCE = re.compile(r"^\$(?P<name>[^\W\d]\w*)(?P<rest>.*)$", re.DOTALL)


def json_size(value: Any) -> int:
    """Bytes of `value` as compact UTF-8 JSON, as Step Functions measures payloads."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a variable name (None when it can)."""
    if not name.isidentifier():
        return "must start with a letter or _ and contain only letters, digits and _"
    if len(name) > MAX_NAME_LENGTH:
        return f"is longer than {MAX_NAME_LENGTH} characters"
    if name in RESERVED_NAMES:
        return "is reserved by Step Functions"
    return None


class _Budget:
    """The execution-wide total of variable bytes, shared by every scope of one execution."""

    def __init__(self) -> None:
        self.sizes: dict[tuple[int, str], int] = {}
        self.lock = threading.Lock()


class Variables:
    """One scope of workflow variables; `inner()` gives a Parallel branch's or Map iteration's
    scope, which reads this one and cannot assign to it."""

    def __init__(self, outer: Variables | None = None, budget: _Budget | None = None) -> None:
        self.outer = outer
        self.values: dict[str, Any] = {}
        self._budget = budget or (outer._budget if outer else _Budget())

    def inner(self) -> Variables:
        """A nested scope (Parallel branch, Map iteration)."""
        return Variables(outer=self)

    def visible(self) -> dict[str, Any]:
        """Every variable this scope can read, inner names over outer ones."""
        seen = self.outer.visible() if self.outer else {}
        return {**seen, **self.values}

    def get(self, name: str) -> Any:
        """The value of `$name`; States.Runtime when no enclosing scope declares it."""
        scope: Variables | None = self
        while scope is not None:
            if name in scope.values:
                return scope.values[name]
            scope = scope.outer
        raise runtime_error(f"The variable '${name}' is not defined in this scope")

    def assign(self, values: dict[str, Any], state: str) -> None:
        """Bind `values` (already evaluated) in this scope, checking the scope rule and the
        size limits (States.DataLimitExceeded) before anything changes."""
        outer = self.outer.visible() if self.outer else {}
        for name, value in values.items():
            if name in outer:
                raise runtime_error(
                    f"Cannot bind value '{json.dumps(value)}' to variable '{name}' as it belongs "
                    "to an outer scope."
                )
            if json_size(value) > MAX_VARIABLE_BYTES:
                raise StatesError(
                    "States.DataLimitExceeded",
                    f"The variable '{name}' assigned by the state '{state}' exceeds the maximum "
                    f"size of {MAX_VARIABLE_BYTES} bytes.",
                )
        if json_size(values) > MAX_ASSIGN_BYTES:
            raise StatesError(
                "States.DataLimitExceeded",
                f"The Assign field of the state '{state}' assigns more than {MAX_ASSIGN_BYTES} "
                "bytes.",
            )
        with self._budget.lock:
            sizes = dict(self._budget.sizes)
            sizes.update({(id(self), name): json_size(value) for name, value in values.items()})
            if sum(sizes.values()) > MAX_EXECUTION_BYTES:
                raise StatesError(
                    "States.DataLimitExceeded",
                    f"The state '{state}' would make the execution's variables exceed "
                    f"{MAX_EXECUTION_BYTES} bytes in all.",
                )
            self._budget.sizes = sizes
            self.values.update(values)

    def release(self) -> None:
        """Forget this (finished) scope's variables in the execution-wide total."""
        with self._budget.lock:
            self._budget.sizes = {
                key: size for key, size in self._budget.sizes.items() if key[0] != id(self)
            }


class Context(dict):
    """The context object (`$$`, `$states.context`), carrying the variables of the state's
    scope beside it so both query languages read them through the same argument."""

    def __init__(self, data: dict[str, Any], variables: Variables) -> None:
        super().__init__(data)
        self.variables = variables

    def with_entries(self, **entries: Any) -> Context:
        """A copy with more context entries (e.g. `Map.Item`), same variables."""
        return Context({**self, **entries}, self.variables)
