"""The one place LegacyLift drives Terraform through python-terraform 0.10.1.

python-terraform (unmaintained since 2019) predates Terraform 1.x; every trap it sets is
handled here and nowhere else:

- `destroy()` always passes `-force`, which Terraform >= 0.15 rejects ("flag provided but not
  defined"): `destroy` here runs `apply -destroy -auto-approve` instead.
- `apply()` passes `-auto-approve=false` unless `skip_plan=True`; with `-input=false` that
  fails ("Error asking for approval: EOF"). We only ever apply a saved plan, which needs no
  approval, and never pass variables with it (Terraform refuses `-var`/`-var-file` there).
- A `variables` dict is written to a temporary file in /tmp and passed as a `-var-file`
  *before* `var_file`, so any var file silently wins and the values sit in /tmp. We never hand
  it a dict: overrides go to a var file in a private directory, placed last so they win.
- `plan()` passes `-detailed-exitcode`: 0 = no changes, 2 = changes, 1 = error.
- `output()` returns None on any failure and drops stderr: we call `output_cmd` and parse.
- `init()` passes `-reconfigure`, which silently abandons existing state when the backend
  changes: we turn it off so Terraform asks for an explicit migration instead.
- Commands inherit `os.environ` with no way to pass an environment: we build the command line
  with its `generate_cmd_string` and run it ourselves with the project's Terraform environment
  (binary, CLI config, TF_WORKSPACE, TF_DATA_DIR), so several stacks can run at once.
- It logs every non-zero exit (plan's 2 included) as a warning: silenced; errors are raised
  here with Terraform's message instead.
- The workspace is given per call through TF_WORKSPACE rather than only `workspace select`,
  so two commands on different workspaces never act on each other's state through the shared
  `.terraform/environment` file.
- `apply_streamed` reads Terraform's machine-readable UI (`-json`, Terraform >= 0.15.3): the
  planned changes, the errors and the outputs come from the one command that plans and applies,
  with no `terraform show` or `terraform output` process (each would start the provider again).
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_terraform import IsFlagged, IsNotFlagged, Terraform

from legacylift.errors import LegacyLiftError, describe_terraform_aws_error
from legacylift.paths import project_state_dir
from legacylift.terraform_env import terraform_env
from legacylift.terraform_json import error_diagnostics, json_messages
from legacylift.terraform_select import announce_terraform

WORKSPACE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
logging.getLogger("python_terraform").setLevel(logging.ERROR)

PLAN_NO_CHANGES, PLAN_ERROR, PLAN_CHANGES = 0, 1, 2


@dataclass(frozen=True)
class PlanResult:
    """A saved plan: its file, whether it changes anything, and `terraform show -json` of it."""

    path: Path
    has_changes: bool
    document: dict[str, Any]


@dataclass(frozen=True)
class StreamedRun:
    """A plan (or plan and apply) read from Terraform's `-json` messages: the planned resource
    changes (`planned_change`), whether anything changes, and the root outputs after an apply
    ({} for a plan)."""

    planned: list[dict[str, Any]]
    has_changes: bool
    outputs: dict[str, Any]


# The `planned_change` actions that change infrastructure (not a data source's `read`, nor a
# `move` that only renames an address).
RESOURCE_ACTIONS = ("create", "update", "delete", "replace")

# Terraform's words for a configuration it has not been initialised for (a new module or
# provider, a changed backend): `init` first, then the same command again.
_NEEDS_INIT = re.compile(r"terraform init", re.IGNORECASE)


def check_workspace_name(workspace: str) -> str:
    """Return `workspace` if Terraform (and S3 key paths) accept it, else raise naming the rule."""
    if not WORKSPACE_PATTERN.match(workspace or ""):
        raise LegacyLiftError(
            f"invalid workspace name {workspace!r}: use letters, digits, '-' and '_' "
            "(at most 64 characters, starting with a letter or digit), e.g. dev or prod"
        )
    return workspace


def _tail(text: str | None, lines: int = 25) -> str:
    return "\n".join((text or "").strip().splitlines()[-lines:])


class TerraformRunner:
    """Terraform commands on one working directory, each returning checked results."""

    def __init__(self, working_dir: Path, extra_env: dict[str, str] | None = None) -> None:
        self.working_dir = Path(working_dir)
        if not self.working_dir.is_dir():
            raise LegacyLiftError(f"Terraform directory {self.working_dir} does not exist")
        self._extra_env = dict(extra_env or {})
        # What `apply_streamed` runs when Terraform asks for `init` (set by the owner of the
        # data directory, which knows the backend settings).
        self.reinit: Any = None
        # No var_file/variables on the instance: they would leak into every later command,
        # including applying a saved plan, which Terraform then refuses.
        self._tf = Terraform(
            working_dir=str(self.working_dir), terraform_bin_path=str(announce_terraform().path)
        )

    # -- the raw call ------------------------------------------------------------------------

    def _run(self, command: str, *args: str, workspace: str | None = None, **options: Any):
        env = terraform_env()
        env.update(self._extra_env)
        env.pop("TF_WORKSPACE", None)
        if workspace is not None:
            env["TF_WORKSPACE"] = check_workspace_name(workspace)
        options.setdefault("no_color", IsFlagged)
        argv = self._tf.generate_cmd_string(command, *args, **options)
        done = subprocess.run(
            argv, cwd=self.working_dir, env=env, capture_output=True, text=True, check=False
        )
        return done.returncode, done.stdout, done.stderr

    def _checked(self, what: str, command: str, *args: str, ok=(0,), **options: Any):
        code, out, err = self._run(command, *args, **options)
        if code not in ok:
            refused = describe_terraform_aws_error(f"terraform {what}", f"{err}\n{out}")
            if refused:
                raise LegacyLiftError(refused)
            raise LegacyLiftError(
                f"terraform {what} failed in {self.working_dir} (exit {code}):\n{_tail(err or out)}"
            )
        return code, out

    # -- commands ----------------------------------------------------------------------------

    def init(
        self, backend_config: Path | None = None, backend_settings: dict[str, str] | None = None
    ) -> None:
        """`terraform init` (no prompts, no silent -reconfigure), with a backend config file and
        single settings after it (e.g. a stack's own state `key`), which win."""
        options: dict[str, Any] = {"input": False, "reconfigure": IsNotFlagged}
        configs = [str(backend_config)] if backend_config is not None else []
        configs += [f"{name}={value}" for name, value in (backend_settings or {}).items()]
        if configs:
            options["backend_config"] = configs
        self._checked("init", "init", **options)

    def workspaces(self) -> list[str]:
        """Names of the workspaces that exist in the backend."""
        _, out = self._checked("workspace list", "workspace list")
        return [line.strip(" *") for line in out.splitlines() if line.strip(" *")]

    def ensure_workspace(self, workspace: str) -> bool:
        """Select `workspace`, creating it first when missing; True when it was created."""
        check_workspace_name(workspace)
        created = workspace not in self.workspaces()
        if created:
            self._checked("workspace new", "workspace new", workspace)
        else:
            self._checked("workspace select", "workspace select", workspace)
        return created

    def require_workspace(self, workspace: str) -> None:
        """Raise a clear error unless `workspace` exists (commands that only read state)."""
        known = self.workspaces()
        if check_workspace_name(workspace) not in known:
            raise LegacyLiftError(
                f"unknown workspace {workspace!r} (known: {', '.join(known)}): deploy it first "
                f"with `invoke deploy --workspace {workspace}`"
            )

    def _var_file_args(
        self, plan_dir: Path, var_files: Sequence[Path], overrides: dict[str, Any] | None
    ) -> list[str]:
        """Var files in order (later wins), then `overrides` in a private var file placed last,
        so overrides win (python-terraform's own `variables` would land in /tmp *before* the
        var files and lose)."""
        files = [str(path) for path in var_files]
        if overrides:
            override_file = Path(plan_dir) / "overrides.tfvars.json"
            override_file.write_text(json.dumps(overrides), encoding="utf-8")
            files.append(str(override_file))
        return files

    def plan(
        self,
        workspace: str,
        plan_dir: Path,
        var_files: Sequence[Path] = (),
        overrides: dict[str, Any] | None = None,
        destroy: bool = False,
    ) -> PlanResult:
        """Plan into `plan_dir/tfplan`: var files in order (later wins), `overrides` last."""
        plan_path = Path(plan_dir) / "tfplan"
        files = self._var_file_args(plan_dir, var_files, overrides)
        code, _ = self._checked(
            "plan",
            "plan",
            ok=(PLAN_NO_CHANGES, PLAN_CHANGES),
            workspace=workspace,
            input=False,
            detailed_exitcode=IsFlagged,
            var_file=files,
            out=str(plan_path),
            destroy=IsFlagged if destroy else IsNotFlagged,
        )
        return PlanResult(plan_path, code == PLAN_CHANGES, self.show_plan(workspace, plan_path))

    def apply_streamed(
        self,
        workspace: str,
        plan_dir: Path,
        var_files: Sequence[Path] = (),
        overrides: dict[str, Any] | None = None,
        plan_only: bool = False,
    ) -> StreamedRun:
        """Plan and apply in one command (`apply -auto-approve -json`), or only plan
        (`plan -detailed-exitcode -json`) when `plan_only`: var files in order, `overrides` last.
        No separate `workspace select`: TF_WORKSPACE names it, and the S3 backend starts a
        workspace's state on its first use. Where Terraform asks for `init` (a module or
        provider added since this data directory was initialised), `reinit` runs and the
        command is tried once more."""
        files = self._var_file_args(plan_dir, var_files, overrides)
        what = "plan" if plan_only else "apply"
        options: dict[str, Any] = {"detailed_exitcode": IsFlagged} if plan_only else {}
        if not plan_only:
            options["auto_approve"] = IsFlagged
        ok = (PLAN_NO_CHANGES, PLAN_CHANGES) if plan_only else (0,)
        code, messages = self._streamed(what, ok, workspace=workspace, var_file=files, **options)
        planned = _planned(messages)
        changes = any(change.get("action") in RESOURCE_ACTIONS for change in planned)
        outputs = {} if plan_only else _outputs(messages)
        return StreamedRun(planned, changes or (plan_only and code == PLAN_CHANGES), outputs)

    def plan_streamed(
        self,
        workspace: str,
        plan_dir: Path,
        var_files: Sequence[Path] = (),
        overrides: dict[str, Any] | None = None,
        refresh: bool = True,
    ) -> tuple[Path, StreamedRun]:
        """Plan into `plan_dir/tfplan` with `-json -detailed-exitcode`: the saved plan and its
        planned resource changes, `has_changes` true when it changes resources or outputs (no
        `terraform show`). `refresh=False` compares the configuration with the state alone
        (no reads of the real resources)."""
        plan_path = Path(plan_dir) / "tfplan"
        files = self._var_file_args(plan_dir, var_files, overrides)
        code, messages = self._streamed(
            "plan",
            (PLAN_NO_CHANGES, PLAN_CHANGES),
            workspace=workspace,
            var_file=files,
            out=str(plan_path),
            detailed_exitcode=IsFlagged,
            refresh=IsNotFlagged if refresh else False,
        )
        return plan_path, StreamedRun(_planned(messages), code == PLAN_CHANGES, {})

    def apply_saved(self, workspace: str, plan_path: Path) -> dict[str, Any]:
        """Apply a saved plan with `-json` (no approval prompt, no variables: the plan carries
        them); the root outputs after it, from its own messages (no `terraform output`)."""
        _, messages = self._streamed(
            "apply", (0,), str(plan_path), workspace=workspace, auto_approve=IsFlagged
        )
        return _outputs(messages)

    def _streamed(
        self, what: str, ok: tuple[int, ...], *args: str, **options: Any
    ) -> tuple[int, list[dict[str, Any]]]:
        """Run a `-json` command: its exit code and messages; `reinit` and one more try where
        Terraform asks for `init`; a failure raises with Terraform's diagnostics."""
        options.update(input=False, json=IsFlagged)
        code, out, err = self._run(what, *args, **options)
        messages = json_messages(out)
        text = error_diagnostics(messages) or err or out
        if code not in ok and self.reinit is not None and _NEEDS_INIT.search(text):
            self.reinit()
            code, out, err = self._run(what, *args, **options)
            messages = json_messages(out)
            text = error_diagnostics(messages) or err or out
        if code not in ok:
            refused = describe_terraform_aws_error(f"terraform {what}", f"{text}\n{err}")
            if refused:
                raise LegacyLiftError(refused)
            raise LegacyLiftError(
                f"terraform {what} failed in {self.working_dir} (exit {code}):\n{_tail(text)}"
            )
        return code, messages

    def show_plan(self, workspace: str, plan_path: Path) -> dict[str, Any]:
        """`terraform show -json` of a saved plan, parsed."""
        _, out = self._checked("show", "show", str(plan_path), workspace=workspace, json=IsFlagged)
        return json.loads(out)

    def apply_plan(self, workspace: str, plan: PlanResult) -> None:
        """Apply a saved plan: no approval prompt, no variables (the plan carries them)."""
        self._checked(
            "apply",
            "apply",
            str(plan.path),
            workspace=workspace,
            input=False,
            auto_approve=IsFlagged,
        )

    def destroy(self, workspace: str, var_files: Sequence[Path] = ()) -> None:
        """Destroy a workspace's resources with `apply -destroy` (not `destroy -force`)."""
        self._checked(
            "destroy",
            "apply",
            workspace=workspace,
            input=False,
            auto_approve=IsFlagged,
            destroy=IsFlagged,
            var_file=[str(path) for path in var_files],
        )

    def state_pull(self, workspace: str) -> dict[str, Any]:
        """`terraform state pull` of `workspace`: the state document ({} when it has none)."""
        _, out = self._checked("state pull", "state pull", workspace=workspace)
        return json.loads(out) if out.strip() else {}

    def state_push(self, workspace: str, path: Path) -> None:
        """`terraform state push` of a state document file into `workspace` (Terraform refuses
        a lineage or serial conflict: no -force)."""
        self._checked("state push", "state push", str(path), workspace=workspace)

    def outputs(self, workspace: str) -> dict[str, Any]:
        """Every root output's value of `workspace` (an empty dict before the first apply)."""
        _, out = self._checked("output", "output", workspace=workspace, json=IsFlagged)
        return {name: entry.get("value") for name, entry in json.loads(out or "{}").items()}


def _planned(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The `planned_change` of each message announcing one."""
    return [message["change"] for message in messages if message.get("type") == "planned_change"]


def _outputs(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The root outputs of an apply's `outputs` message ({} without one)."""
    outputs: dict[str, Any] = {}
    for message in messages:
        if message.get("type") == "outputs":
            outputs = {name: entry.get("value") for name, entry in message["outputs"].items()}
    return outputs


@contextmanager
def private_plan_dir() -> Iterator[Path]:
    """A mode-700 directory under the project state dir for plan files and override var
    files: they hold variable values, so they stay out of the world-readable /tmp."""
    base = project_state_dir() / "tmp"
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = Path(tempfile.mkdtemp(prefix="plan-", dir=base))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
