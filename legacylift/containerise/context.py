"""What an image is made of: the rendered Dockerfile and the files of its minimal build context,
and the content hash naming it.

Each image gets its own staged context holding only what it needs, so docker-py's Python
re-implementation of .dockerignore never comes into play and unrelated files never invalidate
the build cache; a model's own `.dockerignore` is applied here, with Docker's rules. The hash
covers every byte that determines the image (the rendered Dockerfile, each file's path,
executable bit and content, the base image id, the template version) and nothing that does not
(timestamps, the host CA bundle, the git revision).

What is pushed to a registry must hold no credentials: version-control and credential
directories (`.git/`, `.aws/`, `.ssh/`, ...) are never copied, and a context holding a file that
looks like a credential (by its name, such as `.env` or `id_rsa`, or by its content, such as a
private key or an AWS access key) is refused, naming the file: the model's `.dockerignore` is
how a file is kept out on purpose.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from legacylift import settings
from legacylift.containerise.dockerignore import DockerIgnore
from legacylift.errors import LegacyLiftError
from legacylift.models import EXCLUDED_DIRS, EXCLUDED_FILES
from legacylift.paths import BUILD_ASSETS_DIR

CA_BUNDLE_NAME = "legacylift-build-ca.crt"
HOST_CA_BUNDLES = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt")
# Not copied into a model image: besides the folder's non-code parts (models.EXCLUDED_DIRS and
# EXCLUDED_FILES), version control and credential directories anywhere in the folder.
SECRET_DIRS = frozenset({".git", ".svn", ".hg", ".aws", ".ssh", ".gnupg", ".docker", ".kube"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo", ".swp")
HASH_LENGTH = 20

# Files that hold credentials by their name; templates such as `.env.example` do not.
SECRET_NAMES = re.compile(
    r"^(\.env(\.(?!example$|sample$|template$|dist$)[^/]+)?|id_(rsa|dsa|ecdsa|ed25519)"
    r"|\.netrc|\.pypirc|\.npmrc|\.git-credentials|credentials(\.json)?"
    r"|.+\.(pem|key|p12|pfx|jks|keystore|ppk))$"
)
# ... or by their content (text files up to SCANNED_BYTES): private keys, AWS keys.
SECRET_CONTENT = re.compile(
    rb"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"
    rb"|(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])"
    rb"|(?i:aws_secret_access_key)\s*[=:]\s*[A-Za-z0-9/+]{20,}"
)
SCANNED_BYTES = 1 << 20


def host_ca_bundle() -> Path | None:
    """The host's CA bundle (LEGACYLIFT_CA_BUNDLE, REQUESTS_CA_BUNDLE or a Debian/RHEL path)."""
    for candidate in (
        settings.get("LEGACYLIFT_CA_BUNDLE"),
        os.environ.get("PIP_CERT"),
        *HOST_CA_BUNDLES,
    ):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def model_files(folder: Path) -> list[tuple[str, Path]]:
    """(path relative to `folder`, absolute path) of every file that belongs in the image: all
    but the excluded directories and files and what the folder's `.dockerignore` leaves out.
    Raises LegacyLiftError naming every remaining file that looks like a credential."""
    ignore = DockerIgnore.of(folder)
    files = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in EXCLUDED_DIRS | SECRET_DIRS)
        for filename in sorted(filenames):
            if filename in EXCLUDED_FILES or filename.endswith(EXCLUDED_SUFFIXES):
                continue
            path = Path(dirpath) / filename
            relative = path.relative_to(folder).as_posix()
            if path.is_file() and not ignore.excludes(relative):
                files.append((relative, path))
    refuse_credentials(folder, files)
    return files


def credential_reason(path: Path) -> str | None:
    """Why the file at `path` looks like a credential, or None."""
    if SECRET_NAMES.match(path.name):
        return "its name is that of a credential file"
    with path.open("rb") as handle:
        head = handle.read(SCANNED_BYTES + 1)
    if len(head) > SCANNED_BYTES or b"\0" in head[:8192]:
        return None  # binary or large: artifacts, not configuration
    if SECRET_CONTENT.search(head):
        return "it holds a private key or an AWS access key"
    return None


def refuse_credentials(folder: Path, files: list[tuple[str, Path]]) -> None:
    """Raise, naming each file and the fix, when any of `files` looks like a credential."""
    found = [(relative, credential_reason(path)) for relative, path in files]
    found = [(relative, reason) for relative, reason in found if reason]
    if not found:
        return
    listing = "; ".join(f"{relative} ({reason})" for relative, reason in found)
    raise LegacyLiftError(
        f"{folder.name}: refusing to build: the image would carry what looks like credentials: "
        f"{listing}. Delete these files from {folder}, or list them in "
        f"{folder / '.dockerignore'} (one pattern a line, e.g. `{found[0][0]}`) to keep them "
        "out of the image."
    )


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
