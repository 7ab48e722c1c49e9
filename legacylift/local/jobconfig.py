"""The configuration files SageMaker writes into every processing container."""

from __future__ import annotations

import json
from typing import Any

CONFIG_DIR = "/opt/ml/config"
OUTPUT_DIR = "/opt/ml/output"
HOST = "algo-1"


def processing_job_arn(name: str, region: str, account_id: str) -> str:
    """The job's ARN as AWS forms it (the name lowercased)."""
    return f"arn:aws:sagemaker:{region}:{account_id}:processing-job/{name.lower()}"


def processing_job_config(request: dict[str, Any], arn: str) -> str:
    """`/opt/ml/config/processingjobconfig.json`: the job's request plus its ARN."""
    return json.dumps({**request, "ProcessingJobArn": arn}, indent=2, sort_keys=True)


def resource_config(instance_type: str, host: int = 1, hosts: int = 1) -> str:
    """`/opt/ml/config/resourceconfig.json`: the cluster the job runs on, as seen from
    `algo-<host>` of `hosts` instances (SageMaker names them algo-1 ... algo-N)."""
    names = [f"algo-{index}" for index in range(1, hosts + 1)]
    return json.dumps(
        {
            "current_host": names[host - 1],
            "current_instance_type": instance_type,
            "current_group_name": "homogeneousCluster",
            "hosts": names,
            "instance_groups": [
                {
                    "instance_group_name": "homogeneousCluster",
                    "instance_type": instance_type,
                    "hosts": names,
                }
            ],
            "network_interface_name": "eth0",
        },
        indent=2,
    )
