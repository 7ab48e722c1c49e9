"""Containerising legacy models: Dockerfile rendering, content-hash tags, streaming builds,
pushes with verified digests, tfvars pinning. The local engine calls `ensure_model_image` and
`ensure_framework_image` (contracts §5)."""

from legacylift.containerise.images import (
    BuildResult,
    ImageBuilder,
    build_all,
    build_model,
    ensure_framework_image,
    ensure_model_image,
)

__all__ = [
    "BuildResult",
    "ImageBuilder",
    "build_all",
    "build_model",
    "ensure_framework_image",
    "ensure_model_image",
]
