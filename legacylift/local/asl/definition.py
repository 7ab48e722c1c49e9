"""Static checks of a state machine definition before anything runs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from legacylift.local.asl import schema
from legacylift.local.asl.errors import DefinitionError
from legacylift.local.asl.variables import name_problem

STATE_TYPES = {"Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"}
TERMINAL_BY_TYPE = {"Choice", "Succeed", "Fail"}
# Features of ASL this interpreter does not run (yet): refused up front, naming the state.
NOT_IMPLEMENTED = {
    "Credentials": "cross-account task credentials are not emulated",
    "HeartbeatSeconds": None,  # accepted: a local task reports no heartbeats to miss
}
MAP_MODES = ("INLINE", "DISTRIBUTED")
MAX_DEFINITION_LENGTH = 1_048_576  # CreateStateMachine's `definition`: a hard quota
# Fields AWS documents for a Distributed Map only; what AWS does with them on an inline Map is
# not recorded, so the engine refuses them there rather than guess. (AWS runs an inline Map
# with ToleratedFailureCount/Percentage(Path) or Label and ignores them: those are accepted.)
DISTRIBUTED_ONLY = ("ItemReader", "ResultWriter", "ItemBatcher")
QUERY_LANGUAGES = ("JSONPath", "JSONata")
# Which fields belong to which query language, as AWS's validator has it
# (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html).
JSONPATH_ONLY = (
    "InputPath",
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "OutputPath",
    "ItemsPath",
    "Result",
    "SecondsPath",
    "TimestampPath",
    "ErrorPath",
    "CausePath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "MaxConcurrencyPath",
    "Iterator",
)
JSONATA_ONLY = ("Arguments", "Output", "Items")
JSONATA_FIX = "in JSONata use Arguments, Output, Items, Assign and {% %} expressions instead"
JSONPATH_FIX = 'set "QueryLanguage": "JSONata" on the state (or the state machine) to use it'


def load(definition: str | dict[str, Any]) -> dict[str, Any]:
    """Parse a definition given as JSON text or a dict; one over AWS's size limit is refused."""
    text = (
        definition if isinstance(definition, str) else json.dumps(definition, separators=(",", ":"))
    )
    check_size(text)
    if isinstance(definition, dict):
        return definition
    try:
        return json.loads(definition)
    except json.JSONDecodeError as exc:
        raise DefinitionError(f"the state machine definition is not JSON: {exc}") from None


def check_size(text: str) -> None:
    """Refuse a definition longer than CreateStateMachine accepts, with AWS's error."""
    if len(text) > MAX_DEFINITION_LENGTH:
        raise DefinitionError(
            f"the state machine definition is {len(text):,} characters, over AWS's "
            f"{MAX_DEFINITION_LENGTH:,} (1 MB): CreateStateMachine refuses it with "
            "ValidationException: 1 validation error detected: Value at 'definition' failed "
            "to satisfy constraint: Member must have length less than or equal to "
            f"{MAX_DEFINITION_LENGTH}; split it into state machines that start one another"
        )


def state_language(machine_language: str, state: dict[str, Any]) -> str:
    """The query language a state runs in: its own QueryLanguage, else the state machine's."""
    return state.get("QueryLanguage", machine_language)


def validate(
    machine: dict[str, Any],
    supports: Callable[[str], bool],
    where: str = "",
    language: str | None = None,
) -> None:
    """Raise DefinitionError for anything that cannot run: unknown types, dangling Next,
    missing End, fields of the other query language, bad variable names, Task resources the
    local engine cannot run. `language` is the QueryLanguage its states default to (a
    Parallel's branches and a Map's item processor inherit their state's)."""
    top = where or "the state machine"
    schema.check_machine(top, machine)
    if language is None:
        language = machine.get("QueryLanguage", "JSONPath")
        if language not in QUERY_LANGUAGES:
            raise DefinitionError(
                f"{top}: QueryLanguage must be JSONPath or JSONata, not {language!r}"
            )
    states = machine.get("States")
    if not isinstance(states, dict) or not states:
        raise DefinitionError(f"{top}: States must be a non-empty object")
    if machine.get("StartAt") not in states:
        raise DefinitionError(f"{top}: StartAt names no state")
    for name, state in states.items():
        _validate_state(f"state '{name}'", state, states, supports, language)


