"""`run`, `run-local` and `train` on the real command line: one rule for where a run goes
(`--workspace local` or `--local`: this machine; a deployed workspace: AWS) and for which
options fit it (tasks/placement.py). What each case proves is the route a run took: a check
only the local engine makes, or the AWS credentials only the cloud path asks for, before any
container or AWS call."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.cli import invoke_cli

SAMPLE = "legacy_models/iris/sample/input"
MISSING = "/nonexistent/input"  # a run the refusal let through fails at once, writing nothing
LOCAL_TIME_SCALE = "--time-scale '0': give a positive number"
NO_AWS = "no usable AWS credentials"


def invoke(*args: str) -> subprocess.CompletedProcess:
    """`invoke ARGS` as a user runs it, with no AWS credentials anywhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_SHARED_CREDENTIALS_FILE="/nonexistent", AWS_CONFIG_FILE="/nonexistent")
    return invoke_cli(*args, env=env, timeout=120)


def refusal(result: subprocess.CompletedProcess) -> str:
    """The one error line of a refused command (exit 1, nothing on stdout, no traceback)."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1, result.stderr
    assert result.stdout == "" and len(lines) == 1, result.stdout + result.stderr
    assert lines[0].startswith("error: "), lines
    return lines[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # The default workspace runs on this machine: the local engine's own check answers.
        (("run", "iris", "--input", SAMPLE, "--time-scale", "0"), LOCAL_TIME_SCALE),
        (("run-local", "iris", "--input", SAMPLE, "--time-scale", "0"), LOCAL_TIME_SCALE),
        (("train", "iris", "--input", SAMPLE, "--time-scale", "0"), LOCAL_TIME_SCALE),
        # --local runs a deployed workspace's workflow here, with that workspace's names.
        (("run", "iris", "-w", "dev", "--local", "-i", SAMPLE, "-t", "0"), LOCAL_TIME_SCALE),
        (("run", "iris", "-w", "Dev_1", "--local", "-i", SAMPLE), "--workspace 'Dev_1'"),
        (("train", "iris", "-w", "Dev_1", "--local", "-i", SAMPLE), "--workspace 'Dev_1'"),
        # A failed local run is redriven where it ran: resumed by the local engine.
        (("redrive", "iris-1", "-w", "local", "-m", "iris"), "--resume iris-1: no local run"),
        # A deployed workspace runs on AWS: the cloud path asks for credentials.
        (("run", "iris", "--workspace", "dev", "--input", "s3://data/iris/in/"), NO_AWS),
        (("train", "iris", "--workspace", "dev", "--input", "s3://data/iris/in/"), NO_AWS),
        (("run", "iris", "-w", "dev", "--workflow", "train", "--input", "s3://data/in/"), NO_AWS),
    ],
)
def test_the_workspace_decides_where_a_run_goes(args, expected):
    """Planted bugs: `where` ignoring --local (a rehearsal of dev goes to AWS: the --time-scale
    and workspace-name cases turn red); `train` always local, as it was (its AWS cases red);
    `redrive --workspace local` sent to AWS (the redrive case red)."""
    assert expected in refusal(invoke(*args))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("run", "iris", "--input", MISSING, "--execution", "e1"),
            "--execution does not go with an inference run on this machine (--workspace local): "
            "it goes with runs on AWS; drop it, or give a deployed --workspace to run on AWS",
        ),
        (("run", "iris", "--input", MISSING, "--no-wait"), "--no-wait does not go with"),
        (("train", "iris", "--input", MISSING, "--poll", "1"), "--poll does not go with"),
        (
            ("run", "iris", "-w", "dev", "--local", "--input", MISSING, "--execution", "e1"),
            "drop it, or drop --local to run on workspace dev's deployment on AWS",
        ),
        (
            ("run", "iris", "-w", "dev", "--input", "s3://d/in/", "--time-scale", "0.1"),
            "drop it, or add --local to run workspace dev's workflow on this machine",
        ),
        (
            ("run", "iris", "-w", "dev", "--input", "s3://d/in/", "--resume", "iris-1"),
            "--resume does not go with an inference run on AWS",
        ),
        (
            ("run", "iris", "--workflow", "train", "--input", MISSING, "--output", "/tmp/o"),
            "--output does not go with a training run on this machine",
        ),
        (
            ("run", "iris", "--input", MISSING, "--evaluation", MISSING),
            "--evaluation does not go with an inference run",
        ),
        (
            ("train", "iris", "-w", "dev", "--input", MISSING, "--time-scale", "0"),
            "--time-scale does not go with a training run on AWS",
        ),
        (
            ("run", "iris", "--workflow", "retrain", "--input", MISSING),
            "--workflow 'retrain': use --workflow inference or train",
        ),
        (("run", "iris", "--workspace", "dev"), "--input: give the s3:// URI of the input"),
        (("redrive", "iris-1", "-w", "local"), "--model: name the model whose local run iris-1"),
        (("redrive", "iris-1", "-w", "local", "-m", "iris", "--no-wait"), "--no-wait does not"),
    ],
)
def test_an_option_that_does_not_fit_the_run_is_refused_in_one_line(args, expected):
    """Planted bug: `--execution` accepted by every run (FITS widened): a local run would
    silently drop the name it was given; the first case turns red."""
    assert expected in refusal(invoke(*args))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("train", "iris", "--workspace", "dev", "--input", SAMPLE),
            f"--input {SAMPLE}: a run on AWS reads s3:// URIs: upload it first (invoke "
            "upload-input MODEL PATH --workspace dev), or add --local to run on this machine "
            "with workspace dev's settings",
        ),
        (
            ("train", "iris", "--workspace", "dev", "--input", "s3://legacylift-dev/iris/in/"),
            "legacylift-dev is workspace dev's bucket in the local object store: add --local",
        ),
        (
            ("run", "iris", "-w", "dev", "--input", "s3://d/in/", "--output", "/tmp/out"),
            "--output /tmp/out: a run on AWS reads s3:// URIs",
        ),
        (
            (
                "run",
                "iris",
                "-w",
                "dev",
                "--workflow",
                "train",
                "--input",
                "s3://d/in/",
                "--evaluation",
                "s3://legacylift-dev",
            ),
            "--evaluation s3://legacylift-dev: legacylift",
        ),
    ],
)
def test_a_local_training_spelling_of_a_deployed_workspace_is_refused_with_the_fix(args, expected):
    """`train --workspace dev` trained on this machine before `run` and `train` paired up;
    now it trains on AWS. Its old spelling with this machine's data (a path, or the local
    object store's bucket for dev) is refused naming --local, before AWS is asked anything.

    Planted bug: the cloud run taking any --input (check_cloud_inputs not checking the
    scheme): the old spelling goes on to AWS and fails on credentials instead."""
    assert expected in refusal(invoke(*args))


def test_run_definition_takes_execution_and_still_reads_the_deprecated_name():
    """`--execution` names the execution everywhere; `run-definition --name` still works
    with a warning, and both at once are refused.

    Planted bug: `_execution_name` ignoring --name (the old spelling's name silently lost)."""
    from tasks.runs import _execution_name

    assert _execution_name("e1", None) == "e1"
    assert _execution_name(None, "old") == "old"
    result = invoke("run-definition", "missing.json", "--name", "old")
    assert "warning: --name is the old spelling of --execution: use --execution old" in (
        result.stderr
    )
    assert "definition missing.json: no such file" in result.stderr
    both = refusal(invoke("run-definition", "missing.json", "--name", "a", "--execution", "b"))
    assert both.endswith("--name: give the execution name once, as --execution")
