"""`list-models`: which digest each workspace pins, which were promoted there, and how far the
prod workspace is behind, from the tfvars and the promotion logs that `promote` writes."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from legacylift import tfvars
from legacylift.model_table import model_table, prod_lag
from legacylift.promote import append_promotion
from tests.local.tiny_models import write_models

REPO = "127.0.0.1:5000/legacylift/single"
OLD, NEW = "sha256:" + "a" * 64, "sha256:" + "b" * 64
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def _pinned(**digests: str | None) -> dict:
    return {
        ws: {"single": {"image_uri": f"{REPO}@{d}" if d else None}} for ws, d in digests.items()
    }


def test_prod_behind_the_workspaces_that_run_another_digest():
    """Planted bug: the lag compares digests by the first 12 hex characters shown in the table
    (two digests sharing them would read as up to date) or counts unpinned workspaces as
    ahead."""
    promotions = [{"model": "single", "digest": OLD, "when": "2026-12-01T12:00:00+00:00"}]
    pinned = _pinned(dev=NEW, staging=OLD, prod=OLD, qa=None)
    assert prod_lag("single", pinned, "prod", promotions, NOW) == "behind dev (its digest since 5d)"
    same_prefix = "sha256:" + "a" * 12 + "c" * 52
    assert prod_lag("single", _pinned(dev=same_prefix, prod=OLD), "prod", [], NOW) == "behind dev"
    assert prod_lag("single", _pinned(dev=OLD, prod=OLD, qa=None), "prod", [], NOW) == "up to date"
    assert prod_lag("single", _pinned(dev=NEW, prod=None), "prod", [], NOW) == "not in prod"


def test_list_models_marks_promoted_pins_and_prod_lag(tmp_path, monkeypatch, docker_client):
    monkeypatch.setenv("LEGACYLIFT_MODELS_DIR", str(write_models(tmp_path / "models", ["single"])))
    monkeypatch.setenv("LEGACYLIFT_TFVARS_DIR", str(tmp_path / "terraform" / "tfvars"))
    tfvars.pin_image("dev", "single", f"{REPO}@{NEW}")
    tfvars.pin_image("prod", "single", f"{REPO}@{OLD}")
    append_promotion("prod", {"model": "single", "digest": OLD, "when": NOW.isoformat()})

    table = model_table().splitlines()
    assert re.split(r"\s{2,}", table[0]) == [
        "model",
        "content hash",
        "built",
        "dev",
        "prod",
        "prod lag",
        "promoted (local)",
        "last run",
    ]
    row = next(line for line in table if line.startswith("single "))
    assert f" {NEW[7:19]} " in row and f" {OLD[7:19]}+ " in row  # `+`: promoted into prod
    assert "behind dev (its digest since" in row
