"""LegacyLift's local engine: the rendered Step Functions workflow run on one machine.

Like SageMaker Python SDK's local mode, the parts are separate modules with one job each:

- `validation`: checks a CreateProcessingJob request against botocore's SageMaker API model;
- `datasources`: where `s3://` and `file://` URIs live locally (object store directory or boto3);
- `mounts`: zero-copy staging (read-only bind mounts, outputs moved in by rename) when the
  daemon is local; `staging`: tar streams through the Docker API otherwise;
- `arguments`: run-local's arguments checked before any write; `transfer`: a run's input into
  the store and its output out of it; `orphans`: what a killed engine left, swept on start;
  `clean`: `invoke clean-local`;
- `jobconfig`, `instances`: the config files a processing container sees, instance sizes;
- `names`: the persisted registry of job names (unique across runs, as in an AWS account);
- `container`: runs one container with the docker SDK (limits, timeout, log streaming, cleanup);
  `network`: the isolated network of a step that asks for networking;
- `processing`: a processing job end to end, returning a DescribeProcessingJob-shaped result;
- `asl/`: the Amazon States Language interpreter; `sagemaker_tasks`: its SageMaker Task bridge;
- `render`: real Terraform on `modules/workflow`;
- `run`: the one runner of a model's workflow (inference, fan-out, training, generic) behind
  `invoke run-local`, `invoke train` and `invoke demo`, calling its steps: `run_plan` (arguments
  checked, input staged), `run_images`, `run_code` (code uploaded, definitions rendered),
  `run_records`, `reports`; `training`: the training workflow's entry and promotion record.
"""
