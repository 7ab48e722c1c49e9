"""The python-terraform wrapper against real Terraform 1.0.3 on a provider-free configuration:
each python-terraform 0.10.1 trap is shown to exist, then shown handled by the wrapper."""

from __future__ import annotations

import json
import tempfile

import pytest
from python_terraform import Terraform

from legacylift.aws.terraform import TerraformRunner, private_plan_dir
from legacylift.errors import LegacyLiftError
from legacylift.terraform_env import terraform_binary, terraform_env


@pytest.fixture
def raw_terraform(monkeypatch):
    """python-terraform used directly, as a user would, in the project's environment."""
    for key, value in terraform_env().items():
        if key.startswith("TF_"):
            monkeypatch.setenv(key, value)

    def make(directory) -> Terraform:
        return Terraform(working_dir=str(directory), terraform_bin_path=str(terraform_binary()))

    return make


@pytest.fixture
def runner(provider_free_dir):
    runner = TerraformRunner(provider_free_dir)
    runner.init()
    return runner


def test_plan_exit_code_2_means_changes_not_failure(runner):
    runner.ensure_workspace("dev")
    with private_plan_dir() as plan_dir:
        first = runner.plan("dev", plan_dir)
        assert first.has_changes
        runner.apply_plan("dev", first)
    with private_plan_dir() as plan_dir:
        second = runner.plan("dev", plan_dir)
    assert not second.has_changes
    assert runner.outputs("dev")["greeting"] == "default"


def test_plan_failure_raises_with_terraform_message(runner, tmp_path):
    bad = tmp_path / "bad.tfvars"
    bad.write_text('greeting = ["not", "a", "string"]\n')
    runner.ensure_workspace("dev")
    with private_plan_dir() as plan_dir, pytest.raises(LegacyLiftError) as caught:
        runner.plan("dev", plan_dir, [bad])
    assert "terraform plan failed" in str(caught.value)
    assert "greeting" in str(caught.value)


def test_raw_apply_needs_approval_but_saved_plan_applies(provider_free_dir, runner, raw_terraform):
    code, _, err = raw_terraform(provider_free_dir).apply()
    assert code == 1 and "approval" in err  # the trap: -auto-approve=false, -input=false
    runner.ensure_workspace("dev")
    with private_plan_dir() as plan_dir:
        runner.apply_plan("dev", runner.plan("dev", plan_dir))
    assert runner.outputs("dev")["workspace"] == "dev"


def test_raw_destroy_force_is_rejected_but_wrapper_destroys(
    provider_free_dir, runner, raw_terraform
):
    runner.ensure_workspace("dev")
    with private_plan_dir() as plan_dir:
        runner.apply_plan("dev", runner.plan("dev", plan_dir))
    code, _, err = raw_terraform(provider_free_dir).destroy()
    assert code == 1 and "-force" in err  # the trap: Terraform >= 0.15 has no -force
    runner.destroy("dev")
    assert runner.outputs("dev") == {}


def test_raw_variables_lose_to_var_files_and_land_in_tmp(
    provider_free_dir, runner, tmp_path, raw_terraform
):
    var_file = tmp_path / "ws.tfvars"
    var_file.write_text('greeting = "from-var-file"\n')
    raw = raw_terraform(provider_free_dir)
    command = raw.generate_cmd_string(
        "plan", var={"greeting": "from-dict"}, var_file=[str(var_file)]
    )
    temp_files = [arg.split("=", 1)[1] for arg in command if arg.startswith("-var-file=")]
    raw.temp_var_files.clean_up()
    # The trap: the dict goes to a temp file in /tmp, placed before the var file, so it loses.
    assert temp_files[0].startswith(tempfile.gettempdir())
    assert temp_files[1] == str(var_file)


def test_var_files_in_order_and_overrides_win_without_tmp(
    runner, tmp_path, monkeypatch, private_dirs
):
    first, second = tmp_path / "first.tfvars", tmp_path / "second.tfvars.json"
    first.write_text('greeting = "first"\n')
    second.write_text(json.dumps({"greeting": "second"}))
    watched_tmp = tmp_path / "system-tmp"
    watched_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(watched_tmp))
    runner.ensure_workspace("dev")
    with private_plan_dir() as plan_dir:
        assert plan_dir.parent == private_dirs / "tmp"
        assert oct(plan_dir.stat().st_mode & 0o777) == oct(0o700)
        plan = runner.plan("dev", plan_dir, [first, second])
        assert plan.document["variables"]["greeting"]["value"] == "second"
        reverse = runner.plan("dev", plan_dir, [second, first])
        assert reverse.document["variables"]["greeting"]["value"] == "first"
        override = runner.plan("dev", plan_dir, [first, second], {"greeting": "override"})
        assert override.document["variables"]["greeting"]["value"] == "override"
        runner.apply_plan("dev", override)
    assert list(watched_tmp.iterdir()) == []
    assert not plan_dir.exists()  # plan files (which hold variable values) are removed
    assert runner.outputs("dev")["greeting"] == "override"


