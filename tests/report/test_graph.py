"""Graphviz pictures of definitions: every sample model's rendered workflow, the generic one,
the interpreter's conformance definitions (Map, Parallel, Choice), and a failed run's colours."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html import unescape

import pytest

from legacylift.errors import LegacyLiftError
from legacylift.local.definitions import rendered_definition
from legacylift.models import discover_models
from legacylift.paths import REPO_ROOT
from legacylift.report.graph import OUTCOME_COLOURS, definition_graph, svg_text, write_graph
from legacylift.terraform_env import terraform_env
from tests.local.asl_cases import CASES
from tests.report.recorded import cloud_reporter

SAMPLES = sorted(model.name for model in discover_models())
pytestmark = pytest.mark.usefixtures("graphviz_dot")


def state_names(machine: dict) -> set[str]:
    """Every state name of a definition, nested Map and Parallel states included."""
    names = set()
    for name, state in machine["States"].items():
        names.add(name)
        for inner in [
            state.get("ItemProcessor") or state.get("Iterator"),
            *state.get("Branches", []),
        ]:
            if inner:
                names |= state_names(inner)
    return names


def svg_texts(svg: str) -> set[str]:
    """The text of every label in an SVG, Graphviz's `Kind: Name` labels split to the name."""
    texts = {unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)}
    return texts | {t.split(": ", 1)[1] for t in texts if ": " in t}


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_workflow_renders_with_every_state(name):
    definition = json.loads(rendered_definition(name))
    svg = svg_text(definition)
    missing = state_names(definition) - svg_texts(svg)
    assert not missing, f"states missing from the picture: {missing}"
    assert any(text.startswith("retry ×") for text in svg_texts(svg))


TRAINED = sorted(model.name for model in discover_models() if model.has_training)


@pytest.mark.parametrize("name", TRAINED)
def test_every_sample_training_workflow_renders_with_every_state(name):
    definition = json.loads(rendered_definition(name, workflow="train"))
    assert {"Train", "Evaluate", "Promote", "NotPromoted"} <= state_names(definition)
    missing = state_names(definition) - svg_texts(svg_text(definition))
    assert not missing, f"states missing from the picture: {missing}"


def test_generic_workflow_renders():
    from legacylift.local.render import render_workflow

    rendered = render_workflow(
        {}, "legacylift/sklearn-processing:local", enable_generic_workflow=True
    )
    definition = json.loads(rendered.generic_definition)
    assert state_names(definition) <= svg_texts(svg_text(definition))


NESTED = [case for case in CASES if any(k in json.dumps(case[1]) for k in ('"Map"', "Parallel"))]


@pytest.mark.parametrize("case", NESTED, ids=[case[0] for case in NESTED])
def test_map_and_parallel_are_nested_groups(case):
    _, definition, _ = case
    graph = definition_graph(definition)
    source = graph.source
    groups = [s for s in definition["States"].values() if s["Type"] in ("Map", "Parallel")]
    assert source.count("subgraph cluster_") >= len(groups)
    assert state_names(definition) <= svg_texts(graph.pipe(format="svg", encoding="utf-8"))


def test_edges_have_their_own_styles():
    """A training workflow has all three: its S3 steps' catches, its jobs' retries, and
    Choice defaults."""
    definition = json.loads(rendered_definition(TRAINED[0], workflow="train"))
    source = definition_graph(definition).source
    catch = [line for line in source.splitlines() if 'label="catch ' in line]
    retry = [line for line in source.splitlines() if 'label="retry ' in line]
    default = [line for line in source.splitlines() if "label=default" in line]
    assert catch and all("style=dashed" in line and "#c62828" in line for line in catch)
    assert retry and all("style=dotted" in line for line in retry)
    assert default and all("style=dashed" in line and "#1565c0" in line for line in default)


def test_a_failed_run_colours_its_states():
    definition = json.loads(rendered_definition("iris"))
    svg = svg_text(definition, cloud_reporter().trace)

    def fill_of(state: str) -> str:
        node = re.search(
            rf"<g id=\"state_s\d+\" class=\"node[^\"]*\">.*?<text[^>]*>"
            rf"{state}</text>",
            svg,
            re.S,
        )
        assert node, f"no node for {state}"
        return re.findall(r'fill="(#[0-9a-f]{6})"', node.group(0))[-1]

    assert fill_of("Preprocessing") == OUTCOME_COLOURS["succeeded"]
    assert fill_of("Inference") == OUTCOME_COLOURS["failed"]
    assert fill_of("Postprocessing") == OUTCOME_COLOURS["not run"]


def test_invoke_graph_writes_a_png_of_a_definition_file(tmp_path):
    definition = tmp_path / "team.asl.json"
    definition.write_text(json.dumps(NESTED[0][1]))
    target = tmp_path / "out" / "team.png"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "invoke",
            "graph",
            "team",
            "--definition",
            str(definition),
            "--output",
            str(target),
        ],
        cwd=REPO_ROOT,
        env=terraform_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"graph: {target}" in completed.stdout


def test_bad_requests_name_the_fix(tmp_path):
    with pytest.raises(LegacyLiftError, match=r"use a \.svg, \.png"):
        write_graph(NESTED[0][1], tmp_path / "graph.jpeg")
    with pytest.raises(LegacyLiftError, match="StartAt and States"):
        svg_text({"States": {}})
    with pytest.raises(LegacyLiftError, match="no train workflow.*training step"):
        rendered_definition("churn", workflow="train")
    with pytest.raises(LegacyLiftError, match="--workflow 'nope'"):
        rendered_definition("iris", workflow="nope")
    assert not (tmp_path / "graph.jpeg").exists()
