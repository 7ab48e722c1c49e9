"""A deployed workspace as the tooling sees it: where its Terraform lives, which var files it
takes, and what its outputs say (contracts §2)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from legacylift import settings, tfvars
from legacylift.aws.terraform import TerraformRunner, check_workspace_name
from legacylift.errors import LegacyLiftError
from legacylift.models import models_dir
from legacylift.paths import TERRAFORM_ROOT


def terraform_dir() -> Path:
    """The deployment root: `terraform/`, or LEGACYLIFT_TERRAFORM_DIR."""
    return Path(settings.get("LEGACYLIFT_TERRAFORM_DIR") or TERRAFORM_ROOT)


def backend_config() -> Path | None:
    """The backend settings file for `init`: LEGACYLIFT_BACKEND_CONFIG, else
    `terraform/backend.hcl` when present (see docs/deployment.md, the state backend)."""
    given = settings.get("LEGACYLIFT_BACKEND_CONFIG")
    if given:
        if not Path(given).is_file():
            raise LegacyLiftError(f"LEGACYLIFT_BACKEND_CONFIG={given}: no such file")
        return Path(given)
    default = terraform_dir() / "backend.hcl"
    return default if default.is_file() else None


def required_backend_config() -> Path:
    """The backend config file split stacks need (their states live in the S3 backend), or an
    error naming the command that writes it."""
    config = backend_config()
    if config is None:
        raise LegacyLiftError(
            "no backend config: split stacks keep their states in the S3 backend; run "
            "`invoke bootstrap-backend --bucket NAME` once per account, or set "
            "LEGACYLIFT_BACKEND_CONFIG"
        )
    return config


def image_tfvars_path(workspace: str) -> Path:
    """The build's per-workspace image tfvars (contracts §2; LEGACYLIFT_TFVARS_DIR overrides)."""
    return tfvars.tfvars_path(check_workspace_name(workspace))


def workspace_var_files(workspace: str) -> list[Path]:
    """Var files of `workspace`, in the order Terraform reads them (a later file wins):
    the workspace's settings (`tfvars/<W>.tfvars[.json]`), then the build's image pins."""
    settings_dir = terraform_dir() / "tfvars"
    candidates = [
        settings_dir / f"{workspace}.tfvars",
        settings_dir / f"{workspace}.tfvars.json",
        image_tfvars_path(workspace),
    ]
    return [path for path in candidates if path.is_file()]


def pinned_models(workspace: str) -> dict[str, Any]:
    """The `models` map of the workspace's image tfvars ({} when the build wrote none)."""
    return tfvars.read_models(check_workspace_name(workspace))


def check_images_pinned(workspace: str, models: dict[str, Any]) -> None:
    """Refuse mutable image references: every set image_uri must end in @sha256:<64 hex>; and
    a schedule or trigger on a model with no image (no state machine for it to start, so
    Terraform would leave it out of the plan without a word)."""
    check_starters_built(workspace, models)
    unpinned = {
        name: entry.get("image_uri")
        for name, entry in models.items()
        if entry.get("image_uri") is not None
        and not tfvars.IMAGE_URI_PATTERN.match(str(entry.get("image_uri")))
    }
    if unpinned:
        listed = ", ".join(f"{name} = {uri!r}" for name, uri in sorted(unpinned.items()))
        raise LegacyLiftError(
            f"refusing to deploy workspace {workspace!r}: images not pinned by digest ({listed}) "
            f"in {image_tfvars_path(workspace)}; run `invoke build-model NAME --workspace "
            f"{workspace}` so the build pins repo@sha256:<digest>"
        )


def check_starters_built(workspace: str, models: dict[str, Any]) -> None:
    """Refuse a `[schedule]` or `[trigger]` of a model whose image_uri is null in the
    workspace's tfvars: one line naming the model and the build that fixes it."""
    for name, entry in sorted(models.items()):
        entry = entry or {}
        started = [key for key in ("schedule", "trigger") if entry.get(key)]
        if started and not entry.get("image_uri"):
            raise LegacyLiftError(
                f"model {name!r} has a [{started[0]}] but no built image in workspace "
                f"{workspace!r} (image_uri is null in {image_tfvars_path(workspace)}), so no "
                f"state machine for it to start: run `invoke build-model {name} --workspace "
                f"{workspace}` first"
            )


