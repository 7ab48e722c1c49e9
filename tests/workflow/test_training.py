"""The training workflow modules/workflow renders (`training_definitions`), checked by moto's
parser and run in moto's interpreter with its Tasks swapped: SageMaker jobs echo their
requests (as in the other workflow tests), the S3 reads return given metric summaries and
promotion records, the S3 write echoes its request. Its IAM and its plan-time checks."""

from __future__ import annotations

import importlib.util
import json
import tempfile
from pathlib import Path

import pytest

from tests.workflow.asl_evaluation import run_in_moto, tasks_as_passes
from tests.workflow.asl_validation import assert_valid_asl
from tests.workflow.conftest import (
    ACCOUNT,
    MODULE,
    REGION,
    base_vars,
    model_entry,
    uncaught_job_tasks,
)
from tests.workflow.test_policies import UNSCOPABLE, allowed, job_arn

RUNNER_URI = "s3://legacylift-dev-data/_legacylift/code/0123456789abcdef/"
BUCKET_ARN = "arn:aws:s3:::legacylift-dev-data"

IRIS_TRAINING = {
    "train": {"arguments": ["/opt/ml/processing/input/data"], "artifact_paths": ["model.joblib"]},
    "evaluate": {"instance_type": "ml.c5.xlarge", "environment": {"LOG": "1"}},
    "promotion": {
        "metric": "accuracy",
        "direction": "higher",
        "threshold": 0.9,
        "min_improvement": 0.01,
    },
}
DIAB_TRAINING = {
    "train": {"output_path": "/opt/ml/processing/model"},
    "evaluate": {"script": "tools/score.py", "output_path": "/opt/ml/processing/metrics"},
    "promotion": {
        "metric": "scores.rmse",
        "direction": "lower",
        "threshold": 70,
        "metrics_file": "scores.json",
    },
}


def training_vars(**overrides) -> dict:
    models = {
        "iris": model_entry("iris", inference={"artifacts": "promoted"}, **IRIS_TRAINING),
        "diab": model_entry("diab", **DIAB_TRAINING),
        "plain": model_entry("plain"),
    }
    return base_vars(models, step_runner_uri=RUNNER_URI, **overrides)


@pytest.fixture(scope="module")
def outputs(workflow):
    return workflow.render(training_vars())


def definition(outputs, name: str) -> dict:
    return json.loads(outputs["training_definitions"][name])


def test_a_failed_train_or_evaluate_job_fails_its_own_task(outputs):
    """Train and Evaluate fail their own Task (no Catch into a Fail state), so a redrive
    restarts the failed job and what follows."""
    for name in outputs["training_definitions"]:
        assert uncaught_job_tasks(definition(outputs, name)) == ["Train", "Evaluate"]


def swapped(
    document: dict,
    summary: dict,
    record: dict | None,
    listing: dict | None = None,
    sealed_count: int = 0,
) -> dict:
    """`document` with its Tasks swapped for Pass states: jobs echo their requests, ReadMetric
    returns `summary`, ReadPromoted `record` (None: the key is missing, as its Catch routes),
    Promote echoes its request into the output."""
    machine = tasks_as_passes(document)
    states = machine["States"]
    states["ListArtifacts"] = {
        "Type": "Pass",
        "Result": listing or ARTIFACT_LISTING,
        "ResultPath": "$.listing",
        "Next": "CheckArtifacts",
    }
    states["ListSealed"] = {
        "Type": "Pass",
        "Result": {"count": sealed_count},
        "ResultPath": "$.sealed",
        "Next": "CheckSealedUnused",
    }
    seal = states["SealArtifacts"]
    copy = seal["ItemProcessor"]["States"]["CopyArtifact"]
    seal["ItemProcessor"]["States"]["CopyArtifact"] = {
        "Type": "Pass",
        "Parameters": copy["Parameters"],
        "End": True,
    }
    del seal["ResultSelector"]
    seal["ResultPath"] = "$.copies"
    states["ReadMetric"] = {
        "Type": "Pass",
        "Result": {"summary": summary},
        "ResultPath": "$.evaluation",
        "Next": "CheckMetric",
    }
    if record is None:
        missing = states["ReadPromoted"]["Catch"][0]
        assert missing["ErrorEquals"][0] == "S3.NoSuchKeyException"
        states["ReadPromoted"] = {"Type": "Pass", "Next": missing["Next"]}
    else:
        states["ReadPromoted"] = {
            "Type": "Pass",
            "Result": {"exists": True, "record": record},
            "ResultPath": "$.promoted",
            "Next": "Decide",
        }
    states["Promote"] = {
        "Type": "Pass",
        "Parameters": states["Promote"]["Parameters"],
        "ResultPath": "$.put",
        "Next": "Promoted",
    }
    states["Promoted"]["Parameters"]["put.$"] = "$.put"
    states["Promoted"]["Parameters"]["copies.$"] = "$.copies"
    return machine


