"""Progress where work is long, on a terminal (a pseudo-terminal) and in a pipe (a CI log):
bars and a live step list on the one, plain lines without control sequences on the other."""

from __future__ import annotations

import textwrap

import pytest

from tests.report.terminal import ANSI_CONTROL, run_python

# The chunks of a Docker push stream: three layers, one already in the registry.
PUSH = """
import time
from legacylift.report.progress import PushProgress
chunks = [{"status": "The push refers to repository [127.0.0.1:5000/legacylift/x]"}]
for layer in ("aaa111", "bbb222", "ccc333"):
    chunks.append({"status": "Preparing", "id": layer})
chunks.append({"status": "Layer already exists", "id": "ccc333"})
for step in range(1, 6):
    for layer in ("aaa111", "bbb222"):
        chunks.append({"status": "Pushing", "id": layer,
                       "progressDetail": {"current": step * 1_000_000, "total": 5_000_000}})
chunks += [{"status": "Pushed", "id": "aaa111"}, {"status": "Pushed", "id": "bbb222"},
           {"status": "x: digest: sha256:abc size: 900"}, {"aux": {"Digest": "sha256:abc"}}]
with PushProgress("127.0.0.1:5000/legacylift/x:tag") as bar:
    for chunk in chunks:
        bar.chunk(chunk)
        time.sleep(0.02)
print("done")
"""

BUILD = """
import time
from legacylift.report.progress import BuildProgress
with BuildProgress("legacylift/x:tag") as bar:
    steps = ["FROM base", "COPY requirements.txt /tmp/", "RUN pip install"]
    for number, text in enumerate(steps, 1):
        bar.step(f"Step {number}/3 : {text}")
        if number == 1:
            bar.used_cache()
        time.sleep(0.1)
print("done")
"""


def test_push_progress_on_a_terminal_draws_bars():
    code, shown = run_python(PUSH, terminal=True)
    assert code == 0, shown
    assert ANSI_CONTROL in shown, "no terminal control sequences: bars were not drawn"
    assert "━" in shown and "push 127.0.0.1:5000/legacylift/x:tag" in shown
    assert "aaa111" in shown and "layer already exists" in shown
    assert "5.0/5.0 MB" in shown  # the byte counts of a layer bar
    assert "3/3 layers, 10.0/10.0 MB" in shown  # the overall bar


def test_push_progress_in_a_pipe_is_plain_lines():
    code, shown = run_python(PUSH, terminal=False)
    assert code == 0, shown
    assert ANSI_CONTROL not in shown and "━" not in shown
    lines = [line.strip() for line in shown.splitlines()]
    assert lines == [
        "ccc333: Layer already exists",
        "aaa111: pushing",
        "bbb222: pushing",
        "aaa111: Pushed",
        "bbb222: Pushed",
        "done",
    ]


def test_build_progress_terminal_and_pipe():
    code, shown = run_python(BUILD, terminal=True)
    assert code == 0 and ANSI_CONTROL in shown and "━" in shown, shown
    assert "build legacylift/x:tag" in shown and "(cached)" in shown and "3/3" in shown
    code, shown = run_python(BUILD, terminal=False)
    assert code == 0 and ANSI_CONTROL not in shown, shown
    assert [line.strip() for line in shown.splitlines()] == [
        "Step 1/3 : FROM base",
        "Step 2/3 : COPY requirements.txt /tmp/",
        "Step 3/3 : RUN pip install",
        "done",
    ]


STEPS = """
import json, time
from legacylift.report.reporter import Reporter
from tests.report.recorded import local_document
reporter = Reporter("text")
for event in local_document()["events"]:
    reporter.event(event)
    time.sleep(0.01)
reporter.close()
print("finished")
"""


def test_run_local_step_list_is_live_on_a_terminal_and_plain_in_a_pipe():
    code, live = run_python(STEPS, terminal=True)
    assert code == 0, live
    assert ANSI_CONTROL in live and "✓" in live and "✗" in live
    assert "• Preprocessing ..." not in live, "a terminal gets the live list, not lines"
    code, plain = run_python(STEPS, terminal=False)
    assert code == 0 and ANSI_CONTROL not in plain, plain
    lines = [line.strip() for line in plain.splitlines()]
    assert lines[:3] == ["• Preprocessing ...", lines[1], "• Inference ..."]
    assert lines[1].startswith("✓ Preprocessing (")
    assert any(line.startswith("error: Inference failed after") for line in lines)  # stderr


@pytest.mark.slow
@pytest.mark.docker
@pytest.mark.registry
def test_real_build_and_push_on_a_terminal(base_image, registry_credentials, tmp_path):
    """A real build on the shared daemon and a real push to the local registry, each step of
    new content, shown on a pseudo-terminal."""
    import uuid

    marker = uuid.uuid4().hex
    snippet = textwrap.dedent(f"""
        import pathlib
        from legacylift.containerise.registry import local_target
        from legacylift.containerise.stream import stream_build, stream_push
        from legacylift.docker_client import docker_client
        context = pathlib.Path({str(tmp_path)!r})
        (context / "payload.bin").write_bytes(b"{marker}" * 200_000)
        (context / "Dockerfile").write_text(
            "FROM {base_image}\\nCOPY payload.bin /payload.bin\\nRUN echo {marker} > /m\\n")
        client = docker_client()
        target = local_target()
        repository = target.address + "/legacylift-test/progress"
        log = stream_build(client, context, repository + ":{marker[:12]}",
                           {{"legacylift.test": "progress"}})
        try:
            print(stream_push(client, repository, "{marker[:12]}", target.auth_config))
        finally:
            client.images.remove(repository + ":{marker[:12]}", force=True)
    """)
    code, shown = run_python(snippet, terminal=True)
    assert code == 0, shown
    assert ANSI_CONTROL in shown and "━" in shown
    assert "build " in shown and "3/3" in shown, shown
    assert "push " in shown and "MB" in shown
    assert "sha256:" in shown
