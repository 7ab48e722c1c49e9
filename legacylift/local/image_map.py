"""Image URIs of an existing definition or execution input mapped to images on this machine.

`--image URI=REF` maps one URI to a local image reference, or to a model folder
(`legacy_models/NAME`, built on demand). Any AWS `sagemaker-scikit-learn` processing image
(any region, account, tag) maps to the local scikit-learn twin without being asked, with a
warning when the tag's scikit-learn or Python differs from the twin's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from legacylift import console
from legacylift.errors import LegacyLiftError

# The local twin's pins (build/framework/requirements.txt): AWS's sagemaker-scikit-learn:1.4-2.
TWIN_SKLEARN = "1.4"
TWIN_PYTHON = "3.11"
TWIN_TAG = "1.4-2"
SKLEARN_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?"
    r"/sagemaker-scikit-learn(?::(?P<tag>[A-Za-z0-9._-]+)|@sha256:[0-9a-f]{64})$"
)
SKLEARN_TAG = re.compile(r"^(?P<sklearn>\d+\.\d+)-\d+(?:-cpu)?(?:-py(?P<python>\d+))?$")


def twin_difference(uri: str) -> str | None:
    """Why the local twin may behave differently from the AWS image `uri` (None if it should
    not, as far as the tag tells)."""
    match = SKLEARN_IMAGE.match(uri)
    if not match:
        return None
    tag = match.group("tag")
    if tag is None:
        return (
            f"{uri} is pinned by digest, so its scikit-learn version is unknown here; the local "
            f"twin has scikit-learn {TWIN_SKLEARN} on Python {TWIN_PYTHON} (AWS tag {TWIN_TAG})"
        )
    parsed = SKLEARN_TAG.match(tag)
    if parsed is None:
        return (
            f"{uri}: tag {tag!r} does not name a scikit-learn version; the local twin has "
            f"scikit-learn {TWIN_SKLEARN} on Python {TWIN_PYTHON} (AWS tag {TWIN_TAG})"
        )
    sklearn, python = parsed.group("sklearn"), parsed.group("python")
    python_named = f"{python[0]}.{python[1:]}" if python and len(python) > 1 else python
    differs = sklearn != TWIN_SKLEARN or (python_named not in (None, "3", TWIN_PYTHON))
    if not differs:
        return None
    theirs = f"scikit-learn {sklearn}" + (f" on Python {python_named}" if python_named else "")
    return (
        f"{uri} has {theirs} but runs locally on the twin with scikit-learn {TWIN_SKLEARN} on "
        f"Python {TWIN_PYTHON} (AWS tag {TWIN_TAG}): a script relying on the older version's "
        "behaviour may differ; map the URI to an image of your own with --image URI=REF"
    )


def parse_mappings(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """`URI=REF` pairs as a dict; a pair without `=` or with an empty side is an error."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        uri, separator, ref = pair.partition("=")
        if not separator or not uri.strip() or not ref.strip():
            raise LegacyLiftError(
                f"--image {pair!r}: give URI=REF, e.g. --image "
                "123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-model:latest=legacy_models/NAME"
            )
        mapping[uri.strip()] = ref.strip()
    return mapping


@dataclass
class ImageMap:
    """Resolves image URIs to local image references, building model folders on demand."""

    mapping: dict[str, str]
    build_model: Callable[[str], str] | None = None  # model name -> local image reference
    build_framework: Callable[[], str] | None = None
    resolved: dict[str, str] = field(default_factory=dict)
    warned: set[str] = field(default_factory=set)

    def check(self, uri: str) -> None:
        """Raise unless `uri` has a mapping (explicit or the scikit-learn twin)."""
        if uri not in self.mapping and not SKLEARN_IMAGE.match(uri):
            raise LegacyLiftError(
                f"image {uri} has no local mapping: add --image '{uri}=REF' with REF a local "
                "image (e.g. my-model:latest) or a model folder (legacy_models/NAME)"
            )

    def resolve(self, uri: str) -> str:
        """The local image reference standing for `uri`."""
        if uri in self.resolved:
            return self.resolved[uri]
        self.check(uri)
        ref = self.mapping.get(uri)
        if ref is None:
            difference = twin_difference(uri)
            if difference and uri not in self.warned:
                self.warned.add(uri)
                console.info(f"warning: {difference}")
            local = (self.build_framework or _framework_image)()
        elif _is_model_folder(ref):
            local = (self.build_model or _model_image)(_model_name(ref))
        else:
            local = ref
        self.resolved[uri] = local
        return local


def _is_model_folder(ref: str) -> bool:
    return ref.startswith("legacy_models/") or Path(ref).expanduser().is_dir()


def _model_name(ref: str) -> str:
    """The model a folder reference names: `legacy_models/NAME` (the models directory, wherever
    LEGACYLIFT_MODELS_DIR puts it), or a path to a folder in the models directory."""
    from legacylift.models import models_dir

    folder = Path(ref.rstrip("/")).expanduser()
    candidate = models_dir() / folder.name
    if ref.rstrip("/") == f"legacy_models/{folder.name}" and candidate.is_dir():
        return folder.name
    if not folder.is_dir():
        raise LegacyLiftError(f"--image ...={ref}: no such model folder")
    if folder.resolve() != candidate.resolve():
        raise LegacyLiftError(
            f"--image ...={ref}: a model folder must sit in {models_dir()} (copy it there with "
            "`invoke new-model NAME --from DIR`)"
        )
    return folder.name


def _model_image(name: str) -> str:
    from legacylift.containerise import ensure_model_image

    return ensure_model_image(name)


def _framework_image() -> str:
    from legacylift.containerise import ensure_framework_image

    return ensure_framework_image()
