"""A registry that accepts connections and drops every upload: the push is bounded (the
daemon's retries counted aloud, at most PUSH_RETRIES; a deadline over all), then fails in one
clear line; nothing is pinned."""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from legacylift.containerise.stream import stream_push
from legacylift.errors import LegacyLiftError


class _Dropping(BaseHTTPRequestHandler):
    """The registry API's greeting and upload start, then every upload's connection dropped."""

    def log_message(self, *args):  # quiet
        pass

    def _reply(self, code, headers=None, body=b""):
        self.send_response(code)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/v2/":
            self._reply(200, {"Content-Type": "application/json"}, b"{}")
        else:
            self._reply(
                404,
                {"Content-Type": "application/json"},
                json.dumps({"errors": [{"code": "UNKNOWN"}]}).encode(),
            )

    def do_HEAD(self):
        self._reply(404)

    def do_POST(self):
        name = self.path.split("/blobs/")[0].removeprefix("/v2/")
        self._reply(
            202,
            {
                "Location": f"/v2/{name}/blobs/uploads/{uuid.uuid4()}",
                "Range": "0-0",
                "Docker-Upload-UUID": str(uuid.uuid4()),
            },
        )

    def _drop(self):
        self.connection.close()
        self.close_connection = True

    do_PATCH = do_PUT = _drop


class _Silent(_Dropping):
    """Takes each upload and never answers."""

    def _hang(self):
        threading.Event().wait(90)
        self._drop()

    do_PATCH = do_PUT = _hang


def _serve(handler):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def silent_registry():
    server = _serve(_Silent)
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def dropping_registry():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Dropping)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.docker
@pytest.mark.slow
def test_a_registry_dropping_uploads_fails_the_push_after_bounded_retries(
    dropping_registry, docker_client, base_image, capsys
):
    """Planted bug `push-retries-unbounded` (the retry count not checked): the push goes on
    for as long as the daemon retries, saying only "pushing"."""
    repository = f"{dropping_registry}/dropper"
    docker_client.images.get(base_image).tag(repository, tag="t")
    try:
        with pytest.raises(LegacyLiftError) as failed:
            stream_push(docker_client, repository, "t", None, max_retries=1, deadline_seconds=120)
    finally:
        docker_client.images.remove(f"{repository}:t", noprune=True)
    assert "the registry dropped the upload 2 times" in str(failed.value)
    assert "retry 1 of at most 1" in capsys.readouterr().out


@pytest.mark.docker
@pytest.mark.slow
def test_a_registry_that_never_answers_fails_the_push_at_its_deadline(
    silent_registry, docker_client, base_image
):
    """Planted bug `push-without-deadline` (the stream read on the caller's thread, unbounded):
    the push waits for as long as the registry keeps the connection open."""
    repository = f"{silent_registry}/silent"
    docker_client.images.get(base_image).tag(repository, tag="t")
    try:
        with pytest.raises(LegacyLiftError, match=r"no result after 5 s \(0 retries\)"):
            stream_push(docker_client, repository, "t", None, deadline_seconds=5)
    finally:
        docker_client.images.remove(f"{repository}:t", noprune=True)
