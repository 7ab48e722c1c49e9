"""Which legacy script feeds which, read from the scripts themselves: one writes
`/opt/ml/processing/output/features.csv`, the next reads `/opt/ml/processing/input/features.csv`
(string literals, `argparse` defaults among them). `new-model --from` orders a project's steps
by it when the file names say nothing.

A script takes part when it names a file under /opt/ml/processing/: a path under `.../input`
is read, any other is written. Script A feeds script B when B reads a file name A writes. The
scripts taking part must form one chain of two or three; any other shape (a script linked to
none, a branch, a cycle, a longer chain) leaves the scripts it cannot place unplaced, and the
caller says so instead of guessing.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

PROCESSING_FILE = re.compile(r"""["'](/opt/ml/processing/[^"'\s]*)["']""")
# The steps a chain of two or three scripts becomes, in run order.
CHAIN_STEPS = {
    2: ("preprocessing", "inference"),
    3: ("preprocessing", "inference", "postprocessing"),
}


@dataclass
class Flow:
    """Scripts in run order (empty when undecided), the ones that fit no single chain, and
    each link found, as a sentence."""

    order: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)

    @property
    def steps(self) -> dict[str, str]:
        """step -> script, when the order is decided."""
        return dict(zip(CHAIN_STEPS.get(len(self.order), ()), self.order, strict=False))


def files_read_and_written(text: str) -> tuple[set[str], set[str]]:
    """The file names a script's /opt/ml/processing/ literals read (under .../input) and
    write (anywhere else); a literal without an extension names a directory and counts not."""
    read, written = set(), set()
    for match in PROCESSING_FILE.finditer(text):
        literal = match.group(1).rstrip("/")
        name = posixpath.basename(literal)
        if "." not in name:
            continue
        inside = literal.removeprefix("/opt/ml/processing/")
        (read if inside.split("/")[0].startswith("input") else written).add(name)
    return read, written


def data_flow(folder: Path, scripts: list[str]) -> Flow | None:
    """The order of `scripts` (paths relative to `folder`) by the files they pass on; None
    when no script reads a file another writes (the flow says nothing)."""
    found = {}
    for script in scripts:
        text = (folder / script).read_text(encoding="utf-8", errors="replace")
        read, written = files_read_and_written(text)
        if read or written:
            found[script] = (read, written)
    feeds: dict[str, set[str]] = {script: set() for script in found}
    links = []
    for writer, (_, written) in found.items():
        for reader, (read, _) in found.items():
            shared = sorted(written & read)
            if reader != writer and shared:
                feeds[writer].add(reader)
                links.append(f"{writer} writes {', '.join(shared)}, which {reader} reads")
    if not links:
        return None
    order = _chain(feeds)
    if order is None:
        return Flow(unplaced=sorted(found), links=links)
    return Flow(order=order, unplaced=sorted(set(found) - set(order)), links=links)


def _chain(feeds: dict[str, set[str]]) -> list[str] | None:
    """The one chain the linked scripts form (each feeding at most one, fed by at most one,
    two or three long), or None."""
    linked = {s for s, targets in feeds.items() if targets} | set().union(*feeds.values())
    fed = [target for targets in feeds.values() for target in targets]
    if any(len(feeds[s]) > 1 for s in linked) or len(fed) != len(set(fed)):
        return None
    starts = [s for s in sorted(linked) if s not in fed]
    if len(starts) != 1:
        return None
    order = [starts[0]]
    while feeds[order[-1]]:
        following = next(iter(feeds[order[-1]]))
        if following in order:
            return None
        order.append(following)
    return order if len(order) == len(linked) and len(order) in CHAIN_STEPS else None
