"""The machine setup: Terraform and its offline CLI config, base image, local registry."""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
import urllib.error
import urllib.request

import pytest

from legacylift import terraform_env as tfenv
from legacylift.setup import terraform_setup
from tests.conftest import require


def test_terraform_is_the_bundled_1_0_3():
    out = subprocess.run(
        [str(tfenv.terraform_binary()), "version"],
        capture_output=True,
        text=True,
        check=True,
        env=tfenv.terraform_env(),
    ).stdout
    assert out.startswith("Terraform v1.0.3"), out


def test_cli_config_lists_exactly_the_mirrored_providers(tmp_path):
    (tmp_path / "registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64").mkdir(parents=True)
    (tmp_path / "registry.terraform.io/acme/widget/1.0.0").mkdir(parents=True)
    text = tfenv.render_cli_config(tmp_path)
    held = '["registry.terraform.io/acme/widget", "registry.terraform.io/hashicorp/aws"]'
    assert f"include = {held}" in text
    assert f"exclude = {held}" in text
    assert f'path    = "{tmp_path}"' in text


def test_cli_config_without_mirror_uses_the_registry():
    assert "provider_installation" not in tfenv.render_cli_config(None)


def test_setup_never_overwrites_the_users_cli_config(tmp_path, monkeypatch):
    user_config = tmp_path / "user.terraformrc"
    user_config.write_text('plugin_cache_dir = "/somewhere"\n')
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(user_config))
    monkeypatch.setenv("LEGACYLIFT_STATE_DIR", str(tmp_path / "state"))
    terraform_setup.ensure_cli_config()
    assert user_config.read_text() == 'plugin_cache_dir = "/somewhere"\n'
    assert (tmp_path / "state/terraform.rc").is_file()
    assert tfenv.terraform_env()["TF_CLI_CONFIG_FILE"] == str(tmp_path / "state/terraform.rc")


def test_bad_mirror_setting_names_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("LEGACYLIFT_TF_MIRROR", str(tmp_path))
    with pytest.raises(Exception, match="registry.terraform.io"):
        tfenv.find_provider_mirror()


@pytest.mark.aws_provider
def test_terraform_init_with_aws_provider_works_offline_through_the_mirror(tmp_path):
    mirror = tfenv.find_provider_mirror()
    require(mirror is not None, "no provider filesystem mirror on this machine")
    (tmp_path / "main.tf").write_text(
        'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
        '      version = ">= 5.0"\n    }\n  }\n}\n'
    )
    result = subprocess.run(
        [str(tfenv.terraform_binary()), "init", "-input=false", "-no-color"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=tfenv.terraform_env(),
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Installed hashicorp/aws" in result.stdout or "Using hashicorp/aws" in result.stdout
    installed = next(
        (tmp_path / ".terraform/providers/registry.terraform.io/hashicorp/aws").iterdir()
    )
    # Linked from the mirror, not fetched: the version is whatever the mirror holds.
    assert (mirror / "registry.terraform.io/hashicorp/aws" / installed.name).is_dir()


@pytest.mark.docker
def test_base_image_runs_python_with_networking_off(docker_client, base_image):
    output = docker_client.containers.run(
        base_image,
        ["python3", "-c", "import sys, socket; print(sys.version_info[:2], socket.if_nameindex())"],
        network_mode="none",
        remove=True,
    ).decode()
    assert output.startswith("(3, 11)"), output
    assert "'lo'" in output and "eth0" not in output, output


def _tiny_image(docker_client, repository: str) -> str:
    """Import a one-file image (no base needed) and return its id."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        data = b"legacylift registry test\n"
        info = tarfile.TarInfo("hello.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    result = docker_client.api.import_image_from_data(
        buffer.getvalue(), repository=repository, tag="t"
    )
    return json.loads(result.splitlines()[-1])["status"]


def _push_events(docker_client, repository: str, auth_config=None) -> list[dict]:
    return list(
        docker_client.api.push(
            repository, tag="t", stream=True, decode=True, auth_config=auth_config
        )
    )


@pytest.mark.docker
@pytest.mark.registry
def test_registry_accepts_authenticated_push_and_refuses_anonymous(
    docker_client, registry_credentials
):
    address = registry_credentials["address"]
    repository = f"{address}/setup-test/tiny"
    _tiny_image(docker_client, repository)

    anonymous = _push_events(docker_client, repository)
    assert any("error" in event for event in anonymous), anonymous

    auth = {
        "username": registry_credentials["username"],
        "password": registry_credentials["password"],
    }
    events = _push_events(docker_client, repository, auth_config=auth)
    assert not [e for e in events if "error" in e], events
    digest = next(e["aux"]["Digest"] for e in events if "aux" in e)

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"http://{address}/v2/setup-test/tiny/manifests/t", timeout=5)
    assert refused.value.code == 401

    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    manager.add_password(None, f"http://{address}/", auth["username"], auth["password"])
    opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(manager))
    request = urllib.request.Request(
        f"http://{address}/v2/setup-test/tiny/manifests/t",
        headers={"Accept": "application/vnd.docker.distribution.manifest.v2+json"},
        method="HEAD",
    )
    with opener.open(request, timeout=5) as response:
        assert response.headers["Docker-Content-Digest"] == digest


@pytest.mark.registry
def test_registry_is_configured_for_loopback_only(registry_credentials):
    from legacylift.setup.registry import registry_dir

    config = (registry_dir() / "config.yml").read_text()
    assert f"addr: {registry_credentials['address']}" in config
    assert registry_credentials["address"].startswith("127.0.0.1:")


def test_report_tools_missing_without_root_name_the_debian_packages(tmp_path, monkeypatch):
    from legacylift.errors import LegacyLiftError
    from legacylift.setup import report_tools, system

    monkeypatch.setenv("PATH", str(tmp_path))  # neither dot nor chromium on it
    monkeypatch.setattr(system, "is_root", lambda: False)
    with pytest.raises(LegacyLiftError, match=r"apt-get install chromium graphviz"):
        report_tools.ensure_report_tools()


def test_report_tools_are_installed_by_setup():
    import shutil

    from legacylift.setup.report_tools import REPORT_COMMANDS

    assert REPORT_COMMANDS == {"dot": "graphviz", "chromium": "chromium"}
    require(all(shutil.which(command) for command in REPORT_COMMANDS), "run ./bootstrap first")
