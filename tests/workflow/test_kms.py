"""Data key use under `kms_key_arn`, decided by the project's IAM evaluator over the rendered
policies: each workflow's exact S3 request sequence, with the KMS calls S3 makes on the
caller's behalf (kms:ViaService = s3.<region>.amazonaws.com, encryption context
aws:s3:arn = the object's ARN, or the bucket's ARN under the bucket's S3 Bucket Key), is
allowed; the same key used directly, through another service or for another model's objects is
not."""

from __future__ import annotations

import json

import pytest

from tests.iam_evaluation import allowed
from tests.workflow.conftest import ACCOUNT, REGION, base_vars, model_entry
from tests.workflow.test_fan_out import DISTRIBUTED
from tests.workflow.test_training import IRIS_TRAINING, RUNNER_URI

BUCKET = "legacylift-dev-data"
KMS_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
VIA_S3 = f"s3.{REGION}.amazonaws.com"
DATA_KEY_ACTIONS = {
    "kms:Decrypt",
    "kms:GenerateDataKey",
    "kms:Encrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKeyWithoutPlaintext",
}


def s3_arn(key: str = "") -> str:
    return f"arn:aws:s3:::{BUCKET}" + (f"/{key}" if key else "")


def through_s3(key: str = "") -> dict:
    """The context of a KMS call S3 makes for object `key` (the bucket's ARN without one)."""
    return {"kms:ViaService": VIA_S3, "kms:EncryptionContext:aws:s3:arn": s3_arn(key)}


@pytest.fixture(scope="module")
def outputs(workflow):
    """A model on promoted artifacts with its training workflow, a distributed fan-out model,
    a plain one and the generic workflow, with a customer-managed key."""
    many = model_entry("many", fan_out=DISTRIBUTED)
    many["code_uris"]["combine"] = f"s3://{BUCKET}/many/code/3333/"
    models = {
        "iris": model_entry("iris", inference={"artifacts": "promoted"}, **IRIS_TRAINING),
        "many": many,
        "plain": model_entry("plain"),
        "groups": model_entry("groups", fan_out={"split": "object", "objects_per_batch": 5}),
    }
    return workflow.render(
        base_vars(
            models, step_runner_uri=RUNNER_URI, kms_key_arn=KMS_KEY, enable_generic_workflow=True
        )
    )


def every_policy(outputs) -> dict[str, dict]:
    documents = {}
    for output in (
        "sagemaker_policies",
        "state_machine_policies",
        "training_sagemaker_policies",
        "evaluation_sagemaker_policies",
        "training_state_machine_policies",
    ):
        for name, text in outputs[output].items():
            documents[f"{output} {name}"] = json.loads(text)
    documents["generic jobs"] = json.loads(outputs["generic_sagemaker_policy"])
    documents["generic machine"] = json.loads(outputs["generic_state_machine_policy"])
    return documents


def test_kms_request_sequence_of_promoted_inference(outputs):
    """The promoted-inference state machine reads the SSE-KMS record Promote wrote: ListBucket
    (so a missing record is NoSuchKey), GetObject, and the Decrypt S3 makes for it.

    Planted bug: no Decrypt for the state machine (every run after the first promotion ended
    in ReadPromotedArtifactsFailed): red."""
    machine = json.loads(outputs["state_machine_policies"]["iris"])
    record = "iris/models/promoted.json"
    sequence = [
        ("s3:ListBucket", s3_arn(), {"s3:prefix": record}),
        ("s3:GetObject", s3_arn(record), {}),
        ("kms:Decrypt", KMS_KEY, through_s3()),  # under the bucket's S3 Bucket Key
        ("kms:Decrypt", KMS_KEY, through_s3(record)),  # an object written without one
    ]
    for action, resource, context in sequence:
        assert allowed(machine, action, resource, context), (action, resource, context)
    assert not allowed(machine, "kms:Decrypt", KMS_KEY, through_s3("plain/output/x.csv"))
    assert not allowed(machine, "kms:GenerateDataKey", KMS_KEY, through_s3(record))
    plain = json.loads(outputs["state_machine_policies"]["plain"])
    assert not allowed(plain, "kms:Decrypt", KMS_KEY, through_s3(record))