def _validate_state(
    label: str,
    state: Any,
    states: dict[str, Any],
    supports: Callable[[str], bool],
    language: str,
) -> None:
    """One state: its schema, type, query language, transitions and Task resource; then the
    workflows it holds (a Parallel's branches, a Map's item processor)."""
    schema.check_state(label, state)
    kind = state.get("Type")
    if kind not in STATE_TYPES:
        raise DefinitionError(f"{label}: unknown Type {kind!r}")
    for key, why in NOT_IMPLEMENTED.items():
        if key in state and why:
            raise DefinitionError(f"{label}: {key} is not supported locally: {why}")
    own = _validate_language(label, state, language)
    _validate_transitions(label, state, states)
    if kind == "Task":
        resource = state.get("Resource", "")
        if not supports(resource):
            raise DefinitionError(
                f"{label}: resource {resource!r} is not runnable locally; the local engine "
                "runs arn:aws:states:::sagemaker:createProcessingJob(.sync) tasks in Docker "
                "and the AWS SDK integrations aws-sdk:s3:listObjectsV2, aws-sdk:s3:getObject "
                "and aws-sdk:s3:putObject on the local object store"
            )
    if kind == "Parallel":
        for index, branch in enumerate(state.get("Branches", [])):
            validate(branch, supports, f"{label} branch {index}", own)
    if kind == "Map":
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if processor is None:
            raise DefinitionError(f"{label}: a Map state needs ItemProcessor (or Iterator)")
        _validate_map_mode(label, state, processor, supports)
        validate(processor, supports, f"{label} item processor", own)


def _validate_transitions(label: str, state: dict[str, Any], states: dict[str, Any]) -> None:
    """Every Next, Default and Catch target names a state; a state that does not end the
    workflow by its type has Next or End; a Choice has Choices."""
    kind = state.get("Type")
    targets = [state["Next"]] if "Next" in state else []
    targets += [rule.get("Next") for rule in state.get("Choices", [])]
    targets += [state["Default"]] if "Default" in state else []
    targets += [catcher.get("Next") for catcher in state.get("Catch", [])]
    for target in targets:
        if target not in states:
            raise DefinitionError(f"{label}: Next/Default {target!r} names no state")
    if kind not in TERMINAL_BY_TYPE and "Next" not in state and not state.get("End"):
        raise DefinitionError(f"{label}: needs Next or End")
    if kind == "Choice" and not state.get("Choices"):
        raise DefinitionError(f"{label}: a Choice state needs Choices")


def _validate_map_mode(label: str, state: dict[str, Any], processor, supports) -> None:
    """A Map's ProcessorConfig and the fields only a Distributed Map may have; the S3
    resources of its ItemReader and ResultWriter must be runnable here."""
    config = processor.get("ProcessorConfig", {})
    mode = config.get("Mode", "INLINE")
    if mode not in MAP_MODES:
        raise DefinitionError(f"{label}: ProcessorConfig.Mode must be INLINE or DISTRIBUTED")
    if mode == "INLINE":
        _refuse(
            label,
            [state],
            DISTRIBUTED_ONLY,
            "'{}' runs locally only in a Distributed Map, the mode AWS documents it for: set "
            "the ItemProcessor's ProcessorConfig Mode to DISTRIBUTED",
        )
        return
    if config.get("ExecutionType") not in ("STANDARD", "EXPRESS"):
        raise DefinitionError(
            f"{label}: a Distributed Map's ProcessorConfig needs ExecutionType STANDARD or EXPRESS"
        )
    if config["ExecutionType"] == "EXPRESS":
        waiting = _waiting_tasks(processor)
        if waiting:
            raise DefinitionError(
                f"{label}: state '{waiting[0]}' waits for a job (.sync) or a callback, which "
                "Express workflows do not support: set the ProcessorConfig's ExecutionType to "
                "STANDARD"
            )
    for field in ("ItemReader", "ResultWriter"):
        resource = state.get(field, {}).get("Resource") if field in state else None
        if field in state and not supports(resource or ""):
            raise DefinitionError(
                f"{label}: {field} resource {resource!r} is not runnable locally; the local "
                "engine reads and writes S3 with arn:aws:states:::s3:listObjectsV2, "
                "s3:getObject and s3:putObject"
            )


