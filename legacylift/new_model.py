"""`invoke new-model NAME [--from DIR]`: a model folder that follows the contract.

Without `--from`: three step scripts to fill in, an empty requirements.txt and a commented
model.toml. With `--from DIR`: the legacy project copied in as it is (its file names kept), and
a model.toml written for what is found there: the steps in the order the scripts pass files on
(`script_flow`: one writes .../output/features.csv, the next reads .../input/features.csv), else
scripts named like the original pattern's steps; the `/opt/ml/processing/...` string literals in
them (the LocalPaths), a Dockerfile's CMD or ENTRYPOINT. Scripts the files place in no single
chain are named, and the model.toml written then fails to load until the steps are declared.
Everything guessed is printed with what to check. The folder is assembled beside
its destination and renamed into place, so a failure leaves nothing; an existing model is
never overwritten.
"""

from __future__ import annotations

import ast
import json
import posixpath
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from legacylift.errors import LegacyLiftError
from legacylift.models import (
    DEFAULT_INPUT_PATH,
    DEFAULT_OUTPUT_PATH,
    PROCESSING_ROOT,
    SCRIPTS,
    STEPS,
    load_model,
    models_dir,
    validate_name,
)
from legacylift.script_flow import Flow, data_flow

SKIPPED = frozenset({".git", "__pycache__", ".ipynb_checkpoints", ".venv", "venv", ".mypy_cache"})
STEP_PATTERNS = {
    "preprocessing": re.compile(r"pre[-_]?process", re.IGNORECASE),
    "inference": re.compile(r"predict|inference|infer|scor(e|ing)", re.IGNORECASE),
    "postprocessing": re.compile(r"post[-_]?process", re.IGNORECASE),
}
PROCESSING_LITERAL = re.compile(r"""["'](/opt/ml/processing/[^"'\s]*)["']""")
FRAMEWORK_LIBRARIES = frozenset(
    {"pandas", "numpy", "sklearn", "scipy", "joblib", "dateutil", "pytz"}
)
WORKDIR = re.compile(r"^\s*WORKDIR\s+(.+)$", re.IGNORECASE | re.MULTILINE)
INSTRUCTION = re.compile(r"^\s*(CMD|ENTRYPOINT)\s+(.+)$", re.IGNORECASE | re.MULTILINE)

SKELETON = '''"""{step}: read every file under {input_path}, write under {output_path}."""

import pathlib

INPUT = pathlib.Path("{input_path}")
OUTPUT = pathlib.Path("{output_path}")


def main():
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for source in sorted(INPUT.rglob("*")):
        if source.is_file():
            (OUTPUT / source.name).write_bytes(source.read_bytes())


if __name__ == "__main__":
    main()
'''

BLANK_TOML = """# Settings of this model (docs/contracts.md section 1); every key is optional.
# steps = ["preprocessing", "inference", "postprocessing"]
# system_packages = ["libgomp1"]
# [defaults]
# instance_type = "ml.m5.xlarge"
# [preprocessing]
# script = "preprocessing.py"
# input_path = "/opt/ml/processing/input/data"
# output_path = "/opt/ml/processing/output"
"""


@dataclass
class NewModel:
    """The created folder, what was guessed and what the user must check."""

    path: Path
    guesses: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)


def new_model(name: str, source: str | None = None) -> NewModel:
    """Create `legacy_models/NAME/` (blank, or from the legacy project in `source`)."""
    validate_name(name)
    target = models_dir() / name
    if target.exists() or target.is_symlink():
        raise LegacyLiftError(
            f"{target} already exists: new-model never overwrites a model; choose another NAME "
            "or remove the folder first"
        )
    origin = None
    if source is not None:
        origin = Path(source).expanduser()
        if not origin.is_dir():
            raise LegacyLiftError(f"--from {source}: not a directory; give the legacy project's")
        if origin.resolve() == target.resolve() or target.resolve().is_relative_to(
            origin.resolve()
        ):
            raise LegacyLiftError(f"--from {source}: the new model would be inside it")
    models_dir().mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=models_dir()))
    try:
        folder = staging / name
        result = NewModel(target)
        if origin is None:
            _blank(folder, result)
        else:
            _from_legacy(origin, folder, result)
        folder.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    try:
        load_model(name)
    except LegacyLiftError as exc:
        result.checks.append(f"the folder does not pass the model checks yet: {exc}")
    return result


def _blank(folder: Path, result: NewModel) -> None:
    folder.mkdir()
    for step in STEPS:
        text = SKELETON.format(
            step=step, input_path=DEFAULT_INPUT_PATH, output_path=DEFAULT_OUTPUT_PATH
        )
        (folder / SCRIPTS[step]).write_text(text)
    (folder / "requirements.txt").write_text("")
    (folder / "model.toml").write_text(BLANK_TOML)
    result.checks.append(
        "replace the three scripts with your model's steps and list its libraries, pinned, "
        "in requirements.txt"
    )


