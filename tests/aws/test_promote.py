"""`promote`: the digest tested in one workspace is copied by digest between two real local
registries (the development one, and a second docker-registry started here on another
127.0.0.1 port), pinned in the target's tfvars and logged; refused when it never succeeded in
the source workspace. Whether it succeeded is read from Step Functions in moto, whose
interpreter really runs the source workspace's published version through its `live` alias.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid

import boto3
import pytest
import requests

from legacylift import tfvars
from legacylift.aws import executions
from legacylift.aws.deploy import deploy
from legacylift.errors import LegacyLiftError
from legacylift.paths import REPO_ROOT
from legacylift.promote import promote, promotions_path, read_promotions
from legacylift.setup.registry import registry_status
from tests.aws.conftest import write_config
from tests.aws.test_operations import STUB_ROOT, create_published, write_image_tfvars
from tests.cli import invoke_cli
from tests.conftest import require
from tests.moto_server import free_loopback_port
from tests.setup.test_setup import _push_events, _tiny_image

pytestmark = [pytest.mark.docker, pytest.mark.registry]


@pytest.fixture(scope="module")
def second_registry(tmp_path_factory):
    """Another docker-registry (no auth) on a free 127.0.0.1 port: the target's registry."""
    binary = shutil.which("docker-registry")
    require(binary is not None, "docker-registry is not installed: run ./bootstrap test")
    folder = tmp_path_factory.mktemp("registry2")
    address = f"127.0.0.1:{free_loopback_port()}"
    (folder / "config.yml").write_text(
        f"version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n"
        f"    rootdirectory: {folder / 'data'}\nhttp:\n  addr: {address}\n"
        f"  secret: {uuid.uuid4().hex}\n"
    )
    with open(folder / "registry.log", "w") as log:
        process = subprocess.Popen(
            [binary, "serve", str(folder / "config.yml")], stdout=log, stderr=log
        )
    try:
        deadline = time.monotonic() + 20
        while registry_status(address) != 200:
            assert process.poll() is None, (folder / "registry.log").read_text()
            assert time.monotonic() < deadline, "the second registry did not start"
            time.sleep(0.2)
        yield address
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def pushed(docker_client, registry_credentials):
    """A one-layer image pushed to the development registry; its pinned reference."""
    address = registry_credentials["address"]
    repository = f"{address}/promote-test/iris-{uuid.uuid4().hex[:8]}"
    _tiny_image(docker_client, repository)
    auth = {k: registry_credentials[k] for k in ("username", "password")}
    events = _push_events(docker_client, repository, auth_config=auth)
    assert not [e for e in events if "error" in e], events
    digest = next(e["aux"]["Digest"] for e in events if "aux" in e)
    docker_client.images.remove(f"{repository}:t")
    return f"{repository}@{digest}"


@pytest.fixture
def interpreter(moto_server):
    """moto's Step Functions interpreter on for one test (executions really run), then off:
    other tests expect executions to stay RUNNING."""

    def interpret(value: bool) -> None:
        config = {"stepfunctions": {"execute_state_machine": value}}
        requests.post(f"{moto_server.endpoint}/moto-api/config", json=config, timeout=30)

    interpret(True)
    yield
    interpret(False)


@pytest.fixture
def workspaces(tmp_path, monkeypatch, terraform_ok, aws_env, interpreter):
    """A source and a target workspace of the stand-in deployment root (unique names)."""
    root = write_config(tmp_path / "terraform", STUB_ROOT)
    monkeypatch.setenv("LEGACYLIFT_TERRAFORM_DIR", str(root))
    suffix = uuid.uuid4().hex[:6]
    return f"dev{suffix}", f"prod{suffix}"


def _definition(image_uri: str, fails: bool = False) -> str:
    """A definition naming its image as the rendered ones do, that moto's interpreter runs."""
    states = {
        "Inference": {
            "Type": "Pass",
            "Parameters": {"AppSpecification": {"ImageUri": image_uri}},
            **({"Next": "Broken"} if fails else {"End": True}),
        }
    }
    if fails:
        states["Broken"] = {"Type": "Fail", "Error": "Model.Failed", "Cause": "planted"}
    return json.dumps({"StartAt": "Inference", "States": states})


def _deploy_and_run(workspace: str, image_uri: str, fails: bool = False) -> str:
    """`workspace` deployed with `image_uri` (version 1 and `live`), one execution run through
    the alias to its end; returns the execution's final status."""
    write_image_tfvars(workspace, {"iris": {"image_uri": image_uri, "instance": "ml.m5.large"}})
    deploy(workspace)
    machine = create_published(f"legacylift-{workspace}-iris", _definition(image_uri, fails))
    sfn = boto3.client("stepfunctions")
    arn = executions.start(sfn, f"{machine['stateMachineArn']}:live", "tested", {})
    for _ in range(100):
        status = sfn.describe_execution(executionArn=arn)["status"]
        if status != "RUNNING":
            return status
        time.sleep(0.1)
    raise AssertionError("moto's interpreter did not finish the execution")


