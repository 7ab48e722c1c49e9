"""Amazon States Language validation with moto's Step Functions parser (LocalStack-derived).

The one place tests (and the moto test server's ValidateStateMachineDefinition answer) check a
definition. moto's parser is the grammar and static analysis its own interpreter runs on, so a
definition it accepts is one moto can execute: stricter than a JSON schema, and maintained.
"""

from __future__ import annotations

from moto.stepfunctions.parser.asl.static_analyser.express_static_analyser import (
    ExpressStaticAnalyser,
)
from moto.stepfunctions.parser.asl.static_analyser.static_analyser import StaticAnalyser


def asl_errors(definition: str, express: bool = False) -> list[str]:
    """The problems moto's ASL parser finds in `definition` (empty when valid).

    `express` applies the EXPRESS type's extra rules (e.g. no `.sync` integrations).
    """
    analyser = ExpressStaticAnalyser() if express else StaticAnalyser()
    try:
        analyser.analyse(definition)
    except Exception as exc:  # the parser raises many types; each is a validation failure
        errors = getattr(exc, "errors", None)
        return [str(error) for error in errors] if errors else [f"{type(exc).__name__}: {exc}"]
    return []


def assert_valid_asl(definition: str, express: bool = False) -> None:
    """Fail (AssertionError) with the parser's messages when `definition` is not valid ASL."""
    errors = asl_errors(definition, express=express)
    assert not errors, "invalid Amazon States Language:\n" + "\n".join(errors)