def _step_runner():
    """files/steprunner.py, the code that writes the metric summary in the Evaluate job."""
    spec = importlib.util.spec_from_file_location("steprunner", MODULE / "files" / "steprunner.py")
    runner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runner)
    return runner


STEP_RUNNER = _step_runner()


ARTIFACT_LISTING = {
    "IsTruncated": False,
    "KeyCount": 2,
    "Contents": [
        {"Key": "iris/models/run-1/artifacts/model.joblib", "Size": 10},
        {"Key": "iris/models/run-1/artifacts/sub/vocab.txt", "Size": 3},
    ],
}


def summary(value: float, improvement: float, direction: str = "higher") -> dict:
    """The summary the step runner writes for a metrics file holding `value` (its own
    `summarise`, run on a real file: the basis is the runner's, never recomputed here)."""
    with tempfile.TemporaryDirectory() as scratch:
        metrics = Path(scratch) / "metrics.json"
        metrics.write_text(json.dumps({"m": value}))
        return STEP_RUNNER.summarise(metrics, "m", direction, improvement)


def promoted_record(value: float) -> dict:
    return {"metric": {"name": "accuracy", "value": value}, "source_execution": "run-0"}


def test_definitions_are_valid_asl_and_named_per_model(outputs):
    assert sorted(outputs["training_definitions"]) == ["diab", "iris"]
    assert outputs["training_state_machine_names"] == {
        "diab": "legacylift-dev-diab-train",
        "iris": "legacylift-dev-iris-train",
    }
    for text in outputs["training_definitions"].values():
        assert_valid_asl(text)
    assert_valid_asl(outputs["definitions"]["iris"])
    assert outputs["promotion_records"]["iris"] == (
        "s3://legacylift-dev-data/iris/models/promoted.json"
    )


def test_train_and_evaluate_requests_run_the_scripts_under_the_runner(outputs):
    """The evaluated requests (moto) carry the runner, the paths and the versioned prefixes,
    and match botocore's SageMaker API model."""
    import botocore.session
    from botocore.validate import ParamValidator

    shape = (
        botocore.session.get_session()
        .get_service_model("sagemaker")
        .operation_model("CreateProcessingJob")
        .input_shape
    )
    result = run_in_moto(
        swapped(definition(outputs, "diab"), summary(50.0, 0, "lower"), None),
        {"input_uri": "s3://legacylift-dev-data/diab/input/t/", "evaluation_uri": "s3://e/x/"},
        "run-7",
    )
    assert result["status"] == "SUCCEEDED", result
    jobs = result["output"]["jobs"]
    train, evaluate = jobs["Train"], jobs["Evaluate"]
    for request in (train, evaluate):
        request = {**request, "RoleArn": request.get("RoleArn", "")}
        report = ParamValidator().validate(request, shape)
        assert not report.has_errors(), report.generate_report()
    prefix = "s3://legacylift-dev-data/diab/models/run-7/"
    assert train["ProcessingOutputConfig"]["Outputs"][0]["S3Output"] == {
        "S3Uri": prefix + "artifacts/",
        "LocalPath": "/opt/ml/processing/model",
        "S3UploadMode": "EndOfJob",
    }
    assert train["AppSpecification"]["ContainerEntrypoint"] == [
        "python3",
        "/opt/ml/processing/input/legacylift/steprunner.py",
        "--",
        "python3",
        "/opt/ml/code/train.py",
    ]
    inputs = {item["InputName"]: item["S3Input"] for item in evaluate["ProcessingInputs"]}
    assert inputs["data"]["S3Uri"] == "s3://e/x/"
    sealed = "s3://legacylift-dev-data/_sealed/diab/models/run-7/artifacts/"
    assert inputs["artifacts"]["S3Uri"] == sealed
    assert inputs["legacylift"]["S3Uri"] == RUNNER_URI
    entrypoint = evaluate["AppSpecification"]["ContainerEntrypoint"]
    assert entrypoint[-2:] == ["python3", "/opt/ml/code/tools/score.py"]
    assert entrypoint[entrypoint.index("--metrics") + 1] == "/opt/ml/processing/metrics/scores.json"
    assert entrypoint[entrypoint.index("--direction") + 1] == "lower"
    assert train["RoleArn"] == f"arn:aws:iam::{ACCOUNT}:role/legacylift-dev-diab-train"
    assert train["ProcessingJobName"].startswith("legacylift-dev-diab-trn-")
    assert evaluate["ProcessingJobName"].startswith("legacylift-dev-diab-evl-")


