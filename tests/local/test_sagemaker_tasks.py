"""Task states with SageMaker CreateProcessingJob resources, as Step Functions runs them:
.sync output, request-response output, TimeoutSeconds, API error names; and the runner
against a real S3 endpoint (moto on 127.0.0.1) through boto3."""

from __future__ import annotations

import json

import boto3
import pytest

from legacylift.local.asl.interpreter import Execution
from legacylift.local.processing import ProcessingRunner
from legacylift.local.sagemaker_tasks import CREATE, SYNC, SageMakerTasks, api_error_name
from tests.local.jobs import processing_request, s3_output, shell
from tests.local.test_validation import _NoDocker


def _machine(resource, parameters, **task_fields):
    return {
        "StartAt": "Job",
        "States": {
            "Job": {
                "Type": "Task",
                "Resource": resource,
                "Parameters": parameters,
                "End": True,
                **task_fields,
            }
        },
    }


def _tasks(settings, client):
    return SageMakerTasks(ProcessingRunner(settings, client, on_log=lambda *_: None, stop_grace=1))


def test_api_errors_are_named_like_step_functions(local_settings):
    bad = processing_request("img:1", entrypoint=["true"], name="not valid!")
    result = Execution(
        _machine(SYNC, bad), {}, task_runner=_tasks(local_settings, _NoDocker())
    ).run()
    assert result.error == "SageMaker.AmazonSageMakerException"
    assert "Error Code: ValidationException" in result.cause
    assert api_error_name("ResourceLimitExceeded") == "SageMaker.ResourceLimitExceededException"


@pytest.mark.docker
@pytest.mark.usefixtures("no_leftover_containers")
def test_sync_returns_the_describe_response_and_request_response_the_arn(
    local_settings, docker_client, base_image
):
    tasks = _tasks(local_settings, docker_client)
    request = processing_request(base_image, entrypoint=shell("echo hi"))
    synced = Execution(_machine(SYNC, request), {}, task_runner=tasks).run()
    assert synced.status == "SUCCEEDED"
    assert synced.output["ProcessingJobStatus"] == "Completed"
    assert synced.output == tasks.runner.describe_processing_job(request["ProcessingJobName"])
    other = processing_request(base_image, entrypoint=shell("true"))
    created = Execution(_machine(CREATE, other), {}, task_runner=tasks).run()
    assert created.output == {
        "ProcessingJobArn": synced.output["ProcessingJobArn"].replace(
            request["ProcessingJobName"], other["ProcessingJobName"]
        )
    }


@pytest.mark.docker
@pytest.mark.usefixtures("no_leftover_containers")
def test_task_timeout_stops_the_job_with_states_timeout(local_settings, docker_client, base_image):
    tasks = _tasks(local_settings, docker_client)
    request = processing_request(base_image, entrypoint=shell("sleep 60"), max_runtime=600)
    result = Execution(_machine(SYNC, request, TimeoutSeconds=1), {}, task_runner=tasks).run()
    assert (result.status, result.error) == ("FAILED", "States.Timeout")
    described = tasks.runner.describe_processing_job(request["ProcessingJobName"])
    assert described["ProcessingJobStatus"] == "Stopped"


@pytest.mark.docker
@pytest.mark.usefixtures("no_leftover_containers")
def test_runner_stages_from_and_uploads_to_an_s3_endpoint(
    aws_env, tmp_path, docker_client, base_image
):
    from legacylift.local.settings import LocalSettings

    s3 = boto3.client("s3", endpoint_url=aws_env.endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket="ep-bucket")
    s3.put_object(Bucket="ep-bucket", Key="in/a.txt", Body=b"from s3\n")
    s3.put_object(Bucket="ep-bucket", Key="in/", Body=b"")  # a "folder" marker, not data
    settings = LocalSettings.under(tmp_path, s3_endpoint_url=aws_env.endpoint)
    runner = ProcessingRunner(settings, docker_client, on_log=lambda *_: None)
    request = processing_request(
        base_image,
        entrypoint=shell(
            "ls -R /opt/ml/processing/input > /opt/ml/processing/output/ls; "
            "cat /opt/ml/processing/input/data/a.txt > /opt/ml/processing/output/b"
        ),
        inputs=[
            {
                "InputName": "data",
                "S3Input": {
                    "S3Uri": "s3://ep-bucket/in/",
                    "LocalPath": "/opt/ml/processing/input/data",
                    "S3DataType": "S3Prefix",
                },
            }
        ],
        outputs=[s3_output("out", "s3://ep-bucket/out", "/opt/ml/processing/output")],
    )
    assert runner.create_processing_job(request).status == "Completed"
    body = s3.get_object(Bucket="ep-bucket", Key="out/b")["Body"].read()
    assert body == b"from s3\n"
    assert not (tmp_path / "s3").exists(), "the object store directory must not be used"
    assert json.loads(json.dumps(runner.describe_processing_job(request["ProcessingJobName"])))


@pytest.mark.docker
@pytest.mark.usefixtures("no_leftover_containers")
def test_ctrl_c_during_a_map_of_jobs_removes_every_container(
    local_settings, docker_client, base_image
):
    import signal
    import threading
    import time

    tasks = _tasks(local_settings, docker_client)
    template = processing_request(base_image, entrypoint=shell("sleep 120"))
    template["ProcessingJobName.$"] = "States.Format('map-{}', States.UUID())"
    del template["ProcessingJobName"]
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "End": True,
                "MaxConcurrency": 2,
                "ItemProcessor": {
                    "StartAt": "Job",
                    "States": {
                        "Job": {
                            "Type": "Task",
                            "Resource": SYNC,
                            "Parameters": template,
                            "End": True,
                        }
                    },
                },
            }
        },
    }
    main = threading.get_ident()

    def interrupt_when_both_run():
        deadline = time.monotonic() + 60
        while len(tasks.runner._active) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        signal.pthread_kill(main, signal.SIGINT)

    threading.Thread(target=interrupt_when_both_run, daemon=True).start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        Execution(definition, [1, 2], task_runner=tasks).run()
    assert time.monotonic() - started < 60, "the jobs were waited for, not stopped"
    left = docker_client.containers.list(all=True, filters={"label": "legacylift.local"})
    assert not [c for c in left if c.labels.get("legacylift.job", "").startswith("map-")]
