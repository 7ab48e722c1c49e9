"""What an image is made of: the rendered Dockerfile and the files of its minimal build context,
and the content hash naming it.

Each image gets its own staged context holding only what it needs, so docker-py's Python
re-implementation of .dockerignore never comes into play and unrelated files never invalidate
the build cache. The hash covers every byte that determines the image (the rendered
Dockerfile, each file's path, executable bit and content, the base image id, the template
version) and nothing that does not (timestamps, the host CA bundle, the git revision).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from legacylift.paths import BUILD_ASSETS_DIR

CA_BUNDLE_NAME = "legacylift-build-ca.crt"
HOST_CA_BUNDLES = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt")
# Not copied into a model image: the before/after demo, samples, settings, build recipe.
EXCLUDED_DIRS = frozenset({"legacy", "sample", "__pycache__", ".git", ".ipynb_checkpoints"})
EXCLUDED_FILES = frozenset({"model.toml", "Dockerfile", ".dockerignore", ".DS_Store"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo", ".swp")
HASH_LENGTH = 20


def host_ca_bundle() -> Path | None:
    """The host's CA bundle (LEGACYLIFT_CA_BUNDLE, REQUESTS_CA_BUNDLE or a Debian/RHEL path)."""
    for candidate in (
        os.environ.get("LEGACYLIFT_CA_BUNDLE"),
        os.environ.get("PIP_CERT"),
        *HOST_CA_BUNDLES,
    ):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def model_files(folder: Path) -> Iterator[tuple[str, Path]]:
    """(path relative to `folder`, absolute path) of every file that belongs in the image."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in EXCLUDED_DIRS)
        for filename in sorted(filenames):
            if filename in EXCLUDED_FILES or filename.endswith(EXCLUDED_SUFFIXES):
                continue
            path = Path(dirpath) / filename
            if path.is_file():
                yield path.relative_to(folder).as_posix(), path


def _file_digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


@dataclass
class ImageContext:
    """A build context to stage: the Dockerfile text plus files placed at relative paths."""

    repository: str
    dockerfile: str
    base_image_id: str
    template_version: str
    files: list[tuple[str, Path]] = field(default_factory=list)
    # Folders (relative) staged writable by anyone, sticky like /tmp, with every folder below:
    # COPY keeps the mode, so the image's working directory needs no extra layer for it.
    writable_dirs: tuple[str, ...] = ()

    @property
    def content_hash(self) -> str:
        """Hash of everything that determines the image; its tag."""
        digest = hashlib.sha256()
        for part in (self.template_version, self.base_image_id, self.dockerfile):
            digest.update(part.encode() + b"\0")
        for relative, path in sorted(self.files):
            executable = "x" if os.access(path, os.X_OK) else "-"
            digest.update(f"{relative}\0{executable}\0{_file_digest(path)}\0".encode())
        return digest.hexdigest()[:HASH_LENGTH]

    @property
    def tag(self) -> str:
        """The local image reference `repository:content-hash`."""
        return f"{self.repository}:{self.content_hash}"

    def stage(self, destination: Path) -> Path:
        """Write the context into `destination` with normalised permissions (readable by the
        image's non-root user whatever the checkout's umask) and the host CA bundle."""
        destination.mkdir(parents=True, exist_ok=True)
        (destination / "Dockerfile").write_text(self.dockerfile, encoding="utf-8")
        for relative, source in self.files:
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            target.chmod(0o755 if os.access(source, os.X_OK) else 0o644)
        writable = [destination / relative for relative in self.writable_dirs]
        for directory in writable:
            directory.mkdir(parents=True, exist_ok=True)
        for directory in (p for p in destination.rglob("*") if p.is_dir()):
            shared = any(directory == w or w in directory.parents for w in writable)
            directory.chmod(0o1777 if shared else 0o755)
        bundle = host_ca_bundle()
        ca_target = destination / CA_BUNDLE_NAME
        if bundle:
            shutil.copyfile(bundle, ca_target)
        else:
            ca_target.write_text("")  # pip falls back to its own bundle when PIP_CERT is empty
        ca_target.chmod(0o644)
        return destination


def source_revision(folder: Path) -> str:
    """The git commit of `folder` (with `-dirty` when it has uncommitted changes), or 'unknown'."""
    try:
        head = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(folder), "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}-dirty" if dirty else head


def template_path(name: str) -> Path:
    """A template shipped in `build/`."""
    return BUILD_ASSETS_DIR / name
