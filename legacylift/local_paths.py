"""Which ProcessingInput/ProcessingOutput LocalPaths SageMaker accepts side by side: one rule
for the model.toml check and the local engine's request validation."""

from __future__ import annotations


def local_path_clash(kind: str, path: str, others: list[tuple[str, str]]) -> str | None:
    """Why SageMaker refuses LocalPath `path` (of an "input" or "output") beside the LocalPaths
    already given (`others`, (kind, path) pairs), or None when it accepts it.

    The rule (docs/contracts.md "Nested LocalPaths"): no two LocalPaths are identical; an input
    may lie inside another input (the SDK's own script-mode layout: data at
    /opt/ml/processing/input, code at /opt/ml/processing/input/code); an output may neither lie
    inside nor hold another input or output (its files would be uploaded twice, or an input's
    files with it)."""
    normalised = path.rstrip("/") + "/"
    for other_kind, other in others:
        other_normalised = other.rstrip("/") + "/"
        if normalised == other_normalised:
            return (
                f"LocalPath '{path}' is the same as another {other_kind}'s; give each input "
                "and output its own directory"
            )
        nested = normalised.startswith(other_normalised) or other_normalised.startswith(normalised)
        if nested and "output" in (kind, other_kind):
            return (
                f"LocalPath '{path}' overlaps the {other_kind} path '{other.rstrip('/')}'; an "
                "output must be a directory of its own, neither inside nor around another "
                "input or output (inputs may nest inside inputs)"
            )
    return None
