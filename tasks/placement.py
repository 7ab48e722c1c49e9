"""Where a run goes, and which options fit it: one rule for `run`, `run-local` and `train`.

`--workspace` names the Terraform workspace whose settings a run uses: its pinned images, its
bucket, the names of its jobs. `local`, the default, is never deployed, so it runs on this
machine's engine (local Docker, the local object store). Any other workspace is deployed: the
run goes to its stack on AWS, unless `--local` rehearses it on this machine, in the local
bucket legacylift-WORKSPACE. Every option belongs to the runs it can change; given to another
run it is refused in one line naming the fix, before anything starts.
"""

from __future__ import annotations

from collections.abc import Iterable

from legacylift.errors import LegacyLiftError

LOCAL_WORKSPACE = "local"
WORKFLOWS = ("inference", "train")

HERE, AWS = "this machine", "AWS"
_EVERY = {(where, workflow) for where in (HERE, AWS) for workflow in WORKFLOWS}

# Each option that only some runs take: the (where, workflow) pairs it goes with, in words.
FITS: dict[str, tuple[set[tuple[str, str]], str]] = {
    "--output": ({(HERE, "inference"), (AWS, "inference")}, "inference runs"),
    "--evaluation": ({(HERE, "train"), (AWS, "train")}, "training runs"),
    "--execution": ({(AWS, "inference"), (AWS, "train")}, "runs on AWS"),
    "--no-wait": ({(AWS, "inference"), (AWS, "train")}, "runs on AWS"),
    "--poll": ({(AWS, "inference"), (AWS, "train")}, "runs on AWS"),
    "--time-scale": ({(HERE, "inference"), (HERE, "train")}, "runs on this machine"),
    "--overwrite": ({(HERE, "inference")}, "inference runs on this machine"),
    "--resume": ({(HERE, "inference")}, "inference runs on this machine"),
    "--as-of": ({(HERE, "inference")}, "inference runs on this machine"),
}


def where(workspace: str, local: bool) -> str:
    """HERE for the `local` workspace or with `--local`, else AWS."""
    return HERE if local or workspace == LOCAL_WORKSPACE else AWS


def given(**options) -> list[str]:
    """The command-line spellings of the options that were given (not None, not False);
    `no_wait=True` is `--no-wait`."""
    return [f"--{name.replace('_', '-')}" for name, value in options.items() if value]


def _fix(fits: set[tuple[str, str]], run: tuple[str, str], workspace: str) -> str:
    """What else to do than dropping the option, when moving the run would make it fit."""
    place, workflow = run
    if (HERE, workflow) in fits and place == AWS:
        return f", or add --local to run workspace {workspace}'s workflow on this machine"
    if (AWS, workflow) in fits and place == HERE:
        if workspace != LOCAL_WORKSPACE:
            return f", or drop --local to run on workspace {workspace}'s deployment on AWS"
        return ", or give a deployed --workspace to run on AWS"
    return ""


def check_options(options: Iterable[str], workspace: str, local: bool, workflow: str) -> str:
    """Where the run goes (HERE or AWS), after checking `--workflow` and that every given
    option fits that run; else a LegacyLiftError naming the option and the fix."""
    if workflow not in WORKFLOWS:
        raise LegacyLiftError(f"--workflow {workflow!r}: use --workflow inference or train")
    run = (where(workspace, local), workflow)
    for option in options:
        fits, words = FITS.get(option, (_EVERY, ""))
        if run not in fits:
            kind = "a training run" if workflow == "train" else "an inference run"
            raise LegacyLiftError(
                f"{option} does not go with {kind} on {run[0]} (--workspace {workspace}"
                f"{' --local' if local else ''}): it goes with {words}; drop it"
                + _fix(fits, run, workspace)
            )
    return run[0]


def check_cloud_inputs(workspace: str, **uris: str | None) -> None:
    """A run on AWS reads and writes s3:// URIs, never a local path, nor the bucket that
    stands for the workspace's data bucket in the local object store (legacylift-WORKSPACE:
    a deployed data bucket is named <prefix>-data-<account> or by `bucket_name`)."""
    local_bucket = f"s3://legacylift-{workspace}/"
    for name, uri in uris.items():
        option = f"--{name}"
        if uri is None:
            continue
        if not uri.startswith("s3://"):
            raise LegacyLiftError(
                f"{option} {uri}: a run on AWS reads s3:// URIs: upload it first (invoke "
                f"upload-input MODEL PATH --workspace {workspace}), or add --local to run on "
                f"this machine with workspace {workspace}'s settings"
            )
        if (uri + "/").startswith(local_bucket):
            raise LegacyLiftError(
                f"{option} {uri}: legacylift-{workspace} is workspace {workspace}'s bucket in the "
                f"local object store: add --local to run on this machine (on AWS, give a URI "
                f"in the deployed data bucket)"
            )
