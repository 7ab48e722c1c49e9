"""The same no-op processing job through LegacyLift's runner and through SageMaker Python SDK's
local mode (`LocalSession`), side by side.

SageMaker local mode needs the `sagemaker` package (kept out of LegacyLift's environment: it
pins its own boto3 and dozens of packages) and docker compose. Once per machine:

    python3 -m venv /tmp/smvenv && /tmp/smvenv/bin/pip install 'sagemaker>=2.200,<3'
    apt-get install docker-compose   # v1.29; the SDK uses it when `docker compose` is missing

then:

    python benchmarks/local_sagemaker_session.py --sagemaker-python /tmp/smvenv/bin/python

LocalSession calls STS and S3 (default bucket, input upload) and posts telemetry: a moto server
on 127.0.0.1 answers the AWS calls (AWS_ENDPOINT_URL); the telemetry call fails (no internet)
and is ignored by the SDK. Both sides run the same image and entrypoint on a one-file input.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

SAGEMAKER_SIDE = textwrap.dedent(
    """
    import os, sys, time
    import boto3
    from sagemaker.local import LocalSession
    from sagemaker.processing import Processor, ProcessingInput, ProcessingOutput
    image, runs, source, outputs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket="bench")
    session = LocalSession(boto_session=boto3.Session(region_name="us-east-1"),
                           default_bucket="bench", s3_endpoint_url=endpoint)
    session.config = {"local": {"local_code": True}}
    times = []
    for index in range(runs):
        processor = Processor(role="arn:aws:iam::000000000000:role/bench", image_uri=image,
                              instance_count=1, instance_type="local",
                              entrypoint=["python3", "/opt/ml/code/predict.py"],
                              sagemaker_session=session)
        started = time.monotonic()
        processor.run(inputs=[ProcessingInput(source=source,
                                              destination="/opt/ml/processing/input/data")],
                      outputs=[ProcessingOutput(source="/opt/ml/processing/output",
                                                destination=f"file://{outputs}/{index}")],
                      wait=True, logs=False)
        times.append(time.monotonic() - started)
    print("TIMES", " ".join(f"{t:.3f}" for t in times))
    """
)


def sagemaker_times(python: str, image: str, runs: int, source: Path, outputs: Path) -> list:
    from tests.moto_server import FAKE_CREDENTIALS, MotoServer

    with MotoServer() as moto:
        env = {
            **FAKE_CREDENTIALS,
            "AWS_ENDPOINT_URL": moto.endpoint,
            "PATH": os.environ["PATH"],
            "SAGEMAKER_SUPPRESS_V2_WARNING": "1",
            "HOME": str(outputs),
        }
        completed = subprocess.run(
            [python, "-c", SAGEMAKER_SIDE, image, str(runs), str(source), str(outputs)],
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
    # docker-compose's output may precede the marker on the same line.
    line = next((x for x in completed.stdout.splitlines() if "TIMES " in x), None)
    if line is None:
        raise SystemExit(f"SageMaker local mode failed:\n{completed.stderr[-3000:]}")
    return [float(value) for value in line.split("TIMES ", 1)[1].split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sagemaker-python", default="/tmp/smvenv/bin/python")  # noqa: S108
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--out", type=Path, default=REPO / "benchmarks/results/local_sagemaker_session.md"
    )
    args = parser.parse_args()

    from local_machine import machine_description

    from legacylift.docker_client import docker_client
    from legacylift.local.processing import ProcessingRunner
    from legacylift.local.settings import LocalSettings
    from legacylift.settings import base_image
    from tests.local.tiny_models import model_image

    client = docker_client()
    with tempfile.TemporaryDirectory(prefix="legacylift-smbench-") as tmp:
        root = Path(tmp)
        folder = root / "noop"
        folder.mkdir()
        (folder / "predict.py").write_text(
            "open('/opt/ml/processing/output/done', 'w').write('1')\n"
        )
        image = model_image(client, base_image(), folder)
        source = root / "input"
        source.mkdir()
        (source / "x.txt").write_text("x\n")
        settings = LocalSettings.under(root / "local")
        runner = ProcessingRunner(settings, client, on_log=lambda *_: None)
        ours = []
        for index in range(args.repeat):
            request = {
                "ProcessingJobName": f"bench-{index}-{int(time.time())}",
                "ProcessingResources": {
                    "ClusterConfig": {
                        "InstanceCount": 1,
                        "InstanceType": "ml.m5.large",
                        "VolumeSizeInGB": 1,
                    }
                },
                "StoppingCondition": {"MaxRuntimeInSeconds": 600},
                "AppSpecification": {
                    "ImageUri": image,
                    "ContainerEntrypoint": ["python3", "/opt/ml/code/predict.py"],
                },
                "RoleArn": "arn:aws:iam::000000000000:role/bench",
                "ProcessingInputs": [
                    {
                        "InputName": "data",
                        "S3Input": {
                            "S3Uri": source.as_uri(),
                            "LocalPath": "/opt/ml/processing/input/data",
                            "S3DataType": "S3Prefix",
                            "S3InputMode": "File",
                        },
                    }
                ],
                "ProcessingOutputConfig": {
                    "Outputs": [
                        {
                            "OutputName": "out",
                            "S3Output": {
                                "S3Uri": (root / "ours" / str(index)).as_uri(),
                                "LocalPath": "/opt/ml/processing/output",
                                "S3UploadMode": "EndOfJob",
                            },
                        }
                    ]
                },
            }
            started = time.monotonic()
            assert runner.create_processing_job(request).status == "Completed"
            ours.append(time.monotonic() - started)
        try:
            theirs = sagemaker_times(args.sagemaker_python, image, args.repeat, source, root / "sm")
        finally:
            # LocalSession's docker-compose leaves its exited `*-algo-1-*` containers behind.
            for container in client.containers.list(all=True, filters={"ancestor": image}):
                container.remove(force=True)

    mine, sm = statistics.median(ours), statistics.median(theirs)
    lines = [
        "# Local engine vs SageMaker Python SDK local mode: one no-op processing job",
        "",
        machine_description(),
        "",
        f"Median of {args.repeat} runs each; `python benchmarks/local_sagemaker_session.py "
        f"--sagemaker-python /tmp/smvenv/bin/python` (sagemaker 2.x, docker-compose 1.29).",
        "",
        "| runner | median | runs (s) |",
        "| --- | --- | --- |",
        f"| LegacyLift ProcessingRunner | {mine:.2f} s | {', '.join(f'{t:.2f}' for t in ours)} |",
        f"| SageMaker SDK LocalSession | {sm:.2f} s | {', '.join(f'{t:.2f}' for t in theirs)} |",
        "",
        f"Ratio LocalSession / LegacyLift: {sm / mine:.1f}x.",
        "",
        "LocalSession's time includes its docker-compose start-up, the input upload to (moto's) "
        "S3 and a telemetry request that fails here without internet. It also passes the host "
        "session's AWS credentials into the container (its log: 'Using the long-lived AWS "
        "credentials found in session'); LegacyLift's runner passes none.",
        "",
    ]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
