"""Model and framework images: content-hash tags, build only when missing, push and pin.

`build_model` is what `invoke build-model` runs: check the target first (credentials, ECR
repository), build unless an image with the same content hash exists locally or in the target,
push, verify the digest against the registry's own record, and only then pin it into the
workspace's tfvars. Any failure before the last step leaves the tfvars untouched.
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import docker
from docker.errors import APIError, ImageNotFound
from filelock import FileLock, Timeout

from legacylift import tfvars
from legacylift.console import detail, info, success
from legacylift.containerise.code_folder import code_settings
from legacylift.containerise.context import (
    ImageContext,
    model_files,
    source_revision,
    template_path,
)
from legacylift.containerise.dockerfile import (
    TEMPLATE_VERSION,
    adapt_own_dockerfile,
    flatten_dockerfile,
    render_framework_dockerfile,
    render_model_dockerfile,
)
from legacylift.containerise.lock import (
    LOCK_NAME,
    NO_LOCK,
    RESOLVED_IN_IMAGE,
    context_lock_file,
    lock_state,
    write_lock,
)
from legacylift.containerise.registry import RegistryTarget, repository_name, resolve_target
from legacylift.containerise.stream import BuildLog, stream_build, stream_push
from legacylift.docker_client import docker_client
from legacylift.errors import LegacyLiftError
from legacylift.models import Model, discover_models, load_model
from legacylift.settings import base_image, configured_base_image, machine_cache_dir

FRAMEWORK_REPOSITORY = "legacylift/sklearn-processing"
FRAMEWORK_REQUIREMENTS = "framework/requirements.txt"
LABEL_PREFIX = "org.legacylift"
STAGE_TAG_PREFIX = "build-stage-"


@contextlib.contextmanager
def build_lock(reference: str, label: str) -> Iterator[None]:
    """Hold the machine-wide lock of one image tag: two builds of the same content would each
    make an image and the second tag would leave the first one a dangling `<none>`."""
    directory = machine_cache_dir() / "build-locks"
    directory.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(reference.encode()).hexdigest()[:32]
    lock = FileLock(str(directory / f"{name}.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        info(f"{label}: waiting for another build of {reference} to finish")
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def remove_if_unused(client: docker.DockerClient, image_id: str) -> bool:
    """Remove an image that no tag and no other image uses any more; True when removed."""
    try:
        if client.images.get(image_id).tags:
            return False
        client.images.remove(image_id)
    except (ImageNotFound, APIError):
        return False  # gone already, or a container or child image still uses it
    return True


@dataclass
class ImageOutcome:
    """A local image reference and how it came to be."""

    reference: str
    content_hash: str
    built: bool
    log: BuildLog | None = None


@dataclass
class BuildResult:
    """What `build_model` did for one model."""

    name: str
    image: ImageOutcome
    image_uri: str | None = None  # repository@sha256:digest when pushed
    tfvars_path: Path | None = None


class ImageBuilder:
    """Builds images on one Docker daemon; remembers the base image id between models."""

    def __init__(self, client: docker.DockerClient | None = None) -> None:
        self.client = client or docker_client()
        self.base_image = base_image()
        self._base_image_id: str | None = None

    def base_image_id(self) -> str:
        """The id of the configured base image (part of every content hash)."""
        if self._base_image_id is None:
            try:
                self._base_image_id = self.client.images.get(self.base_image).id
            except ImageNotFound:
                raise LegacyLiftError(
                    f"base image {self.base_image} is not on this Docker daemon: run ./bootstrap "
                    "(it pulls it, or builds an equivalent where it cannot be pulled)"
                ) from None
        return self._base_image_id

    def model_context(self, model: Model, refresh: bool = False) -> ImageContext:
        """The build context of a model image (its own Dockerfile, or the template's with the
        requirements lock when it applies; `refresh` leaves the lock out)."""
        if model.own_dockerfile:
            dockerfile = adapt_own_dockerfile(
                model.own_dockerfile.read_text(encoding="utf-8"),
                configured_base_image(),
                self.base_image,
            )
            files = list(model_files(model.path))
        else:
            dockerfile = render_model_dockerfile(
                self.base_image, model.system_packages, model.script_for("inference")
            )
            lock = context_lock_file(lock_state(model.path, refresh))
            files = [
                ("requirements.txt", model.path / "requirements.txt"),
                ("requirements.lock.txt", lock),
            ]
            files += [
                (f"code/{rel}", path)
                for rel, path in model_files(model.path)
                if rel != LOCK_NAME  # a lock in the code would change the hash it records
            ]
        return ImageContext(
            repository_name(model.name),
            dockerfile,
            self.base_image_id(),
            TEMPLATE_VERSION,
            files,
            writable_dirs=() if model.own_dockerfile else ("code",),
        )

    def framework_context(self) -> ImageContext:
        """The build context of the script-mode framework image."""
        return ImageContext(
            FRAMEWORK_REPOSITORY,
            render_framework_dockerfile(self.base_image),
            self.base_image_id(),
            TEMPLATE_VERSION,
            [
                ("requirements.txt", template_path(FRAMEWORK_REQUIREMENTS)),
                ("requirements.lock.txt", template_path(NO_LOCK)),  # fully pinned already
            ],
        )

    def exists_locally(self, reference: str) -> bool:
        """Whether the daemon has an image under `reference`."""
        try:
            self.client.images.get(reference)
        except ImageNotFound:
            return False
        return True

    def ensure(
        self,
        context: ImageContext,
        label: str,
        revision_of: Path,
        resolve: str | None = None,
        flatten: bool = False,
    ) -> ImageOutcome:
        """The image for `context`: reused when its content-hash tag exists, built otherwise.
        `resolve` (any fresh value) builds anyway, installing requirements again uncached;
        `flatten` (a model's own Dockerfile) builds it through `_build_flattened`."""
        content_hash = context.content_hash
        reference = f"{context.repository}:{content_hash}"
        if resolve is None and self.exists_locally(reference):
            detail(f"{label}: {reference} is up to date (no build)")
            return ImageOutcome(reference, content_hash, built=False)
        with build_lock(reference, label):  # one build of a tag at a time, across processes
            if resolve is None and self.exists_locally(reference):  # built while we waited
                detail(f"{label}: {reference} was built meanwhile (no build)")
                return ImageOutcome(reference, content_hash, built=False)
            previous = self._image_id(reference)
            outcome = self._build(context, label, revision_of, reference, resolve, flatten)
            if previous and previous != self._image_id(reference):
                remove_if_unused(self.client, previous)  # never left as a dangling <none>
            return outcome

    def _image_id(self, reference: str) -> str | None:
        try:
            return self.client.images.get(reference).id
        except ImageNotFound:
            return None

    def _build(
        self,
        context: ImageContext,
        label: str,
        revision_of: Path,
        reference: str,
        resolve: str | None,
        flatten: bool,
    ) -> ImageOutcome:
        content_hash = context.content_hash
        info(f"{label}: building {reference}")
        revision = source_revision(revision_of)
        labels = _labels(label, content_hash, revision)
        echo = lambda line: detail(f"{label}: {line}")  # noqa: E731
        with tempfile.TemporaryDirectory(prefix="legacylift-build-") as staging:
            staged = context.stage(Path(staging) / "context")
            if flatten:
                log = self._build_flattened(staged, reference, labels, echo, bool(resolve))
            else:
                buildargs = {"LEGACYLIFT_RESOLVE": resolve} if resolve else None
                log = stream_build(self.client, staged, reference, labels, echo, buildargs)
                self.keep_stage_cache(context.repository, log)
        success(f"{label}: built {reference}")
        return ImageOutcome(reference, content_hash, built=True, log=log)

    def keep_stage_cache(self, repository: str, log: BuildLog) -> None:
        """Tag each earlier stage that is not part of the final image (the Python-environment
        stage) `REPOSITORY:build-stage-N`, so it never lingers as a dangling `<none>` image yet
        stays the cache that spares the next build its pip install; remove the stage image that
        tag pointed at before when nothing else uses it any more."""
        final_layers = {entry["Id"] for entry in self.client.api.history(log.image_id)}
        stages = [self.client.images.get(short).id for short in log.stage_results]
        loose = [image_id for image_id in stages if image_id not in final_layers]
        for index, image_id in enumerate(loose, start=1):
            tag = f"{STAGE_TAG_PREFIX}{index}"
            try:
                previous = self.client.images.get(f"{repository}:{tag}").id
            except ImageNotFound:
                previous = None
            self.client.api.tag(image_id, repository, tag, force=True)
            if previous and previous != image_id:
                remove_if_unused(self.client, previous)

    def _build_flattened(
        self, staged: Path, reference: str, labels: dict, echo, nocache: bool = False
    ) -> BuildLog:
        """A model's own Dockerfile: built (trusting the host CA bundle) into a throwaway
        image, whose filesystem then becomes the one layer of `reference`, with its
        ENTRYPOINT/CMD, WORKDIR and ENV, run unprivileged (see `flatten_dockerfile`).
        `nocache` runs every step again (its own pip install resolves again)."""
        stage = f"{reference}-stage"
        stage_labels = {f"{LABEL_PREFIX}.purpose": "own-dockerfile-stage"}
        log = stream_build(self.client, staged, stage, stage_labels, echo, nocache=nocache)
        try:
            config = self.client.images.get(stage).attrs["Config"]
            final = staged.parent / "flatten"
            final.mkdir()
            (final / "Dockerfile").write_text(flatten_dockerfile(stage, config))
            flattened = stream_build(self.client, final, reference, labels, echo)
        finally:
            self.client.images.remove(stage)
        log.lines += flattened.lines
        log.steps += flattened.steps
        log.image_id = flattened.image_id
        return log

    def ensure_model(self, model: Model, refresh: bool = False) -> ImageOutcome:
        """The model's image, built when missing. A model image built without a usable lock
        records what pip resolved as the model's requirements.lock.txt (see `lock`)."""
        return self.ensure_model_context(model, self.model_context(model, refresh), refresh)

    def ensure_model_context(
        self, model: Model, context: ImageContext, refresh: bool = False
    ) -> ImageOutcome:
        """`ensure` for a model's context, then the lock recorded when it was resolved."""
        resolve = uuid.uuid4().hex if refresh else None
        own = model.own_dockerfile is not None
        outcome = self.ensure(context, model.name, model.path, resolve=resolve, flatten=own)
        if own or lock_state(model.path, refresh).usable:
            return outcome
        return self._record_lock(model, outcome)

    def _record_lock(self, model: Model, outcome: ImageOutcome) -> ImageOutcome:
        """Write the versions installed in `outcome`'s image as the model's lock, show them,
        and tag the image with the locked content's hash: it holds exactly those versions."""
        resolved = self.client.containers.run(
            outcome.reference,
            entrypoint=["cat", RESOLVED_IN_IMAGE],
            command=[],
            network_disabled=True,
            remove=True,
            user="1000:1000",
            labels={f"{LABEL_PREFIX}.purpose": "read-lock"},
        ).decode()
        path = write_lock(model.path, resolved)
        pins = [line for line in path.read_text().splitlines() if not line.startswith("#")]
        info(f"{model.name}: recorded {len(pins)} resolved versions in {path}")
        for pin in pins:
            detail(f"{model.name}:   {pin}")
        locked = self.model_context(model)
        with build_lock(locked.tag, model.name):
            if not self.exists_locally(locked.tag):
                # The same filesystem and config, labelled with the locked content's hash (a
                # metadata-only build: no layer is added).
                with tempfile.TemporaryDirectory(prefix="legacylift-relabel-") as staging:
                    (Path(staging) / "Dockerfile").write_text(f"FROM {outcome.reference}\n")
                    labels = _labels(model.name, locked.content_hash, source_revision(model.path))
                    stream_build(self.client, Path(staging), locked.tag, labels, lambda _: None)
        return ImageOutcome(locked.tag, locked.content_hash, outcome.built, outcome.log)

    def ensure_framework(self) -> ImageOutcome:
        """The framework image, built when missing."""
        return self.ensure(self.framework_context(), "sklearn-processing", template_path(""))

    def push(self, outcome: ImageOutcome, model: str, target: RegistryTarget) -> str:
        """Tag and push a model image to `target`; return the registry-verified digest."""
        repository = target.image_repository(model)
        self.client.images.get(outcome.reference).tag(repository, tag=outcome.content_hash)
        info(f"{model}: pushing to {target.describe()}")
        digest = stream_push(self.client, repository, outcome.content_hash, target.auth_config)
        recorded = target.remote_digest(model, outcome.content_hash)
        if recorded != digest:
            raise LegacyLiftError(
                f"{model}: the push reported {digest} but {target.describe()} records "
                f"{recorded or 'no image'} for tag {outcome.content_hash}: not pinning it; "
                "build again"
            )
        return digest


def _labels(label: str, content_hash: str, revision: str) -> dict[str, str]:
    return {
        f"{LABEL_PREFIX}.image": label,
        f"{LABEL_PREFIX}.content-hash": content_hash,
        f"{LABEL_PREFIX}.source-revision": revision,
        f"{LABEL_PREFIX}.template-version": TEMPLATE_VERSION,
        "org.opencontainers.image.revision": revision,
    }


def ensure_model_image(name: str, refresh: bool = False) -> str:
    """Local reference (`legacylift/NAME:<content hash>`) of a model's image, building it
    when missing. Used by the local engine (contracts §5)."""
    return ImageBuilder().ensure_model(load_model(name), refresh).reference


def ensure_framework_image() -> str:
    """Local reference of the script-mode framework image, building it when missing."""
    return ImageBuilder().ensure_framework().reference


def build_model(
    name: str,
    workspace: str = "default",
    registry: str | None = None,
    push: bool = True,
    target: RegistryTarget | None = None,
    builder: ImageBuilder | None = None,
    refresh_requirements: bool = False,
) -> BuildResult:
    """Build a model's image if needed; with `push`, push it and pin its digest into the
    workspace's tfvars (the only write, and the last step). `refresh_requirements` resolves
    requirements.txt again instead of installing its lock."""
    model = load_model(name)
    if not push:
        builder = builder or ImageBuilder()
        return BuildResult(name, builder.ensure_model(model, refresh_requirements))
    # Cheap checks first: a bad workspace, code folder, credentials or repository fail before
    # any build.
    tfvars.tfvars_path(workspace)
    code = code_settings(model)
    target = target or resolve_target(registry)
    target.check_access(name)
    builder = builder or ImageBuilder()
    context = builder.model_context(model, refresh_requirements)
    content_hash = context.content_hash
    digest = None if refresh_requirements else target.remote_digest(name, content_hash)
    if digest:
        detail(f"{name}: {target.describe()} already holds {content_hash} (no build, no push)")
        outcome = ImageOutcome(f"{context.repository}:{content_hash}", content_hash, built=False)
    else:
        outcome = builder.ensure_model_context(model, context, refresh_requirements)
        content_hash = outcome.content_hash
        digest = builder.push(outcome, name, target)
    image_uri = f"{target.image_repository(name)}@{digest}"
    settings = {**model.tfvars_settings(), **code}
    path = tfvars.pin_image(workspace, name, image_uri, source_hash=content_hash, settings=settings)
    success(f"{name}: pinned {image_uri} in {path}")
    return BuildResult(name, outcome, image_uri, path)


def build_all(
    names: list[str] | None = None,
    jobs: int = 1,
    workspace: str = "default",
    registry: str | None = None,
    push: bool = True,
) -> list[BuildResult]:
    """`build_model` for every model (or `names`), `jobs` at a time. Each thread has its own
    Docker client; a failure of one model is reported after the others finish."""
    failures: list[str] = []
    models = names or [
        model.name
        for model in discover_models(on_invalid=lambda name, exc: failures.append(f"{name}: {exc}"))
    ]
    invalid = len(failures)
    target = resolve_target(registry) if push else None
    local = threading.local()

    def one(name: str) -> BuildResult:
        if not hasattr(local, "builder"):
            local.builder = ImageBuilder()
        return build_model(name, workspace, push=push, target=target, builder=local.builder)

    results: list[BuildResult] = []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {name: pool.submit(one, name) for name in models}
        for name, future in futures.items():
            try:
                results.append(future.result())
            except LegacyLiftError as exc:
                failures.append(f"{name}: {exc}")
    if failures:
        raise LegacyLiftError(
            f"{len(failures)} of {len(models) + invalid} models failed:\n" + "\n".join(failures)
        )
    return results