def _waiting_tasks(machine: dict[str, Any]) -> list[str]:
    """Names of the Task states in `machine` (nested ones included) whose resource waits:
    the Run a Job (.sync) and callback (.waitForTaskToken) patterns."""
    found = []
    for name, state in machine.get("States", {}).items():
        if state.get("Type") == "Task" and state.get("Resource", "").endswith(
            (".sync", ".sync:2", ".waitForTaskToken")
        ):
            found.append(name)
        for nested in state.get("Branches", []) + [
            state.get("ItemProcessor") or state.get("Iterator") or {}
        ]:
            found += _waiting_tasks(nested)
    return found


def _validate_language(label: str, state: dict[str, Any], machine_language: str) -> str:
    """Check the state's fields against its query language, which it returns."""
    own = state.get("QueryLanguage", machine_language)
    if own not in QUERY_LANGUAGES:
        raise DefinitionError(f"{label}: QueryLanguage must be JSONPath or JSONata, not {own!r}")
    if machine_language == "JSONata" and own == "JSONPath":
        raise DefinitionError(
            f"{label}: QueryLanguage JSONPath is not allowed inside JSONata (a JSONPath state "
            "machine may contain JSONata states, not the other way round)"
        )
    catchers = state.get("Catch", [])
    # AWS: Succeed and Fail states assign no variables; a Fail state has no Output.
    if state.get("Type") in ("Succeed", "Fail"):
        _refuse(label, [state], ["Assign"], f"a {state['Type']} state cannot have '{{}}'")
    if state.get("Type") == "Fail":
        _refuse(label, [state], ["Output"], "a Fail state cannot have '{}'")
    if own == "JSONata":
        _refuse(
            label,
            [state],
            JSONPATH_ONLY,
            f"the field '{{}}' is not supported when QueryLanguage is JSONata; {JSONATA_FIX}",
        )
        _refuse(
            label,
            catchers,
            ["ResultPath"],
            "a Catcher's '{}' is JSONPath only; JSONata uses Output (default: $states.errorOutput)",
        )
        _refuse(
            label,
            state.get("Choices", []),
            ["Variable", "And", "Or", "Not"],
            "a JSONata Choice rule has Condition (a {% %} boolean expression), not '{}'",
        )
        _require(
            label,
            state.get("Choices", []),
            "Condition",
            "a JSONata Choice rule needs Condition (a {% %} boolean expression)",
        )
    else:
        _refuse(
            label,
            [state],
            JSONATA_ONLY,
            f"the field '{{}}' is only supported when QueryLanguage is JSONata; {JSONPATH_FIX}",
        )
        _refuse(label, catchers, ["Output"], f"a Catcher's '{{}}' is JSONata only; {JSONPATH_FIX}")
        _refuse(
            label,
            state.get("Choices", []),
            ["Output"],
            f"a Choice rule's '{{}}' is JSONata only; {JSONPATH_FIX}",
        )
        _refuse(
            label,
            _rules(state.get("Choices", [])),
            ["Condition"],
            f"a Choice rule's '{{}}' is JSONata only; {JSONPATH_FIX}",
        )
    for source in [state, *catchers, *state.get("Choices", [])]:
        for key in source.get("Assign", {}) if isinstance(source.get("Assign"), dict) else ():
            variable = key[:-2] if own == "JSONPath" and key.endswith(".$") else key
            problem = name_problem(variable)
            if problem:
                raise DefinitionError(f"{label}: the variable name '{variable}' {problem}")
        if "Assign" in source and not isinstance(source["Assign"], dict):
            raise DefinitionError(f"{label}: Assign must be an object of variable names")
    return own


def _refuse(label: str, places: list[dict[str, Any]], fields, why: str) -> None:
    """DefinitionError when any of `places` has one of `fields` (`why` names it with `{}`)."""
    for place in places:
        for field in fields:
            if field in place:
                raise DefinitionError(f"{label}: {why.replace('{}', field, 1)}")


def _require(label: str, places: list[dict[str, Any]], field: str, why: str) -> None:
    """DefinitionError when any of `places` lacks `field`."""
    if any(field not in place for place in places):
        raise DefinitionError(f"{label}: {why}")


def _rules(choices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every Choice rule, nested And/Or/Not ones included."""
    found = []
    for rule in choices:
        found.append(rule)
        nested = rule.get("And", []) + rule.get("Or", [])
        nested += [rule["Not"]] if "Not" in rule else []
        found += _rules(nested)
    return found
