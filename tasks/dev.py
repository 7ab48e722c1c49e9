"""Developing LegacyLift itself: the test suite and the modules' generated README tables."""

from __future__ import annotations

import os
import sys

from invoke import Exit, task

from legacylift.terraform_env import terraform_env
from tasks.cli import _fail_cleanly

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@task(
    help={
        "fast": "skip tests marked slow (whole image builds and pipelines)",
        "pytest_args": "extra arguments passed to pytest, e.g. '-k registry -x'",
        "workers": "pytest-xdist worker processes (default 1: one process, the order CI runs)",
    }
)
def test(c, fast=False, pytest_args="", workers=1):
    """Lint (ruff, terraform fmt) and run the test suite: the README's test command and CI's.

    `--workers 2` (`-n 2 --dist loadgroup`) runs the Terraform-and-moto modules beside one
    serial group of everything that shares Docker, the registry or the state directory
    (tests/conftest.py). One process is the default: a worker's moto server is shared by the
    modules it is handed, in an order that changes from run to run, so a module that leaves
    an account-wide name behind (an ECR repository) can break another only in some orders.

    The Terraform matrix: the whole suite runs on the bundled minimum Terraform, then the tests
    marked `terraform_matrix` (validate and plan of the root, examples and deployment root,
    the workflow render, the consumer test) run again on the newest Terraform on PATH. Under CI
    a missing second leg fails; elsewhere it is skipped with the reason."""
    from legacylift.console import error, info
    from legacylift.terraform_select import matrix_legs

    minimum, current, reason = _fail_cleanly(matrix_legs)
    env = terraform_env()
    with c.cd(ROOT):
        c.run("ruff check .", env=env, pty=False)
        c.run("ruff format --check .", env=env, pty=False)
        c.run("terraform fmt -check -recursive -diff", env=env, pty=False)
        legs = [(minimum, "not slow" if fast else "")]
        if current is not None:
            legs.append((current, "terraform_matrix" + (" and not slow" if fast else "")))
        for choice, marker in legs:
            info(f"tests on {choice.describe()}" + (f", only `-m '{marker}'`" if marker else ""))
            leg_env = {**env, "LEGACYLIFT_TERRAFORM": str(choice.path)}
            selection = f"-m '{marker}'" if marker else ""
            parallel = f"-n {workers} --dist loadgroup" if int(workers) > 1 else ""
            result = c.run(
                f"{sys.executable} -m pytest {parallel} {selection} {pytest_args}",
                env=leg_env,
                warn=True,
            )
            if result.exited == 5 and choice is current:
                info(f"no tests marked terraform_matrix in this selection for {choice.version}")
                continue
            if result.exited == 5:
                raise Exit("pytest collected no tests: that is a failure, not a pass", code=1)
            if result.exited != 0:
                raise Exit(code=result.exited)
    if current is None:
        if os.environ.get("CI"):
            error(f"the second Terraform leg could not run: {reason} (CI must provide one)")
            raise Exit(code=1)
        info(f"second Terraform leg skipped: {reason}")


@task(help={"check": "only check: exit 1 naming each README whose tables are stale"})
def module_docs(c, check=False):
    """Regenerate the Inputs/Outputs tables of every Terraform module's README from its HCL.

    The tables sit between `<!-- BEGIN_TF_DOCS -->` and `<!-- END_TF_DOCS -->` (terraform-docs'
    markers); a variable's or output's description lives only in its `.tf` file."""
    from legacylift import module_docs as docs
    from legacylift.console import error, success

    if check:
        stale = _fail_cleanly(docs.stale_readmes)
        for readme in stale:
            error(f"{readme} is stale: run `invoke module-docs`")
        if stale:
            raise Exit(code=1)
        success("module READMEs match their variables and outputs")
        return
    for readme in _fail_cleanly(docs.write_readmes):
        success(f"regenerated {readme}")
