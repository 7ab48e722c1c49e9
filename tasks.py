"""LegacyLift's invoke tasks. Each is thin: parse arguments, call `legacylift`, print.

`invoke --list` shows them; `invoke --help TASK` shows one task's arguments.
"""

from __future__ import annotations

import os
import sys

from invoke import Exit, task

from legacylift.terraform_env import terraform_env

ROOT = os.path.dirname(os.path.abspath(__file__))


@task(
    help={
        "fast": "skip tests marked slow (whole image builds and pipelines)",
        "pytest_args": "extra arguments passed to pytest, e.g. '-k registry -x'",
    }
)
def test(c, fast=False, pytest_args=""):
    """Lint (ruff, terraform fmt) and run the test suite: the README's test command and CI's."""
    env = terraform_env()
    with c.cd(ROOT):
        c.run("ruff check .", env=env, pty=False)
        c.run("ruff format --check .", env=env, pty=False)
        c.run("terraform fmt -check -recursive -diff", env=env, pty=False)
        marker = "-m 'not slow'" if fast else ""
        result = c.run(f"{sys.executable} -m pytest {marker} {pytest_args}", env=env, warn=True)
    if result.exited == 5:
        raise Exit("pytest collected no tests: that is a failure, not a pass", code=1)
    if result.exited != 0:
        raise Exit(code=result.exited)


# --- build: containerise legacy models (issue 4) ---------------------------------------------


# --- local run: the rendered workflow in local Docker (issue 5) -------------------------------


@task
def demo(c):
    """Build every sample model and run its pipeline locally (the README's main command)."""
    raise Exit(
        "invoke demo: the sample models (issue 4) and the local engine (issue 5) have not landed "
        "yet; setup itself is done. Run `./bootstrap test` to check this machine.",
        code=2,
    )


# --- operating on AWS: deploy, run, status, logs (issue 6) ------------------------------------
