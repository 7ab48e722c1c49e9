"""render_workflow: real Terraform on a copy of modules/workflow, cached by content."""

from __future__ import annotations

import json

import pytest

from legacylift.local.render import evaluate, local_variables, render_workflow

MODELS = {"m1": {"image_uri": "legacylift/m1:abc", "steps": ["inference"]}}


def test_renders_with_terraform_then_reuses_the_cache(tmp_path, monkeypatch):
    first = render_workflow(MODELS, "legacylift/sklearn-processing:x", cache_dir=tmp_path)
    definition = json.loads(first.definitions["m1"])
    tasks = [s for s in definition["States"].values() if s["Type"] == "Task"]
    assert [t["Parameters"]["AppSpecification"]["ImageUri"] for t in tasks] == ["legacylift/m1:abc"]
    assert len(list(tmp_path.glob("*.json"))) == 1

    import legacylift.local.render as render

    monkeypatch.setattr(render, "evaluate", lambda *_: pytest.fail("rendered again"))
    assert render_workflow(MODELS, "legacylift/sklearn-processing:x", cache_dir=tmp_path) == first


def test_a_changed_variable_renders_again_and_terraform_errors_are_explained(tmp_path):
    other = {"m1": {**MODELS["m1"], "image_uri": "legacylift/m1:def"}}
    rendered = render_workflow(other, "legacylift/sklearn-processing:x", cache_dir=tmp_path)
    assert "legacylift/m1:def" in rendered.definitions["m1"]
    from legacylift.errors import LegacyLiftError

    with pytest.raises(LegacyLiftError, match="terraform plan of modules/workflow failed"):
        render_workflow({"Bad_Name": {"image_uri": "x"}}, "f", cache_dir=tmp_path)


def test_outputs_read_from_the_plan_are_what_an_apply_writes(tmp_path):
    """The render reads outputs from a saved plan instead of applying: they must be exactly the
    outputs an apply leaves in its state, null ones (the generic workflow's, here) absent as
    there. Planted bug: null outputs kept in the plan's reading."""
    import shutil

    from legacylift.local.render import _terraform
    from legacylift.paths import MODULES_DIR

    models = {
        **MODELS,
        "m2": {
            "image_uri": "legacylift/m2:abc",
            "defaults": {"instance_type": "ml.c5.2xlarge"},
            "inference": {"environment": {"OMP_NUM_THREADS": "1"}},
            "code_uris": {step: "s3://b/m2/code/" for step in ("preprocessing", "postprocessing")},
        },
    }
    variables = local_variables(models, "legacylift/sklearn-processing:x")
    workdir = tmp_path / "workflow"
    shutil.copytree(MODULES_DIR / "workflow", workdir, ignore=shutil.ignore_patterns(".terraform*"))
    (workdir / "v.tfvars.json").write_text(json.dumps(variables))
    _terraform(["init", "-input=false", "-backend=false"], workdir)
    _terraform(["apply", "-auto-approve", "-input=false", "-var-file=v.tfvars.json"], workdir)
    applied = json.loads(_terraform(["output", "-json"], workdir))

    planned = evaluate(MODULES_DIR / "workflow", variables)
    assert planned == {name: entry["value"] for name, entry in applied.items()}
    assert "generic_definition" not in planned and set(planned["definitions"]) == {"m1", "m2"}
