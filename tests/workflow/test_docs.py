"""modules/workflow's README documents every variable and output the module declares."""

from __future__ import annotations

import re

from tests.workflow.conftest import MODULE


def declared(kind: str, filename: str) -> set[str]:
    return set(re.findall(rf'^{kind} "(\w+)"', (MODULE / filename).read_text(), re.M))


def documented(section: str) -> set[str]:
    text = (MODULE / "README.md").read_text()
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(\w+)` \|", body, re.M))


def test_readme_tables_match_the_module():
    assert documented("Inputs") == declared("variable", "variables.tf")
    assert documented("Outputs") == declared("output", "outputs.tf")


def test_every_variable_is_typed_and_described_and_every_output_described():
    for filename, required in (
        ("variables.tf", ("description", "type")),
        ("outputs.tf", ("description",)),
    ):
        blocks = re.split(r'^(?:variable|output) "', (MODULE / filename).read_text(), flags=re.M)
        for block in blocks[1:]:
            for attribute in required:
                assert re.search(rf"^  {attribute}\s+=", block, re.M), (
                    block.splitlines()[0],
                    attribute,
                )