@pytest.mark.parametrize(
    ("value", "record", "promoted", "reason"),
    [
        (0.95, None, True, None),
        (0.85, None, False, "accuracy = 0.85 does not reach the bar 0.9"),
        (0.85, promoted_record(0.8), False, "does not reach the bar"),
        (0.955, promoted_record(0.95), False, "does not improve on the promoted model (0.95"),
        (0.97, promoted_record(0.95), True, None),
    ],
)
def test_the_choice_promotes_only_past_the_bar_and_the_promoted_model(
    outputs, value, record, promoted, reason
):
    result = run_in_moto(
        swapped(definition(outputs, "iris"), summary(value, 0.01), record),
        {"input_uri": "s3://legacylift-dev-data/iris/input/t/"},
        "run-1",
    )
    assert result["status"] == "SUCCEEDED", result
    output = result["output"]
    assert output["promoted"] is promoted
    if promoted:
        written = output["put"]
        assert written["Key"] == "iris/models/promoted.json"
        assert written["Bucket"] == "legacylift-dev-data"
        assert json.loads(written["Body"]) == output["record"]
        assert output["record"]["artifact_uri"] == (
            "s3://legacylift-dev-data/_sealed/iris/models/run-1/artifacts/"
        )
        assert output["record"]["metric"] == {
            "name": "accuracy",
            "value": value,
            "direction": "higher",
        }
        assert output["record"]["source_execution"] == "run-1"
    else:
        assert reason in output["reason"]
        assert "put" not in output


def test_the_promoted_artifacts_are_a_sealed_copy_no_job_may_write(outputs):
    """Evaluation and the promotion record use the copy the state machine made of the Train
    step's artifacts in `_sealed/`, key by key.

    Planted bug: the record naming `$.artifacts_uri` (the Train job's own prefix, which every
    job of the model may rewrite) instead of the sealed copy: red."""
    result = run_in_moto(
        swapped(definition(outputs, "iris"), summary(0.95, 0.01), None),
        {"input_uri": "s3://legacylift-dev-data/iris/input/t/"},
        "run-1",
    )
    assert result["status"] == "SUCCEEDED", result
    output = result["output"]
    sealed = "s3://legacylift-dev-data/_sealed/iris/models/run-1/artifacts/"
    assert output["record"]["artifact_uri"] == sealed
    assert output["copies"] == [
        {
            "Bucket": "legacylift-dev-data",
            "CopySource": "legacylift-dev-data/iris/models/run-1/artifacts/model.joblib",
            "Key": "_sealed/iris/models/run-1/artifacts/model.joblib",
        },
        {
            "Bucket": "legacylift-dev-data",
            "CopySource": "legacylift-dev-data/iris/models/run-1/artifacts/sub/vocab.txt",
            "Key": "_sealed/iris/models/run-1/artifacts/sub/vocab.txt",
        },
    ]
    evaluate = output["jobs"]["Evaluate"]
    staged = {item["InputName"]: item["S3Input"]["S3Uri"] for item in evaluate["ProcessingInputs"]}
    assert staged["artifacts"] == sealed


