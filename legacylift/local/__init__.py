"""LegacyLift's local engine: the rendered Step Functions workflow run on one machine.

Like SageMaker Python SDK's local mode, the parts are separate modules with one job each:

- `validation`: checks a CreateProcessingJob request against botocore's SageMaker API model;
- `datasources`: where `s3://` and `file://` URIs live locally (object store directory or boto3);
- `staging`: streams inputs into a container and outputs out of it (tar, no bind mounts);
- `jobconfig`, `instances`: the config files a processing container sees, instance sizes;
- `names`: the persisted registry of job names (unique across runs, as in an AWS account);
- `container`: runs one container with the docker SDK (limits, timeout, log streaming, cleanup);
- `processing`: a processing job end to end, returning a DescribeProcessingJob-shaped result;
- `asl/`: the Amazon States Language interpreter; `sagemaker_tasks`: its SageMaker Task bridge;
- `render`: real Terraform on `modules/workflow`; `run`: `invoke run-local` and `invoke demo`.
"""
