"""A step that asks for networking gets an interface on an isolated network: no route to the
host's loopback services or 169.254.169.254; host networking only by explicit opt-in."""

from __future__ import annotations

import json
import threading

import pytest

from tests.local.jobs import processing_request, s3_input, s3_output, unique_name

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("no_leftover_containers")]

OUT = "/opt/ml/processing/output"


def write(runner, uri: str, text: str) -> None:
    path = runner.sources.s3.path_of(uri)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


PROBE = """\
import json, socket, sys
port = int(sys.argv[1])
def reach(host, port):
    try:
        socket.create_connection((host, port), timeout=3).close()
        return "connected"
    except OSError as exc:
        return type(exc).__name__ + ": " + str(exc)
routes = [line.split() for line in open("/proc/net/route").read().splitlines()[1:]]
gateways = {socket.inet_ntoa(int(r[2], 16).to_bytes(4, "little")) for r in routes} - {"0.0.0.0"}
json.dump({"loopback": reach("127.0.0.1", port), "metadata": reach("169.254.169.254", 80),
           "gateways": {gateway: reach(gateway, port) for gateway in sorted(gateways)},
           "interfaces": sorted(__import__("os").listdir("/sys/class/net"))},
          open("/opt/ml/processing/output/probe.json", "w"))
"""


@pytest.fixture
def loopback_server():
    """A TCP server on the host's 127.0.0.1 that accepts every connection."""
    import socket

    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                server.accept()[0].close()
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


def test_networked_step_reaches_neither_host_loopback_nor_metadata(
    runner, base_image, loopback_server, monkeypatch
):
    """A step with networking on gets an interface, but no route to the host's loopback
    services or 169.254.169.254. Planted bug (the old default, host networking): the probe
    connected to the host's loopback server and this test went red."""
    monkeypatch.delenv("LEGACYLIFT_STEP_NETWORK", raising=False)
    write(runner, "s3://bkt/probe-code/probe.py", PROBE)
    code = "/opt/ml/processing/input/code"
    request = processing_request(
        base_image,
        entrypoint=["python3", f"{code}/probe.py", str(loopback_server)],
        inputs=[s3_input("code", "s3://bkt/probe-code/", code)],
        outputs=[s3_output("out", "s3://bkt/probe/", OUT)],
        NetworkConfig={"EnableNetworkIsolation": False},
    )
    result = runner.create_processing_job(request)
    assert result.status == "Completed", result.log_tail
    probe = json.loads(runner.sources.s3.path_of("s3://bkt/probe/probe.json").read_text())
    assert [name for name in probe["interfaces"] if name != "lo"], "networking must be on"
    assert probe["loopback"] != "connected", probe
    assert probe["metadata"] != "connected", probe
    # The network's gateway address is held by nobody (the host side has no address), so the
    # host is not reachable through it either.
    assert all(outcome != "connected" for outcome in probe["gateways"].values()), probe


def test_host_networking_only_by_explicit_opt_in_with_a_warning(monkeypatch, capsys):
    from legacylift.local import network

    monkeypatch.delenv("LEGACYLIFT_STEP_NETWORK", raising=False)
    assert network.step_network(False) == "none"
    assert network.step_network(True) == network.STEP_NETWORK
    network._warn_host_network.cache_clear()
    monkeypatch.setenv("LEGACYLIFT_STEP_NETWORK", "host")
    assert network.step_network(True) == "host"
    assert "169.254.169.254" in capsys.readouterr().err


def test_a_step_network_of_the_wrong_shape_is_refused(docker_client, monkeypatch):
    """A network squatting the step network's name without isolation is not used."""
    from legacylift.errors import LegacyLiftError
    from legacylift.local import network

    name = unique_name("legacylift-test-net")
    monkeypatch.setattr(network, "STEP_NETWORK", name)
    squatter = docker_client.networks.create(
        name,
        driver="bridge",
        labels={"legacylift.test": "1"},
        options={"com.docker.network.bridge.inhibit_ipv4": "true"},
    )
    try:
        with pytest.raises(LegacyLiftError, match="not isolated"):
            network.ensure_step_network(docker_client, name)
    finally:
        squatter.remove()
    network.ensure_step_network(docker_client, name)  # absent: created isolated
    try:
        created = docker_client.networks.get(name).attrs
        assert created["Internal"] is True
        assert created["Options"]["com.docker.network.bridge.inhibit_ipv4"] == "true"
    finally:
        docker_client.networks.get(name).remove()