def _target_digest(address: str, repository: str, digest: str) -> str | None:
    response = requests.head(
        f"http://{address}/v2/{repository}/manifests/{digest}",
        headers={"Accept": "application/vnd.docker.distribution.manifest.v2+json"},
        timeout=10,
    )
    return response.headers.get("Docker-Content-Digest") if response.ok else None


def test_promote_copies_the_tested_digest_pins_and_logs_it(workspaces, pushed, second_registry):
    """Planted bug: the copy re-serialises the manifest (json.dumps of the parsed document)
    instead of copying its bytes, so the digest in the target registry changes."""
    source, target = workspaces
    assert _deploy_and_run(source, pushed) == "SUCCEEDED"
    digest = pushed.rsplit("@", 1)[1]

    record = promote("iris", source, target, registry=second_registry)

    assert _target_digest(second_registry, "legacylift/iris", digest) == digest
    pinned = tfvars.read_models(target)["iris"]
    assert pinned == {
        "image_uri": f"{second_registry}/legacylift/iris@{digest}",
        "instance": "ml.m5.large",
    }
    assert record["tested_execution"]["name"] == "tested"
    assert record["tested_execution"]["version"].endswith(f"legacylift-{source}-iris:1")
    logged = read_promotions(target)
    assert len(logged) == 1 and logged[0] == record
    assert {k: record[k] for k in ("model", "digest", "from", "to", "forced")} == {
        "model": "iris",
        "digest": digest,
        "from": source,
        "to": target,
        "forced": False,
    }
    assert record["who"] and record["when"]
    # Again: the target's registry now has every blob, the log grows by one line.
    again = promote("iris", source, target)
    assert again["blobs_copied"] == 0 and len(read_promotions(target)) == 2


def test_promote_refuses_a_digest_that_never_succeeded(workspaces, pushed, second_registry):
    """Planted bugs: the refusal check skipped (any pinned digest is promoted); the tested
    check lists executions without the SUCCEEDED filter (a failed run counts as tested)."""
    source, target = workspaces
    assert _deploy_and_run(source, pushed, fails=True) == "FAILED"
    digest = pushed.rsplit("@", 1)[1]
    with pytest.raises(LegacyLiftError, match="no execution with it ever succeeded in"):
        promote("iris", source, target, registry=second_registry)
    assert tfvars.read_models(target) == {}
    assert not promotions_path(target).exists()
    assert _target_digest(second_registry, "legacylift/iris", digest) is None

    with pytest.raises(LegacyLiftError, match="--force needs --reason"):
        promote("iris", source, target, registry=second_registry, force=True)
    record = promote(
        "iris", source, target, registry=second_registry, force=True, reason="hotfix INC-1"
    )
    assert record["forced"] and record["reason"] == "hotfix INC-1"
    assert record["tested_execution"] is None
    assert _target_digest(second_registry, "legacylift/iris", digest) == digest


def test_promote_task_refusal_is_one_line(workspaces, pushed, second_registry):
    source, target = workspaces
    _deploy_and_run(source, pushed, fails=True)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "invoke",
            "promote",
            "iris",
            "--from",
            source,
            "--to",
            target,
            "--registry",
            second_registry,
        ],
        cwd=REPO_ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--force --reason TEXT" in lines[0], lines
    # Forced, with --json: the promotion record is the one document on stdout.
    forced = invoke_cli(*result.args[3:], "--force", "--reason", "hotfix INC-2", "--json")
    assert forced.returncode == 0, forced.stderr
    record = json.loads(forced.stdout)
    assert (record["model"], record["forced"], record["reason"]) == ("iris", True, "hotfix INC-2")
    assert record["tested_execution"] is None and record["digest"].startswith("sha256:")


def test_ecr_registries_of_any_account_get_this_sessions_token(aws_env):
    """A pin in another account's ECR (same or another region) is read with a token of this
    session for that registry's region; the address is the pin's, never this account's."""
    import base64

    from legacylift.promote import registry_for

    other = "210987654321.dkr.ecr.eu-west-1.amazonaws.com"
    target = registry_for(other)
    token = boto3.client("ecr", region_name="eu-west-1").get_authorization_token()
    username, _, password = (
        base64.b64decode(token["authorizationData"][0]["authorizationToken"])
        .decode()
        .partition(":")
    )
    assert (target.address, target.username, target.password) == (other, username, password)
    assert target._url("x/manifests/y").startswith(f"https://{other}/v2/")
