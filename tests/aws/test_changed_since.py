"""`invoke changed --since REF` on a scratch git history: which models a change rebuilds and
which stacks it plans per workspace."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from legacylift.changes import changed_since
from legacylift.errors import LegacyLiftError
from legacylift.paths import REPO_ROOT
from legacylift.stack_inputs import stacks_touched


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def write(repo: Path, path: str, text: str) -> None:
    file = repo / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text)


def pins(**models: str | None) -> str:
    return json.dumps({"models": {name: {"image_uri": uri} for name, uri in models.items()}})


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path):
    """A scratch repository: three models, dev pins two, prod pins one, one module."""
    repo = tmp_path / "repo"
    git(tmp_path, "init", "-q", str(repo))
    for model in ("iris", "churn", "demand"):
        write(repo, f"legacy_models/{model}/predict.py", f"print('{model}')\n")
    write(repo, "terraform/tfvars/dev.models.tfvars.json", pins(iris="r/iris@1", churn="r/churn@1"))
    write(repo, "terraform/tfvars/prod.models.tfvars.json", pins(iris="r/iris@1", demand=None))
    write(repo, "terraform/tfvars/dev.tfvars", 'ecr_repository_prefix = "dev/"\n')
    write(repo, "modules/s3/main.tf", "# bucket\n")
    write(repo, "main.tf", "# root\n")
    write(repo, "README.md", "# readme\n")
    return repo, commit(repo, "base")


def test_a_model_folder_change_rebuilds_it_and_plans_its_stacks_where_pinned(repo):
    """Planted bug: a model's stack is listed in workspaces that do not pin it (prod plans
    churn's stack, which does not exist there)."""
    repo, base = repo
    write(repo, "legacy_models/churn/predict.py", "print('churn v2')\n")
    write(repo, "README.md", "# readme v2\n")  # touches nothing deployed
    found = changed_since(base, repo)
    assert found.as_dict() == {
        "since": base,
        "models": ["churn"],
        "stacks": {"dev": ["churn"]},
        "every_stack": False,
    }


def test_a_pin_change_plans_that_model_and_an_added_model_the_shared_stack(repo):
    """Planted bug: a model added to the pins leaves the shared stack out (its repository and
    lifecycle rule are never created)."""
    repo, base = repo
    write(
        repo,
        "terraform/tfvars/dev.models.tfvars.json",
        pins(iris="r/iris@2", churn="r/churn@1", demand="r/demand@1"),
    )
    commit(repo, "pin")
    found = changed_since(base, repo)
    assert found.models == set()
    assert found.stacks == {"dev": {"iris", "demand", "shared"}}
    assert found.lines() == ["models: -", "dev: shared demand iris"]


TRAINING = {
    "train": {"script": "train.py"},
    "evaluate": {"script": "evaluate.py"},
    "promotion": {"metric": "accuracy", "threshold": 0.9},
}


def test_training_sections_added_to_a_pin_plan_the_shared_stack_too(repo):
    """Planted bug: the shared stack's models drop the training sections (a model that gains
    training then never gets the step runner uploaded, and `changed` leaves shared out)."""
    repo, base = repo
    models = json.loads(pins(iris="r/iris@1", churn="r/churn@1"))
    models["models"]["iris"].update(TRAINING)
    write(repo, "terraform/tfvars/dev.models.tfvars.json", json.dumps(models))
    assert changed_since(base, repo).stacks == {"dev": {"iris", "shared"}}


@pytest.mark.parametrize(
    "after",
    [
        {"iris": {"image_uri": "r/iris@1", **TRAINING}},
        {"iris": {"image_uri": "r/iris@1", "inference": {"artifacts": "promoted"}}},
        {"iris": {"image_uri": "r/iris@1", "trigger": {"on_upload": "iris/input/daily/"}}},
        {"iris": {"image_uri": "r/iris@2"}},
        {"iris": {"image_uri": "r/iris@1", "preprocessing": {"instance_type": "ml.m5.large"}}},
        {"iris": {"image_uri": "r/iris@1"}, "churn": {"image_uri": None}},
        {},
    ],
    ids=["training", "promoted", "trigger", "digest", "step-setting", "added", "removed"],
)
def test_changed_lists_the_shared_stack_exactly_when_deploy_would_plan_it(after, monkeypatch):
    """`invoke changed` and `invoke deploy` agree on the shared stack: it is listed for a pins
    change exactly when the shared stack's deploy fingerprint differs.
    Planted bug: `changed` compares only the pinned names (the old rule: training sections,
    promoted artifacts and triggers were missed)."""
    from legacylift.aws import stacks

    monkeypatch.setattr(stacks, "settings_files", lambda workspace: [])
    before = {"iris": {"image_uri": "r/iris@1"}}
    touched = stacks_touched(before, after)
    fingerprints = {
        stacks.shared_inputs("dev", pinned, "modules").fingerprint for pinned in (before, after)
    }
    assert ("shared" in touched) == (len(fingerprints) == 2), touched


def test_workspace_settings_plan_its_stacks_and_module_changes_plan_every_stack(repo):
    repo, base = repo
    write(repo, "terraform/tfvars/dev.tfvars", 'ecr_repository_prefix = "dev2/"\n')
    assert changed_since(base, repo).stacks == {"dev": {"shared", "iris", "churn"}}
    write(repo, "modules/s3/main.tf", "# bucket v2\n")
    found = changed_since(base, repo)
    assert found.every_stack
    # prod's demand has no image yet: no model stack, only its repository in shared.
    assert found.stacks == {"dev": {"shared", "iris", "churn"}, "prod": {"shared", "iris"}}


def test_nothing_changed_lists_nothing(repo):
    repo, base = repo
    assert changed_since(base, repo).lines() == ["models: -"]


def test_unknown_ref_is_one_clear_error(repo):
    repo, _ = repo
    with pytest.raises(LegacyLiftError, match="--since nosuch: not a commit"):
        changed_since("nosuch", repo)


def test_changed_task_prints_json_and_exits_1_on_a_bad_ref():
    done = subprocess.run(
        [sys.executable, "-m", "invoke", "changed", "--since", "HEAD", "--json"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["since"] == "HEAD"
    bad = subprocess.run(
        [sys.executable, "-m", "invoke", "changed", "--since", "no-such-ref-here"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 1
    assert "--since no-such-ref-here: not a commit" in bad.stderr
