"""Amazon States Language validation with moto's Step Functions parser (LocalStack-derived).

The one place tests (and the moto test server's ValidateStateMachineDefinition answer) check a
definition. moto's parser is the grammar and static analysis its own interpreter runs on, so a
definition it accepts is one moto can execute: stricter than a JSON schema, and maintained.
"""

from __future__ import annotations

import json

from moto.stepfunctions.parser.asl.static_analyser.express_static_analyser import (
    ExpressStaticAnalyser,
)
from moto.stepfunctions.parser.asl.static_analyser.static_analyser import StaticAnalyser

# ItemBatcher (a Distributed Map's batching of items) is missing from moto's grammar: it is
# checked here against AWS's documented fields
# (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html) and
# removed before moto's parser sees the definition.
ITEM_BATCHER_FIELDS = {
    "MaxItemsPerBatch",
    "MaxItemsPerBatchPath",
    "MaxInputBytesPerBatch",
    "MaxInputBytesPerBatchPath",
    "BatchInput",
}


def _without_item_batchers(states: dict, errors: list[str]) -> None:
    """Remove each Map's ItemBatcher from `states` (nested Maps included), adding to `errors`
    what falls outside AWS's documented fields (a Distributed Map's, with a MaxItems or
    MaxInputBytes limit)."""
    for name, state in states.items():
        if state.get("Type") != "Map":
            continue
        processor = state.get("ItemProcessor") or state.get("Iterator") or {}
        batcher = state.pop("ItemBatcher", None)
        if batcher is not None:
            mode = processor.get("ProcessorConfig", {}).get("Mode")
            if not isinstance(batcher, dict):
                errors.append(f"state {name!r}: ItemBatcher must be an object")
            elif set(batcher) - ITEM_BATCHER_FIELDS:
                errors.append(
                    f"state {name!r}: ItemBatcher has {sorted(set(batcher) - ITEM_BATCHER_FIELDS)}"
                )
            elif not set(batcher) & (ITEM_BATCHER_FIELDS - {"BatchInput"}):
                errors.append(
                    f"state {name!r}: ItemBatcher needs a MaxItems or MaxInputBytes field"
                )
            if mode != "DISTRIBUTED":
                errors.append(f"state {name!r}: ItemBatcher needs a Distributed Map")
        _without_item_batchers(processor.get("States", {}), errors)


def asl_errors(definition: str, express: bool = False) -> list[str]:
    """The problems moto's ASL parser, then `graph_errors`, find in `definition` (empty when
    valid). `express` applies the EXPRESS type's extra rules (e.g. no `.sync` integrations).
    """
    analyser = ExpressStaticAnalyser() if express else StaticAnalyser()
    try:
        document = json.loads(definition)
    except ValueError:
        document = None  # moto's parser names what is wrong
    batcher_errors: list[str] = []
    if isinstance(document, dict) and isinstance(document.get("States"), dict):
        _without_item_batchers(document["States"], batcher_errors)
        if batcher_errors:
            return batcher_errors
        definition = json.dumps(document)
    try:
        analyser.analyse(definition)
    except Exception as exc:  # the parser raises many types; each is a validation failure
        errors = getattr(exc, "errors", None)
        return [str(error) for error in errors] if errors else [f"{type(exc).__name__}: {exc}"]
    return graph_errors(definition)


def _targets(state: dict) -> list[str]:
    """Names of the states `state` can move to."""
    targets = [state.get("Next"), state.get("Default")]
    targets += [choice.get("Next") for choice in state.get("Choices", [])]
    targets += [catcher.get("Next") for catcher in state.get("Catch", [])]
    return [target for target in targets if target]


def graph_errors(definition: str) -> list[str]:
    """Transitions moto's parser does not check: every target exists, every state but Choice,
    Succeed and Fail goes on (Next) or ends (End), every state is reachable from StartAt, and a
    terminal state is reachable."""
    states = json.loads(definition)["States"]
    errors = [
        f"state {name!r} moves to missing state {target!r}"
        for name, state in states.items()
        for target in _targets(state)
        if target not in states
    ]
    errors += [
        f"state {name!r} has neither Next nor End"
        for name, state in states.items()
        if state.get("Type") not in ("Choice", "Succeed", "Fail")
        and not state.get("Next")
        and state.get("End") is not True
    ]
    start = json.loads(definition)["StartAt"]
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name in seen or name not in states:
            continue
        seen.add(name)
        todo += _targets(states[name])
    errors += [
        f"state {name!r} is unreachable from {start!r}" for name in states if name not in seen
    ]
    terminal = {"Succeed", "Fail"}
    if not any(states[n]["Type"] in terminal or states[n].get("End") for n in seen if n in states):
        errors.append("no terminal state is reachable")
    return errors


def assert_valid_asl(definition: str, express: bool = False) -> None:
    """Fail (AssertionError) with the parser's messages when `definition` is not valid ASL."""
    errors = asl_errors(definition, express=express)
    assert not errors, "invalid Amazon States Language:\n" + "\n".join(errors)
