"""Where images go: a Docker registry (the local one in development) or Amazon ECR.

A target knows its address and credentials, checks access before anything is built (so a bad
password or a missing ECR repository fails in a second, not after a build), finds an image's
digest by tag, and verifies a pushed digest against the registry's own record.
"""

from __future__ import annotations

import base64
import ipaddress
import re
from dataclasses import dataclass
from typing import Any

import requests

from legacylift import settings
from legacylift.errors import LegacyLiftError, describe_aws_error
from legacylift.settings import registry_address, registry_credentials

REPOSITORY_PREFIX = "legacylift/"
# The same rule as the root module's `ecr_repository_prefix` variable.
_PREFIX_PATTERN = re.compile(r"^([a-z0-9]+([._-][a-z0-9]+)*/)+$")
MANIFEST_TYPES = ", ".join(
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
    ]
)
HTTP_TIMEOUT_SECONDS = 10


def repository_prefix() -> str:
    """The repository prefix (contracts §4): `legacylift/`, or `$LEGACYLIFT_ECR_REPOSITORY_PREFIX`
    for workspaces sharing one account, which set the same `ecr_repository_prefix` in Terraform."""
    prefix = settings.get("LEGACYLIFT_ECR_REPOSITORY_PREFIX") or REPOSITORY_PREFIX
    if not _PREFIX_PATTERN.match(prefix):
        raise LegacyLiftError(
            f"LEGACYLIFT_ECR_REPOSITORY_PREFIX={prefix!r} is not a repository prefix: use "
            "lowercase path segments each ending in '/', e.g. 'legacylift-dev/' (the workspace's "
            "ecr_repository_prefix), or unset it for 'legacylift/'"
        )
    return prefix


def repository_name(model: str) -> str:
    """The repository of a model (contracts §4): `<prefix>NAME`, by default `legacylift/NAME`."""
    return f"{repository_prefix()}{model}"


def _is_loopback(address: str) -> bool:
    host = address.rsplit(":", 1)[0] if address.count(":") == 1 else address
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class RegistryTarget:
    """A Docker registry (API v2) at `address` (host[:port]); loopback ones speak plain HTTP,
    as the Docker daemon allows for them."""

    address: str
    username: str | None = None
    password: str | None = None

    @property
    def auth_config(self) -> dict[str, str] | None:
        """Credentials for the daemon's push; None lets it use ~/.docker/config.json."""
        if self.username is None:
            return None
        return {"username": self.username, "password": self.password or ""}

    def image_repository(self, model: str) -> str:
        """`<address>/<prefix>NAME` (default prefix `legacylift/`), the name pushed and pinned."""
        return f"{self.address}/{repository_name(model)}"

    def _url(self, path: str) -> str:
        scheme = "http" if _is_loopback(self.address) else "https"
        return f"{scheme}://{self.address}/v2/{path}"

    def _get(self, path: str, method: str = "GET") -> requests.Response:
        auth = (self.username, self.password or "") if self.username is not None else None
        try:
            return requests.request(
                method,
                self._url(path),
                auth=auth,
                headers={"Accept": MANIFEST_TYPES},
                timeout=HTTP_TIMEOUT_SECONDS,
            )
        except requests.RequestException as exc:
            raise LegacyLiftError(
                f"registry {self.address} does not answer ({exc.__class__.__name__}): start it "
                "(./bootstrap test starts the local one) or pass another --registry"
            ) from exc

    def check_access(self, model: str) -> None:
        """Fail now, naming the fix, when the registry rejects our credentials."""
        response = self._get("")
        if response.status_code == 401 and self.username is not None:
            raise LegacyLiftError(
                f"registry {self.address} rejected the credentials of user {self.username!r} "
                "(HTTP 401): fix the password (local registry: ~/.cache/legacylift/registry/"
                "credentials.json; another registry: docker login)"
            )
        if response.status_code >= 500:
            raise LegacyLiftError(f"registry {self.address} answered HTTP {response.status_code}")

    def remote_digest(self, model: str, tag: str) -> str | None:
        """The digest the registry holds for `legacylift/NAME:tag`, None when absent."""
        response = self._get(f"{repository_name(model)}/manifests/{tag}", method="HEAD")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise LegacyLiftError(
                f"registry {self.address}: looking up {repository_name(model)}:{tag} answered "
                f"HTTP {response.status_code}"
            )
        return response.headers.get("Docker-Content-Digest")

    def describe(self) -> str:
        """A short description for progress lines."""
        return f"registry {self.address}"


