"""Reading a configuration file (model.toml, a workspace's tfvars, a definition): whatever the
file holds (random bytes, nesting past what the parser follows, a syntax error), the reader
gets its document or one clear LegacyLiftError naming the file and the fix, never a
traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from legacylift.errors import LegacyLiftError

T = TypeVar("T")


def parse_file(path: Path, parse: Callable[[str], T], kind: str, fix: str) -> T:
    """`parse` applied to the text of `path`, a `kind` file ("TOML", "JSON"); problems raise
    "<path>: <what is wrong>; <fix>". A missing file raises FileNotFoundError for the caller."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise LegacyLiftError(
            f"{path}: not {kind} text (byte 0x{exc.object[exc.start]:02x} at offset "
            f"{exc.start} is not UTF-8); {fix}"
        ) from None
    except IsADirectoryError:
        raise LegacyLiftError(f"{path}: a directory, not a {kind} file; {fix}") from None
    try:
        return parse(text)
    except RecursionError:
        raise LegacyLiftError(
            f"{path}: nested too deeply to read as {kind} (tables or arrays inside one another "
            f"thousands of levels down); {fix}"
        ) from None
    except ValueError as exc:  # tomllib.TOMLDecodeError and json.JSONDecodeError are ValueErrors
        raise LegacyLiftError(f"{path}: not valid {kind} ({exc}); {fix}") from None
