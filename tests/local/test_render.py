"""render_workflow: real Terraform on a copy of modules/workflow, cached by content."""

from __future__ import annotations

import json

import pytest

from legacylift.local.render import render_workflow

MODELS = {"m1": {"image_uri": "legacylift/m1:abc", "steps": ["inference"]}}


def test_renders_with_terraform_then_reuses_the_cache(tmp_path, monkeypatch):
    first = render_workflow(MODELS, "legacylift/sklearn-processing:x", cache_dir=tmp_path)
    definition = json.loads(first.definitions["m1"])
    tasks = [s for s in definition["States"].values() if s["Type"] == "Task"]
    assert [t["Parameters"]["AppSpecification"]["ImageUri"] for t in tasks] == ["legacylift/m1:abc"]
    assert len(list(tmp_path.glob("*.json"))) == 1

    import legacylift.local.render as render

    monkeypatch.setattr(render, "_apply", lambda *_: pytest.fail("rendered again"))
    assert render_workflow(MODELS, "legacylift/sklearn-processing:x", cache_dir=tmp_path) == first


def test_a_changed_variable_renders_again_and_terraform_errors_are_explained(tmp_path):
    other = {"m1": {**MODELS["m1"], "image_uri": "legacylift/m1:def"}}
    rendered = render_workflow(other, "legacylift/sklearn-processing:x", cache_dir=tmp_path)
    assert "legacylift/m1:def" in rendered.definitions["m1"]
    from legacylift.errors import LegacyLiftError

    with pytest.raises(LegacyLiftError, match="terraform apply of modules/workflow failed"):
        render_workflow({"Bad_Name": {"image_uri": "x"}}, "f", cache_dir=tmp_path)