@pytest.mark.parametrize(
    ("listing", "sealed_count", "error"),
    [
        (
            {"IsTruncated": True, "KeyCount": 200, "Contents": [{"Key": "k"}]},
            0,
            "LegacyLift.Seal.TooManyArtifacts",
        ),
        ({"IsTruncated": False, "KeyCount": 0}, 0, "LegacyLift.Seal.NoArtifacts"),
        (ARTIFACT_LISTING, 1, "LegacyLift.Seal.SealedArtifactsExist"),
    ],
)
def test_sealing_refuses_what_it_cannot_copy_whole_or_would_overwrite(
    outputs, listing, sealed_count, error
):
    """A truncated listing, no artifacts, or a sealed prefix already holding a copy (an
    execution name used again) end the run before Evaluate; nothing is promoted.

    Planted bug: CheckSealedUnused's Choice removed (a reused execution name overwrites sealed,
    possibly promoted, artifacts): red."""
    result = run_in_moto(
        swapped(definition(outputs, "iris"), summary(0.95, 0.01), None, listing, sealed_count),
        {"input_uri": "s3://legacylift-dev-data/iris/input/t/"},
        "run-1",
    )
    assert result["status"] == "FAILED"
    assert result["error"] == error


@pytest.mark.parametrize("separate", [False, True])
def test_evaluating_on_the_training_data_is_said_in_the_output_and_the_record(outputs, separate):
    """Without evaluation_uri the run evaluates on its training data, and says so: the
    promotion record and the run's output carry evaluated_on_training_data = true, and the
    commands print a warning from it.

    Planted bug: SeparateEvaluationData's Result true (every run reported as evaluated on its
    training data) turns the separate case red."""
    from legacylift.local.promotions import training_data_warning

    execution = {"input_uri": "s3://legacylift-dev-data/iris/input/t/"}
    if separate:
        execution["evaluation_uri"] = "s3://legacylift-dev-data/iris/input/e/"
    result = run_in_moto(
        swapped(definition(outputs, "iris"), summary(0.95, 0.01), None), execution, "run-1"
    )
    assert result["status"] == "SUCCEEDED", result
    record = result["output"]["record"]
    assert record["evaluated_on_training_data"] is (not separate)
    staged = {
        i["InputName"]: i["S3Input"]["S3Uri"]
        for i in result["output"]["jobs"]["Evaluate"]["ProcessingInputs"]
    }
    assert staged["data"] == execution.get("evaluation_uri", execution["input_uri"])
    warning = training_data_warning("iris", result["output"])
    assert (warning is None) is separate
    if not separate:
        assert "iris was evaluated on its training data" in warning


@pytest.mark.parametrize(
    ("direction", "value", "basis"),
    [
        ("higher", 0.99, 1e300),  # the forged summary of a local proof
        ("higher", 0.99, 0.995),  # basis better than value
        ("lower", 50.0, 49.0),
        ("higher", 1e16, 1e16 - 1),  # beyond any plausible metric
    ],
)
def test_an_implausible_metric_summary_promotes_nothing(outputs, direction, value, basis):
    """The decision re-checks the summary: value and basis of sane magnitude, basis no better
    than value. A forged summary fails the run; the record is untouched (no Promote).

    Planted bug: CheckMetric's Choice accepting any summary (Next straight to ReadPromoted):
    red."""
    name = "iris" if direction == "higher" else "diab"
    forged = {"metric": "m", "value": value, "basis": basis, "direction": direction}
    result = run_in_moto(
        swapped(definition(outputs, name), forged, None),
        {"input_uri": f"s3://legacylift-dev-data/{name}/input/t/"},
        "run-1",
    )
    assert result["status"] == "FAILED", result
    assert result["error"] == "LegacyLift.Decide.ImplausibleMetric"


def promoted(outputs, model: str, evaluated: dict, record: dict | None) -> bool:
    """Whether the training workflow of `model` promotes, given the Evaluate job's summary
    and the promotion record already there."""
    result = run_in_moto(
        swapped(definition(outputs, model), evaluated, record),
        {"input_uri": f"s3://legacylift-dev-data/{model}/input/t/"},
        "run-2",
    )
    assert result["status"] == "SUCCEEDED", result
    return result["output"]["promoted"]


@pytest.mark.parametrize(("value", "expected"), [(0.9, True), (0.899, False), (0.901, True)])
def test_a_higher_is_better_threshold_is_reached_at_the_threshold(outputs, value, expected):
    """The rule is "at least": accuracy 0.9 reaches the bar 0.9 (no promoted model yet), just
    below does not, just above does. Planted bug (the bar compared with NumericGreaterThan):
    0.9 is not promoted; red."""
    assert promoted(outputs, "iris", summary(value, 0.01), None) is expected


