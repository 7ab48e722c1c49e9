"""Make the base image available: pull the configured one, or build an equivalent.

Where the configured image (default python:3.11-slim) cannot be pulled (no Docker Hub here, nor
in air-gapped companies) setup builds a Debian bookworm + Python 3.11 root filesystem with
`debootstrap`, trims it, and `docker import`s it. The trimmed rootfs tarball is cached in the
machine cache, so a daemon that lost its images re-imports in seconds.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import docker
from docker.errors import APIError, ImageNotFound

from legacylift.console import detail, info, success, timed
from legacylift.errors import LegacyLiftError
from legacylift.settings import configured_base_image, machine_cache_dir, update_state
from legacylift.setup.system import ensure_commands, is_root, run

FALLBACK_REPOSITORY = "legacylift/base"
SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
# pip and venv make the base usable like python:3.11-slim (which ships pip).
PACKAGES = ["python3", "python3-pip", "python3-venv", "ca-certificates"]
TRIM = [
    "usr/share/doc",
    "usr/share/man",
    "usr/share/info",
    "usr/share/locale",
    "var/cache/apt/archives",
    "var/cache/apt/pkgcache.bin",
    "var/cache/apt/srcpkgcache.bin",
    "var/lib/apt/lists",
    "var/log",
    "var/cache/debconf/templates.dat-old",
]
# Match python:3.11-slim's environment so images behave the same on either base.
IMAGE_CHANGES = [
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "ENV LANG=C.UTF-8",
    'CMD ["python3"]',
]
RECIPE_VERSION = "1"


def recipe_digest() -> str:
    """A short hash of everything that determines the fallback image."""
    recipe = "\n".join([RECIPE_VERSION, SUITE, *PACKAGES, *TRIM, *IMAGE_CHANGES])
    return hashlib.sha256(recipe.encode()).hexdigest()[:12]


def fallback_tag() -> str:
    """The tag of the locally built equivalent base image."""
    return f"{FALLBACK_REPOSITORY}:python3.11-{SUITE}-{recipe_digest()}"


def _has_image(client: docker.DockerClient, reference: str) -> bool:
    try:
        client.images.get(reference)
    except ImageNotFound:
        return False
    return True


def _try_pull(client: docker.DockerClient, reference: str) -> bool:
    info(f"pulling base image {reference}")
    try:
        client.images.pull(reference)
    except APIError as exc:
        detail(f"pull failed: {exc.explanation or exc}")
        return False
    return True


def _debootstrap_rootfs(target: Path) -> None:
    if not is_root():
        raise LegacyLiftError(
            "the base image cannot be pulled and building the fallback needs root (debootstrap): "
            "rerun ./bootstrap as root, or set LEGACYLIFT_BASE_IMAGE to an image you can pull"
        )
    ensure_commands({"debootstrap": "debootstrap"})
    with timed(f"debootstrap {SUITE} with {', '.join(PACKAGES)}"):
        run(
            [
                "debootstrap",
                "--variant=minbase",
                f"--include={','.join(PACKAGES)}",
                SUITE,
                str(target),
                MIRROR,
            ]
        )
    for relative in TRIM:
        path = target / relative
        if path.is_dir():
            shutil.rmtree(path)
            path.mkdir()
        elif path.exists():
            path.unlink()
    for pycache in target.glob("usr/lib/python3*/**/__pycache__"):
        shutil.rmtree(pycache, ignore_errors=True)
    # Debian marks its Python externally managed; the image is a container, like python:slim,
    # where pip installing into the system interpreter is the norm.
    for marker in target.glob("usr/lib/python3*/EXTERNALLY-MANAGED"):
        marker.unlink()
    for name, to in (("python", "python3"), ("pip", "pip3")):
        link = target / "usr/local/bin" / name
        if not link.exists():
            link.symlink_to(f"/usr/bin/{to}")


def _build_rootfs_tarball(tarball: Path) -> None:
    tarball.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=tarball.parent, prefix="rootfs-") as work:
        root = Path(work) / "root"
        _debootstrap_rootfs(root)
        partial = Path(work) / "rootfs.tar"
        run(["tar", "--numeric-owner", "-C", str(root), "-cf", str(partial), "."])
        partial.replace(tarball)


def ensure_base_image(client: docker.DockerClient) -> str:
    """Return the base image reference builds should use, making sure the daemon has it."""
    configured = configured_base_image()
    tag = fallback_tag()
    if not _has_image(client, configured) and _has_image(client, tag):
        # Resolved before: don't retry a pull that may hang on a closed network each run.
        success(f"base image {tag} stands in for {configured} (docker rmi it to retry the pull)")
        update_state(base_images={configured: tag})
        return tag
    if _has_image(client, configured) or _try_pull(client, configured):
        success(f"base image {configured} present")
        update_state(base_images={configured: configured})
        return configured
    if not _has_image(client, tag):
        tarball = machine_cache_dir() / "base" / f"rootfs-{SUITE}-{recipe_digest()}.tar"
        if not tarball.exists():
            info(f"{configured} cannot be pulled: building an equivalent Debian {SUITE} base")
            _build_rootfs_tarball(tarball)
        with timed(f"importing {tarball.name} as {tag}"):
            repository, image_tag = tag.split(":")
            client.api.import_image_from_file(
                str(tarball), repository=repository, tag=image_tag, changes=IMAGE_CHANGES
            )
    size_mb = client.images.get(tag).attrs["Size"] / 1e6
    success(f"base image {tag} ({size_mb:.0f} MB) stands in for {configured}")
    update_state(base_images={configured: tag})
    return tag
