"""The modules' READMEs carry Inputs/Outputs tables generated from their HCL, and stay current."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from legacylift import module_docs
from legacylift.errors import LegacyLiftError
from legacylift.paths import REPO_ROOT


def test_every_module_readme_matches_its_variables_and_outputs():
    """A description edited in a `.tf` file without `invoke module-docs` leaves a README that
    says something else: the check names it."""
    assert module_docs.stale_readmes() == []


def _copy_module(tmp_path, module="modules/ecr"):
    target = tmp_path / module
    shutil.copytree(REPO_ROOT / module, target, ignore=shutil.ignore_patterns(".terraform*"))
    return target


def test_a_changed_description_makes_the_readme_stale_until_regenerated(tmp_path):
    """Planted bug: a check that compares the README with itself (or ignores descriptions)
    passes a README whose description drifted from variables.tf."""
    module = _copy_module(tmp_path)
    variables = module / "variables.tf"
    text = variables.read_text()
    assert "Repository name, e.g." in text
    variables.write_text(text.replace("Repository name, e.g.", "Name of the repository, e.g."))

    assert module_docs.stale_readmes(tmp_path, ["modules/ecr"]) == [module / "README.md"]
    assert module_docs.write_readmes(tmp_path, ["modules/ecr"]) == [module / "README.md"]
    readme = (module / "README.md").read_text()
    assert "| `name` | Name of the repository, e.g. `legacylift/iris`. | `string` |" in readme
    assert module_docs.stale_readmes(tmp_path, ["modules/ecr"]) == []


def test_text_outside_the_markers_is_kept_and_tables_follow_the_hcl(tmp_path):
    """Planted bug: regenerating replaces the whole README (the usage text is lost) or keeps a
    removed output's row."""
    module = _copy_module(tmp_path)
    outputs = module / "outputs.tf"
    outputs.write_text(outputs.read_text().split('output "repository_url"')[0])
    before = (module / "README.md").read_text()
    module_docs.write_readmes(tmp_path, ["modules/ecr"])
    after = (module / "README.md").read_text()
    assert after.split(module_docs.BEGIN)[0] == before.split(module_docs.BEGIN)[0]
    assert after.split(module_docs.END)[1] == before.split(module_docs.END)[1]
    assert "`repository_arn`" in after and "`repository_url`" not in after


def test_a_readme_without_markers_is_refused_with_the_fix(tmp_path):
    module = _copy_module(tmp_path)
    readme = module / "README.md"
    readme.write_text(readme.read_text().replace(module_docs.BEGIN, ""))
    with pytest.raises(
        LegacyLiftError, match="README.md: no <!-- BEGIN_TF_DOCS -->.*invoke module-docs"
    ):
        module_docs.stale_readmes(tmp_path, ["modules/ecr"])


def test_required_null_and_typed_defaults_are_spelled_as_in_hcl(tmp_path):
    module = tmp_path / "m"
    module.mkdir()
    (module / "variables.tf").write_text(
        'variable "a" {\n  description = "Needed."\n  type = string\n}\n'
        'variable "b" {\n  description = <<-EOT\n    Two\n    lines | piped.\n  EOT\n'
        "  type    = list(string)\n  default = []\n}\n"
        'variable "c" {\n  description = "Off."\n  type = bool\n  default = false\n}\n'
        'variable "d" {\n  description = "Maybe."\n  type = string\n  default = null\n}\n'
        'variable "e" {\n  description = "Quoted \\"x\\"."\n  type = number\n  default = 30\n}\n'
    )
    tables = module_docs.render_tables(module)
    assert "| `a` | Needed. | `string` | **required** |" in tables
    assert "| `b` | Two lines \\| piped. | `list(string)` | `[]` |" in tables
    assert "| `c` | Off. | `bool` | `false` |" in tables
    assert "| `d` | Maybe. | `string` | `null` |" in tables
    assert '| `e` | Quoted "x". | `number` | `30` |' in tables
    assert "No outputs." in tables


def test_module_docs_task_check_exits_non_zero_naming_the_stale_readme(tmp_path, monkeypatch):
    """The invoke task is what CI and developers run; it must fail, not just print."""
    done = subprocess.run(
        [sys.executable, "-m", "invoke", "module-docs", "--check"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "module READMEs match" in done.stdout


def test_deployment_root_variables_keep_the_root_modules_types_and_defaults():
    """terraform/variables.tf re-declares the root module's inputs it passes through; a type or
    default changed in one and not the other would deploy something other than documented.
    Planted bug: a default changed in the root module only."""
    root = {var.name: var for var in module_docs.read_variables(REPO_ROOT)}
    deployment = module_docs.read_variables(REPO_ROOT / "terraform")
    shared = [var for var in deployment if var.name in root]
    assert len(shared) >= 15
    mismatches = [
        (var.name, (var.type, var.default), (root[var.name].type, root[var.name].default))
        for var in shared
        if (var.type, var.default) != (root[var.name].type, root[var.name].default)
    ]
    assert mismatches == []