@pytest.mark.parametrize(
    ("value", "expected"), [(70, True), (70.0, True), (69.999, True), (70.001, False)]
)
def test_a_lower_is_better_threshold_is_reached_at_the_threshold(outputs, value, expected):
    """The mirror: rmse 70 reaches the bar 70 (lower is better), as an int or a float.
    Planted bug (the bar compared with NumericLessThan): 70 is not promoted; red."""
    assert promoted(outputs, "diab", summary(value, 0, "lower"), promoted_record(99)) is expected


@pytest.mark.parametrize(("offset", "expected"), [(0, True), (1e-9, False), (-1e-9, True)])
def test_an_improvement_of_exactly_the_minimum_promotes(outputs, offset, expected):
    """The promoted model's value set at, just above and just below the new model's basis
    (the runner's value less min_improvement). Planted bug (NumericGreaterThanEqualsPath made
    NumericGreaterThanPath): an improvement of exactly 0.01 is refused; red."""
    evaluated = summary(0.97, 0.01)
    record = promoted_record(evaluated["basis"] + offset)
    assert promoted(outputs, "iris", evaluated, record) is expected


def test_every_s3_failure_is_caught_and_named(outputs):
    """The S3 steps name their failure in a Fail state; the jobs fail their own Task
    (test_a_failed_train_or_evaluate_job_fails_its_own_task)."""
    states = definition(outputs, "iris")["States"]
    for name in ("ReadMetric", "ReadPromoted", "Promote"):
        assert states[name]["Retry"][0]["ErrorEquals"] == [
            "S3.S3Exception",
            "S3.SdkClientException",
        ]
        assert states[name]["Catch"][-1] == {
            "ErrorEquals": ["States.ALL"],
            "ResultPath": "$.error",
            "Next": f"{name}Failed",
        }
    assert states["NotPromoted"]["End"] is True and states["NotPromoted"]["Type"] == "Pass"


def test_invalid_input_fails_clearly(outputs):
    result = run_in_moto(
        swapped(definition(outputs, "iris"), summary(0.95, 0), None), {"input_uri": "x"}, "bad"
    )
    assert result["status"] == "FAILED"
    assert result["error"] == "LegacyLift.InvalidInput"


def test_inference_reads_the_record_at_run_time(outputs):
    states = json.loads(outputs["definitions"]["iris"])["States"]
    assert states["ResolveSettings"]["Next"] == "ReadPromotedArtifacts"
    read = states["ReadPromotedArtifacts"]
    assert read["Resource"] == "arn:aws:states:::aws-sdk:s3:getObject"
    assert read["Parameters"] == {
        "Bucket": "legacylift-dev-data",
        "Key": "iris/models/promoted.json",
    }
    assert read["Catch"][0]["Next"] == "UseImageArtifacts"
    assert states["Inference"]["Parameters"]["ProcessingInputs.$"] == "$.staging.inputs"
    with_artifacts = states["UsePromotedArtifacts"]["Parameters"]["inputs"]
    without = states["UseImageArtifacts"]["Parameters"]["inputs"]
    assert [i["InputName"] for i in with_artifacts] == ["data", "legacylift", "artifacts"]
    assert [i["InputName"] for i in without] == ["data", "legacylift"]
    plain = json.loads(outputs["definitions"]["plain"])["States"]
    assert (
        "ReadPromotedArtifacts" not in plain
        and "ProcessingInputs" in plain["Inference"]["Parameters"]
    )


def test_promoted_inference_on_several_instances_shards_its_data_not_its_artifacts(workflow):
    """Each instance of a multi-instance inference step takes its ShardedByS3Key share of the
    data, as without promotion, while every instance needs all the promoted artifacts.
    Planted bug (data input always FullyReplicated on the promoted path): red."""
    models = {
        "iris": model_entry(
            "iris", inference={"artifacts": "promoted", "instance_count": 2}, **IRIS_TRAINING
        )
    }
    states = json.loads(
        workflow.render(base_vars(models, step_runner_uri=RUNNER_URI))["definitions"]["iris"]
    )["States"]
    inputs = {
        item["InputName"]: item["S3Input"]
        for item in states["UsePromotedArtifacts"]["Parameters"]["inputs"]
    }
    assert inputs["data"]["S3DataDistributionType"] == "ShardedByS3Key"
    assert inputs["artifacts"]["S3DataDistributionType"] == "FullyReplicated"
    assert inputs["legacylift"]["S3DataDistributionType"] == "FullyReplicated"
    assert (
        states["Inference"]["Parameters"]["ProcessingResources"]["ClusterConfig"]["InstanceCount"]
        == 2
    )


