"""One step container, run with the docker SDK and always removed afterwards.

A `docker run` equivalent with the SageMaker Processing overrides: `entrypoint` and `arguments`
replace the image's ENTRYPOINT and CMD exactly as `docker run --entrypoint X IMAGE ARGS...` does
(an entrypoint given clears the image's CMD; arguments alone go to the image's ENTRYPOINT).
"""

from __future__ import annotations

import collections
import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import docker
from docker.errors import APIError, ImageNotFound, NotFound
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import ReadTimeout

from legacylift import settings
from legacylift.errors import LegacyLiftError

LABEL = "legacylift.local"
LOG_TAIL_LINES = 50
# A longer log line is shown cut, with the count of bytes left out (memory stays bounded).
LOG_LINE_LIMIT = 16 * 1024
# How long the log may keep flowing after the container exited before the rest is cut.
LOG_DRAIN_SECONDS = 300


def step_user() -> str:
    """uid:gid a step runs as: LEGACYLIFT_STEP_USER, else the invoking user, else (when invoked
    as root) 1000:1000, the model image's `model` user. Never root."""
    configured = settings.get("LEGACYLIFT_STEP_USER")
    if configured:
        user = configured
    elif os.getuid() != 0:
        user = f"{os.getuid()}:{os.getgid()}"
    else:
        user = "1000:1000"
    if user.split(":")[0] in ("0", "root"):
        raise LegacyLiftError("LEGACYLIFT_STEP_USER must not be root: steps run unprivileged")
    return user


@dataclass
class ContainerSpec:
    """What to run: image, overrides, environment and limits."""

    image: str
    name: str
    entrypoint: list[str] | None = None
    arguments: list[str] | None = None
    environment: dict[str, str] = field(default_factory=dict)
    user: str = "1000:1000"
    network_mode: str = "none"
    # The host name, also the container's alias on `network_mode` (an instance of a
    # multi-instance job: algo-<i>, which the other instances resolve).
    hostname: str | None = None
    limits: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    mounts: list = field(default_factory=list)


@dataclass
class ContainerOutcome:
    """How the container ended: exit code (None if it never exited), whether it was stopped for
    running too long, and the last lines of its log."""

    exit_code: int | None
    timed_out: bool
    log_tail: list[str]
    oom_killed: bool = False
    log_cut: str | None = None


def ensure_image(client: docker.DockerClient, image: str) -> None:
    """The image present locally, pulled when missing, or an error naming the fix."""
    try:
        client.images.get(image)
        return
    except ImageNotFound:
        pass
    try:
        client.images.pull(image)
    except APIError as exc:
        raise LegacyLiftError(
            f"image {image} is not on this machine and cannot be pulled ({exc.explanation}): "
            "build it first (invoke build-model NAME builds a model's images)"
        ) from None


