"""The fan-out workflow modules/workflow renders for a model with `fan_out`: its Map (Distributed
with STANDARD children and an S3 ItemReader, or inline), per-batch prefixes, tolerance, job
names, IAM, validated by moto's ASL parser and run by moto's interpreter with Tasks swapped."""

from __future__ import annotations

import copy
import json

import boto3
import pytest

from tests.iam_evaluation import allowed
from tests.local.sfn_oracle import MotoStepFunctions
from tests.workflow.asl_validation import asl_errors
from tests.workflow.conftest import ACCOUNT, REGION, base_vars, model_entry, uncaught_job_tasks

DISTRIBUTED = {
    "split": "object",
    "max_concurrency": 50,
    "tolerated_failure_percentage": 10,
    "combine": {"script": "combine.py", "instance_type": "ml.m5.large"},
}
INLINE = {"split": "prefix", "mode": "inline", "max_concurrency": 4}
GROUPED = {"split": "object", "objects_per_batch": 3}


def _entry(name, fan_out):
    entry = model_entry(name, fan_out=fan_out)
    entry["code_uris"]["combine"] = f"s3://legacylift-dev-data/{name}/code/3333/"
    return entry


@pytest.fixture(scope="module")
def rendered(workflow):
    """Outputs for three fan-out models (distributed over objects, inline over sub-prefixes,
    distributed over groups of three objects)."""
    return workflow.render(
        base_vars(
            {
                "many": _entry("many", DISTRIBUTED),
                "few": _entry("few", INLINE),
                "groups": model_entry("groups", fan_out=GROUPED),
            }
        )
    )


def _definition(rendered, name):
    return json.loads(rendered["definitions"][name])


def test_every_shape_passes_validation(rendered):
    for name in ("many", "few", "groups"):
        assert asl_errors(rendered["definitions"][name]) == [], name


