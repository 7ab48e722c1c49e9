"""Fixtures of the local engine's tests: a small labelled test image, isolated settings, and
a check that no step container outlives a test."""

from __future__ import annotations

import hashlib
import io
import tarfile

import pytest

from legacylift.local.container import LABEL
from legacylift.local.settings import LocalSettings

TEST_LABEL = "legacylift.test"
# The test image: ENTRYPOINT and CMD set, so the four override cases are visible in argv.
ECHO_ARGV = """\
import json, os, sys
os.makedirs("/opt/ml/processing/output", exist_ok=True)
with open("/opt/ml/processing/output/argv.json", "w") as out:
    json.dump(sys.argv, out)
"""


def _dockerfile(base: str) -> str:
    return (
        f"FROM {base}\n"
        "COPY echo_argv.py /opt/echo_argv.py\n"
        f'LABEL {TEST_LABEL}="local-runner"\n'
        'ENTRYPOINT ["python3", "/opt/echo_argv.py", "image-entrypoint"]\n'
        'CMD ["image-cmd"]\n'
    )


@pytest.fixture(scope="session")
def runner_image(docker_client, base_image):
    """`legacylift-test/local-runner:<content hash>`, built once and reused across sessions."""
    dockerfile = _dockerfile(base_image)
    tag = hashlib.sha256((dockerfile + ECHO_ARGV).encode()).hexdigest()[:12]
    reference = f"legacylift-test/local-runner:{tag}"
    if not docker_client.images.list(name=reference):
        context = io.BytesIO()
        with tarfile.open(fileobj=context, mode="w") as archive:
            for name, text in (("Dockerfile", dockerfile), ("echo_argv.py", ECHO_ARGV)):
                data = text.encode()
                info = tarfile.TarInfo(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
        context.seek(0)
        docker_client.images.build(fileobj=context, custom_context=True, tag=reference, rm=True)
    return reference


@pytest.fixture
def local_settings(tmp_path):
    """Settings whose object store, job registry and work dir live in the test's tmp dir."""
    return LocalSettings.under(tmp_path / "local")


@pytest.fixture
def runner(local_settings, docker_client):
    """A ProcessingRunner on the real daemon whose log lines are kept in `runner.lines`."""
    from legacylift.local.processing import ProcessingRunner

    lines: list[str] = []
    runner = ProcessingRunner(
        local_settings, docker_client, on_log=lambda job, line: lines.append(line), stop_grace=1
    )
    runner.lines = lines
    return runner


@pytest.fixture
def no_leftover_containers(docker_client, local_settings):
    """Assert, after the test, that no step container of this test's jobs remains."""
    yield
    # sparse: the list call alone, so a container another process removes meanwhile cannot
    # turn this check into a 404 from a per-container inspect.
    leftovers = [
        container.attrs["Names"]
        for container in docker_client.containers.list(
            all=True, sparse=True, filters={"label": LABEL}
        )
        if (container.attrs.get("Labels") or {}).get("legacylift.job", "")
        in _job_names(local_settings)
    ]
    assert leftovers == [], f"step containers left behind: {leftovers}"


def _job_names(settings: LocalSettings) -> set[str]:
    if not settings.jobs_dir.is_dir():
        return set()
    import json

    return {
        json.loads(path.read_text())["ProcessingJobName"]
        for path in settings.jobs_dir.glob("*.json")
    }