def s3(key: str) -> str:
    return f"{BUCKET_ARN}/{key}"


def test_training_policies_pass_parliament(outputs):
    """Every training policy linted by parliament; only findings listed with their reason in
    tests/iam_accepted_findings.json pass, and the training role's PassRole is one of them."""
    from tests.iam_lint import unaccepted

    documents = {f"training jobs {n}": p for n, p in outputs["training_sagemaker_policies"].items()}
    documents |= {
        f"evaluation jobs {n}": p for n, p in outputs["evaluation_sagemaker_policies"].items()
    }
    documents |= {
        f"training machine {n}": p for n, p in outputs["training_state_machine_policies"].items()
    }
    problems, seen = unaccepted(documents)
    assert problems == []
    assert ("PassTrainingRoles", "PERMISSIONS_MANAGEMENT_ACTIONS") in seen


def test_training_iam_is_least_privilege(outputs):
    """Planted bugs: granting the jobs `iris/models/*` instead of `iris/models/*/<area>/*` let
    them overwrite the promotion record and turned this red; so did granting every model's
    execution role the reading of the sealed artifacts (not only those of models on promoted
    artifacts)."""
    jobs = {n: json.loads(p) for n, p in outputs["training_sagemaker_policies"].items()}
    evaluations = {n: json.loads(p) for n, p in outputs["evaluation_sagemaker_policies"].items()}
    machines = {n: json.loads(p) for n, p in outputs["training_state_machine_policies"].items()}
    for policy in [*jobs.values(), *evaluations.values(), *machines.values()]:
        for statement in policy["Statement"]:
            assert not any("*" in action for action in statement["Action"])
            if "*" in statement["Resource"]:
                assert set(statement["Action"]) <= UNSCOPABLE
    iris_jobs, iris_eval, iris_machine = jobs["iris"], evaluations["iris"], machines["iris"]
    assert allowed(iris_jobs, "s3:PutObject", s3("iris/models/run-1/artifacts/model.joblib"))
    assert allowed(iris_eval, "s3:PutObject", s3("iris/models/run-1/evaluation/metrics.json"))
    for role in (iris_jobs, iris_eval):
        assert not allowed(role, "s3:PutObject", s3("iris/models/promoted.json"))
        assert not allowed(role, "s3:PutObject", s3("diab/models/run-1/artifacts/x"))
        assert not allowed(role, "s3:PutObject", s3("iris/output/x"))
        assert allowed(role, "s3:GetObject", s3("_legacylift/code/0123456789abcdef/steprunner.py"))
        assert not allowed(role, "s3:GetObject", s3("diab/input/x.csv"))
        assert allowed(role, "s3:GetObject", s3("iris/input/2027/x.csv"))  # upload-input's
        assert not allowed(role, "s3:GetObject", s3("iris/output/2027/x.csv"))
    assert allowed(iris_eval, "s3:GetObject", s3("_sealed/iris/models/r/artifacts/model.joblib"))
    assert not allowed(iris_jobs, "s3:GetObject", s3("_sealed/iris/models/r/artifacts/m"))
    ecr = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/legacylift/"
    assert allowed(iris_jobs, "ecr:BatchGetImage", ecr + "iris")
    assert not allowed(iris_jobs, "ecr:BatchGetImage", ecr + "diab")

    assert allowed(iris_machine, "s3:PutObject", s3("iris/models/promoted.json"))
    assert allowed(iris_machine, "s3:GetObject", s3("iris/models/promoted.json"))
    assert allowed(
        iris_machine, "s3:GetObject", s3("iris/models/r/evaluation/legacylift-metric.json")
    )
    assert not allowed(iris_machine, "s3:PutObject", s3("diab/models/promoted.json"))
    assert not allowed(iris_machine, "s3:PutObject", s3("iris/models/r/artifacts/model.joblib"))
    # Sealing: read the run's artifacts, write their copy, both of its own model only.
    assert allowed(iris_machine, "s3:GetObject", s3("iris/models/r/artifacts/model.joblib"))
    assert allowed(iris_machine, "s3:PutObject", s3("_sealed/iris/models/r/artifacts/m.joblib"))
    assert not allowed(iris_machine, "s3:PutObject", s3("_sealed/diab/models/r/artifacts/m"))
    assert not allowed(iris_machine, "s3:GetObject", s3("diab/models/r/artifacts/model.joblib"))
    assert allowed(
        iris_machine,
        "sagemaker:CreateProcessingJob",
        job_arn("legacylift-dev-iris-trn-0123456789ab"),
    )
    assert not allowed(
        iris_machine,
        "sagemaker:CreateProcessingJob",
        job_arn("legacylift-dev-iris-inf-0123456789ab"),
    )
    assert not allowed(
        iris_machine,
        "sagemaker:CreateProcessingJob",
        job_arn("legacylift-dev-diab-evl-0123456789ab"),
    )
    passes = [s for s in iris_machine["Statement"] if s["Action"] == ["iam:PassRole"]]
    assert passes[0]["Resource"] == [
        f"arn:aws:iam::{ACCOUNT}:role/legacylift-dev-iris-train",
        f"arn:aws:iam::{ACCOUNT}:role/legacylift-dev-iris-evaluate",
    ]
    assert outputs["training_role_names"] == {
        "diab": "legacylift-dev-diab-train",
        "iris": "legacylift-dev-iris-train",
    }
    assert outputs["evaluation_role_names"]["iris"] == "legacylift-dev-iris-evaluate"

    inference = {n: json.loads(p) for n, p in outputs["state_machine_policies"].items()}
    assert allowed(inference["iris"], "s3:GetObject", s3("iris/models/promoted.json"))
    assert not allowed(inference["iris"], "s3:PutObject", s3("iris/models/promoted.json"))
    assert not allowed(inference["plain"], "s3:GetObject", s3("iris/models/promoted.json"))
    # Each model's execution role: its own sealed artifacts and the runner, read only.
    roles = {n: json.loads(p) for n, p in outputs["sagemaker_policies"].items()}
    sealed = s3("_sealed/iris/models/r/artifacts/model.joblib")
    assert allowed(roles["iris"], "s3:GetObject", sealed)
    assert allowed(
        roles["iris"], "s3:GetObject", s3("_legacylift/code/0123456789abcdef/steprunner.py")
    )
    assert not allowed(roles["iris"], "s3:GetObject", s3("iris/models/r/artifacts/model.joblib"))
    assert not allowed(roles["iris"], "s3:GetObject", s3("_sealed/diab/models/r/artifacts/m"))
    assert not allowed(roles["iris"], "s3:GetObject", s3("iris/models/r/evaluation/m.json"))
    assert not allowed(roles["iris"], "s3:PutObject", s3("iris/models/promoted.json"))
    assert not allowed(roles["iris"], "s3:PutObject", sealed)
    assert not allowed(roles["plain"], "s3:GetObject", sealed)
    assert not allowed(roles["plain"], "s3:GetObject", s3("_sealed/plain/models/r/artifacts/x"))
    # The training roles never write what inference writes.
    assert not allowed(jobs["iris"], "s3:PutObject", s3("iris/runs/r/inference/x"))


