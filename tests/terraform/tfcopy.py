"""Temporary copies of the repository's Terraform for tests, and Terraform runs on them.

Tests never run Terraform in the tree: `init`, tftest's setup and cleanup write and delete
`.terraform`, lock and state files where they run. A copy holds the root module, `modules/`,
`examples/` and `terraform/`, laid out as in the repository so relative module sources resolve.

Every Terraform run captures stdout and stderr together (`communicate`): tftest's own runner
reads only stdout while stderr waits in a pipe, so a command whose error fills that pipe (a
current Terraform repeats a 1 MB definition in its error) blocks forever. Tests construct
tftest runners through `tftest_runner` (or `DrainedTerraformTest`) only.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import tftest

from legacylift.paths import REPO_ROOT
from legacylift.terraform_env import terraform_binary, terraform_env

HERE = Path(__file__).resolve().parent
FIXTURE_MODELS = HERE / "fixtures" / "models"
IGNORED = shutil.ignore_patterns(
    ".terraform", ".terraform.lock.hcl", "terraform.tfstate*", "*.tfplan"
)

# A Terraform command in a test that takes longer than this is stuck, not slow.
COMMAND_TIMEOUT = 600

# Every endpoint the modules' resources and data sources call, pointed at one moto server.
MOTO_SERVICES = (
    "cloudwatchlogs",
    "ecr",
    "iam",
    "s3",
    "sfn",
    "sts",
    "kms",
    "scheduler",
    "events",
    "sns",
)


def copy_terraform_tree(destination: Path) -> Path:
    """Copy the root module, modules/, examples/ and terraform/ to `destination`, with the test
    models' scripts as legacy_models/; return it."""
    destination.mkdir(parents=True, exist_ok=True)
    for path in REPO_ROOT.glob("*.tf"):
        shutil.copy2(path, destination / path.name)
    for folder in ("modules", "examples", "terraform"):
        if (REPO_ROOT / folder).is_dir():
            shutil.copytree(REPO_ROOT / folder, destination / folder, ignore=IGNORED)
    shutil.copytree(FIXTURE_MODELS, destination / "legacy_models", dirs_exist_ok=True)
    return destination


def moto_provider_block(endpoint: str, region: str = "us-east-1") -> str:
    """An `aws` provider configuration that sends every call the modules make to moto."""
    endpoints = "\n".join(f'    {service} = "{endpoint}"' for service in MOTO_SERVICES)
    return (
        'provider "aws" {\n'
        f'  region                      = "{region}"\n'
        '  access_key                  = "testing"\n'
        '  secret_key                  = "testing"\n'
        "  skip_credentials_validation = true\n"
        "  skip_metadata_api_check     = true\n"
        "  skip_region_validation      = true\n"
        "  s3_use_path_style           = true\n"
        "  endpoints {\n"
        f"{endpoints}\n"
        "  }\n"
        "}\n"
    )


def terraform(directory: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the project's Terraform in `directory` with the project's CLI config (offline mirror)."""
    result = subprocess.run(
        [str(terraform_binary()), *args],
        cwd=directory,
        env=terraform_env(),
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"terraform {' '.join(args)} failed in {directory}:\n{result.stdout[-3000:]}\n"
            f"{result.stderr[-3000:]}"
        )
    return result


def validate(directory: Path) -> dict:
    """`terraform init -backend=false` then `terraform validate -json`; the parsed result."""
    terraform(directory, "init", "-backend=false", "-input=false", "-no-color")
    result = terraform(directory, "validate", "-json", "-no-color", check=False)
    return json.loads(result.stdout)


def image_uri(model: str, digest_char: str = "a") -> str:
    """A digest-pinned image reference in moto's account, as the build would write it."""
    return (
        f"123456789012.dkr.ecr.us-east-1.amazonaws.com/legacylift/{model}@sha256:"
        + digest_char * 64
    )


def planned_resources(plan) -> dict:
    """Every planned resource of a tftest plan by address, child modules included."""
    found, pending = {}, [plan.planned_values["root_module"]]
    while pending:
        module = pending.pop()
        found.update({resource["address"]: resource for resource in module.get("resources", [])})
        pending.extend(module.get("child_modules", []))
    return found


def write_json(path: Path, value: dict) -> Path:
    """Write `value` as JSON (a tfvars.json file); return the path."""
    path.write_text(json.dumps(value, indent=2))
    return path


class DrainedTerraformTest(tftest.TerraformTest):
    """tftest's runner with both output streams drained while Terraform runs (and a timeout)."""

    def execute_command(self, cmd: str, *cmd_args: str) -> tftest.TerraformCommandOutput:
        """Run `terraform cmd cmd_args`; raise tftest.TerraformTestError on exit 1 or 11 as
        tftest does, the error carrying stdout and stderr in full."""
        try:
            completed = subprocess.run(
                [self.binary, cmd, *cmd_args],
                cwd=self.tfdir,
                env=self.env,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="ignore",
                timeout=COMMAND_TIMEOUT,
            )
        except FileNotFoundError as exc:
            raise tftest.TerraformTestError(f"Terraform executable not found: {exc}") from exc
        if completed.returncode in (1, 11):
            raise tftest.TerraformTestError(
                f"Error running command {cmd}: {completed.returncode} {completed.stdout} "
                f"{completed.stderr}",
                completed.stderr,
            )
        return tftest.TerraformCommandOutput(
            completed.returncode, completed.stdout, completed.stderr
        )


def tftest_runner(directory: Path, **setup_arguments) -> DrainedTerraformTest:
    """A tftest runner on `directory` with the project's Terraform and CLI config, both output
    streams drained, set up (`init`, plus e.g. `workspace_name`)."""
    runner = DrainedTerraformTest(
        str(directory), binary=str(terraform_binary()), env=terraform_env()
    )
    runner.setup(**setup_arguments)
    return runner