def _copy(origin: Path, folder: Path) -> None:
    def ignore(directory: str, names: list[str]) -> set[str]:
        return {n for n in names if n in SKIPPED or (Path(directory) / n).is_symlink()}

    shutil.copytree(origin, folder, ignore=ignore)


def _scripts(folder: Path) -> list[str]:
    return sorted(
        (p.relative_to(folder).as_posix() for p in folder.rglob("*.py") if p.is_file()),
        key=lambda rel: (rel.count("/"), len(rel), rel),
    )


def _literals(text: str) -> list[str]:
    return [m.group(1).rstrip("/") for m in PROCESSING_LITERAL.finditer(text)]


def _directory(literal: str) -> str:
    """The directory a literal names: itself, or its parent when it names a file."""
    last = literal.rsplit("/", 1)[-1]
    return posixpath.dirname(literal) if "." in last else literal


def _common(paths: list[str]) -> str | None:
    if not paths:
        return None
    common = posixpath.commonpath(paths)
    return common if common.startswith(PROCESSING_ROOT) else None


def _imports(text: str) -> set[str]:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def _dockerfile_command(folder: Path) -> tuple[str, str] | None:
    dockerfile = folder / "Dockerfile"
    if not dockerfile.is_file():
        return None
    found = INSTRUCTION.findall(dockerfile.read_text(encoding="utf-8", errors="replace"))
    return (found[-1][0].upper(), found[-1][1].strip()) if found else None


def _from_legacy(origin: Path, folder: Path, result: NewModel) -> None:
    _copy(origin, folder)
    if (folder / "model.toml").exists():
        result.guesses.append("the project has its own model.toml: kept as it is")
        return
    scripts = _scripts(folder)
    chosen = _chosen_steps(origin, folder, scripts, result)
    if chosen is None:
        return
    if not chosen:
        raise LegacyLiftError(
            f"--from {origin}: no script looks like a step (names containing preprocess, "
            "predict/inference/score or postprocess); create the model with `invoke new-model "
            "NAME` and copy the code in by hand"
        )
    command = _dockerfile_command(folder)
    local = {rel.split("/")[0].removesuffix(".py") for rel in scripts}
    tables = {
        step: _step_table(folder, step, script, command, local, result)
        for step, script in chosen.items()
    }
    _check_build_files(origin, folder, tables, result)
    steps = [step for step in STEPS if step in chosen]
    (folder / "model.toml").write_text(_toml(steps, tables))
    result.checks.append(
        "compare the guesses with what the scripts do, then run "
        f"`invoke run-local {folder.name} --input <sample input>`"
    )


def _chosen_steps(
    origin: Path, folder: Path, scripts: list[str], result: NewModel
) -> dict[str, str] | None:
    """Step -> script: from the files the scripts pass on, the names deciding what the files
    leave open; None when the files leave a script unplaced (said in `result`)."""
    flow = data_flow(folder, scripts)
    if flow is not None and flow.unplaced and _names_agree(_by_name(scripts), flow):
        # The files place some scripts (e.g. inference feeds postprocessing) and say nothing
        # of another (it writes into a bare output directory): the names decide the rest.
        result.guesses += flow.links
        chosen = _by_name(scripts)
        result.guesses.append(
            "steps ordered by their names, which agree with the files they pass on: "
            + ", ".join(f"{step} {script}" for step, script in chosen.items())
        )
    elif flow is not None:
        result.guesses += flow.links
        if flow.unplaced:
            _unplaced(origin, folder, flow, result)
            return None
        chosen = flow.steps
        result.guesses.append(
            "steps ordered by the files they pass on: "
            + ", ".join(f"{step} {script}" for step, script in chosen.items())
        )
    else:
        chosen = _by_name(scripts)
    return chosen


