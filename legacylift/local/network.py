"""The network of a step container that asks for networking.

This project's daemon runs with `--bridge=none --iptables=false`: no default bridge, no NAT, no
firewall rules. The default for a networked step is therefore a user-defined internal bridge
with no address on the host side (`legacylift-steps`): the step gets an interface, but no route
to the host's loopback services, to other hosts or to 169.254.169.254. Host networking only when
named in LEGACYLIFT_STEP_NETWORK, with a warning.
"""

from __future__ import annotations

import contextlib
import functools
import secrets

import docker
from docker.errors import APIError

from legacylift import console, settings
from legacylift.errors import LegacyLiftError

STEP_NETWORK = "legacylift-steps"
NETWORK_LABEL = "legacylift.network"


def step_network(allowed: bool) -> str:
    """Docker network of a step: `none` unless the request allows networking, then
    LEGACYLIFT_STEP_NETWORK, by default `legacylift-steps` (see `ensure_step_network`). `host`
    only when asked for by name, with a warning: it shares the host's loopback services."""
    if not allowed:
        return "none"
    network = settings.get("LEGACYLIFT_STEP_NETWORK") or STEP_NETWORK
    if network == "host":
        _warn_host_network()
    return network


@functools.cache
def _warn_host_network() -> None:
    console.error(
        "warning: LEGACYLIFT_STEP_NETWORK=host: steps with networking share this machine's "
        "network, so they reach its loopback services (registry, databases) and the cloud "
        "metadata address 169.254.169.254; unset it to use the isolated legacylift-steps network"
    )


def _networks_named(client: docker.DockerClient, name: str) -> list:
    # The API's name filter matches substrings: keep the exact name only.
    return [n for n in client.networks.list(names=[name]) if n.name == name]


def ensure_step_network(client: docker.DockerClient, network: str) -> None:
    """Create the default step network when missing: an internal bridge whose host side has no
    address, so the gateway a step's default route points at is held by nobody and nothing
    beyond the network answers (not the host's services, not 169.254.169.254, not the
    internet). A network of that name with another shape is refused."""
    if network != STEP_NETWORK:
        return
    existing = _networks_named(client, network)
    if not existing:
        try:
            client.networks.create(
                network,
                driver="bridge",
                internal=True,
                check_duplicate=True,
                options={"com.docker.network.bridge.inhibit_ipv4": "true"},
                labels={NETWORK_LABEL: "steps"},
            )
        except APIError as exc:
            if exc.status_code != 409:  # another engine created it meanwhile
                raise LegacyLiftError(
                    f"cannot create the step network {network} ({exc.explanation}); set "
                    "LEGACYLIFT_STEP_NETWORK to a network of your own"
                ) from None
        existing = _networks_named(client, network)
    attrs = existing[0].attrs
    if (
        not attrs.get("Internal")
        or (attrs.get("Options") or {}).get("com.docker.network.bridge.inhibit_ipv4") != "true"
    ):
        raise LegacyLiftError(
            f"the Docker network {network} exists but is not isolated (internal, no host "
            f"address); remove it (docker network rm {network}) so the engine creates it"
        )


@contextlib.contextmanager
def job_network(client: docker.DockerClient, job: str, labels: dict[str, str]):
    """A network of one multi-instance job's own, removed afterwards: an internal bridge with
    no host-side address, where each instance answers to its host name (`algo-<i>`, given as
    a network alias) and nothing beyond the job's instances answers, as between the instances
    of a SageMaker job. Yields its name."""
    name = f"legacylift-job-{job[:40]}-{secrets.token_hex(3)}"
    try:
        network = client.networks.create(
            name,
            driver="bridge",
            internal=True,
            check_duplicate=True,
            options={"com.docker.network.bridge.inhibit_ipv4": "true"},
            labels={NETWORK_LABEL: "job", **labels},
        )
    except APIError as exc:
        raise LegacyLiftError(
            f"cannot create the network of job {job}'s instances ({exc.explanation}); check "
            "`docker network ls` for leftovers named legacylift-job-*"
        ) from None
    try:
        yield name
    finally:
        with contextlib.suppress(APIError):
            network.remove()