def test_distributed_map_of_standard_children_with_an_item_reader(rendered):
    states = _definition(rendered, "many")["States"]
    batches = states["RunBatches"]
    processor = batches["ItemProcessor"]
    # STANDARD: each child waits for processing jobs (.sync), which Express workflows refuse.
    assert processor["ProcessorConfig"] == {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    express_child = {"StartAt": processor["StartAt"], "States": processor["States"]}
    assert asl_errors(json.dumps(express_child), express=True) != []
    assert batches["ItemReader"]["Resource"] == "arn:aws:states:::s3:listObjectsV2"
    assert batches["MaxConcurrency"] == 50
    assert batches["ToleratedFailurePercentage"] == 10
    assert batches["ResultWriter"]["Resource"] == "arn:aws:states:::s3:putObject"
    chain = processor["States"]
    assert [chain[s]["Type"] for s in ("Preprocessing", "Inference", "Postprocessing")] == [
        "Task"
    ] * 3
    # Each batch's intermediate data under its own prefix; overrides from the parent's input.
    resolve = chain["ResolveSettings"]["Parameters"]
    assert resolve["run_prefix.$"] == "$.batch_run_prefix"
    assert "$$.Execution.Input" not in json.dumps(chain)
    assert "batches/" in chain["Batch"]["Output"]


def test_combine_step_reads_every_batch_output(rendered):
    states = _definition(rendered, "many")["States"]
    combine = states["Combine"]["Parameters"]
    (data, code) = combine["ProcessingInputs"]
    assert data["S3Input"]["S3Uri.$"] == "States.Format('{}batches/', $.output_uri)"
    assert code["S3Input"]["S3Uri"] == "s3://legacylift-dev-data/many/code/3333/"
    assert combine["ProcessingJobName.$"].startswith("States.Format('legacylift-dev-many-cmb-{}'")
    assert states["PinnedSettings"]["Result"]["combine"]["instance_type"] == "ml.m5.large"
    assert states["RunBatches"]["Next"] == "Combine" and states["Combine"]["Next"] == "Done"


def test_a_failed_batch_or_combine_job_fails_its_own_task(rendered):
    """A batch's jobs (in the Map's item processor) and the combine job fail their own Task:
    a redrive restarts that Task (in the failed iterations only, for a Map)."""
    checked = {name: uncaught_job_tasks(_definition(rendered, name)) for name in ("many", "few")}
    assert sorted(checked["many"]) == ["Combine", "Inference", "Postprocessing", "Preprocessing"]
    assert sorted(checked["few"]) == ["Inference", "Postprocessing", "Preprocessing"]


def test_job_names_stay_within_63_characters(workflow):
    name = "a" * 32
    outputs = workflow.render(base_vars({name: _entry(name, DISTRIBUTED)}, name_prefix="p" * 40))
    text = outputs["definitions"][name]
    prefixes = {json.loads(f'"{p}"') for p in _job_prefixes(text)}
    assert prefixes and all(len(prefix) + 12 <= 63 for prefix in prefixes), prefixes


def _job_prefixes(text: str) -> list[str]:
    import re

    return re.findall(r"States.Format\('([^']*-(?:pre|inf|pos|cmb)-)\{\}'", text)


def test_inline_map_lists_sub_prefixes_and_tolerates_nothing(rendered):
    states = _definition(rendered, "few")["States"]
    batches = states["RunBatches"]
    assert batches["ItemProcessor"]["ProcessorConfig"] == {"Mode": "INLINE"}
    assert batches["ItemsPath"] == "$.batches" and "ItemReader" not in batches
    assert not any(key.startswith("ToleratedFailure") for key in batches)
    assert states["ListBatches"]["Parameters"]["Delimiter"] == "/"
    assert states["SelectBatches"]["Parameters"]["batches.$"] == "$.listing.CommonPrefixes"
    assert states["HasBatches"]["Default"] == "NoBatches"


def test_iam_of_a_distributed_fan_out(rendered):
    """Planted once: the listing's s3:prefix condition widened to "*" turned this red."""
    statements = {
        s["Sid"]: s for s in json.loads(rendered["state_machine_policies"]["many"])["Statement"]
    }
    machine = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:legacylift-dev-many"
    assert statements["DistributedMapStartsItsChildren"]["Resource"] == [machine]
    assert statements["DistributedMapStartsItsChildren"]["Action"] == ["states:StartExecution"]
    assert statements["DistributedMapFollowsItsChildren"]["Resource"] == [
        f"arn:aws:states:{REGION}:{ACCOUNT}:execution:legacylift-dev-many/*"
    ]
    assert statements["ListBatches"]["Condition"] == {
        "StringLike": {"s3:prefix": ["many/input/*", "many/inputs/*"]}
    }
    assert statements["WriteMapResults"]["Resource"] == [
        "arn:aws:s3:::legacylift-dev-data/many/output/*"
    ]
    jobs = statements["ProcessingJobs"]["Resource"]
    assert any("-cmb-" in arn for arn in jobs)
    for statement in statements.values():
        assert all("*" not in action for action in statement["Action"])
    # An inline fan-out starts no child workflows and writes no Map results.
    inline = {s["Sid"] for s in json.loads(rendered["state_machine_policies"]["few"])["Statement"]}
    assert "DistributedMapStartsItsChildren" not in inline and "WriteMapResults" not in inline


def test_groups_of_objects_are_batched_and_read_through_a_manifest(rendered):
    """objects_per_batch = 3: the ItemBatcher groups the ItemReader's objects, each batch
    writes its manifest, and the batch's first step alone reads it as a ManifestFile input."""
    states = _definition(rendered, "groups")["States"]
    batches = states["RunBatches"]
    assert batches["ItemReader"]["Resource"] == "arn:aws:states:::s3:listObjectsV2"
    assert batches["ItemBatcher"]["MaxItemsPerBatch"] == 3
    assert "ItemSelector" not in batches  # the shared fields come once, as BatchInput
    assert set(batches["ItemBatcher"]["BatchInput"]) == {
        "input_bucket.$",
        "input_prefix.$",
        "output_uri.$",
        "run_prefix.$",
        "overrides.$",
    }
    chain = batches["ItemProcessor"]["States"]
    assert batches["ItemProcessor"]["StartAt"] == "Batch"
    write = chain["WriteManifest"]
    assert write["Resource"] == "arn:aws:states:::aws-sdk:s3:putObject"
    assert write["Parameters"]["Body.$"] == "States.JsonToString($.manifest.Entries)"
    assert write["Next"] == "ValidateInput"
    assert "'manifests/'" in chain["Batch"]["Output"]
    data_types = {
        step: chain[step]["Parameters"]["ProcessingInputs"][0]["S3Input"]
        for step in ("Preprocessing", "Inference", "Postprocessing")
    }
    assert data_types["Preprocessing"]["S3DataType"] == "ManifestFile"
    assert data_types["Preprocessing"]["S3Uri.$"] == "$.input_uri"
    assert data_types["Inference"]["S3DataType"] == "S3Prefix"
    assert data_types["Postprocessing"]["S3DataType"] == "S3Prefix"
    # One object per batch keeps each object's own prefix.
    many = _definition(rendered, "many")["States"]["RunBatches"]
    assert "ItemBatcher" not in many
    first = many["ItemProcessor"]["States"]["Preprocessing"]["Parameters"]["ProcessingInputs"][0]
    assert first["S3Input"]["S3DataType"] == "S3Prefix"


def test_manifests_are_the_only_objects_the_workflow_role_may_write_in_runs(rendered):
    """Planted once: WriteBatchManifests' Resource widened to `<model>/runs/*` turned this red
    (the workflow role could then overwrite any step's intermediate data)."""
    policy = json.loads(rendered["state_machine_policies"]["groups"])
    bucket = "arn:aws:s3:::legacylift-dev-data"
    manifest = f"{bucket}/groups/runs/exec-1/manifests/day-01.csv.json"
    assert allowed(policy, "s3:PutObject", manifest)
    for key in (
        "groups/runs/exec-1/batches/day-01.csv/preprocessing/features.csv",
        "groups/runs/exec-1/preprocessing/out.csv",
        "groups/input/day-01.csv",
        "groups/code/1111/preprocessing.py",
        "groups/models/promoted.json",
        "many/runs/exec-1/manifests/day-01.csv.json",
    ):
        assert not allowed(policy, "s3:PutObject", f"{bucket}/{key}"), key
    # A fan-out of single objects writes no manifests.
    many = json.loads(rendered["state_machine_policies"]["many"])
    assert not allowed(many, "s3:PutObject", f"{bucket}/many/runs/exec-1/manifests/a.json")


@pytest.mark.parametrize(
    ("fan_out", "message"),
    [
        ({"mode": "inline", "tolerated_failures": 1}, "need mode"),
        ({"max_concurrency": 0}, "max_concurrency must be a whole number from 1"),
        ({"mode": "inline", "max_concurrency": 41}, "max_concurrency must be a whole number"),
        ({"tolerated_failure_percentage": 101}, "tolerated_failure_percentage a number from 0"),
        ({"split": "rows"}, "split must be"),
        ({"batches": 3}, "fan_out has an unknown key"),
        ({"split": "prefix", "objects_per_batch": 3}, "above 1 it needs split"),
        ({"split": "object", "mode": "inline", "objects_per_batch": 3}, "above 1 it needs"),
        ({"split": "object", "objects_per_batch": 101}, "objects_per_batch must be a whole"),
    ],
)
def test_bad_fan_out_settings_fail_the_plan(workflow, fan_out, message):
    error = workflow.render_error(base_vars({"bad": model_entry("bad", fan_out=fan_out)}))
    assert message in " ".join(error.split())


def _swapped(definition: dict) -> dict:
    """The definition with what moto cannot run replaced: processing job Tasks (no SageMaker
    jobs in moto) by Passes giving a job's description; the S3 SDK listing Task by its count;
    the two JSONata Pass states (moto evaluates JSONata through a Java bridge not installed
    here) by JSONPath Passes computing the same fields for this input; and the ResultWriter's
    Parameters by literals (moto evaluates them against the Map's result, AWS against its
    input)."""
    swapped = copy.deepcopy(definition)

    def swap_tasks(states):
        for name, state in states.items():
            if state["Type"] == "Task" and "sagemaker" in state["Resource"]:
                states[name] = {
                    "Type": "Pass",
                    "ResultPath": state["ResultPath"],
                    "Next": state["Next"],
                    "Result": {
                        "ProcessingJobName": name,
                        "ProcessingJobArn": "arn",
                        "ProcessingJobStatus": "Completed",
                    },
                }
            if state["Type"] == "Map":
                swap_tasks(state["ItemProcessor"]["States"])

    states = swapped["States"]
    swap_tasks(states)
    states["ListBatches"] = {
        "Type": "Pass",
        "Result": {"KeyCount": 3},
        "ResultPath": "$.listing",
        "Next": "HasBatches",
    }
    states["LocateData"] = {
        "Type": "Pass",
        "Next": "ListBatches",
        "Parameters": {
            "input_uri.$": "$.input_uri",
            "output_uri.$": "$.output_uri",
            "input_bucket": "data",
            "input_prefix": "in/",
            "output_bucket": "data",
            "output_prefix": "out/",
            "run_prefix": "s3://data/runs/x/",
            "overrides.$": "$$.Execution.Input",
            "settings.$": "$.settings",
            "jobs.$": "$.jobs",
        },
    }
    child = states["RunBatches"]["ItemProcessor"]["States"]
    child["Batch"] = {
        "Type": "Pass",
        "Next": child["Batch"]["Next"],
        "Parameters": {
            "input_uri.$": "States.Format('s3://{}/{}', $.input_bucket, $.item.Key)",
            "output_uri.$": "States.Format('{}batches/{}/', $.output_uri, $.item.Key)",
            "batch_run_prefix.$": "States.Format('{}batches/{}/', $.run_prefix, $.item.Key)",
            "overrides.$": "$.overrides",
        },
    }
    states["RunBatches"]["ResultWriter"]["Parameters"] = {"Bucket": "data", "Prefix": "out/results"}
    return swapped


@pytest.mark.slow
def test_the_distributed_map_runs_in_motos_interpreter(rendered):
    definition = _swapped(_definition(rendered, "many"))
    with MotoStepFunctions() as sfn:
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="data")
        for key in ("in/a.csv", "in/b.csv", "in/folder/"):  # the last a folder marker
            s3.put_object(Bucket="data", Key=key, Body=b"x")
        outcome = sfn.run(
            definition, {"input_uri": "s3://data/in/", "output_uri": "s3://data/out/"}, timeout=120
        )
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="data", Prefix="out/")["Contents"]]
    assert outcome["status"] == "SUCCEEDED", outcome
    output = outcome["output"]
    assert output["jobs"]["Combine"]["ProcessingJobStatus"] == "Completed"
    details = output["batches"]["ResultWriterDetails"]
    assert details["Bucket"] == "data" and details["Key"] in keys


def test_instance_count_shards_the_data_input(workflow):
    """A step on several instances: each gets its ShardedByS3Key share of the data input; the
    script-mode code input stays FullyReplicated (every instance runs the script)."""
    entry = model_entry("wide", preprocessing={"instance_count": 3})
    states = json.loads(workflow.render(base_vars({"wide": entry}))["definitions"]["wide"])[
        "States"
    ]
    pre = states["Preprocessing"]["Parameters"]
    assert pre["ProcessingResources"]["ClusterConfig"]["InstanceCount"] == 3
    inputs = {
        i["InputName"]: i["S3Input"]["S3DataDistributionType"] for i in pre["ProcessingInputs"]
    }
    assert inputs == {"data": "ShardedByS3Key", "code": "FullyReplicated"}
    inference = states["Inference"]["Parameters"]
    assert inference["ProcessingResources"]["ClusterConfig"]["InstanceCount"] == 1
    assert inference["ProcessingInputs"][0]["S3Input"]["S3DataDistributionType"] == (
        "FullyReplicated"
    )
    error = workflow.render_error(
        base_vars({"bad": model_entry("bad", inference={"instance_count": 0})})
    )
    assert "instance_count must be a whole number from 1 to 100" in " ".join(error.split())
