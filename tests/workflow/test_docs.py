"""Every module's README documents every variable and output the module declares; every
variable is typed and described, every output described."""

from __future__ import annotations

import re

import pytest

from legacylift.paths import MODULES_DIR

MODULES = sorted(path.parent for path in MODULES_DIR.glob("*/variables.tf"))


def declared(module, kind: str, filename: str) -> set[str]:
    return set(re.findall(rf'^{kind} "(\w+)"', (module / filename).read_text(), re.M))


def documented(module, section: str) -> set[str]:
    text = (module / "README.md").read_text()
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(\w+)` \|", body, re.M))


def test_every_module_is_covered():
    assert {module.name for module in MODULES} >= {
        "workflow",
        "state-machine",
        "sagemaker-role",
        "ecr",
        "s3",
    }


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.name)
def test_readme_tables_match_the_module(module):
    assert documented(module, "Inputs") == declared(module, "variable", "variables.tf")
    assert documented(module, "Outputs") == declared(module, "output", "outputs.tf")


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.name)
def test_every_variable_is_typed_and_described_and_every_output_described(module):
    for filename, required in (
        ("variables.tf", ("description", "type")),
        ("outputs.tf", ("description",)),
    ):
        blocks = re.split(r'^(?:variable|output) "', (module / filename).read_text(), flags=re.M)
        for block in blocks[1:]:
            for attribute in required:
                assert re.search(rf"^  {attribute}\s+=", block, re.M), (
                    block.splitlines()[0],
                    attribute,
                )