def local_model_names() -> list[str]:
    """Models this checkout knows: legacy_models/ folders (for naming errors only)."""
    if not models_dir().is_dir():
        return []
    return sorted(p.name for p in models_dir().iterdir() if p.is_dir())


@dataclass(frozen=True)
class Stack:
    """The outputs of one applied workspace."""

    workspace: str
    outputs: dict[str, Any]

    @property
    def data_bucket(self) -> str:
        """The data bucket name (inputs, intermediate data, outputs)."""
        bucket = self.outputs.get("data_bucket")
        if not bucket:
            raise LegacyLiftError(
                f"workspace {self.workspace!r} has no data_bucket output: it was never applied; "
                f"run `invoke deploy --workspace {self.workspace}`"
            )
        return bucket

    @property
    def state_machine_arns(self) -> dict[str, str]:
        """Model name -> state machine ARN of every deployed model."""
        return dict(self.outputs.get("state_machine_arns") or {})

    def state_machine_arn(self, model: str) -> str:
        """The ARN of `model`'s state machine, or an error saying why there is none."""
        arns = self.state_machine_arns
        if model in arns:
            return arns[model]
        deployed = ", ".join(sorted(arns)) or "none"
        if model in pinned_models(self.workspace) or model in local_model_names():
            raise LegacyLiftError(
                f"model {model!r} is not deployed in workspace {self.workspace!r} (deployed: "
                f"{deployed}): run `invoke build-model {model} --workspace {self.workspace}` "
                f"then `invoke deploy --workspace {self.workspace}`"
            )
        raise LegacyLiftError(
            f"unknown model {model!r}: no legacy_models/{model}/ folder and not deployed in "
            f"workspace {self.workspace!r} (deployed: {deployed})"
        )

    def alias_arn(self, model: str) -> str:
        """The ARN of `model`'s `live` alias, the one executions start (IAM allows starters
        nothing else); an error naming the fix when the workspace predates aliases."""
        self.state_machine_arn(model)  # unknown or undeployed models: that error first
        arn = dict(self.outputs.get("state_machine_alias_arns") or {}).get(model)
        if not arn:
            raise LegacyLiftError(
                f"workspace {self.workspace!r} has no `live` alias for {model}: it was deployed "
                f"before state machine versions; run `invoke deploy --workspace {self.workspace}`"
            )
        return arn


def training_state_machine_arn(deployed: Stack, model: str) -> str:
    """The ARN of the `live` alias of `model`'s training state machine (what `train` starts),
    or an error saying how to get one."""
    arns = dict(deployed.outputs.get("training_state_machine_arns") or {})
    aliases = dict(deployed.outputs.get("training_state_machine_alias_arns") or {})
    if model in aliases:
        return aliases[model]
    if model in arns:
        raise LegacyLiftError(
            f"workspace {deployed.workspace!r} has no `live` alias for {model}'s training "
            f"workflow: run `invoke deploy --workspace {deployed.workspace}`"
        )
    deployed.state_machine_arn(model)  # unknown or undeployed models: that error first
    raise LegacyLiftError(
        f"model {model!r} has no training workflow in workspace {deployed.workspace!r}: add "
        f"[train], [evaluate] and [promotion] to legacy_models/{model}/model.toml, then "
        f"`invoke build-model {model} --workspace {deployed.workspace}` and "
        f"`invoke deploy --workspace {deployed.workspace}`"
    )


def initialised_runner() -> TerraformRunner:
    """`terraform init` of the deployment root with the backend config; a missing backend
    config is named with the command that writes it."""
    runner = TerraformRunner(terraform_dir())
    config = backend_config()
    try:
        runner.init(config)
    except LegacyLiftError as exc:
        if config is None:
            raise LegacyLiftError(
                f"{exc}\nno backend config: run `invoke bootstrap-backend --bucket NAME` once per "
                f"account (writes {terraform_dir() / 'backend.hcl'}), or set "
                "LEGACYLIFT_BACKEND_CONFIG"
            ) from exc
        raise
    return runner
