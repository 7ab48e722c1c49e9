"""The processing-job runner against the real Docker daemon: staging, config files, the four
entrypoint cases, terminal states, outputs, job names, credentials, networking, Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import pytest

from legacylift.local.errors import SageMakerApiError
from legacylift.local.processing import ALGORITHM_ERROR, ProcessingRunner
from tests.local.jobs import processing_request, s3_input, s3_output, shell

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("no_leftover_containers")]

OUT = "/opt/ml/processing/output"
DATA = "/opt/ml/processing/input/data"


def store(runner, uri: str):
    """The object store path of an s3:// URI."""
    return runner.sources.s3.path_of(uri)


def write(runner, uri: str, text: str) -> None:
    path = store(runner, uri)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_completed_job_stages_inputs_writes_config_and_uploads_outputs(runner, base_image):
    write(runner, "s3://bkt/in/a.csv", "1,2\n")
    write(runner, "s3://bkt/in/sub/b.csv", "3,4\n")
    write(runner, "s3://bkt/inside-not/c.csv", "not under the prefix in/\n")
    request = processing_request(
        base_image,
        entrypoint=shell(
            f"cp -r {DATA}/. {OUT}/data && cp /opt/ml/config/*.json {OUT}/ && "
            f"id -u > {OUT}/uid && printf done > /opt/ml/output/message"
        ),
        inputs=[s3_input("data", "s3://bkt/in/", DATA)],
        outputs=[s3_output("out", "s3://bkt/out/", OUT)],
    )
    result = runner.create_processing_job(request)
    assert result.status == "Completed", result.log_tail
    described = result.describe
    assert described["ExitMessage"] == "done"
    assert "FailureReason" not in described
    assert described["CreationTime"] <= described["ProcessingStartTime"]
    assert described["ProcessingStartTime"] <= described["ProcessingEndTime"]
    assert described["ProcessingJobArn"].endswith(f":processing-job/{request['ProcessingJobName']}")
    assert described["ProcessingInputs"][0]["S3Input"]["S3CompressionType"] == "None"
    out = store(runner, "s3://bkt/out/")
    assert (out / "data/a.csv").read_text() == "1,2\n"
    assert (out / "data/sub/b.csv").read_text() == "3,4\n"
    assert not (out / "data/c.csv").exists()
    assert int((out / "uid").read_text()) != 0, "steps must not run as root"
    config = json.loads((out / "processingjobconfig.json").read_text())
    assert config["ProcessingJobName"] == request["ProcessingJobName"]
    assert config["ProcessingJobArn"] == described["ProcessingJobArn"]
    resources = json.loads((out / "resourceconfig.json").read_text())
    assert resources["current_host"] == "algo-1" and resources["hosts"] == ["algo-1"]
    assert (out / "data/a.csv").stat().st_uid == os.getuid()
    assert runner.describe_processing_job(request["ProcessingJobName"]) == described


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("s3://bkt/data/file.csv", ["file.csv"]),  # a single object
        ("s3://bkt/data/fi", ["file.csv", "files/x.csv"]),  # a plain string prefix
        ("s3://bkt/data/files/", ["x.csv"]),
    ],
)
def test_s3prefix_semantics(runner, base_image, uri, expected):
    write(runner, "s3://bkt/data/file.csv", "f")
    write(runner, "s3://bkt/data/files/x.csv", "x")
    write(runner, "s3://bkt/data/other.csv", "o")
    request = processing_request(
        base_image,
        entrypoint=shell(f"cd {DATA} && find . -type f | sort > {OUT}/listing"),
        inputs=[s3_input("data", uri, DATA)],
        outputs=[s3_output("out", "s3://bkt/listing/", OUT)],
    )
    assert runner.create_processing_job(request).status == "Completed"
    listing = store(runner, "s3://bkt/listing/listing").read_text().split()
    assert listing == [f"./{name}" for name in expected]


