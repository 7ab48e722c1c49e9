"""Copy an image by digest from one registry to another through the registry API (v2): the
manifest's bytes and every blob it names, unchanged, so the digest is the same after the copy.
No Docker daemon, no pull, no rebuild. An index (multi-platform image) is copied with each of
its manifests."""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass
from urllib.parse import urlencode, urljoin

import requests

from legacylift.containerise.registry import MANIFEST_TYPES, RegistryTarget
from legacylift.errors import LegacyLiftError

HTTP_TIMEOUT_SECONDS = 60
CHUNK = 1024 * 1024
INDEX_TYPES = {
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
}


@dataclass(frozen=True)
class Repository:
    """One repository of a registry: `target.address/name`."""

    target: RegistryTarget
    name: str

    def url(self, path: str) -> str:
        """The registry API URL of `path` under this repository."""
        return self.target._url(f"{self.name}/{path}")

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        """An authenticated request; an unreachable registry is one clear error."""
        target = self.target
        auth = (target.username, target.password or "") if target.username is not None else None
        try:
            return requests.request(method, url, auth=auth, timeout=HTTP_TIMEOUT_SECONDS, **kwargs)
        except requests.RequestException as exc:
            raise LegacyLiftError(
                f"registry {target.address} does not answer ({exc.__class__.__name__}) while "
                f"copying {self.name}: check the address and that it runs"
            ) from exc

    def describe(self) -> str:
        """`address/name` for messages."""
        return f"{self.target.address}/{self.name}"


def _check(response: requests.Response, what: str, where: Repository, ok=(200,)) -> None:
    if response.status_code in ok:
        return
    hint = ""
    if response.status_code in (401, 403):
        hint = ": the registry refused the credentials (docker login, or the local registry's)"
    raise LegacyLiftError(
        f"registry {where.target.address}: {what} in {where.name} answered HTTP "
        f"{response.status_code}{hint}"
    )


def _manifest(source: Repository, digest: str) -> tuple[bytes, str]:
    response = source.request(
        "GET", source.url(f"manifests/{digest}"), headers={"Accept": MANIFEST_TYPES}
    )
    if response.status_code == 404:
        raise LegacyLiftError(
            f"{source.describe()}@{digest} is not in the registry: was it pushed there, or "
            "pruned since?"
        )
    _check(response, f"reading manifest {digest}", source)
    body = response.content
    actual = "sha256:" + hashlib.sha256(body).hexdigest()
    if actual != digest:
        raise LegacyLiftError(
            f"{source.describe()} answered a manifest whose digest is {actual}, not {digest}: "
            "refusing to copy it"
        )
    media_type = json.loads(body).get("mediaType") or response.headers.get("Content-Type", "")
    return body, media_type.split(";")[0].strip()


def _has_blob(destination: Repository, digest: str) -> bool:
    response = destination.request("HEAD", destination.url(f"blobs/{digest}"))
    if response.status_code == 404:
        return False
    _check(response, f"looking up blob {digest}", destination)
    return True


def _upload_location(destination: Repository, response: requests.Response) -> str:
    return urljoin(destination.url("blobs/uploads/"), response.headers["Location"])


def _copy_blob(source: Repository, destination: Repository, digest: str) -> bool:
    """Copy one blob unless the destination has it; True when bytes moved."""
    if _has_blob(destination, digest):
        return False
    if source.target.address == destination.target.address:
        query = urlencode({"mount": digest, "from": source.name})
        mounted = destination.request("POST", destination.url(f"blobs/uploads/?{query}"))
        if mounted.status_code == 201:
            return False
    with tempfile.TemporaryFile() as spool:
        hasher = hashlib.sha256()
        response = source.request("GET", source.url(f"blobs/{digest}"), stream=True)
        _check(response, f"reading blob {digest}", source)
        for chunk in response.iter_content(CHUNK):
            hasher.update(chunk)
            spool.write(chunk)
        if "sha256:" + hasher.hexdigest() != digest:
            raise LegacyLiftError(f"{source.describe()}: blob {digest} has other content")
        size = spool.tell()
        spool.seek(0)
        start = destination.request("POST", destination.url("blobs/uploads/"))
        _check(start, "starting a blob upload", destination, ok=(202,))
        location = _upload_location(destination, start)
        separator = "&" if "?" in location else "?"
        put = destination.request(
            "PUT",
            f"{location}{separator}{urlencode({'digest': digest})}",
            data=spool,
            headers={"Content-Type": "application/octet-stream", "Content-Length": str(size)},
        )
        _check(put, f"uploading blob {digest}", destination, ok=(201,))
    return True


def copy_image(source: Repository, destination: Repository, digest: str) -> int:
    """Copy `source@digest` to `destination@digest` (blobs first, then the manifest, byte for
    byte); verify the destination reports the same digest. Returns how many blobs moved."""
    body, media_type = _manifest(source, digest)
    document = json.loads(body)
    moved = 0
    if media_type in INDEX_TYPES:
        for child in document.get("manifests", []):
            moved += copy_image(source, destination, child["digest"])
    else:
        blobs = [document["config"]["digest"], *(layer["digest"] for layer in document["layers"])]
        moved += sum(_copy_blob(source, destination, blob) for blob in blobs)
    put = destination.request(
        "PUT",
        destination.url(f"manifests/{digest}"),
        data=body,
        headers={"Content-Type": media_type},
    )
    _check(put, f"writing manifest {digest}", destination, ok=(201,))
    check = destination.request(
        "HEAD", destination.url(f"manifests/{digest}"), headers={"Accept": MANIFEST_TYPES}
    )
    _check(check, f"reading back manifest {digest}", destination)
    stored = check.headers.get("Docker-Content-Digest")
    if stored != digest:
        raise LegacyLiftError(
            f"{destination.describe()} stored the manifest as {stored}, not {digest}: the copy "
            "is not the tested image"
        )
    return moved
