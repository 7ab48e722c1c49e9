"""Requests SageMaker would refuse, and features not emulated, are refused before Docker is
touched (the runner's Docker client would fail the test if used) and before a name is taken."""

from __future__ import annotations

import pytest

from legacylift.local.errors import SageMakerApiError
from legacylift.local.processing import ProcessingRunner
from legacylift.local.unsupported import NotSupportedLocally
from legacylift.local.validation import validate_request
from tests.local.jobs import processing_request, s3_input, s3_output


class _NoDocker:
    def __getattr__(self, name):
        raise AssertionError(f"Docker was touched ({name}) before the request was validated")


@pytest.fixture
def runner(local_settings):
    return ProcessingRunner(local_settings, client=_NoDocker(), on_log=lambda *_: None)


def _inputs(count):
    return [
        s3_input(f"in{i}", f"s3://b/in{i}/", f"/opt/ml/processing/input/in{i}")
        for i in range(count)
    ]


REFUSED = [
    ("name-pattern", {"name": "bad_name!"}, "Member must satisfy regular expression pattern"),
    ("name-too-long", {"name": "a" * 64}, "Member must have length less than or equal to 63"),
    (
        "too-many-inputs",
        {"inputs": _inputs(11)},
        "at 'processingInputs' failed to satisfy constraint: Member must have length less than or "
        "equal to 10",
    ),
    (
        "max-runtime-range",
        {"max_runtime": 777601},
        "Member must have value less than or equal to 777600",
    ),
    (
        "local-path-outside",
        {"inputs": [s3_input("d", "s3://b/x/", "/tmp/data")]},
        "must be a directory under /opt/ml/processing/",
    ),
    (
        "local-path-traversal",
        {"inputs": [s3_input("d", "s3://b/x/", "/opt/ml/processing/../x")]},
        "must be a directory under /opt/ml/processing/",
    ),
    (
        "local-paths-identical",
        {
            "inputs": [
                s3_input("a", "s3://b/x/", "/opt/ml/processing/in"),
                s3_input("b", "s3://b/y/", "/opt/ml/processing/in/"),
            ]
        },
        "is the same as another input's",
    ),
    (
        "output-inside-input",
        {
            "inputs": [s3_input("a", "s3://b/x/", "/opt/ml/processing/in")],
            "outputs": [s3_output("o", "s3://b/o/", "/opt/ml/processing/in/o")],
        },
        "overlaps the input path '/opt/ml/processing/in'",
    ),
    (
        "input-inside-output",
        {
            "inputs": [s3_input("a", "s3://b/x/", "/opt/ml/processing/o/in")],
            "outputs": [s3_output("o", "s3://b/o/", "/opt/ml/processing/o")],
        },
        "an output must be a directory of its own",
    ),
    (
        "outputs-nested",
        {
            "outputs": [
                s3_output("o", "s3://b/o/", "/opt/ml/processing/o"),
                s3_output("p", "s3://b/p/", "/opt/ml/processing/o/p"),
            ]
        },
        "overlaps the output path '/opt/ml/processing/o'",
    ),
    (
        "duplicate-names",
        {
            "inputs": [s3_input("a", "s3://b/x/", "/opt/ml/processing/one")],
            "outputs": [s3_output("a", "s3://b/o/", "/opt/ml/processing/two")],
        },
        "is used twice",
    ),
    (
        "bad-uri",
        {"inputs": [s3_input("d", "ftp://b/x", "/opt/ml/processing/in")]},
        "at 'processingInputs.1.member.s3Input.s3Uri'",
    ),
    (
        "bad-enum",
        {"inputs": [s3_input("d", "s3://b/x/", "/opt/ml/processing/in", S3InputMode="Stream")]},
        "Member must satisfy enum value set: [Pipe, File]",
    ),
]


def _request(base_image_name="img:1", name=None, inputs=None, outputs=None, max_runtime=60):
    return processing_request(
        base_image_name,
        entrypoint=["true"],
        inputs=inputs,
        outputs=outputs,
        max_runtime=max_runtime,
        name=name,
    )


@pytest.mark.parametrize(("case", "changes", "message"), REFUSED, ids=[c[0] for c in REFUSED])
def test_refused_with_aws_like_validation_error(runner, case, changes, message):
    with pytest.raises(SageMakerApiError) as refused:
        runner.create_processing_job(_request(**changes))
    assert refused.value.code == "ValidationException"
    assert message in refused.value.message
    assert not runner.settings.jobs_dir.exists() or not list(runner.settings.jobs_dir.iterdir())


@pytest.mark.parametrize(
    "paths",
    [
        ["/opt/ml/processing/input", "/opt/ml/processing/input/code"],
        ["/opt/ml/processing/input/code", "/opt/ml/processing/input"],
        ["/opt/ml/processing/a", "/opt/ml/processing/a/b", "/opt/ml/processing/a/b/c"],
    ],
)
def test_inputs_nested_in_inputs_are_accepted_as_aws_does(paths):
    """The SDK's documented script-mode layout (data at .../input, code at .../input/code), in
    either order. Planted once: `local_path_clash` refusing any nesting (kinds ignored) turned
    every case red."""
    inputs = [s3_input(f"in{i}", f"s3://b/in{i}/", path) for i, path in enumerate(paths)]
    outputs = [s3_output("out", "s3://b/out/", "/opt/ml/processing/output")]
    validate_request(_request(inputs=inputs, outputs=outputs))


def test_every_violation_is_listed_with_count(runner):
    request = _request(name="x" * 70, max_runtime=0)
    request["RoleArn"] = "not-an-arn"
    with pytest.raises(SageMakerApiError) as refused:
        runner.create_processing_job(request)
    # name: length and pattern; runtime: minimum; role: length and pattern.
    assert refused.value.message.startswith("5 validation errors detected: ")
    for path in ("processingJobName", "stoppingCondition.maxRuntimeInSeconds", "roleArn"):
        assert f"at '{path}'" in refused.value.message


def test_missing_required_member_and_unknown_member(runner):
    request = _request()
    del request["RoleArn"]
    with pytest.raises(SageMakerApiError, match="Value null at 'roleArn'.*must not be null"):
        runner.create_processing_job(request)
    with pytest.raises(SageMakerApiError) as unknown:
        runner.create_processing_job({**_request(), "Colour": "blue"})
    assert unknown.value.code == "SerializationException" and "colour" in unknown.value.message


NOT_EMULATED = [
    ("pipe", {"S3InputMode": "Pipe"}, "S3InputMode Pipe"),
    ("gzip", {"S3CompressionType": "Gzip"}, "S3CompressionType Gzip"),
]


@pytest.mark.parametrize(
    ("case", "extra", "message"), NOT_EMULATED, ids=[c[0] for c in NOT_EMULATED]
)
def test_input_features_not_emulated_are_refused(runner, case, extra, message):
    request = _request(inputs=[s3_input("d", "s3://b/x/", "/opt/ml/processing/in", **extra)])
    with pytest.raises(NotSupportedLocally, match=message):
        runner.create_processing_job(request)


def test_continuous_upload_is_refused(runner):
    request = _request(outputs=[s3_output("o", "s3://b/o/", "/opt/ml/processing/o", "Continuous")])
    with pytest.raises(NotSupportedLocally, match="S3UploadMode Continuous"):
        runner.create_processing_job(request)