def test_no_job_may_replace_what_was_promoted_or_forge_a_metric(workflow):
    """The IAM evaluator over every job role of a deployment (models on promoted artifacts,
    plain and training ones, and the generic workflow): none may write the promotion record
    or the sealed (promoted) artifacts; the Train role writes no metric, of its run or another;
    the Evaluate step, whose role writes evaluations, always runs without network, so its only
    write is SageMaker's upload of its own output.

    Planted bugs: the Train role granted `iris/models/*/*` as before (it could write another
    run's `legacylift-metric.json`): red; the Evaluate job run with network (as a networked
    Train job may): red."""
    models = {
        "iris": model_entry(
            "iris", inference={"artifacts": "promoted"}, defaults={"network": True}, **IRIS_TRAINING
        ),
        "diab": model_entry("diab", **DIAB_TRAINING),
        "plain": model_entry("plain"),
    }
    outputs = workflow.render(
        base_vars(models, step_runner_uri=RUNNER_URI, enable_generic_workflow=True)
    )
    job_roles = {f"execution {n}": p for n, p in outputs["sagemaker_policies"].items()}
    job_roles["generic"] = outputs["generic_sagemaker_policy"]
    job_roles |= {f"train {n}": p for n, p in outputs["training_sagemaker_policies"].items()}
    job_roles |= {f"evaluate {n}": p for n, p in outputs["evaluation_sagemaker_policies"].items()}
    protected = [
        "iris/models/promoted.json",
        "_sealed/iris/models/run-1/artifacts/model.joblib",
        "_sealed/diab/models/run-1/artifacts/model.txt",
    ]
    for role, policy in job_roles.items():
        document = json.loads(policy)
        for key in protected:
            for action in ("s3:PutObject", "s3:DeleteObject"):
                assert not allowed(document, action, s3(key)), (role, action, key)
    for name in ("iris", "diab"):
        train = json.loads(outputs["training_sagemaker_policies"][name])
        for run in ("run-1", "another-run"):
            metric = s3(f"{name}/models/{run}/evaluation/legacylift-metric.json")
            assert not allowed(train, "s3:PutObject", metric)
        states = json.loads(outputs["training_definitions"][name])["States"]
        network = states["Evaluate"]["Parameters"]["NetworkConfig"]
        assert network == {"EnableNetworkIsolation": True}
    iris_train = json.loads(outputs["training_definitions"]["iris"])["States"]["Train"]
    assert iris_train["Parameters"]["NetworkConfig"] == {"EnableNetworkIsolation": False}


