"""Deciding a request against IAM policy documents, Condition and Deny included.

AWS's evaluation logic for one account, reduced to what the project's policies use
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
an explicit Deny that matches wins; otherwise an Allow that matches allows; otherwise the request
is implicitly denied. A statement matches when its Action (or NotAction), Resource (or
NotResource), Principal (when the caller names one) and every Condition operator match.

Condition operators (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
String*, Numeric*, Bool, Arn*, Null, with the `IfExists` suffix and the `ForAnyValue:` /
`ForAllValues:` set qualifiers. A key absent from the request context makes an operator false,
except the negated ones (`...Not...`), which are then true, and `IfExists`, which is then true.
An operator this module does not know raises instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY = "allowed", "explicitly denied", "implicitly denied"


@dataclass
class Request:
    """One API call: its action, resource ARN, condition context and (for resource policies)
    the calling principal's ARN."""

    action: str
    resource: str
    context: dict[str, Any] = field(default_factory=dict)
    principal: str | None = None


def wildcard_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """IAM's matching: `*` any run of characters, `?` exactly one, nothing else special."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    flags = re.IGNORECASE if ignore_case else 0
    return re.fullmatch(regex, value, flags | re.DOTALL) is not None


def _listed(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _action_matches(statement: dict, action: str) -> bool:
    # Action names are case-insensitive.
    if "NotAction" in statement:
        return not any(wildcard_match(p, action, True) for p in _listed(statement["NotAction"]))
    return any(wildcard_match(p, action, True) for p in _listed(statement.get("Action", [])))


def _resource_matches(statement: dict, resource: str) -> bool:
    if "NotResource" in statement:
        return not any(wildcard_match(p, resource) for p in _listed(statement["NotResource"]))
    return any(wildcard_match(p, resource) for p in _listed(statement.get("Resource", [])))


def _principal_matches(statement: dict, principal: str | None) -> bool:
    if "Principal" not in statement or principal is None:
        return True
    named = statement["Principal"]
    if named == "*":
        return True
    arns = [arn for values in named.values() for arn in _listed(values)]
    return any(arn == "*" or wildcard_match(arn, principal) for arn in arns)


def _number(text: Any) -> float:
    return float(text)


def _bool(text: Any) -> str:
    return str(text).lower()


# base operator -> (compare(policy value, request value), negated)
_OPERATORS = {
    "StringEquals": (lambda p, v: str(p) == str(v), False),
    "StringNotEquals": (lambda p, v: str(p) == str(v), True),
    "StringEqualsIgnoreCase": (lambda p, v: str(p).lower() == str(v).lower(), False),
    "StringNotEqualsIgnoreCase": (lambda p, v: str(p).lower() == str(v).lower(), True),
    "StringLike": (lambda p, v: wildcard_match(str(p), str(v)), False),
    "StringNotLike": (lambda p, v: wildcard_match(str(p), str(v)), True),
    "NumericEquals": (lambda p, v: _number(v) == _number(p), False),
    "NumericNotEquals": (lambda p, v: _number(v) == _number(p), True),
    "NumericLessThan": (lambda p, v: _number(v) < _number(p), False),
    "NumericLessThanEquals": (lambda p, v: _number(v) <= _number(p), False),
    "NumericGreaterThan": (lambda p, v: _number(v) > _number(p), False),
    "NumericGreaterThanEquals": (lambda p, v: _number(v) >= _number(p), False),
    "Bool": (lambda p, v: _bool(p) == _bool(v), False),
    "ArnEquals": (lambda p, v: wildcard_match(str(p), str(v)), False),
    "ArnLike": (lambda p, v: wildcard_match(str(p), str(v)), False),
    "ArnNotEquals": (lambda p, v: wildcard_match(str(p), str(v)), True),
    "ArnNotLike": (lambda p, v: wildcard_match(str(p), str(v)), True),
}


def _context_value(context: dict[str, Any], key: str) -> tuple[bool, Any]:
    # Condition key names are case-insensitive.
    for name, value in context.items():
        if name.lower() == key.lower():
            return True, value
    return False, None


def condition_holds(operator: str, key: str, values: Any, context: dict[str, Any]) -> bool:
    """Whether one `operator: {key: values}` entry of a Condition holds for `context`."""
    qualifier = None
    for prefix in ("ForAnyValue:", "ForAllValues:"):
        if operator.startswith(prefix):
            qualifier, operator = prefix[:-1], operator.removeprefix(prefix)
    present, actual = _context_value(context, key)
    if operator == "Null":
        wanted = _bool(_listed(values)[0]) == "true"
        return (not present) == wanted
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    if base not in _OPERATORS:
        raise ValueError(
            f"condition operator {operator!r} is not evaluated by tests.iam_evaluation"
        )
    compare, negated = _OPERATORS[base]
    if not present:
        if qualifier == "ForAllValues":
            return True
        return if_exists or negated
    policy_values = _listed(values)
    request_values = _listed(actual) if qualifier else [actual]

    def one(value: Any) -> bool:
        hit = any(compare(p, value) for p in policy_values)
        return not hit if negated else hit

    if qualifier == "ForAllValues":
        return all(one(v) for v in request_values)
    return any(one(v) for v in request_values)


def statement_applies(statement: dict, request: Request) -> bool:
    """Whether `statement` matches `request` (action, resource, principal and conditions)."""
    conditions = statement.get("Condition") or {}
    return (
        _action_matches(statement, request.action)
        and _resource_matches(statement, request.resource)
        and _principal_matches(statement, request.principal)
        and all(
            condition_holds(operator, key, values, request.context)
            for operator, entries in conditions.items()
            for key, values in entries.items()
        )
    )


def _statements(policies: Iterable[dict]) -> list[dict]:
    return [s for policy in policies for s in _listed(policy.get("Statement", []))]


def decide(policies: dict | Iterable[dict], request: Request) -> str:
    """ALLOWED, EXPLICIT_DENY or IMPLICIT_DENY for `request` under `policies` (one or more)."""
    documents = [policies] if isinstance(policies, dict) else list(policies)
    applying = [s for s in _statements(documents) if statement_applies(s, request)]
    if any(s.get("Effect") == "Deny" for s in applying):
        return EXPLICIT_DENY
    if any(s.get("Effect") == "Allow" for s in applying):
        return ALLOWED
    return IMPLICIT_DENY


def allowed(
    policies: dict | Iterable[dict],
    action: str,
    resource: str,
    context: dict[str, Any] | None = None,
    principal: str | None = None,
) -> bool:
    """Whether `action` on `resource` with `context` is allowed (no Deny, some Allow)."""
    return decide(policies, Request(action, resource, dict(context or {}), principal)) == ALLOWED
