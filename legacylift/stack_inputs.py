"""What each split stack is given from a workspace's image pins, in one place for the two
commands that must agree on it: `invoke deploy` (a stack's fingerprint) and `invoke changed`
(which stacks a git change touches).

- The shared stack: every pinned model by name, keeping only what the shared resources depend
  on (the training sections and `inference.artifacts = "promoted"`, which upload the step
  runner; a trigger, which makes the bucket send its events to EventBridge).
- A model stack: that model's whole entry, when it has an image.
"""

from __future__ import annotations

from typing import Any

SHARED = "shared"
# The training sections (all three or none), which make the shared stack upload the step runner
# (training.tf's needs_step_runner), as does inference.artifacts = "promoted".
_TRAINING_KEYS = ("train", "evaluate", "promotion")


def shared_models(pinned: dict[str, Any]) -> dict[str, Any]:
    """The shared stack's `models`: every model by name with no image (so only its repository
    and lifecycle rule), keeping what decides whether the step runner is uploaded and whether
    the bucket sends its events to EventBridge (a trigger)."""
    shared = {}
    for name, entry in pinned.items():
        entry = entry or {}
        shared[name] = {key: entry[key] for key in _TRAINING_KEYS if key in entry}
        artifacts = (entry.get("inference") or {}).get("artifacts")
        if artifacts:
            shared[name]["inference"] = {"artifacts": artifacts}
        if entry.get("trigger"):
            shared[name]["trigger"] = entry["trigger"]  # the bucket's EventBridge notifications
    return shared


def built_models(pinned: dict[str, Any]) -> dict[str, Any]:
    """The pinned models that have an image: each gets a model stack."""
    return {name: entry for name, entry in pinned.items() if (entry or {}).get("image_uri")}


def stacks_touched(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """The stacks a change of a workspace's pins from `before` to `after` touches: each model
    stack whose entry changed (built before or after), and the shared stack when its own
    `models` (shared_models) differ."""
    built = set(built_models(before)) | set(built_models(after))
    touched = {name for name in built if before.get(name) != after.get(name)}
    if shared_models(before) != shared_models(after):
        touched.add(SHARED)
    return touched
