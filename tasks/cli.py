"""What every task shares: the one error boundary (a LegacyLiftError or an AWS client error
becomes one line and exit 1), refusals, `--json`'s quiet stdout, and the help texts and defaults
of options several tasks take."""

from __future__ import annotations

import os
import sys

from invoke import Exit

from legacylift import settings


def _fail_cleanly(action, task_name=None):
    """Run `action`; turn a LegacyLiftError, or any AWS client error (a refused call, a failed
    upload, expired credentials), into one line naming the task and the fix, and exit 1."""
    from legacylift.console import error
    from legacylift.errors import LegacyLiftError

    try:
        return action()
    except LegacyLiftError as exc:
        error(str(exc))
        raise Exit(code=1) from None
    except Exception as exc:
        _exit_on_aws_error(exc, task_name)
        raise


def _exit_on_aws_error(exc, task_name=None):
    """An AWS client error becomes one line with the fix and exit 1; anything else returns."""
    from legacylift.console import error
    from legacylift.errors import describe_aws_error, is_aws_error

    if is_aws_error(exc):
        error(describe_aws_error(task_name or "aws", exc))
        raise Exit(code=1) from None


def _refuse(option, fix):
    from legacylift.errors import LegacyLiftError

    raise LegacyLiftError(f"{option}: {fix}")


def _quiet_stdout(json_output):
    """With --json, everything but the JSON result goes to stderr."""
    import contextlib

    return contextlib.redirect_stdout(sys.stderr) if json_output else contextlib.nullcontext()


JSON_HELP = "print one machine-readable JSON result on stdout (progress goes to stderr)"


def print_json_document(document, failed=False):
    """`--json`'s one JSON document on stdout (dates as ISO strings); exit 1 when `failed`."""
    import json

    print(json.dumps(document, indent=2, sort_keys=True, default=_json_value))
    if failed:
        raise Exit(code=1)


def _json_value(value):
    """What json cannot write itself: dates and paths, as strings."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


BUILD_HELP = {
    "workspace": "Terraform workspace whose tfvars get the pinned digest (default: $TF_WORKSPACE "
    "or 'default')",
    "registry": "'ecr' (the account's ECR, default), 'local' (the development registry), or any "
    "registry host[:port]; $LEGACYLIFT_TARGET_REGISTRY sets the default",
    "push": "push and pin the digest (--no-push only builds the local image)",
}


LOCAL_HELP = {
    "workspace": "the workspace whose settings the run uses (default 'local'); on this machine "
    "its bucket is legacylift-WORKSPACE in the local object store",
    "time_scale": "multiply Wait states and Retry intervals by this factor (e.g. 0.01)",
}


RUN_HELP = {
    "workspace": "the workspace whose settings the run uses, and so where it runs: 'local' "
    "(default) on this machine; any other name is that deployed Terraform workspace, on AWS",
    "local": "run on this machine even for a deployed --workspace: its settings, its bucket "
    "legacylift-WORKSPACE in the local object store (what `run-local --workspace W` does)",
    "time_scale": "on this machine: " + LOCAL_HELP["time_scale"],
    "execution": "on AWS: the execution name (default run-YYYYmmdd-HHMMSS); must be unused",
    "wait": "on AWS: follow the execution to its end (default); --no-wait returns once started",
    "poll": "on AWS: seconds between progress polls while following (default 5)",
}


def _default_workspace(workspace):
    return workspace or os.environ.get("TF_WORKSPACE") or "default"


def _default_registry(registry):
    return registry or settings.get("LEGACYLIFT_TARGET_REGISTRY")