def test_kms_request_sequence_of_a_distributed_fan_out(outputs):
    """The Distributed Map lists its batches, then its ResultWriter writes the manifest and
    results into the SSE-KMS bucket: GenerateDataKey (and Decrypt, for a multipart upload)
    through S3.

    Planted bug: no GenerateDataKey for the fan-out state machine (the ResultWriter's PutObject
    refused): red."""
    machine = json.loads(outputs["state_machine_policies"]["many"])
    results = "many/output/run-1/results/8c1d/manifest.json"
    sequence = [
        ("s3:ListBucket", s3_arn(), {"s3:prefix": "many/input/batch-1/"}),
        ("s3:PutObject", s3_arn(results), {}),
        ("kms:GenerateDataKey", KMS_KEY, through_s3()),
        ("kms:GenerateDataKey", KMS_KEY, through_s3(results)),
        ("kms:Decrypt", KMS_KEY, through_s3(results)),
    ]
    for action, resource, context in sequence:
        assert allowed(machine, action, resource, context), (action, resource, context)
    assert not allowed(machine, "kms:GenerateDataKey", KMS_KEY, through_s3("iris/output/x"))


def test_batch_manifests_are_written_with_the_key_through_s3(outputs):
    """A batch of N objects writes its manifest into the SSE-KMS bucket with the key named
    (as the promotion record is written): PutObject and GenerateDataKey through S3 for that
    object alone. Planted once: the manifests left out of the data key's encryption context
    (the SSE-KMS write refused): red."""
    machine = json.loads(outputs["state_machine_policies"]["groups"])
    manifest = "groups/runs/exec-1/manifests/a.csv.json"
    assert allowed(machine, "s3:PutObject", s3_arn(manifest))
    assert allowed(machine, "kms:GenerateDataKey", KMS_KEY, through_s3(manifest))
    assert not allowed(machine, "kms:GenerateDataKey", KMS_KEY, through_s3("groups/runs/e/x.csv"))
    states = json.loads(outputs["definitions"]["groups"])["States"]
    write = states["RunBatches"]["ItemProcessor"]["States"]["WriteManifest"]["Parameters"]
    assert write["ServerSideEncryption"] == "aws:kms" and write["SsekmsKeyId"] == KMS_KEY


def test_every_data_key_use_is_through_s3_for_the_roles_own_objects(outputs):
    """Each statement that uses a data key names kms:ViaService = S3 of the region and the
    encryption contexts it may serve; a direct call, a call through another service and a
    call for another model's object are denied to every role.

    Planted bug: the execution roles' data key statement without its conditions (as before):
    red."""
    for name, policy in every_policy(outputs).items():
        for statement in policy["Statement"]:
            if DATA_KEY_ACTIONS & set(statement["Action"]):
                condition = statement.get("Condition", {})
                assert condition.get("StringEquals", {}).get("kms:ViaService") == VIA_S3, name
                contexts = condition.get("StringLike", {})["kms:EncryptionContext:aws:s3:arn"]
                assert contexts and all(c.startswith("arn:aws:s3:::") for c in contexts), name
        for action in ("kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"):
            assert not allowed(policy, action, KMS_KEY), (name, action)
            via_sagemaker = {**through_s3(), "kms:ViaService": f"sagemaker.{REGION}.amazonaws.com"}
            assert not allowed(policy, action, KMS_KEY, via_sagemaker), (name, action)
            other = {**through_s3(), "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::elsewhere"}
            assert not allowed(policy, action, KMS_KEY, other), (name, action)
    jobs = json.loads(outputs["sagemaker_policies"]["plain"])
    assert allowed(jobs, "kms:Decrypt", KMS_KEY, through_s3("plain/input/b/x.csv"))
    assert allowed(jobs, "kms:GenerateDataKey", KMS_KEY, through_s3("plain/output/r/y.csv"))
    assert not allowed(jobs, "kms:Decrypt", KMS_KEY, through_s3("iris/input/b/x.csv"))
    training = json.loads(outputs["training_state_machine_policies"]["iris"])
    sealed = "_sealed/iris/models/run-1/artifacts/model.joblib"
    for action, key in [
        ("kms:Decrypt", "iris/models/run-1/artifacts/model.joblib"),  # sealing reads
        ("kms:GenerateDataKey", sealed),  # and writes the copy
        ("kms:Decrypt", "iris/models/run-1/evaluation/legacylift-metric.json"),
        ("kms:GenerateDataKey", "iris/models/promoted.json"),
    ]:
        assert allowed(training, action, KMS_KEY, through_s3(key)), (action, key)
    evaluation = json.loads(outputs["evaluation_sagemaker_policies"]["iris"])
    assert allowed(evaluation, "kms:Decrypt", KMS_KEY, through_s3(sealed))
    execution = json.loads(outputs["sagemaker_policies"]["iris"])
    assert allowed(execution, "kms:Decrypt", KMS_KEY, through_s3(sealed))
