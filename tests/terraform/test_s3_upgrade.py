"""modules/s3 creates its resources with `count = var.create ? 1 : 0` (a model stack of a split
deployment creates no bucket). A bucket applied before that count existed must plan as
unchanged afterwards on both Terraform versions: Terraform moves an instance without key to
`[0]` by itself, so an existing deployment upgrades without `state mv` or moved blocks."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import pytest

from legacylift.paths import REPO_ROOT

pytestmark = [pytest.mark.aws_provider, pytest.mark.slow]

MODULE = REPO_ROOT / "modules" / "s3"
# modules/s3 as released before it had `create` (its files unchanged, from the repository's
# history): the shape every existing deployment's state was written by.
BEFORE = Path(__file__).resolve().parent / "fixtures" / "s3-without-create"


def test_a_bucket_applied_without_count_plans_unchanged_with_it(tmp_path, moto_aws):
    """Planted bug: the bucket resource renamed (`aws_s3_bucket.data`): the plan destroys and
    recreates it (red)."""
    from tests.terraform.tfcopy import moto_provider_block, terraform

    before = tmp_path / "before"
    shutil.copytree(BEFORE, before)
    (before / "provider.tf").write_text(moto_provider_block(moto_aws.endpoint))
    bucket = f"legacylift-upgrade-{uuid.uuid4().hex[:8]}"
    variables = ["-var", f"bucket_name={bucket}", "-var", "force_destroy=true"]
    terraform(before, "init", "-backend=false", "-input=false", "-no-color")
    terraform(before, "apply", "-auto-approve", "-input=false", "-no-color", *variables)

    after = tmp_path / "after"
    shutil.copytree(MODULE, after)
    (after / "provider.tf").write_text(moto_provider_block(moto_aws.endpoint))
    shutil.copy2(before / "terraform.tfstate", after / "terraform.tfstate")
    terraform(after, "init", "-backend=false", "-input=false", "-no-color")
    terraform(after, "plan", "-out=tfplan", "-input=false", "-no-color", *variables)
    shown = json.loads(terraform(after, "show", "-json", "tfplan").stdout)
    actions = {
        change["address"]: change["change"]["actions"] for change in shown["resource_changes"]
    }
    assert "aws_s3_bucket.this[0]" in actions
    # Terraform 1.11 reports the key change as a move, 1.0.3 not at all: both change nothing.
    assert {address: a for address, a in actions.items() if a != ["no-op"]} == {}