def test_file_uris_and_inputs_never_writable_at_source(runner, base_image, tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "keep.txt").write_text("original")
    target = tmp_path / "dst"
    request = processing_request(
        base_image,
        entrypoint=shell(
            f"echo tampered >> {DATA}/keep.txt; rm -f {DATA}/keep.txt; echo ok > {OUT}/r.txt"
        ),
        inputs=[s3_input("data", f"file://{source}", DATA)],
        outputs=[s3_output("out", f"file://{target}", OUT)],
    )
    assert runner.create_processing_job(request).status == "Completed"
    assert (source / "keep.txt").read_text() == "original"
    assert (target / "r.txt").read_text() == "ok\n"


@pytest.mark.parametrize(
    ("entrypoint", "arguments", "argv_tail"),
    [
        (None, None, ["image-entrypoint", "image-cmd"]),  # image ENTRYPOINT + CMD
        (None, ["a", "b"], ["image-entrypoint", "a", "b"]),  # arguments replace CMD only
        (["python3", "/opt/echo_argv.py", "mine"], None, ["mine"]),  # entrypoint drops CMD
        (["python3", "/opt/echo_argv.py", "mine"], ["x"], ["mine", "x"]),
    ],
    ids=["neither", "arguments-only", "entrypoint-only", "both"],
)
def test_entrypoint_and_arguments_behave_like_docker_run(
    runner, runner_image, entrypoint, arguments, argv_tail
):
    request = processing_request(
        runner_image,
        entrypoint=entrypoint,
        arguments=arguments,
        outputs=[s3_output("out", "s3://bkt/argv/", OUT)],
    )
    result = runner.create_processing_job(request)
    assert result.status == "Completed", result.log_tail
    argv = json.loads(store(runner, "s3://bkt/argv/argv.json").read_text())
    assert argv[1:] == argv_tail


def test_failed_job_reports_like_aws_and_uploads_nothing(runner, base_image):
    # 700 two-byte characters = 1400 bytes: ExitMessage keeps the first 1 KB.
    write_message = "open('/opt/ml/output/message', 'w').write(chr(233) * 700)"
    request = processing_request(
        base_image,
        entrypoint=shell(
            f'echo partial > {OUT}/part.csv; python3 -c "{write_message}"; '
            "echo 'Traceback: boom' >&2; exit 3"
        ),
        outputs=[s3_output("out", "s3://bkt/failed/", OUT)],
    )
    result = runner.create_processing_job(request)
    assert result.status == "Failed"
    assert result.exit_code == 3
    assert result.describe["FailureReason"] == ALGORITHM_ERROR
    assert len(result.describe["ExitMessage"].encode()) <= 1024
    assert result.describe["ExitMessage"].startswith("éé")
    assert "Traceback: boom" in result.log_tail
    assert not store(runner, "s3://bkt/failed/part.csv").exists()


def test_job_past_max_runtime_is_stopped(runner, base_image):
    request = processing_request(base_image, entrypoint=shell("sleep 60"), max_runtime=1)
    started = time.monotonic()
    result = runner.create_processing_job(request)
    assert result.status == "Stopped"
    assert "MaxRuntimeExceeded" in result.describe["FailureReason"]
    assert time.monotonic() - started < 30


def test_outputs_only_regular_files_under_localpath_symlinks_not_followed(runner, base_image):
    request = processing_request(
        base_image,
        entrypoint=shell(
            f"cd {OUT} && echo real > real.txt && ln -s /etc/passwd passwd && "
            "ln -s /tmp tmpdir && echo outside > /tmp/outside.txt && "
            "mkdir nested && echo n > nested/n.txt"
        ),
        outputs=[s3_output("out", "s3://bkt/links/", OUT)],
    )
    result = runner.create_processing_job(request)
    assert result.status == "Completed"
    out = store(runner, "s3://bkt/links/")
    uploaded = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert uploaded == ["nested/n.txt", "real.txt"]
    assert any("passwd (symlink" in entry for entry in result.skipped_outputs)