def test_two_workspaces_keep_separate_state(runner, tmp_path):
    values = {}
    for workspace in ("dev", "prod"):
        runner.ensure_workspace(workspace)
        var_file = tmp_path / f"{workspace}.tfvars"
        var_file.write_text(f'greeting = "hello {workspace}"\n')
        values[workspace] = var_file
    # Apply prod while `dev` is the selected workspace: TF_WORKSPACE decides, not selection.
    runner.ensure_workspace("dev")
    for workspace in ("prod", "dev"):
        with private_plan_dir() as plan_dir:
            runner.apply_plan(workspace, runner.plan(workspace, plan_dir, [values[workspace]]))
    assert runner.outputs("dev")["greeting"] == "hello dev"
    assert runner.outputs("prod")["greeting"] == "hello prod"
    assert sorted(runner.workspaces()) == ["default", "dev", "prod"]


def test_unknown_workspace_and_bad_names(runner):
    with pytest.raises(LegacyLiftError, match="unknown workspace 'qa'.*invoke deploy"):
        runner.require_workspace("qa")
    with pytest.raises(LegacyLiftError, match="invalid workspace name"):
        runner.ensure_workspace("bad name!")


def test_output_errors_are_not_swallowed(runner, provider_free_dir, raw_terraform):
    (provider_free_dir / "main.tf").write_text("this is not HCL {")
    # The trap: python-terraform's output() returns None on failure and drops the reason.
    assert raw_terraform(provider_free_dir).output() is None
    with pytest.raises(LegacyLiftError, match="terraform output failed"):
        runner.outputs("default")


def test_apply_streamed_reads_outputs_and_errors_from_terraforms_json_messages(runner, tmp_path):
    """One `apply -json` gives the outputs (no `terraform output` process) and, on failure,
    Terraform's own error text rather than raw JSON lines."""
    with private_plan_dir() as plan_dir:
        run = runner.apply_streamed("dev", plan_dir, overrides={"greeting": "hi"})
    assert run.outputs["greeting"] == "hi" and run.outputs["workspace"] == "dev"
    assert run.planned == [] and not run.has_changes  # outputs only: no resource changes
    assert runner.outputs("dev")["greeting"] == "hi"
    with private_plan_dir() as plan_dir:
        planned = runner.apply_streamed(
            "dev", plan_dir, overrides={"greeting": "x"}, plan_only=True
        )
    assert planned.outputs == {} and runner.outputs("dev")["greeting"] == "hi"
    bad = tmp_path / "bad.tfvars"
    bad.write_text('greeting = ["not", "a", "string"]\n')
    with private_plan_dir() as plan_dir, pytest.raises(LegacyLiftError) as caught:
        runner.apply_streamed("dev", plan_dir, [bad])
    message = str(caught.value)
    assert "terraform apply failed" in message and "Error: " in message
    assert '"@level"' not in message


def test_apply_streamed_initialises_again_when_terraform_asks(runner, provider_free_dir):
    """A module added after the data directory was initialised: Terraform asks for `init`, the
    runner's `reinit` runs and the apply goes through. Planted bug: the words Terraform uses to
    ask for init not recognised (every stack fails after a module is added)."""
    extra = provider_free_dir / "extra"
    extra.mkdir()
    (extra / "main.tf").write_text('output "word" {\n  value = "added"\n}\n')
    with (provider_free_dir / "main.tf").open("a") as config:
        config.write('\nmodule "extra" {\n  source = "./extra"\n}\n\n')
        config.write('output "extra_word" {\n  value = module.extra.word\n}\n')
    calls = []
    runner.reinit = lambda: (calls.append("init"), runner.init())
    with private_plan_dir() as plan_dir:
        run = runner.apply_streamed("dev", plan_dir)
    assert calls == ["init"]
    assert run.outputs["extra_word"] == "added"


def test_a_saved_plan_read_from_its_messages_then_applied_gives_the_outputs(runner):
    """`plan -json -out` says whether anything changes (outputs included: its exit code) and
    `apply -json` of that plan returns the outputs as `terraform output` then reads them, with
    no `show` or `output` process between. Planted bug: the plan counted as changing only when
    resources change (an output-only change left unapplied)."""
    ran = []
    real_run = runner._run

    def recorded(command, *args, **options):
        ran.append(command)
        return real_run(command, *args, **options)

    runner._run = recorded
    with private_plan_dir() as plan_dir:
        plan_path, plan = runner.plan_streamed("dev", plan_dir, overrides={"greeting": "hi"})
        assert plan.has_changes and plan.planned == []  # an output change only
        outputs = runner.apply_saved("dev", plan_path)
    assert ran == ["plan", "apply"]
    assert outputs == runner.outputs("dev") and outputs["greeting"] == "hi"
    with private_plan_dir() as plan_dir:
        _, again = runner.plan_streamed("dev", plan_dir, overrides={"greeting": "hi"})
    assert not again.has_changes
