"""What a script-mode step finds at /opt/ml/processing/input/code: the model folder's files, the
same on AWS and on one machine, so a script reading a file next to itself (`Path(__file__).parent
/ "features.json"`) behaves the same in both.

`code_files` is the one place the list is decided: the build writes it into the workspace tfvars
(`code_files`, which the root module uploads) and run-local stages exactly it. The list is the
image's (`model_files`: no `legacy/` or `sample/` folder, no version-control or credential
directory, nothing the folder's `.dockerignore` leaves out; a file that looks like a credential
is refused, naming it), within a size limit. `code_digest` names the content-hashed folder; the
root module computes the same hash from the same list (main.tf `code_folders`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from legacylift.containerise.context import model_files
from legacylift.errors import LegacyLiftError

# Every job of a script-mode step downloads the folder before it starts, and the root module
# uploads one object per file: a folder past these is data or artifacts, not code.
MAX_CODE_BYTES = 50 * 1024 * 1024
MAX_CODE_FILES = 500


def code_files(folder: Path) -> list[tuple[str, Path]]:
    """(path relative to `folder`, absolute path) of each file staged with a script-mode step's
    script, sorted; raises LegacyLiftError naming the limit and the fix when the folder is too
    large."""
    files = sorted(model_files(folder))
    total = sum(path.stat().st_size for _, path in files)
    if total > MAX_CODE_BYTES or len(files) > MAX_CODE_FILES:
        largest = sorted(files, key=lambda item: item[1].stat().st_size, reverse=True)[:3]
        raise LegacyLiftError(
            f"{folder.name}: the code folder a script-mode step stages holds {len(files)} files, "
            f"{total / 1048576:.1f} MiB (the limit is {MAX_CODE_FILES} files, "
            f"{MAX_CODE_BYTES // 1048576} MiB; largest: {', '.join(r for r, _ in largest)}): "
            f"list data and large artifacts in {folder / '.dockerignore'}, or run the step in "
            'the model\'s own image (image = "model" in model.toml)'
        )
    return files


def code_digest(files: list[tuple[str, Path]]) -> str:
    """The folder's content hash: sha256 of one `<relative path>\\t<sha256 of the file>` line
    per file, in path order (what main.tf computes with sha256() and filesha256())."""
    lines = []
    for relative, path in sorted(files):
        with path.open("rb") as handle:
            lines.append(f"{relative}\t{hashlib.file_digest(handle, 'sha256').hexdigest()}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def code_settings(model) -> dict[str, list[str]]:
    """The tfvars entry's `code_files` (relative paths) when a step of `model` runs in script
    mode; empty otherwise (nothing is uploaded)."""
    if not any(model.image_for(step) == "framework" for step in model.script_steps):
        return {}
    return {"code_files": [relative for relative, _ in code_files(model.path)]}
