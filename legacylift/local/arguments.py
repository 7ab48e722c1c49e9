"""`invoke run-local`'s arguments, checked before anything is written anywhere.

Every refusal names the argument and the fix. What is refused:
- a `--workspace` that cannot name a local bucket and a Terraform name prefix;
- an `--input` that contains the object store or the project's state (it would copy itself);
- an `--output` that overlaps the input, the models directory (it would change a model's
  content hash) or the engine's state, contains the project, the home or the current
  directory (which `--overwrite` would replace), names an existing file, is not writable, or is
  a non-empty directory (unless `--overwrite`); an `s3://` output under the input prefix, or
  holding objects already (unless `--overwrite`);
- a `--time-scale` that is not a positive number;
- an object store that cannot be written.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from legacylift.errors import LegacyLiftError
from legacylift.local.datasources import DataSources
from legacylift.local.settings import LocalSettings
from legacylift.paths import REPO_ROOT, project_state_dir

# legacylift-<workspace> is both the local bucket and the workflow module's name_prefix (at most
# 40 characters, lowercase, not ending in a hyphen).
WORKSPACE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,27}[a-z0-9])?$")


@dataclass(frozen=True)
class LocalOutput:
    """Where the output goes: `path` (a local directory) or `uri` (s3://), never both."""

    path: Path | None = None
    uri: str | None = None


def check_workspace(workspace: str) -> str:
    """`workspace` if it can name the local bucket `legacylift-WORKSPACE`, else an error."""
    if not isinstance(workspace, str) or not WORKSPACE.match(workspace):
        raise LegacyLiftError(
            f"--workspace {workspace!r}: use 1 to 29 lowercase letters, digits and hyphens, "
            "starting and ending with a letter or digit (it names the local bucket "
            "legacylift-WORKSPACE), e.g. --workspace dev"
        )
    return workspace


def parse_time_scale(value: str | float) -> float:
    """`--time-scale` as a positive finite number, else an error."""
    try:
        scale = float(value)
    except (TypeError, ValueError):
        scale = math.nan
    if not math.isfinite(scale) or scale <= 0:
        raise LegacyLiftError(
            f"--time-scale {value!r}: give a positive number, e.g. --time-scale 0.01 (Wait states "
            "and Retry intervals are multiplied by it)"
        )
    return scale


def local_path(reference: str) -> Path:
    """A local path argument (plain or file://) made absolute."""
    return Path(reference.removeprefix("file://")).expanduser().resolve()


def _nearest_existing(path: Path) -> Path:
    """`path`, or its nearest parent that exists (where creating it would start)."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _writable_directory(path: Path) -> bool:
    return path.is_dir() and os.access(path, os.W_OK | os.X_OK)


def _engine_state(settings: LocalSettings) -> list[tuple[str, Path]]:
    """The directories the engine keeps its state in, resolved, each with its name: the store
    and the job records (never inside an output), then the whole state directory."""
    return [
        ("the local object store", Path(settings.object_store).resolve()),
        ("the local job records", Path(settings.jobs_dir).resolve()),
        ("the project's state directory", project_state_dir().resolve()),
    ]


def _overlaps(a: Path, b: Path) -> bool:
    return a == b or a.is_relative_to(b) or b.is_relative_to(a)


def check_store_writable(settings: LocalSettings) -> None:
    """The object store directory (or the nearest existing parent) writable by this user."""
    if settings.s3_endpoint_url:
        return
    for directory in (settings.object_store, settings.jobs_dir):
        existing = _nearest_existing(Path(directory))
        if not _writable_directory(existing):
            raise LegacyLiftError(
                f"the local engine cannot write to {directory} ({existing} is read-only or not "
                "a directory): make it writable, or set LEGACYLIFT_LOCAL_DIR / LEGACYLIFT_S3_DIR "
                "to a writable directory"
            )


def check_input(reference: str, settings: LocalSettings, sources: DataSources) -> Path | None:
    """The local input path (None for an s3:// input), after the checks above."""
    if reference.startswith("s3://"):
        if not sources.list(reference):
            raise LegacyLiftError(f"--input {reference}: no objects under that prefix")
        return None
    path = local_path(reference)
    if not path.exists():
        raise LegacyLiftError(f"--input {reference}: no such file or directory")
    for what, directory in _engine_state(settings):
        if directory == path or directory.is_relative_to(path):
            raise LegacyLiftError(
                f"--input {reference}: it contains {what} ({directory}), which staging would "
                "copy into itself; give the folder that holds just the input data"
            )
    return path


def check_output(
    reference: str | None,
    input_path: Path | None,
    input_uri: str | None,
    overwrite: bool,
    sources: DataSources,
) -> LocalOutput:
    """The output's local path or s3:// URI, after the checks above (None: the default
    location in the store, always fresh)."""
    if reference is None:
        return LocalOutput()
    if reference.startswith("s3://"):
        return _s3_output(reference, input_uri, overwrite, sources)
    path = local_path(reference)
    _refuse_overlaps(reference, path, input_path, sources)
    if path.exists() and not path.is_dir():
        raise LegacyLiftError(f"--output {reference}: it names a file; give a directory")
    if path.is_dir() and any(path.iterdir()) and not overwrite:
        raise LegacyLiftError(
            f"--output {reference}: the directory is not empty (files of an earlier run would "
            "mix with this one's); give a new directory, or --overwrite to replace its contents"
        )
    existing = _nearest_existing(path)
    if not _writable_directory(existing):
        raise LegacyLiftError(
            f"--output {reference}: {existing} is not a writable directory; give a directory "
            "you can write to"
        )
    return LocalOutput(path=path)


def _s3_output(
    reference: str, input_uri: str | None, overwrite: bool, sources: DataSources
) -> LocalOutput:
    """An s3:// output: inside its bucket, apart from the input, empty unless `overwrite`."""
    uri = reference if reference.endswith("/") else reference + "/"
    store = sources.s3
    if hasattr(store, "path_of"):
        store.path_of(uri)  # refuses keys that leave their bucket
    if input_uri and (uri.startswith(input_uri) or input_uri.startswith(uri)):
        raise LegacyLiftError(
            f"--output {reference}: it overlaps --input {input_uri}, whose objects it would "
            "overwrite or be read back as input; give a separate prefix"
        )
    if sources.list(uri) and not overwrite:
        raise LegacyLiftError(
            f"--output {reference}: objects exist under that prefix already; give a new "
            "prefix, or --overwrite to replace them"
        )
    return LocalOutput(uri=uri)


def _refuse_overlaps(
    reference: str, path: Path, input_path: Path | None, sources: DataSources
) -> None:
    """A local output directory replaces its contents: it may hold none of the project, home,
    current or state directories, and overlap neither the input, the models nor the engine's
    own state."""
    from legacylift.models import models_dir

    around = [
        ("the project", REPO_ROOT),
        ("your home directory", Path.home()),
        ("the current directory", Path.cwd()),
        ("the project's state directory", project_state_dir()),
    ]
    for what, directory in around:
        if directory.resolve().is_relative_to(path):
            raise LegacyLiftError(
                f"--output {reference}: it contains {what} ({directory}), which the output "
                "would replace; give a directory of its own"
            )
    if input_path is not None and _overlaps(path, input_path):
        raise LegacyLiftError(
            f"--output {reference}: it overlaps --input {input_path}, whose files the output "
            "would overwrite; give a separate directory"
        )
    models = models_dir().resolve()
    if _overlaps(path, models):
        raise LegacyLiftError(
            f"--output {reference}: it overlaps the models directory {models}, so the next "
            "build would bake the outputs into a model's image; give a directory elsewhere"
        )
    for what, directory in _engine_state(sources.settings)[:2]:
        if _overlaps(path, directory):
            raise LegacyLiftError(
                f"--output {reference}: it overlaps {what} ({directory}); give a directory "
                "outside it"
            )
