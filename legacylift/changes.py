"""`invoke changed --since REF`: the models and stacks a git change touches, for a pipeline that
builds only changed models and plans only changed stacks (examples/ci/).

- a file under `legacy_models/NAME/`: model NAME is rebuilt (its content hash changed) and its
  stack planned in every workspace that pins it;
- `terraform/tfvars/W.models.tfvars.json`: the models whose entry changed get their stack in W
  planned; W's shared stack too when what it is given changes (a model added or removed, its
  training sections, promoted artifacts or trigger): `legacylift.stack_inputs` decides, for
  `invoke deploy`'s fingerprints as well;
- `terraform/tfvars/W.tfvars[.json]` (the workspace's settings): every stack of W;
- the root module's *.tf, `modules/`, or `terraform/*.tf`: every stack of every workspace.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from legacylift.errors import LegacyLiftError
from legacylift.stack_inputs import SHARED, built_models, stacks_touched

MODELS = PurePosixPath("legacy_models")
TFVARS = PurePosixPath("terraform/tfvars")
PINS_SUFFIX = ".models.tfvars.json"


@dataclass
class Changes:
    """What a change touches: models to build, and per workspace the stacks to plan."""

    since: str
    models: set[str] = field(default_factory=set)
    stacks: dict[str, set[str]] = field(default_factory=dict)
    every_stack: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: sorted lists."""
        return {
            "since": self.since,
            "models": sorted(self.models),
            "stacks": {w: sorted(names) for w, names in sorted(self.stacks.items())},
            "every_stack": self.every_stack,
        }

    def lines(self) -> list[str]:
        """Plain text: the models to build, then one line per workspace."""
        lines = [f"models: {' '.join(sorted(self.models)) or '-'}"]
        for workspace, names in sorted(self.stacks.items()):
            lines.append(f"{workspace}: {' '.join(sorted(names, key=_stack_order))}")
        return lines


def _stack_order(name: str) -> tuple[bool, str]:
    return (name != SHARED, name)


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
    )


def _pins_at(repo: Path, ref: str | None, path: PurePosixPath) -> dict[str, Any]:
    """The models map of a pins file at `ref` (None: the working tree); {} when absent."""
    if ref is None:
        file = repo / path
        text = file.read_text(encoding="utf-8") if file.is_file() else None
    else:
        shown = _git(repo, "show", f"{ref}:{path}")
        text = shown.stdout if shown.returncode == 0 else None
    if not text:
        return {}
    try:
        return dict(json.loads(text).get("models") or {})
    except (ValueError, AttributeError) as exc:
        raise LegacyLiftError(f"{path} at {ref or 'the working tree'}: not JSON ({exc})") from exc


def _workspaces(repo: Path, ref: str) -> set[str]:
    """Workspaces with a pins file now or at `ref`."""
    now = {p.name.removesuffix(PINS_SUFFIX) for p in (repo / TFVARS).glob(f"*{PINS_SUFFIX}")}
    listed = _git(repo, "ls-tree", "--name-only", f"{ref}:{TFVARS}")
    then = {
        name.removesuffix(PINS_SUFFIX)
        for name in listed.stdout.split()
        if listed.returncode == 0 and name.endswith(PINS_SUFFIX)
    }
    return (now | then) - {"example"}


def _built(models: dict[str, Any]) -> set[str]:
    return set(built_models(models))


def changed_since(ref: str, repo: Path) -> Changes:
    """What the change from `ref` to the working tree of `repo` touches."""
    if _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode != 0:
        raise LegacyLiftError(
            f"--since {ref}: not a commit in {repo}; give a branch, tag or commit (a shallow CI "
            "clone needs `fetch-depth: 0` or a fetch of that commit)"
        )
    diff = _git(repo, "diff", "--name-only", "--no-renames", ref)
    if diff.returncode != 0:
        raise LegacyLiftError(f"git diff {ref} failed in {repo}: {diff.stderr.strip()}")
    changes = Changes(ref)
    workspaces = _workspaces(repo, ref)
    pins = {w: _pins_at(repo, None, TFVARS / f"{w}{PINS_SUFFIX}") for w in workspaces}
    for name in diff.stdout.splitlines():
        _note(changes, PurePosixPath(name), repo, workspaces, pins)
    if changes.every_stack:
        for workspace in workspaces:
            changes.stacks.setdefault(workspace, set()).update({SHARED} | _built(pins[workspace]))
    changes.stacks = {w: names for w, names in changes.stacks.items() if names}
    return changes


def _note(
    changes: Changes,
    path: PurePosixPath,
    repo: Path,
    workspaces: set[str],
    pins: dict[str, dict[str, Any]],
) -> None:
    """Add what one changed file touches: a model folder its model and the stacks pinning it;
    a pins file the stacks whose pins differ (the shared one when models come or go); a
    workspace's tfvars every stack of it; a module file every stack."""
    if path.parts[:1] == MODELS.parts and len(path.parts) > 2:
        model = path.parts[1]
        if (repo / MODELS / model).is_dir():
            changes.models.add(model)
        for workspace in workspaces:
            if model in _built(pins[workspace]):
                changes.stacks.setdefault(workspace, set()).add(model)
    elif path.parent == TFVARS and path.name.endswith(PINS_SUFFIX):
        workspace = path.name.removesuffix(PINS_SUFFIX)
        before, after = _pins_at(repo, changes.since, path), pins.get(workspace, {})
        changes.stacks.setdefault(workspace, set()).update(stacks_touched(before, after))
    elif path.parent == TFVARS and path.name.endswith((".tfvars", ".tfvars.json")):
        workspace = path.name.removesuffix(".json").removesuffix(".tfvars")
        every = {SHARED} | _built(pins.get(workspace, {}))
        changes.stacks.setdefault(workspace, set()).update(every)
    elif _is_module_file(path):
        changes.every_stack = True


def _is_module_file(path: PurePosixPath) -> bool:
    """The Terraform every stack runs: the root module, modules/, the deployment root."""
    if len(path.parts) == 1:
        return path.suffix == ".tf"
    if path.parts[0] == "modules":
        return True
    return path.parent == PurePosixPath("terraform") and path.suffix == ".tf"
