"""Rendering Dockerfiles from the template in `build/` (or taking a model's own)."""

from __future__ import annotations

import json
import re

from legacylift.build.context import template_path
from legacylift.models import SCRIPTS

# Bump when the rendering code changes in a way the template text does not show.
TEMPLATE_VERSION = "legacylift-template-1"
TEMPLATE = "Dockerfile.tmpl"
CODE_DIR = "/opt/ml/code"
PLACEHOLDER = re.compile(r"{{(\w+)}}")


def _render(values: dict[str, str]) -> str:
    text = template_path(TEMPLATE).read_text(encoding="utf-8")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def _system_packages(packages: tuple[str, ...] | list[str]) -> str:
    if not packages:
        return "# No Debian packages requested (model.toml system_packages)."
    return (
        "RUN apt-get update \\\n"
        f" && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "
        f"{' '.join(sorted(packages))} \\\n"
        " && rm -rf /var/lib/apt/lists/*"
    )


def render_model_dockerfile(base_image: str, system_packages: tuple[str, ...]) -> str:
    """The model image: runtime, its own Python environment, the model folder at /opt/ml/code."""
    entrypoint = json.dumps(["python3", f"{CODE_DIR}/{SCRIPTS['inference']}"])
    return _render(
        {
            "template_version": TEMPLATE_VERSION,
            "base_image": base_image,
            "system_packages": _system_packages(system_packages),
            "code": f"COPY code/ {CODE_DIR}/",
            "workdir": CODE_DIR,
            "entrypoint": f"ENTRYPOINT {entrypoint}",
        }
    )


def render_framework_dockerfile(base_image: str) -> str:
    """The script-mode framework image: the pinned scikit-learn stack, scripts mounted at run."""
    return _render(
        {
            "template_version": TEMPLATE_VERSION,
            "base_image": base_image,
            "system_packages": _system_packages(()),
            "code": "# Script mode: the step script is staged in /opt/ml/processing/input/code.",
            "workdir": CODE_DIR,
            "entrypoint": 'CMD ["python3"]',
        }
    )
