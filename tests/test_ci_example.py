"""examples/ci/: the pipeline parses, and every `invoke` command it runs names a task and options
that exist (a renamed task or option would otherwise break every copy of it silently)."""

from __future__ import annotations

import re
import shlex

import yaml
from invoke import Collection

import tasks
from legacylift.paths import REPO_ROOT

PIPELINE = REPO_ROOT / "examples" / "ci" / "github-actions.yml"


def invoke_commands(document: dict) -> list[list[str]]:
    """The argument lists of every `invoke ...` line in the pipeline's run steps."""
    commands = []
    for job in document["jobs"].values():
        for step in job["steps"]:
            for line in step.get("run", "").splitlines():
                line = line.strip()
                if line.startswith("invoke "):
                    commands.append(shlex.split(re.sub(r"\$\{\{[^}]*\}\}", "X", line)))
    return commands


def test_every_invoke_command_names_a_task_and_its_options():
    """Planted bug: the pipeline calls `invoke changed --from` (no such option): red."""
    document = yaml.safe_load(PIPELINE.read_text())
    collection = Collection.from_module(tasks)
    commands = invoke_commands(document)
    assert {command[1] for command in commands} == {"changed", "build-model", "deploy"}
    for command in commands:
        task = collection[command[1]]
        options = {f"--{arg.name.replace('_', '-')}" for arg in task.get_arguments()}
        used = {word.split("=")[0] for word in command[2:] if word.startswith("--")}
        assert used <= options, f"{' '.join(command)}: unknown {sorted(used - options)}"
