"""Static checks of a state machine definition before anything runs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from legacylift.local.asl.errors import DefinitionError

STATE_TYPES = {"Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"}
TERMINAL_BY_TYPE = {"Choice", "Succeed", "Fail"}
# Features of ASL this interpreter does not run (yet): refused up front, naming the state.
NOT_IMPLEMENTED = {
    "Assign": "variables (Assign) come with JSONata support",
    "Arguments": "JSONata's Arguments come with JSONata support",
    "Output": "JSONata's Output comes with JSONata support",
    "ItemReader": "distributed Map (ItemReader) reads S3, which local runs do not emulate",
    "ResultWriter": "distributed Map (ResultWriter) is not emulated",
    "ItemBatcher": "distributed Map (ItemBatcher) is not emulated",
    "ToleratedFailurePercentage": "Map's tolerated failures are not emulated: remove it",
    "ToleratedFailureCount": "Map's tolerated failures are not emulated: remove it",
    "ToleratedFailurePercentagePath": "Map's tolerated failures are not emulated: remove it",
    "ToleratedFailureCountPath": "Map's tolerated failures are not emulated: remove it",
    "Credentials": "cross-account task credentials are not emulated",
    "HeartbeatSeconds": None,  # accepted: a local task reports no heartbeats to miss
}


def load(definition: str | dict[str, Any]) -> dict[str, Any]:
    """Parse a definition given as JSON text or a dict."""
    if isinstance(definition, dict):
        return definition
    try:
        return json.loads(definition)
    except json.JSONDecodeError as exc:
        raise DefinitionError(f"the state machine definition is not JSON: {exc}") from None


def validate(machine: dict[str, Any], supports: Callable[[str], bool], where: str = "") -> None:
    """Raise DefinitionError for anything that cannot run: unknown types, dangling Next,
    missing End, JSONata, Task resources the local engine cannot run."""
    if machine.get("QueryLanguage", "JSONPath") != "JSONPath":
        raise DefinitionError(
            f"{where or 'the state machine'}: QueryLanguage {machine['QueryLanguage']} is not "
            "supported locally yet (JSONPath only)"
        )
    states = machine.get("States")
    if not isinstance(states, dict) or not states:
        raise DefinitionError(f"{where or 'the state machine'}: States must be a non-empty object")
    if machine.get("StartAt") not in states:
        raise DefinitionError(f"{where or 'the state machine'}: StartAt names no state")
    for name, state in states.items():
        label = f"state '{name}'"
        kind = state.get("Type")
        if kind not in STATE_TYPES:
            raise DefinitionError(f"{label}: unknown Type {kind!r}")
        if state.get("QueryLanguage", "JSONPath") != "JSONPath":
            raise DefinitionError(f"{label}: QueryLanguage JSONata is not supported locally yet")
        for key, why in NOT_IMPLEMENTED.items():
            if key in state and why:
                raise DefinitionError(f"{label}: {key} is not supported locally: {why}")
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
        if kind == "Task":
            resource = state.get("Resource", "")
            if not supports(resource):
                raise DefinitionError(
                    f"{label}: resource {resource!r} is not runnable locally; the local engine "
                    "runs arn:aws:states:::sagemaker:createProcessingJob(.sync) tasks in Docker "
                    "and the AWS SDK integrations aws-sdk:s3:getObject and aws-sdk:s3:putObject "
                    "on the local object store"
                )
        if kind == "Parallel":
            for index, branch in enumerate(state.get("Branches", [])):
                validate(branch, supports, f"{label} branch {index}")
        if kind == "Map":
            processor = state.get("ItemProcessor") or state.get("Iterator")
            if processor is None:
                raise DefinitionError(f"{label}: a Map state needs ItemProcessor (or Iterator)")
            mode = processor.get("ProcessorConfig", {}).get("Mode", "INLINE")
            if mode != "INLINE":
                raise DefinitionError(f"{label}: only INLINE Map runs locally (not {mode})")
            validate(processor, supports, f"{label} item processor")
