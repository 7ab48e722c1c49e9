"""`restrict_output_uri`: a model's workflow, as the root module renders it for the cloud,
refuses an output_uri outside the model's own output area (and the extra output locations), so
a run cannot write into another run's data; local renders keep any s3:// output. Run in moto's
interpreter with the Tasks swapped for Pass states (tests/workflow/asl_evaluation.py)."""

from __future__ import annotations

import json

import pytest

from tests.workflow.asl_evaluation import evaluated_requests
from tests.workflow.conftest import base_vars, model_entry

BUCKET = "legacylift-dev-data"
EXTRA = "s3://shared-reports/legacylift/"
FAN_OUT = {"fan_out": {"split": "prefix"}}


def _vars(**overrides) -> dict:
    models = {"iris": model_entry("iris"), "wine": model_entry("wine", **FAN_OUT)}
    return base_vars(models, extra_output_s3_uris=[EXTRA], **overrides)


@pytest.fixture(scope="module")
def restricted(workflow):
    return workflow.render(_vars(restrict_output_uri=True))


@pytest.fixture(scope="module")
def unrestricted(workflow):
    return workflow.render(_vars())


def _status(outputs, model: str, output_uri: str) -> tuple[str, str | None, str | None]:
    definition = json.loads(outputs["definitions"][model])
    execution = {"input_uri": f"s3://{BUCKET}/{model}/input/a/", "output_uri": output_uri}
    result = evaluated_requests(definition, execution, "run-2")
    return result["status"], result["error"], result["cause"]


REFUSED = [
    f"s3://{BUCKET}/{{model}}/runs/run-1/",  # another run's intermediate data
    f"s3://{BUCKET}/{{model}}/models/run-1/artifacts/",
    f"s3://{BUCKET}/other/output/x/",  # another model's output
    f"s3://{BUCKET}/{{model}}/output",  # not a folder under output/
    "s3://elsewhere/out/",
]
ACCEPTED = [f"s3://{BUCKET}/{{model}}/output/run-2/", EXTRA + "daily/"]


@pytest.mark.parametrize("model", ["iris", "wine"])
@pytest.mark.parametrize("output", REFUSED)
def test_an_output_outside_the_models_output_area_is_refused(restricted, model, output):
    """The per-model and the fan-out workflow alike: InvalidInput before any job, the cause
    naming the output area. Planted bug: the restricted ValidateInput keeping the bare
    `s3://*` rule turns every case red."""
    status, error, cause = _status(restricted, model, output.format(model=model))
    assert (status, error) == ("FAILED", "LegacyLift.InvalidInput")
    assert f"s3://{BUCKET}/{model}/output/" in cause


@pytest.mark.parametrize("model", ["iris", "wine"])
@pytest.mark.parametrize("output", ACCEPTED)
def test_the_models_output_area_and_extra_outputs_are_accepted(restricted, model, output):
    """Past ValidateInput: iris's chain runs to the end; wine's fan-out stops later, at its
    Distributed Map, which the swapped Tasks do not serve (not at the input check)."""
    status, error, _ = _status(restricted, model, output.format(model=model))
    if model == "iris":
        assert status == "SUCCEEDED", error
    else:
        assert error != "LegacyLift.InvalidInput"


def test_unrestricted_renders_accept_any_s3_output(unrestricted):
    """What local renders (run-local --output s3://...) and recorded histories rely on."""
    status, error, _ = _status(unrestricted, "iris", f"s3://{BUCKET}/iris/runs/run-1/")
    assert status == "SUCCEEDED", error


@pytest.mark.parametrize(
    ("output", "refused"),
    [
        ("s3://{bucket}/{model}/output/{date}/", False),
        (f"s3://{BUCKET}/iris/output/daily/{{date}}/", False),
        (EXTRA + "{date}/", False),
        ("s3://{bucket}/{model}/runs/{date}/", True),
        ("s3://{bucket}/other/output/{date}/", True),
    ],
)
def test_a_schedule_writing_outside_the_output_area_is_refused_at_plan(workflow, output, refused):
    """One line naming the model and the fix; the default template passes."""
    schedule = {
        "expression": "cron(0 6 * * ? *)",
        "time_zone": "UTC",
        "input": "s3://{bucket}/{model}/input/{date}/",
        "output": output,
        "utc_offsets": [0],
    }
    models = {"iris": model_entry("iris", schedule=schedule)}
    variables = base_vars(models, extra_output_s3_uris=[EXTRA], restrict_output_uri=True)
    if refused:
        error = " ".join(workflow.render_error(variables).split())
        assert "ERROR: the schedule output of iris is outside the model's output area" in error
    else:
        assert "iris" in workflow.render(variables)["definitions"]
