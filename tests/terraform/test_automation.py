"""Runs that start by themselves and alerts, planned and applied into moto with the real AWS
provider: a model's schedule (EventBridge Scheduler), its upload trigger (an EventBridge rule on
the data bucket's uploads), both starting the model's run starter (a one-step state machine that
forms the run's input), and the alerts topic with one rule per state machine.

What moto cannot check, and how these tests stand in: moto's Scheduler never fires, its
EventBridge delivers S3 events to SQS/log targets only (not to Step Functions) and without the
target's input transformer, and its Step Functions does not run a Task's startExecution. So
the upload test adds an SQS queue beside the rule's real target to count deliveries, applies the
rule's own input transformer (read back from moto) with moto's template parser, evaluates the
starter's own definition (read back from moto) with LegacyLift's JSONata engine, and starts
what it returns in moto's Step Functions.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
import pytest
import tftest

from legacylift import schedule
from legacylift.alerts import execution_link, summary
from legacylift.local.asl import jsonata_payload
from legacylift.local.asl.variables import Context, Variables
from tests.terraform.tfcopy import (
    copy_terraform_tree,
    image_uri,
    moto_provider_block,
    planned_resources,
    tftest_runner,
    write_json,
)

pytestmark = pytest.mark.aws_provider

PREFIX = "auto"
ACCOUNT = "123456789012"
KMS_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/00000000-0000-0000-0000-000000000001"
NIGHTLY = {
    "expression": "cron(30 0 * * ? *)",  # 00:30 in Paris: the UTC date is the day before
    "time_zone": "Europe/Paris",
    "input": "s3://{bucket}/{model}/input/{date}/",
    "output": "s3://{bucket}/{model}/output/{year}/{month}/{day}/",
    "utc_offsets": schedule.utc_offsets("Europe/Paris", *schedule.OFFSET_YEARS),
}
TRIGGER = {"on_upload": "iris/input/daily/", "marker": "_SUCCESS"}


def _models(**iris) -> dict:
    return {"iris": {"image_uri": image_uri("iris"), **iris}, "churn": {"image_uri": None}}


def _variables(tree, name: str, models: dict, **extra) -> str:
    variables = {"name_prefix": PREFIX, "models_dir": str(tree / "legacy_models"), **extra}
    write_json(tree / name, {**variables, "models": models})
    return name


@pytest.fixture(scope="module")
def tree(tmp_path_factory, moto_aws):
    tree = copy_terraform_tree(tmp_path_factory.mktemp("automation"))
    (tree / "provider.tf").write_text(moto_provider_block(moto_aws.endpoint))
    return tree


@pytest.fixture(scope="module")
def root(tree):
    return tftest_runner(tree)


def _client(service: str):
    return boto3.client(service, region_name="us-east-1")


@pytest.fixture(scope="module")
def applied(tmp_path_factory, moto_aws):
    """The root module applied into moto with iris scheduled, triggered and alerted on."""
    tree = copy_terraform_tree(tmp_path_factory.mktemp("automation-apply"))
    (tree / "provider.tf").write_text(moto_provider_block(moto_aws.endpoint))
    variables = _variables(
        tree,
        "apply.json",
        _models(schedule=NIGHTLY, trigger=TRIGGER),
        force_destroy=True,
        schedules_enabled=True,
        triggers_enabled=True,
        alerts_enabled=True,
        kms_key_arn=_client("kms").create_key()["KeyMetadata"]["Arn"],
        alert_subscriptions=[{"protocol": "email", "endpoint": "ml-team@example.com"}],
    )
    runner = tftest_runner(tree)
    runner.apply(tf_var_file=variables)
    yield runner.output()
    runner.destroy(tf_var_file=variables)


def _inline_policy(role_arn: str, name: str) -> dict:
    role = role_arn.rsplit("/", 1)[-1]
    return _client("iam").get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]


@pytest.mark.slow
def test_schedule_trigger_and_alerts_apply_with_one_permission_each(applied):
    """Planted bug: the schedule's (or trigger's) role allowed states:StartExecution on "*",
    or its trust policy without the schedule's ARN as the confused-deputy condition."""
    starter = applied["starter_state_machine_arns"]["iris"]
    machine = applied["state_machine_arns"]["iris"]
    assert starter.endswith(f":stateMachine:{PREFIX}-iris-start")

    scheduled = _client("scheduler").get_schedule(Name=f"{PREFIX}-iris")
    assert scheduled["State"] == "ENABLED"
    assert scheduled["ScheduleExpression"] == "cron(30 0 * * ? *)"
    assert scheduled["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert scheduled["Target"]["Arn"] == starter
    # Scheduler substitutes the attribute in the text: it must not be JSON-escaped (\u003c).
    assert '"<aws.scheduler.scheduled-time>"' in scheduled["Target"]["Input"]
    assert json.loads(scheduled["Target"]["Input"]) == {
        "source": "schedule",
        "scheduled_time": "<aws.scheduler.scheduled-time>",
    }
    (rule_target,) = _client("events").list_targets_by_rule(Rule=f"{PREFIX}-iris-upload")["Targets"]
    assert rule_target["Arn"] == starter
    for role_arn, service, source in (
        (scheduled["Target"]["RoleArn"], "scheduler", f"schedule/default/{PREFIX}-iris"),
        (rule_target["RoleArn"], "events", f"rule/{PREFIX}-iris-upload"),
    ):
        role = _client("iam").get_role(RoleName=role_arn.rsplit("/", 1)[-1])["Role"]
        (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"Service": f"{service}.amazonaws.com"}
        assert trust["Condition"]["ArnEquals"]["aws:SourceArn"].endswith(f":{source}")
        assert trust["Condition"]["StringEquals"]["aws:SourceAccount"] == ACCOUNT
        statements = _inline_policy(role_arn, "start")["Statement"]
        starts = [s for s in statements if s["Action"] == "states:StartExecution"]
        assert [s["Resource"] for s in starts] == [starter]
        assert {s["Action"] for s in statements} <= {"states:StartExecution", "kms:Decrypt"}

    starter_role = applied["starter_state_machine_arns"]["iris"]
    definition = _client("stepfunctions").describe_state_machine(stateMachineArn=starter_role)
    assert _inline_policy(definition["roleArn"], "workflow")["Statement"] == [
        {
            "Sid": "StartTheModelsRuns",
            "Effect": "Allow",
            "Action": ["states:StartExecution"],
            "Resource": [machine, f"{machine}:live"],
            "Condition": {"StringEquals": {"states:StateMachineQualifier": "live"}},
        }
    ]

    topic = applied["alerts_topic_arn"]
    attributes = _client("sns").get_topic_attributes(TopicArn=topic)["Attributes"]
    assert attributes["KmsMasterKeyId"].startswith("arn:aws:kms:")
    (subscription,) = _client("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert (subscription["Protocol"], subscription["Endpoint"]) == ("email", "ml-team@example.com")
    (publish,) = json.loads(attributes["Policy"])["Statement"]
    assert publish["Principal"] == {"Service": "events.amazonaws.com"}
    # Rules of every stack of the deployment (a split deployment's model stacks add theirs).
    assert publish["Condition"]["ArnLike"]["aws:SourceArn"] == (
        f"arn:aws:events:us-east-1:{ACCOUNT}:rule/{PREFIX}-alerts-*"
    )


@pytest.mark.terraform_matrix
def test_a_workspace_without_schedules_keeps_them_disabled(root, tree):
    """Schedules exist DISABLED unless enabled; a schedule's `start` reaches Scheduler as its
    StartDate (UTC, as the build writes it)."""
    start = {"start": "2028-03-01T02:30", "start_date": "2028-03-01T01:30:00Z"}
    variables = _variables(tree, "plan-off.json", _models(schedule={**NIGHTLY, **start}))
    resources = planned_resources(root.plan(output=True, tf_var_file=variables))
    scheduled = resources['module.schedule["iris"].aws_scheduler_schedule.this']["values"]
    assert scheduled["state"] == "DISABLED"
    assert scheduled["start_date"] == "2028-03-01T01:30:00Z"
    assert not any(address.startswith("module.alerts[0]") for address in resources)
    assert not any("upload_trigger" in address for address in resources)


def _plan_error(root, variables: str) -> str:
    with pytest.raises(tftest.TerraformTestError) as failure:
        root.plan(output=True, tf_var_file=variables)
    return " ".join(" ".join(str(arg) for arg in failure.value.args).split())


@pytest.mark.terraform_matrix
def test_plan_refuses_a_trigger_outside_the_models_input_area(root, tree):
    """Planted bug: the plan-time check of trigger.on_upload removed: a trigger on another
    model's (or any) prefix would start runs on data the model's role may not read."""
    trigger = {"on_upload": "churn/input/daily/", "marker": "_SUCCESS"}
    message = _plan_error(root, _variables(tree, "plan-bad.json", _models(trigger=trigger)))
    assert "trigger.on_upload of iris lies outside the model's input area" in message


@pytest.mark.terraform_matrix
def test_plan_refuses_alerts_without_a_customer_managed_key(root, tree):
    message = _plan_error(root, _variables(tree, "plan-nokey.json", _models(), alerts_enabled=True))
    assert "customer-managed KMS key" in message


def _arguments(definition: str, payload: dict) -> dict:
    """What the starter's StartRun task would call startExecution with, for `payload`."""
    arguments = json.loads(definition)["States"]["StartRun"]["Arguments"]
    context = Context({}, Variables())
    return jsonata_payload.evaluate(arguments, {"input": payload}, context, "Arguments")


@pytest.mark.slow
def test_the_starter_forms_the_same_input_as_invoke_schedule(applied, models_dir):
    """The starter's JSONata (on AWS) and legacylift/schedule.py (`invoke schedule`,
    `run-local --as-of`) agree on the leap day, around both daylight-saving changes, and for a
    start whose UTC date is the day before its local date.

    Planted bug: the starter ignores the UTC offset: the 00:30 Paris start's input would name
    the day before the day that just ended."""
    definition = _client("stepfunctions").describe_state_machine(
        stateMachineArn=applied["starter_state_machine_arns"]["iris"]
    )["definition"]
    bucket = f"{PREFIX}-data-{ACCOUNT}"
    iris = models_dir / "iris"
    iris.mkdir()
    (iris / "requirements.txt").write_text("")
    for script in ("preprocessing.py", "predict.py", "postprocessing.py"):
        (iris / script).write_text("")
    toml = "\n".join(f"{key} = {json.dumps(NIGHTLY[key])}" for key in schedule_keys())
    (iris / "model.toml").write_text(f"[schedule]\n{toml}\n")
    from legacylift.models import load_model

    model = load_model("iris")
    for after in ("2028-02-27T12:00", "2027-03-26T12:00", "2027-10-29T12:00", "2026-12-31T12:00"):
        for run in schedule.upcoming(
            model, datetime.fromisoformat(after).replace(tzinfo=UTC), bucket, 3
        ):
            scheduled_time = run.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            started = _arguments(
                definition, {"source": "schedule", "scheduled_time": scheduled_time}
            )
            assert started["StateMachineArn"].endswith(f":stateMachine:{PREFIX}-iris:live")
            assert started["Input"] == {"input_uri": run.input_uri, "output_uri": run.output_uri}
            assert (
                started["Name"]
                == "scheduled-" + scheduled_time[:16].replace("-", "").replace(":", "") + "Z"
            )
    leap = schedule.as_of(model, "2028-03-01", bucket)
    assert leap.input_uri.endswith("/iris/input/2028-02-29/")


def schedule_keys():
    return ("expression", "time_zone", "input", "output")


def _observe_rule(rule: str):
    """An SQS queue added beside the rule's own target (moto delivers to SQS, not to Step
    Functions); removed again by the caller."""
    sqs = _client("sqs")
    queue = sqs.create_queue(QueueName=f"observe-{rule}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    # moto stops delivering at the first target it cannot (Step Functions): the queue goes
    # first, the rule's own target back after it, unchanged.
    events = _client("events")
    own = events.list_targets_by_rule(Rule=rule)["Targets"]
    events.remove_targets(Rule=rule, Ids=[target["Id"] for target in own])
    events.put_targets(Rule=rule, Targets=[{"Id": "observe", "Arn": arn}, *own])
    return queue


def _received(queue: str) -> list[dict]:
    messages = _client("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10)
    return [json.loads(message["Body"]) for message in messages.get("Messages", [])]


@pytest.mark.slow
def test_an_upload_burst_starts_one_run_for_its_batch(applied):
    """Twenty data files and the batch's marker uploaded into moto's S3: the rule matches the
    marker once (not each file, not a marker elsewhere), and the starter, given the rule's own
    input transformer's output, starts one execution of iris on the batch's folder; the marker
    written again starts no second run.

    Planted bug: the rule's pattern matches every object under the prefix (no marker suffix):
    a burst would start one run per file."""
    from moto.events.utils import EventTemplateParser

    bucket, rule = applied["data_bucket"], applied["upload_rule_names"]["iris"]
    machine = applied["state_machine_arns"]["iris"]
    starter = _client("stepfunctions").describe_state_machine(
        stateMachineArn=applied["starter_state_machine_arns"]["iris"]
    )["definition"]
    (target,) = _client("events").list_targets_by_rule(Rule=rule)["Targets"]
    queue = _observe_rule(rule)
    s3 = _client("s3")
    try:
        for index in range(20):
            s3.put_object(
                Bucket=bucket, Key=f"iris/input/daily/2026-12-06/part-{index}.csv", Body=b"1"
            )
        s3.put_object(Bucket=bucket, Key="iris/input/other/_SUCCESS", Body=b"")
        s3.put_object(Bucket=bucket, Key="iris/input/daily/2026-12-06/_SUCCESS_not", Body=b"")
        s3.put_object(Bucket=bucket, Key="iris/input/daily/2026-12-06/_SUCCESS", Body=b"")
        (event,) = _received(queue)
        s3.put_object(Bucket=bucket, Key="iris/input/daily/2026-12-06/_SUCCESS", Body=b"")
        (again,) = _received(queue)
    finally:
        _client("events").remove_targets(Rule=rule, Ids=["observe"])
    sfn = _client("stepfunctions")
    for delivered in (event, again):
        transformer = target["InputTransformer"]
        delivered.setdefault("ingestion-time", delivered["time"])  # moto's parser reads it
        payload = EventTemplateParser.parse(
            transformer["InputTemplate"], transformer["InputPathsMap"], delivered
        )
        started = _arguments(starter, payload)
        assert started["Input"] == {
            "input_uri": f"s3://{bucket}/iris/input/daily/2026-12-06/",
            "output_uri": f"s3://{bucket}/iris/output/daily/2026-12-06/",
        }
        sfn.start_execution(
            stateMachineArn=started["StateMachineArn"],
            name=started["Name"],
            input=json.dumps(started["Input"]),
        )
    (execution,) = sfn.list_executions(stateMachineArn=machine)["executions"]
    assert execution["name"].startswith("upload-")


@pytest.mark.slow
def test_alerts_fire_for_failed_runs_only_with_the_local_runs_line(applied):
    """The alert rule matches FAILED, TIMED_OUT and ABORTED executions of iris, not SUCCEEDED
    ones (a training run that does not promote succeeds) nor another state machine's; its input
    transformer gives the very line a failed local run prints.

    Planted bug: SUCCEEDED added to the alert rule's statuses."""
    from moto.events.models import EventPattern
    from moto.events.utils import EventTemplateParser

    events = _client("events")
    rule = f"{PREFIX}-alerts-iris"
    pattern = events.describe_rule(Name=rule)["EventPattern"]
    machine = applied["state_machine_arns"]["iris"]
    execution = machine.replace(":stateMachine:", ":execution:") + ":run-1"

    def event(status, state_machine=machine):
        return {
            "version": "0",
            "id": "1",
            "detail-type": "Step Functions Execution Status Change",
            "source": "aws.states",
            "account": ACCOUNT,
            "time": "2026-12-06T02:00:00Z",
            "region": "us-east-1",
            "resources": [execution],
            "detail": {
                "executionArn": execution,
                "stateMachineArn": state_machine,
                "name": "run-1",
                "status": status,
                "error": "States.TaskFailed",
                "cause": "ClientError: no such file",
            },
        }

    def matches(body) -> bool:  # moto's own matcher (its TestEventPattern omits the result)
        return EventPattern.load(pattern).matches_event(body)

    assert [matches(event(s)) for s in ("FAILED", "TIMED_OUT", "ABORTED")] == [True] * 3
    assert not matches(event("SUCCEEDED"))
    assert not matches(event("FAILED", machine + "-other"))
    (target,) = events.list_targets_by_rule(Rule=rule)["Targets"]
    assert target["Arn"] == applied["alerts_topic_arn"]
    transformer = target["InputTransformer"]
    failed = {**event("FAILED"), "ingestion-time": "2026-12-06T02:00:00Z"}  # moto's parser reads it
    line = EventTemplateParser.parse(
        transformer["InputTemplate"], transformer["InputPathsMap"], failed
    )
    expected = summary(
        "iris",
        "default",
        "run-1",
        "FAILED",
        "States.TaskFailed",
        "ClientError: no such file",
        execution_link("us-east-1", execution),
    )
    assert line == expected
