"""Every `invoke TASK --option` the README, docs/ and examples/ show names a task and options
that exist, so a renamed task or option cannot leave a documented command behind."""

from __future__ import annotations

import re

from invoke import Collection

import tasks
from legacylift.paths import REPO_ROOT

COMMAND = re.compile(r"invoke ([a-z][a-z-]*)([^`#|\n]*)")
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z-]*)")


def documented_commands() -> list[tuple[str, str, set[str]]]:
    """(where, task, options) of every `invoke TASK ...` in the project's Markdown."""
    pages = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
    pages += sorted((REPO_ROOT / "examples").rglob("*.md"))
    found = []
    for page in pages:
        for number, line in enumerate(page.read_text().splitlines(), 1):
            for match in COMMAND.finditer(line):
                where = f"{page.relative_to(REPO_ROOT)}:{number}"
                found.append((where, match.group(1), set(OPTION.findall(match.group(2)))))
    return found


def task_options(task) -> set[str]:
    """A task's `--option` spellings, `--no-FLAG` included for flags that default to on."""
    options = set()
    for argument in task.get_arguments():
        options |= {f"--{name}" for name in argument.names if len(name) > 1}
        if argument.kind is bool:
            options |= {f"--no-{name}" for name in argument.names if len(name) > 1}
    return options


def test_every_documented_command_names_a_task_and_its_options():
    """Planted bug: docs/guide.md showing `invoke run-local NAME --workspaces dev` (no such
    option), or `invoke plan` (no such task): red."""
    collection = Collection.from_module(tasks)
    commands = documented_commands()
    assert len(commands) > 100  # the pages were read
    wrong = []
    for where, name, used in commands:
        if name not in collection.task_names:
            wrong.append(f"{where}: no task {name!r}")
        elif used - task_options(collection[name]):
            wrong.append(
                f"{where}: invoke {name} has no {sorted(used - task_options(collection[name]))}"
            )
    assert wrong == []
