"""moto's server on 127.0.0.1 (a free port) standing in for AWS in tests.

`MotoServer` is the one place tests start AWS stand-ins; additions that moto lacks belong here,
each documented.
"""

from __future__ import annotations

import socket

from moto.server import ThreadedMotoServer

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def free_loopback_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MotoServer:
    """A moto server bound to 127.0.0.1 only; use as a context manager."""

    def __init__(self) -> None:
        self.port = free_loopback_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)

    def __enter__(self) -> MotoServer:
        self._server.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.stop()