def drop(section: str) -> dict:
    entry = model_entry("iris", **IRIS_TRAINING)
    del entry[section]
    return base_vars({"iris": entry}, step_runner_uri=RUNNER_URI)


def with_promotion(**rule) -> dict:
    entry = model_entry("iris", **{**IRIS_TRAINING, "promotion": rule})
    return base_vars({"iris": entry}, step_runner_uri=RUNNER_URI)


def entry(**sections) -> dict:
    """Variables of one model `iris` with the training sections replaced by `sections`."""
    return base_vars(
        {"iris": model_entry("iris", **{**IRIS_TRAINING, **sections})}, step_runner_uri=RUNNER_URI
    )


CLASH = {"iris": model_entry("iris", **IRIS_TRAINING), "iris-train": model_entry("iris-train")}
PROMOTED_ONLY = {"iris": model_entry("iris", inference={"artifacts": "promoted"})}
BAD = {
    "no evaluate": (drop("evaluate"), "needs all of train, evaluate and promotion"),
    "no bar": (with_promotion(metric="accuracy"), "a threshold and/or a min_improvement >= 0"),
    "bad direction": (
        with_promotion(metric="a", direction="up", threshold=1),
        'direction \\"higher\\" or',
    ),
    "negative improvement": (
        with_promotion(metric="a", min_improvement=-1),
        "min_improvement >= 0",
    ),
    "bad metric path": (with_promotion(metric="a b", threshold=1), "a metric path"),
    "no runner": (base_vars({"iris": model_entry("iris", **IRIS_TRAINING)}), "set step_runner_uri"),
    "name clash": (
        base_vars(CLASH, step_runner_uri=RUNNER_URI),
        "would take the name of the model iris-train",
    ),
    "promoted without training": (
        base_vars(PROMOTED_ONLY, step_runner_uri=RUNNER_URI),
        "without a training workflow (train, evaluate, promotion)",
    ),
    "unknown train key": (
        entry(train={"image": "framework"}),
        "train or evaluate settings have an unknown key",
    ),
    "networked evaluation": (
        entry(evaluate={"network": True}),
        "evaluate.network = true: the evaluation always runs without network",
    ),
    "path outside processing": (
        entry(evaluate={"output_path": "/tmp/x"}),
        "under /opt/ml/processing/",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_training_settings_fail_at_plan_naming_the_fix(workflow, case):
    variables, fragment = BAD[case]
    message = " ".join(workflow.render_error(variables).split())
    assert fragment in message
