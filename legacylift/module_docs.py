"""Inputs and outputs tables of each Terraform module's README, generated from its HCL.

terraform-docs cannot be installed here (it ships only as a Go binary), so this does its one job
for this project: read every `variable` and `output` block of a module with python-hcl2 and write
the tables between terraform-docs' own markers in the module's README, so a description has one
source (the `.tf` file) and the README cannot drift from it. `invoke module-docs` writes them,
`invoke module-docs --check` (run by the tests) fails naming each README that is stale.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import hcl2

from legacylift.atomic import write_text_atomic
from legacylift.errors import LegacyLiftError
from legacylift.paths import REPO_ROOT

BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"

#: The modules whose READMEs carry generated tables besides each `modules/*` folder: the
#: published root module and the deployment root.
FIXED_MODULE_DIRS = (".", "terraform")


def module_dirs(root: Path = REPO_ROOT) -> list[str]:
    """Every module with generated tables: the root, each `modules/*` folder, `terraform/`."""
    submodules = sorted(f"modules/{p.parent.name}" for p in (root / "modules").glob("*/main.tf"))
    return [FIXED_MODULE_DIRS[0], *submodules, *FIXED_MODULE_DIRS[1:]]


_HEREDOC = re.compile(r"^<<(-?)([A-Za-z_]+)\n(.*)\n\s*\2$", re.DOTALL)


@dataclass(frozen=True)
class Variable:
    """One `variable` block, as a README row shows it."""

    name: str
    description: str
    type: str
    default: str  # HCL spelling, or "" when the variable is required


@dataclass(frozen=True)
class Output:
    """One `output` block, as a README row shows it."""

    name: str
    description: str


def _unquote(raw: str) -> str:
    """The text of an HCL string as python-hcl2 returns it: quoted, or a heredoc."""
    text = raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] == '"' else raw
    heredoc = _HEREDOC.match(text)
    if heredoc:
        text = heredoc.group(3)
    else:
        text = text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
    return text


def _one_line(text: str) -> str:
    """A description as one table cell: whitespace collapsed, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def _expression(raw: object) -> str:
    """A type expression as written in HCL (python-hcl2 wraps expressions in `${...}`)."""
    text = str(raw)
    return text[2:-1] if text.startswith("${") and text.endswith("}") else text


def _default(value: object) -> str:
    """A default value in HCL's spelling."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        if len(value) >= 2 and value[0] == value[-1] == '"':
            return value
        return _expression(value)
    return json.dumps(value, separators=(", ", " = ") if isinstance(value, dict) else (", ", ": "))


def _blocks(module_dir: Path, kind: str) -> list[tuple[str, dict]]:
    """Every block of `kind` in the module's `.tf` files, in file then source order."""
    found: list[tuple[str, dict]] = []
    for tf_file in sorted(module_dir.glob("*.tf")):
        try:
            with tf_file.open(encoding="utf-8") as handle:
                document = hcl2.load(handle)
        except Exception as exc:  # python-hcl2 raises lark's errors for bad HCL
            raise LegacyLiftError(f"{tf_file}: not valid HCL ({exc}): fix the file") from exc
        for block in document.get(kind, []):
            for name, body in block.items():
                found.append((name.strip('"'), body))
    return found


def read_variables(module_dir: Path) -> list[Variable]:
    """The module's variables, each with its description, type and default."""
    variables = []
    for name, body in _blocks(module_dir, "variable"):
        variables.append(
            Variable(
                name=name,
                description=_unquote(str(body.get("description", '""'))),
                type=_expression(body.get("type", "any")),
                default=_default(body["default"]) if "default" in body else "",
            )
        )
    return variables


def read_outputs(module_dir: Path) -> list[Output]:
    """The module's outputs, each with its description."""
    return [
        Output(name=name, description=_unquote(str(body.get("description", '""'))))
        for name, body in _blocks(module_dir, "output")
    ]


def render_tables(module_dir: Path) -> str:
    """The Inputs and Outputs sections of one module, as Markdown."""
    lines = ["## Inputs", ""]
    variables = read_variables(module_dir)
    if variables:
        lines += ["| name | description | type | default |", "| --- | --- | --- | --- |"]
        for var in variables:
            default = f"`{var.default}`" if var.default else "**required**"
            lines.append(
                f"| `{var.name}` | {_one_line(var.description)} | `{var.type}` | {default} |"
            )
    else:
        lines.append("No inputs.")
    lines += ["", "## Outputs", ""]
    outputs = read_outputs(module_dir)
    if outputs:
        lines += ["| name | description |", "| --- | --- |"]
        lines += [f"| `{out.name}` | {_one_line(out.description)} |" for out in outputs]
    else:
        lines.append("No outputs.")
    return "\n".join(lines)


def _with_tables(readme: Path, tables: str) -> str:
    """The README's text with the marked block replaced by `tables`."""
    text = readme.read_text(encoding="utf-8")
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise LegacyLiftError(
            f"{readme}: no {BEGIN} ... {END} block: add the two markers where the Inputs and "
            "Outputs tables belong, then run `invoke module-docs`"
        )
    return text[: start + len(BEGIN)] + "\n" + tables + "\n" + text[end:]


def stale_readmes(root: Path = REPO_ROOT, modules: list[str] | None = None) -> list[Path]:
    """The READMEs whose generated tables differ from their module's HCL."""
    stale = []
    for module in module_dirs(root) if modules is None else modules:
        readme = root / module / "README.md"
        if _with_tables(readme, render_tables(root / module)) != readme.read_text(encoding="utf-8"):
            stale.append(readme)
    return stale


def write_readmes(root: Path = REPO_ROOT, modules: list[str] | None = None) -> list[Path]:
    """Regenerate every module README's tables; return the READMEs that changed."""
    changed = []
    for module in module_dirs(root) if modules is None else modules:
        readme = root / module / "README.md"
        text = _with_tables(readme, render_tables(root / module))
        if text != readme.read_text(encoding="utf-8"):
            write_text_atomic(readme, text)
            changed.append(readme)
    return changed
