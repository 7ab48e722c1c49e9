"""`invoke prune`: remove old content-hash images of each model, keeping what is still needed.

Kept for each model: the newest content-hash image, and every one a workspace's tfvars pins
(by the pin's `source_hash`, or by the pinned digest among the image's repository digests).
Only tags of the model's own repository (`legacylift/NAME:<content hash>`, and the same
repository pushed to a registry, `HOST/legacylift/NAME:<content hash>`) are removed; an image
also tagged otherwise stays, and nothing is ever forced out from under a container.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import docker
from docker.errors import APIError, ImageNotFound

from legacylift import tfvars
from legacylift.console import detail, info, success
from legacylift.containerise.context import HASH_LENGTH
from legacylift.containerise.registry import repository_name
from legacylift.docker_client import docker_client
from legacylift.models import discover_models

CONTENT_HASH_TAG = re.compile(rf"^[0-9a-f]{{{HASH_LENGTH}}}$")


@dataclass
class PruneResult:
    """What prune removed (tags) and kept (content hash -> why), per model."""

    removed: dict[str, list[str]] = field(default_factory=dict)
    kept: dict[str, dict[str, str]] = field(default_factory=dict)


def _pins() -> dict[str, tuple[set[str], set[str]]]:
    """Per model: (pinned source hashes, pinned digests) over every workspace's tfvars."""
    pins: dict[str, tuple[set[str], set[str]]] = {}
    suffix = ".models.tfvars.json"
    for path in sorted(tfvars.tfvars_dir().glob(f"*{suffix}")):
        for name, entry in tfvars.read_models(path.name.removesuffix(suffix)).items():
            hashes, digests = pins.setdefault(name, (set(), set()))
            if (entry or {}).get("source_hash"):
                hashes.add(entry["source_hash"])
            uri = (entry or {}).get("image_uri") or ""
            if "@sha256:" in uri:
                digests.add(uri.rsplit("@", 1)[1])
    return pins


def _model_tags(images, repository: str) -> dict[str, list[tuple[object, str]]]:
    """content hash -> [(image, tag)] of the model's repository, local or registry-prefixed."""
    found: dict[str, list[tuple[object, str]]] = {}
    for image in images:
        for tag in image.tags:
            repo, _, name = tag.rpartition(":")
            if (repo == repository or repo.endswith(f"/{repository}")) and CONTENT_HASH_TAG.match(
                name
            ):
                found.setdefault(name, []).append((image, tag))
    return found


def prune_images(
    names: list[str] | None = None,
    dry_run: bool = False,
    client: docker.DockerClient | None = None,
) -> PruneResult:
    """Remove each model's (or `names`') content-hash images but the newest and the pinned."""
    client = client or docker_client()
    names = names or [model.name for model in discover_models()]
    pins = _pins()
    images = client.images.list()
    result = PruneResult()
    for name in names:
        by_hash = _model_tags(images, repository_name(name))
        if by_hash:
            _prune_model(client, name, by_hash, pins.get(name, (set(), set())), result, dry_run)
    total = sum(len(tags) for tags in result.removed.values())
    success(f"{'would remove' if dry_run else 'removed'} {total} old image tags")
    return result


def _prune_model(
    client: docker.DockerClient,
    name: str,
    by_hash: dict[str, list],
    pinned: tuple[set[str], set[str]],
    result: PruneResult,
    dry_run: bool,
) -> None:
    """Keep the model's newest content hash and those a workspace pins (by hash or by
    digest); remove the other tags, saying which."""
    newest = max(by_hash, key=lambda tag: by_hash[tag][0][0].attrs["Created"])
    hashes, digests = pinned
    kept, removed = result.kept.setdefault(name, {}), result.removed.setdefault(name, [])
    for content_hash, entries in sorted(by_hash.items()):
        repo_digests = {
            digest.rsplit("@", 1)[-1]
            for image, _ in entries
            for digest in image.attrs.get("RepoDigests") or []
        }
        if content_hash == newest:
            kept[content_hash] = "newest"
        elif content_hash in hashes or repo_digests & digests:
            kept[content_hash] = "pinned in a workspace"
        else:
            removed += _remove([tag for _, tag in entries], client, dry_run)
    for content_hash, why in sorted(kept.items()):
        detail(f"{name}: keeping {content_hash} ({why})")
    verb = "would remove" if dry_run else "removed"
    for tag in removed:
        info(f"{name}: {verb} {tag}")


def _remove(tags: list[str], client: docker.DockerClient, dry_run: bool) -> list[str]:
    """The tags removed (all of them on a dry run); one Docker refuses is kept, said why."""
    removed = []
    for tag in tags:
        if not dry_run:
            try:
                client.images.remove(tag)
            except (ImageNotFound, APIError) as exc:
                detail(f"{tag}: kept ({getattr(exc, 'explanation', exc)})")
                continue
        removed.append(tag)
    return removed
