"""The split stacks' deploy records in moto's S3: one object beside each stack's state, read
back by any machine (no local file), kept per workspace, encrypted as the backend asks."""

from __future__ import annotations

import json

import boto3
import pytest

from legacylift.aws import stacks
from legacylift.aws.backend import render_backend_config
from legacylift.aws.deploy_record import DeployRecord, backend_settings, state_object_key
from legacylift.errors import LegacyLiftError

BUCKET = "legacylift-record-test-tfstate"


@pytest.fixture
def backend(aws_env, tmp_path, monkeypatch):
    """A state bucket in moto and a backend config naming it."""
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
    config = tmp_path / "backend.hcl"
    config.write_text(
        f'bucket = "{BUCKET}"\nkey    = "team/legacylift.tfstate"\n'
        'region = "us-east-1"\nencrypt = true\n'
    )
    monkeypatch.setenv("LEGACYLIFT_BACKEND_CONFIG", str(config))
    return config


def test_records_sit_beside_each_stack_state_and_are_read_back_by_a_fresh_reader(backend):
    """Planted bug: the record key leaves out the workspace (dev's records are read as prod's,
    so prod skips stacks it never applied)."""
    dev = DeployRecord("dev", stacks.state_key)
    dev.write("shared", "f-shared")
    dev.write("iris", "f-iris")
    prod = DeployRecord("prod", stacks.state_key)
    prod.write("iris", "f-prod-iris")
    s3 = boto3.client("s3", region_name="us-east-1")
    # A state object in the same folder is not a record.
    s3.put_object(Bucket=BUCKET, Key="env:/dev/team/stacks/models/iris.tfstate", Body=b"{}")
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert "env:/dev/team/stacks/shared.tfstate.fingerprint" in keys
    assert "env:/dev/team/stacks/models/iris.tfstate.fingerprint" in keys
    # Another machine (nothing local) reads the same.
    assert DeployRecord("dev", stacks.state_key).read() == {"shared": "f-shared", "iris": "f-iris"}
    assert DeployRecord("prod", stacks.state_key).read() == {"iris": "f-prod-iris"}
    head = s3.head_object(Bucket=BUCKET, Key="env:/dev/team/stacks/models/iris.tfstate.fingerprint")
    assert head["ServerSideEncryption"] == "AES256"
    dev.delete("iris")
    assert DeployRecord("dev", stacks.state_key).read() == {"shared": "f-shared"}


def test_default_workspace_and_key_prefix_follow_the_backend(backend, tmp_path):
    settings = backend_settings()
    assert settings["bucket"] == BUCKET and settings["encrypt"] == "true"
    written = tmp_path / "written.hcl"
    written.write_text(render_backend_config("b-1", "eu-west-1", "b-1-lock", "x/y.tfstate"))
    assert backend_settings(written) == {
        "bucket": "b-1",
        "key": "x/y.tfstate",
        "region": "eu-west-1",
        "dynamodb_table": "b-1-lock",
        "encrypt": "true",
    }
    assert state_object_key("default", "a/b.tfstate", settings) == "a/b.tfstate"
    assert state_object_key("dev", "a/b.tfstate", {"workspace_key_prefix": "ws"}) == (
        "ws/dev/a/b.tfstate"
    )


def test_a_record_that_is_not_json_is_named_with_the_fix(backend):
    boto3.client("s3", region_name="us-east-1").put_object(
        Bucket=BUCKET, Key="env:/dev/team/stacks/shared.tfstate.fingerprint", Body=b"garbage"
    )
    with pytest.raises(LegacyLiftError, match=r"shared.tfstate.fingerprint: .*not a deploy record"):
        DeployRecord("dev", stacks.state_key).read()


def test_a_missing_bucket_is_one_clear_error(aws_env, tmp_path, monkeypatch):
    config = tmp_path / "backend.hcl"
    config.write_text('bucket = "no-such-state-bucket"\nkey = "x.tfstate"\nregion = "us-east-1"\n')
    monkeypatch.setenv("LEGACYLIFT_BACKEND_CONFIG", str(config))
    with pytest.raises(LegacyLiftError, match="no-such-state-bucket") as caught:
        DeployRecord("dev", stacks.state_key).read()
    assert "s3:ListBucket" in str(caught.value)


def state_document(outputs: dict, version: int = 4) -> bytes:
    """A state object as Terraform writes it (only the parts read here)."""
    values = {name: {"value": value, "type": "string"} for name, value in outputs.items()}
    return json.dumps({"version": version, "outputs": values, "resources": []}).encode()


def test_a_split_workspaces_outputs_merge_every_model_map_from_the_state_objects(
    backend, monkeypatch
):
    """The model stacks' outputs come from their state objects (no Terraform process per
    stack), and every map output is merged, aliases included. Planted bug: only a fixed list
    of maps merged (the `live` alias `invoke run` starts missing on a split workspace)."""
    s3 = boto3.client("s3", region_name="us-east-1")
    iris = {
        "data_bucket": "data",
        "state_machine_arns": {"iris": "arn:sm:iris"},
        "state_machine_alias_arns": {"iris": "arn:sm:iris:live"},
    }
    s3.put_object(
        Bucket=BUCKET, Key="env:/dev/team/stacks/models/iris.tfstate", Body=state_document(iris)
    )
    s3.put_object(  # a model no longer pinned: its leftover state is not merged
        Bucket=BUCKET,
        Key="env:/dev/team/stacks/models/gone.tfstate",
        Body=state_document({"state_machine_arns": {"gone": "arn:sm:gone"}}),
    )
    shared = {"data_bucket": "data", "state_machine_arns": {}, "ecr_repository_urls": {"iris": "r"}}

    class SharedStack:
        def outputs(self, workspace):
            return shared

    monkeypatch.setattr(stacks, "stack_runner", lambda name: SharedStack())
    monkeypatch.setattr(stacks, "pinned_entries", lambda w: {"iris": {"image_uri": "r@sha256:1"}})
    merged = stacks.merged_outputs("dev")
    assert merged["state_machine_arns"] == {"iris": "arn:sm:iris"}
    assert merged["state_machine_alias_arns"] == {"iris": "arn:sm:iris:live"}
    assert merged["ecr_repository_urls"] == {"iris": "r"} and merged["data_bucket"] == "data"
    s3.put_object(
        Bucket=BUCKET,
        Key="env:/dev/team/stacks/models/iris.tfstate",
        Body=state_document(iris, version=3),
    )
    with pytest.raises(LegacyLiftError, match="iris.tfstate: state format version 3"):
        stacks.merged_outputs("dev")