def test_job_names_are_unique_across_runs(runner, base_image, local_settings, docker_client):
    request = processing_request(base_image, entrypoint=shell("true"))
    assert runner.create_processing_job(request).status == "Completed"
    again = ProcessingRunner(local_settings, docker_client, on_log=lambda *_: None)
    with pytest.raises(SageMakerApiError) as refused:
        again.create_processing_job(
            {**request, "ProcessingJobName": request["ProcessingJobName"].upper()}
        )
    assert refused.value.code == "ValidationException"
    assert "must be unique" in refused.value.message


def test_host_credentials_never_reach_the_container(runner, base_image, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAHOSTSECRET")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "host-secret")
    request = processing_request(
        base_image,
        entrypoint=shell(f"env > {OUT}/env; ls -a ~ > {OUT}/home"),
        environment={"MY_SETTING": "1"},
        outputs=[s3_output("out", "s3://bkt/env/", OUT)],
    )
    assert runner.create_processing_job(request).status == "Completed"
    env = store(runner, "s3://bkt/env/env").read_text()
    assert "MY_SETTING=1" in env
    assert "AKIAHOSTSECRET" not in env and "host-secret" not in env and "AWS_" not in env
    assert ".aws" not in store(runner, "s3://bkt/env/home").read_text()


@pytest.mark.parametrize(
    ("network_config", "only_loopback"),
    [
        (None, True),
        ({"EnableNetworkIsolation": True}, True),
        ({"EnableNetworkIsolation": False}, False),
    ],
)
def test_networking_off_unless_the_request_allows_it(
    runner, base_image, network_config, only_loopback
):
    extra = {"NetworkConfig": network_config} if network_config else {}
    request = processing_request(
        base_image,
        entrypoint=shell(f"ls /sys/class/net > {OUT}/interfaces"),
        outputs=[s3_output("out", "s3://bkt/net/", OUT)],
        **extra,
    )
    assert runner.create_processing_job(request).status == "Completed"
    interfaces = store(runner, "s3://bkt/net/interfaces").read_text().split()
    assert (interfaces == ["lo"]) is only_loopback


def test_ctrl_c_removes_the_container_and_records_stopped(runner, base_image, docker_client):
    request = processing_request(base_image, entrypoint=shell("echo started; sleep 60"))
    main = threading.get_ident()

    def interrupt_once_started():
        deadline = time.monotonic() + 30
        while "started" not in runner.lines and time.monotonic() < deadline:
            time.sleep(0.05)
        signal.pthread_kill(main, signal.SIGINT)

    threading.Thread(target=interrupt_once_started, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        runner.create_processing_job(request)
    described = runner.describe_processing_job(request["ProcessingJobName"])
    assert described["ProcessingJobStatus"] == "Stopped"
    remaining = docker_client.containers.list(
        all=True, filters={"label": f"legacylift.job={request['ProcessingJobName']}"}
    )
    assert remaining == []
    assert not list(runner.settings.object_store.rglob("*.part"))


def test_cpu_and_memory_limits_follow_the_instance_type(runner, base_image):
    from legacylift.local.instances import container_limits, instance_resources

    assert instance_resources("ml.m5.xlarge") == (4, 16 * 1024**3)
    assert instance_resources("ml.t3.medium") == (2, 4 * 1024**3)
    expected = container_limits("ml.t3.medium")
    request = processing_request(
        base_image,
        entrypoint=shell(  # cgroup v2, else v1
            f"cd /sys/fs/cgroup && {{ cat memory.max cpu.max || {{ cat memory/memory.limit_in_bytes"
            f" && echo $(cat cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us); }}; }} > {OUT}/limits"
        ),
        outputs=[s3_output("out", "s3://bkt/limits/", OUT)],
    )
    assert runner.create_processing_job(request).status == "Completed"
    memory, cpu = store(runner, "s3://bkt/limits/limits").read_text().splitlines()[:2]
    assert int(memory) == expected["mem_limit"]
    quota, period = cpu.split()
    assert int(quota) / int(period) == expected["nano_cpus"] / 1e9


@pytest.mark.parametrize("staging", ["mount", "tar"])
def test_an_input_nested_in_another_sees_both_and_leaves_the_store_untouched(
    runner, base_image, monkeypatch, staging
):
    """The SDK's script-mode layout: data at /opt/ml/processing/input, code inside it at
    .../input/code. Planted once: mounting the holding input read-only as any other (no
    `_holding_inputs`) made the job fail to start (no mount point for the nested input in a
    read-only mount) in the mount leg."""
    if staging == "tar":
        monkeypatch.setenv("LEGACYLIFT_STAGING", "tar")
    write(runner, "s3://bkt/data/rows.csv", "1,2\n")
    write(runner, "s3://bkt/code/run.sh", "echo from-code\n")
    request = processing_request(
        base_image,
        entrypoint=shell(
            "cd /opt/ml/processing/input && find . -type f | sort > "
            f"{OUT}/listing && sh code/run.sh > {OUT}/ran"
        ),
        inputs=[
            s3_input("code", "s3://bkt/code/", "/opt/ml/processing/input/code"),
            s3_input("data", "s3://bkt/data/", "/opt/ml/processing/input"),
        ],
        outputs=[s3_output("out", "s3://bkt/out/", OUT)],
    )
    result = runner.create_processing_job(request)
    assert result.status == "Completed", result.log_tail
    out = store(runner, "s3://bkt/out/")
    assert (out / "listing").read_text() == "./code/run.sh\n./rows.csv\n"
    assert (out / "ran").read_text() == "from-code\n"
    assert sorted(p.name for p in store(runner, "s3://bkt/data/").iterdir()) == ["rows.csv"]


@pytest.mark.parametrize("staging", ["mount", "tar"])
def test_a_manifest_file_input_stages_exactly_the_objects_it_lists(
    runner, base_image, monkeypatch, staging
):
    """S3DataType ManifestFile: `[{"prefix": ...}, key, ...]`, each key staged at
    LocalPath/<key>; objects beside them stay out. Planted once: the manifest read as an
    S3Prefix (the manifest object itself staged) turned this red."""
    if staging == "tar":
        monkeypatch.setenv("LEGACYLIFT_STAGING", "tar")
    for key in ("a.csv", "b.csv", "sub/c.csv"):
        write(runner, f"s3://bkt/m/data/{key}", key)
    write(
        runner, "s3://bkt/m/batch-1.json", '[{"prefix": "s3://bkt/m/data/"}, "a.csv", "sub/c.csv"]'
    )
    request = processing_request(
        base_image,
        entrypoint=shell(
            f"cd {DATA} && find . -type f | sort > {OUT}/listing && cat sub/c.csv > {OUT}/c"
        ),
        inputs=[s3_input("batch", "s3://bkt/m/batch-1.json", DATA, S3DataType="ManifestFile")],
        outputs=[s3_output("out", "s3://bkt/m/out/", OUT)],
    )
    result = runner.create_processing_job(request)
    assert result.status == "Completed", result.log_tail
    assert store(runner, "s3://bkt/m/out/listing").read_text() == "./a.csv\n./sub/c.csv\n"
    assert store(runner, "s3://bkt/m/out/c").read_text() == "sub/c.csv"


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ('["a.csv"]', "is not a manifest: give a JSON array"),
        (
            '[{"prefix": "s3://bkt/n/data/"}, "missing.csv"]',
            "s3://bkt/n/data/missing.csv does not exist",
        ),
    ],
)
def test_a_bad_manifest_fails_the_job_naming_it(runner, base_image, manifest, message):
    write(runner, "s3://bkt/n/data/a.csv", "a")
    write(runner, "s3://bkt/n/m.json", manifest)
    request = processing_request(
        base_image,
        entrypoint=shell("true"),
        inputs=[s3_input("batch", "s3://bkt/n/m.json", DATA, S3DataType="ManifestFile")],
    )
    result = runner.create_processing_job(request)
    assert result.status == "Failed"
    assert message in result.describe["FailureReason"]