@dataclass
class EcrTarget(RegistryTarget):
    """Amazon ECR: credentials from `get_authorization_token`, the repository must exist
    (Terraform creates it), digests checked with `describe_images`. `endpoint_override` pushes
    to another registry API (tests: the local registry) while ECR's API comes from boto3."""

    ecr: Any = None
    verify_with_ecr: bool = True

    def check_access(self, model: str) -> None:
        """The repository must exist: it is Terraform's, not ours to create."""
        from botocore.exceptions import ClientError

        try:
            self.ecr.describe_repositories(repositoryNames=[repository_name(model)])
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "RepositoryNotFoundException":
                raise LegacyLiftError(
                    f"ECR repository {repository_name(model)} does not exist in "
                    f"{self.ecr.meta.region_name}: it is created by Terraform; run `terraform "
                    "apply` for this workspace first (it adds the model's repository)"
                ) from exc
            raise LegacyLiftError(describe_aws_error("checking the ECR repository", exc)) from exc
        if not self.verify_with_ecr:
            super().check_access(model)

    def remote_digest(self, model: str, tag: str) -> str | None:
        """The digest ECR records for the tag (or the overriding registry's)."""
        if not self.verify_with_ecr:
            return super().remote_digest(model, tag)
        from botocore.exceptions import ClientError

        try:
            found = self.ecr.describe_images(
                repositoryName=repository_name(model), imageIds=[{"imageTag": tag}]
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ImageNotFoundException":
                return None
            raise LegacyLiftError(describe_aws_error("reading the ECR image record", exc)) from exc
        details = found.get("imageDetails", [])
        return details[0]["imageDigest"] if details else None

    def describe(self) -> str:
        """A short description for progress lines."""
        return f"Amazon ECR {self.address}"


def local_target() -> RegistryTarget:
    """The development registry setup started, with its htpasswd credentials; it must be the
    one LEGACYLIFT_REGISTRY names (a setting never silently ignored)."""
    credentials = registry_credentials()
    wanted = registry_address()
    if credentials["address"] != wanted:
        raise LegacyLiftError(
            f"--registry local: LEGACYLIFT_REGISTRY is {wanted}, but setup started the "
            f"development registry at {credentials['address']}: run setup again to start it at "
            f"{wanted} (./bootstrap with LEGACYLIFT_SETUP_ARGS=--registry), or set "
            f"LEGACYLIFT_REGISTRY={credentials['address']}"
        )
    return RegistryTarget(credentials["address"], credentials["username"], credentials["password"])


def ecr_target(
    endpoint_override: str | None = None,
    credentials_override: dict[str, str] | None = None,
) -> EcrTarget:
    """Amazon ECR of the current AWS account and region, authenticated with boto3's
    `get_authorization_token` (the token decodes to `AWS:<password>`)."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        ecr = boto3.client("ecr")
        token = ecr.get_authorization_token()["authorizationData"][0]
    except (BotoCoreError, ClientError) as exc:
        raise LegacyLiftError(
            describe_aws_error("getting an ECR login", exc)
            + " (or build for the local registry with --registry local)"
        ) from exc
    username, _, password = base64.b64decode(token["authorizationToken"]).decode().partition(":")
    address = token["proxyEndpoint"].removeprefix("https://").removeprefix("http://")
    if endpoint_override:
        creds = credentials_override or {}
        return EcrTarget(
            endpoint_override, creds.get("username"), creds.get("password"), ecr, False
        )
    return EcrTarget(address, username, password, ecr)


def resolve_target(registry: str | None) -> RegistryTarget:
    """`ecr` (default), `local` (the development registry), or any `host[:port]` (credentials
    from `docker login`; the development registry's own when it is that address)."""
    choice = (registry or "ecr").strip()
    if choice == "ecr":
        return ecr_target()
    if choice == "local" or choice == registry_address():
        return local_target()
    if "/" in choice or not choice:
        raise LegacyLiftError(
            f"--registry {choice!r}: give 'ecr', 'local' or a registry host[:port]"
        )
    return RegistryTarget(choice)
