"""A model folder's `.dockerignore`, with Docker's rules: one pattern a line, `#` comments,
Go `filepath.Match` syntax (`*` and `?` within one path segment, `[...]` classes) plus `**`
for any number of segments, `!` re-including what an earlier pattern excluded (the last
matching line wins), and a pattern that matches a directory excluding everything under it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FILE_NAME = ".dockerignore"


@dataclass(frozen=True)
class _Rule:
    regex: re.Pattern[str]
    exclude: bool


def _translate(pattern: str) -> re.Pattern[str]:
    """Regex of one cleaned pattern (no leading `/`, no `./`, no trailing `/`)."""
    out, index = [], 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**", index):
            index += 2
            if pattern.startswith("/", index):  # `**/` : zero or more whole segments
                index += 1
                out.append("(?:.*/)?")
            else:
                out.append(".*")
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", index + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = pattern[index + 1 : end]
                body = "^" + body[1:] if body.startswith("^") else body
                out.append(f"[{body}]")
                index = end
        elif char == "\\" and index + 1 < len(pattern):
            index += 1
            out.append(re.escape(pattern[index]))
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out))


def _clean(pattern: str) -> str:
    pattern = pattern.strip()
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern.strip("/")


class DockerIgnore:
    """The rules of one `.dockerignore` (none when the file is absent)."""

    def __init__(self, lines: list[str]) -> None:
        self.rules: list[_Rule] = []
        for line in lines:
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            exclude = not text.startswith("!")
            pattern = _clean(text if exclude else text[1:])
            if pattern:
                self.rules.append(_Rule(_translate(pattern), exclude))

    @classmethod
    def of(cls, folder: Path) -> DockerIgnore:
        """The `.dockerignore` of `folder`."""
        path = folder / FILE_NAME
        return cls(path.read_text(encoding="utf-8").splitlines() if path.is_file() else [])

    def excludes(self, relative: str) -> bool:
        """Whether the file or directory at `relative` (POSIX, relative to the folder) is left
        out of the build context."""
        parts = relative.split("/")
        candidates = ["/".join(parts[: end + 1]) for end in range(len(parts))]
        excluded = False
        for rule in self.rules:
            if any(rule.regex.fullmatch(candidate) for candidate in candidates):
                excluded = rule.exclude
        return excluded