class StepContainer:
    """Context manager around one container: created on enter, force-removed on exit (also on
    Ctrl-C), so none is ever left behind."""

    def __init__(self, client: docker.DockerClient, spec: ContainerSpec) -> None:
        self.client = client
        self.spec = spec
        self.container = None

    def __enter__(self) -> StepContainer:
        spec = self.spec
        try:
            self.container = self._create(spec)
        except APIError as exc:
            raise LegacyLiftError(
                f"Docker refused to create the step container {spec.name}: {exc.explanation}"
            ) from None
        return self

    def _create(self, spec: ContainerSpec):
        network: dict = {"network_mode": spec.network_mode}
        if spec.hostname:
            endpoint = self.client.api.create_endpoint_config(aliases=[spec.hostname])
            network = {
                "network": spec.network_mode,
                "hostname": spec.hostname,
                "networking_config": {spec.network_mode: endpoint},
            }
        return self.client.containers.create(
            spec.image,
            name=spec.name,
            entrypoint=spec.entrypoint,
            command=spec.arguments,
            environment=spec.environment,
            user=spec.user,
            **network,
            labels={LABEL: "step", **spec.labels},
            mounts=spec.mounts,
            init=True,  # an init as PID 1 forwards SIGTERM: a stop ends the step promptly
            detach=True,
            **spec.limits,
        )

    def __exit__(self, *exc_info) -> None:
        if self.container is not None:
            with contextlib.suppress(NotFound):
                self.container.remove(force=True, v=True)

    def kill(self) -> None:
        """Remove the container now, running or not."""
        if self.container is not None:
            with contextlib.suppress(NotFound, APIError):
                self.container.remove(force=True, v=True)

    def put(self, path: str, chunks: Iterable[bytes]) -> None:
        """Extract a tar stream into the (not yet started) container at `path`."""
        if not self.container.put_archive(path, chunks):
            raise LegacyLiftError(f"could not copy the job's inputs into {self.spec.name}")

    def archive(self, path: str) -> Iterable[bytes] | None:
        """A tar stream of `path` in the container, None when it does not exist."""
        try:
            chunks, _stat = self.container.get_archive(path)
        except NotFound:
            return None
        return chunks

    def run(
        self, max_runtime: float, on_log: Callable[[str], None], stop_grace: float = 10
    ) -> ContainerOutcome:
        """Start, stream the log to `on_log` line by line, wait at most `max_runtime` seconds
        (then stop: SIGTERM, SIGKILL after `stop_grace`). The whole log is read (a line longer
        than LOG_LINE_LIMIT shown cut, saying how much); `log_cut` says if it was not."""
        log = _LogFollower(on_log)
        self.container.start()
        reader = threading.Thread(target=log.follow, args=(self.container,), daemon=True)
        reader.start()
        deadline = time.monotonic() + max_runtime
        timed_out = False
        exit_code = None
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                self.container.stop(timeout=int(stop_grace))
                break
            try:
                exit_code = self.container.wait(timeout=remaining)["StatusCode"]
                break
            except (ReadTimeout, RequestsConnectionError):
                continue
        reader.join(timeout=LOG_DRAIN_SECONDS)
        if reader.is_alive():
            log.cut = (
                f"the log was still being read {LOG_DRAIN_SECONDS} s after the step "
                f"ended: {log.bytes_read} bytes shown, the rest left out"
            )
        self.container.reload()
        state = self.container.attrs["State"]
        if timed_out:
            exit_code = state["ExitCode"]
        return ContainerOutcome(
            exit_code=exit_code,
            timed_out=timed_out,
            log_tail=list(log.tail),
            oom_killed=bool(state.get("OOMKilled")),
            log_cut=log.cut,
        )


class _LogFollower:
    """Reads a container's log to its end: every line to `on_log`, the last ones kept."""

    def __init__(self, on_log: Callable[[str], None]) -> None:
        self.on_log = on_log
        self.tail: collections.deque[str] = collections.deque(maxlen=LOG_TAIL_LINES)
        self.bytes_read = 0
        self.cut: str | None = None
        self._pending = b""
        self._dropped = 0  # bytes of the current over-long line left out

    def _emit(self, line: bytes) -> None:
        text = line.decode("utf-8", "replace").rstrip("\r")
        if self._dropped:
            text += f" [... line cut: {self._dropped} more bytes not shown]"
            self._dropped = 0
        self.tail.append(text)
        self.on_log(text)

    def _feed(self, chunk: bytes) -> None:
        self.bytes_read += len(chunk)
        if self._dropped:
            end = chunk.find(b"\n")
            if end < 0:
                self._dropped += len(chunk)
                return
            self._dropped += end
            self._emit(self._pending)
            self._pending, chunk = b"", chunk[end + 1 :]
        self._pending += chunk
        *lines, self._pending = self._pending.split(b"\n")
        for line in lines:
            if len(line) > LOG_LINE_LIMIT:
                self._dropped = len(line) - LOG_LINE_LIMIT
                line = line[:LOG_LINE_LIMIT]
            self._emit(line)
        if len(self._pending) > LOG_LINE_LIMIT:
            self._dropped = len(self._pending) - LOG_LINE_LIMIT
            self._pending = self._pending[:LOG_LINE_LIMIT]

    def follow(self, container) -> None:
        """Read the log until the container's output ends (or it is removed under us)."""
        try:
            for chunk in container.logs(stream=True, follow=True):
                self._feed(chunk)
        except (APIError, RequestsConnectionError):
            return  # the container was removed under us (Ctrl-C): nothing more to show
        if self._pending or self._dropped:
            self._emit(self._pending)