def _step_table(
    folder: Path,
    step: str,
    script: str,
    command: tuple[str, str] | None,
    local: set[str],
    result: NewModel,
) -> dict[str, object]:
    """The step's model.toml table: its script, the input/output paths its string literals
    name, and which image runs it (the Dockerfile's command, or the model's own image when it
    imports libraries the framework image lacks)."""
    table: dict[str, object] = {}
    text = (folder / script).read_text(encoding="utf-8", errors="replace")
    if script != SCRIPTS[step]:
        table["script"] = script
    result.guesses.append(f"{step}: {script}")
    literals = _literals(text)
    # Paths under .../input are read; any other path under /opt/ml/processing/ is written.
    inputs = _common([_directory(p) for p in literals if "/input" in p])
    outputs = _common([_directory(p) for p in literals if "/input" not in p])
    for key, found, default in (
        ("input_path", inputs, DEFAULT_INPUT_PATH),
        ("output_path", outputs, DEFAULT_OUTPUT_PATH),
    ):
        if found and found != default and found != PROCESSING_ROOT.rstrip("/"):
            table[key] = found
            result.guesses.append(f"{step}: {key} {found} (string literals in {script})")
        elif not found:
            result.checks.append(
                f"{step}: no {key.split('_')[0]} path found in {script}; the default "
                f"{default} applies"
            )
    if step == "inference" and command:
        table["entrypoint"] = "image"
        result.guesses.append(
            f"inference: runs the Dockerfile's own {command[0]} {command[1]} "
            '(entrypoint = "image")'
        )
    elif step != "inference":
        foreign = sorted(
            _imports(text) - FRAMEWORK_LIBRARIES - set(sys.stdlib_module_names) - local
        )
        if foreign:
            table["image"] = "model"
            result.guesses.append(
                f"{step}: imports {', '.join(foreign)}, not in the scikit-learn framework "
                'image: runs in the model\'s own image (image = "model")'
            )
    return table


def _check_build_files(
    origin: Path, folder: Path, tables: dict[str, dict[str, object]], result: NewModel
) -> None:
    """requirements.txt (an empty one created when missing) and the project's own Dockerfile:
    what the user checks before the first build."""
    if not (folder / "requirements.txt").exists():
        (folder / "requirements.txt").write_text("")
        result.checks.append(
            "there was no requirements.txt: an empty one was created; list the libraries "
            "the scripts import"
        )
    if (folder / "Dockerfile").exists():
        result.checks.append(
            "the project's Dockerfile builds the model image: it installs requirements.txt "
            "itself (pin versions there for reproducible builds)"
        )
        workdirs = WORKDIR.findall((folder / "Dockerfile").read_text(errors="replace"))
        in_image = [
            step
            for step, table in tables.items()
            if table.get("image") == "model" and table.get("entrypoint") != "image"
        ]
        if in_image and (not workdirs or workdirs[-1].strip().rstrip("/") != "/opt/ml/code"):
            result.checks.append(
                f"{', '.join(in_image)} run their scripts in the model's own image as "
                "/opt/ml/code/<script>: the Dockerfile must copy them there (its WORKDIR is "
                f"{workdirs[-1].strip() if workdirs else 'not set'})"
            )
    elif (origin / "requirements.txt").exists():
        result.checks.append(
            "requirements.txt: the first build records the versions pip resolves in "
            "requirements.lock.txt; commit it"
        )


def _by_name(scripts: list[str]) -> dict[str, str]:
    """step -> script, for scripts named like the original pattern's steps."""
    chosen: dict[str, str] = {}
    for step in STEPS:
        match = next((rel for rel in scripts if STEP_PATTERNS[step].search(Path(rel).name)), None)
        if match and match not in chosen.values():
            chosen[step] = match
    return chosen


def _names_agree(by_name: dict[str, str], flow: Flow) -> bool:
    """Whether the scripts' names place every script the files mention, in an order that keeps
    the chain the files found (each writer before its reader)."""
    named = list(by_name.values())
    if not flow.order or not set(flow.order) | set(flow.unplaced) <= set(named):
        return False
    positions = [named.index(script) for script in flow.order]
    return positions == sorted(positions)


def _unplaced(origin: Path, folder: Path, flow: Flow, result: NewModel) -> None:
    """A model.toml that fails to load, saying which scripts could not be placed, instead of a
    model that runs some of them in a guessed order."""
    files = ", ".join(flow.unplaced)
    reason = (
        f"--from {origin}: could not place {files} in one chain of steps by the files they "
        "read and write (a script feeding two others, fed by two, linked to none, or more than "
        "three in a row)"
    )
    result.checks.append(f"{reason}: list the steps and their scripts in model.toml by hand")
    lines = [
        "# Written by `invoke new-model --from`, which " + reason.split(": ", 1)[1] + ".",
        *[f"# found: {link}" for link in flow.links],
        "# Declare the steps in run order and each step's script (docs/contracts.md section 1),",
        '# e.g. steps = ["preprocessing", "inference"] and [preprocessing] script = "prep.py".',
        "steps = []",
    ]
    (folder / "model.toml").write_text("\n".join(lines) + "\n")
    if not (folder / "requirements.txt").exists():
        (folder / "requirements.txt").write_text("")


def _toml(steps: list[str], tables: dict[str, dict[str, object]]) -> str:
    lines = [
        "# Written by `invoke new-model --from`: check every guess (docs/contracts.md section 1).",
        f"steps = {json.dumps(steps)}",
    ]
    for step in steps:
        if tables[step]:
            lines += ["", f"[{step}]"]
            lines += [f"{key} = {json.dumps(value)}" for key, value in tables[step].items()]
    return "\n".join(lines) + "\n"
