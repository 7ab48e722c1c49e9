"""A state machine definition drawn with Graphviz: states, Next transitions, Choice branches,
Catch and Retry edges each in their own style, Map and Parallel as nested groups; optionally
coloured by what one execution did in each state."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from legacylift.atomic import write_bytes_atomic
from legacylift.errors import LegacyLiftError
from legacylift.history import Trace

# Outcome of a state in one execution -> fill colour (also the report's legend).
OUTCOME_COLOURS = {
    "succeeded": "#c8e6c9",
    "retried": "#fff59d",
    "caught": "#ffcc80",
    "failed": "#ef9a9a",
    "running": "#bbdefb",
    "not run": "#ffffff",
}
SHAPES = {
    "Task": {"shape": "box", "style": "rounded,filled"},
    "Pass": {"shape": "box", "style": "filled"},
    "Choice": {"shape": "diamond", "style": "filled"},
    "Wait": {"shape": "box", "style": "rounded,dashed,filled"},
    "Succeed": {"shape": "oval", "style": "filled", "peripheries": "2"},
    "Fail": {"shape": "octagon", "style": "filled", "peripheries": "2"},
    "Map": {"shape": "box", "style": "bold,filled"},
    "Parallel": {"shape": "box", "style": "bold,filled"},
}
EDGE_STYLES = {
    "next": {"color": "#333333", "weight": "4"},
    "choice": {"color": "#1565c0", "fontcolor": "#1565c0"},
    "default": {"color": "#1565c0", "fontcolor": "#1565c0", "style": "dashed"},
    "catch": {"color": "#c62828", "fontcolor": "#c62828", "style": "dashed"},
    "retry": {"color": "#ef6c00", "fontcolor": "#ef6c00", "style": "dotted"},
}
COMPARISONS = (
    "Equals",
    "LessThan",
    "GreaterThan",
    "LessThanEquals",
    "GreaterThanEquals",
    "Matches",
    "IsPresent",
    "IsNull",
    "IsString",
    "IsNumeric",
    "IsBoolean",
    "IsTimestamp",
)


def require_graphviz() -> None:
    """Raise a clear error when Graphviz's `dot` is missing."""
    if shutil.which("dot") is None:
        raise LegacyLiftError(
            "Graphviz's dot is not installed: run ./bootstrap (it installs the Debian package "
            "graphviz), or apt-get install graphviz"
        )


def load_definition(definition: str | dict[str, Any]) -> dict[str, Any]:
    """An ASL definition from JSON text or a dict, checked for States and StartAt."""
    if isinstance(definition, str):
        try:
            definition = json.loads(definition)
        except json.JSONDecodeError as exc:
            raise LegacyLiftError(f"the definition is not JSON: {exc}") from None
    if not isinstance(definition, dict) or not {"States", "StartAt"} <= definition.keys():
        raise LegacyLiftError("not a state machine definition: it needs StartAt and States")
    return definition


def state_outcomes(trace: Trace | None) -> dict[tuple[str, ...], tuple[str, int]]:
    """Per state path: its outcome in the execution (the worst over its visits) and how many
    visits it had."""
    if trace is None:
        return {}
    rank = ["succeeded", "running", "retried", "caught", "failed"]
    outcomes: dict[tuple[str, ...], tuple[str, int]] = {}
    for visit in trace.visits:
        outcome = visit.status
        if outcome == "succeeded" and visit.retries:
            outcome = "retried"
        previous, count = outcomes.get(visit.path, ("succeeded", 0))
        worst = max(outcome, previous, key=lambda o: rank.index(o) if o in rank else 0)
        outcomes[visit.path] = (worst, count + 1)
    return outcomes


class _Builder:
    def __init__(self, trace: Trace | None) -> None:
        import graphviz

        self.graph = graphviz.Digraph("workflow")
        self.graph.attr(rankdir="TB", compound="true", fontname="Helvetica", nodesep="0.35")
        self.graph.attr("node", fontname="Helvetica", fontsize="11", fillcolor="#ffffff")
        self.graph.attr("edge", fontname="Helvetica", fontsize="9")
        self.outcomes = state_outcomes(trace)
        self.coloured = trace is not None
        self.ids: dict[tuple[str, ...], str] = {}
        self.groups: dict[tuple[str, ...], str] = {}

    def node_id(self, path: tuple[str, ...]) -> str:
        return self.ids.setdefault(path, f"s{len(self.ids)}")

    def machine(self, machine: dict[str, Any], prefix: tuple[str, ...], into) -> str:
        """Add a (sub)machine's states into `into`; return its StartAt node id."""
        states = machine["States"]
        for name, state in states.items():
            self.state(name, state, prefix + (name,), into)
        for name, state in states.items():
            self.edges(name, state, prefix, into)
        return self.node_id(prefix + (machine["StartAt"],))

    def state(self, name: str, state: dict[str, Any], path: tuple[str, ...], into) -> None:
        kind = state.get("Type", "?")
        attrs = dict(SHAPES.get(kind, {"shape": "box"}))
        outcome, count = self.outcomes.get(path, ("not run", 0))
        if self.coloured:
            attrs["fillcolor"] = OUTCOME_COLOURS.get(outcome, "#ffffff")
        label = name if kind in ("Task", "Pass", "Succeed", "Fail") else f"{kind}: {name}"
        if count > 1:
            label += f"\n×{count}"
        tooltip = f"{kind} {name}" + (f": {outcome}" if self.coloured else "")
        node = self.node_id(path)
        attrs.update(id=f"state_{node}", tooltip=tooltip, **{"class": f"state {outcome}"})
        if kind in ("Map", "Parallel"):
            cluster = f"cluster_{node}"
            self.groups[path] = cluster
            with into.subgraph(name=cluster) as group:
                group.attr(
                    label=f"{kind} {name}",
                    style="rounded,dashed",
                    color="#555555",
                    fontname="Helvetica",
                    fontsize="10",
                )
                group.node(node, label, **attrs)
                if kind == "Map":
                    processor = state.get("ItemProcessor") or state.get("Iterator")
                    if processor:
                        start = self.machine(processor, path, group)
                        group.edge(node, start, label="each item", **EDGE_STYLES["next"])
                else:
                    for index, branch in enumerate(state.get("Branches", [])):
                        with group.subgraph(name=f"{cluster}_{index}") as lane:
                            lane.attr(label=f"branch {index + 1}", style="dotted")
                            start = self.machine(branch, path + (f"#{index}",), lane)
                        group.edge(node, start, label=f"branch {index + 1}", **EDGE_STYLES["next"])
        else:
            into.node(node, label, **attrs)
        retriers = state.get("Retry", [])
        if retriers:  # one loop for all retriers: each its own attempts
            label = "retry " + " | ".join(f"×{r.get('MaxAttempts', 3)}" for r in retriers)
            errors = "; ".join(", ".join(r.get("ErrorEquals", [])) for r in retriers)
            into.edge(
                node,
                node,
                label=label,
                tooltip=f"retry on {errors}",
                tailport="e",
                headport="e",
                **EDGE_STYLES["retry"],
            )

    def edges(self, name: str, state: dict[str, Any], prefix: tuple[str, ...], into) -> None:
        node = self.node_id(prefix + (name,))
        for style, target, label in _transitions(state):
            if target is None:
                into.edge(node, self.end_node(prefix, into), **EDGE_STYLES[style])
                continue
            head = self.node_id(prefix + (target,))
            into.edge(node, head, label=label, **EDGE_STYLES[style])

    def end_node(self, prefix: tuple[str, ...], into) -> str:
        node = self.node_id(prefix + ("(end)",))
        into.node(
            node,
            "",
            shape="doublecircle",
            width="0.2",
            style="filled",
            fillcolor="#333333",
            id=f"end_{node}",
        )
        return node


def _transitions(state: dict[str, Any]) -> Iterator[tuple[str, str | None, str]]:
    """(edge style, target state or None for the end, label) of each way out of a state."""
    kind = state.get("Type")
    if kind == "Choice":
        for rule in state.get("Choices", []):
            yield "choice", rule.get("Next"), _rule_text(rule)
        if "Default" in state:
            yield "default", state["Default"], "default"
        return
    if kind in ("Succeed", "Fail"):
        if kind == "Succeed":
            yield "next", None, ""
        return
    for catcher in state.get("Catch", []):
        yield "catch", catcher.get("Next"), "catch " + ", ".join(catcher.get("ErrorEquals", []))
    if state.get("End"):
        yield "next", None, ""
    elif "Next" in state:
        yield "next", state["Next"], ""


def _rule_text(rule: dict[str, Any], limit: int = 32) -> str:
    for combinator in ("And", "Or"):
        if combinator in rule:
            return f"{combinator} of {len(rule[combinator])} rules"
    if "Not" in rule:
        return "Not " + _rule_text(rule["Not"], limit)
    variable = rule.get("Variable", "")
    for key, value in rule.items():
        if key.startswith(("String", "Numeric", "Boolean", "Timestamp", "Is")) and key.endswith(
            tuple(c + s for c in COMPARISONS for s in ("", "Path"))
        ):
            text = f"{variable} {key} {json.dumps(value)}"
            return text if len(text) <= limit else text[: limit - 1] + "…"
    return variable


def definition_graph(definition: str | dict[str, Any], trace: Trace | None = None):
    """The definition as a `graphviz.Digraph`; coloured by outcome when `trace` is given."""
    machine = load_definition(definition)
    builder = _Builder(trace)
    graph = builder.graph
    start = builder.machine(machine, (), graph)
    graph.node(
        "start", "", shape="circle", width="0.2", style="filled", fillcolor="#333333", id="start"
    )
    graph.edge("start", start, **EDGE_STYLES["next"])
    return graph


def _pipe(graph, fmt: str) -> bytes:
    """Graphviz's output in `fmt`; its failures as errors naming the fix."""
    import graphviz

    try:
        return graph.pipe(format=fmt)
    except (graphviz.ExecutableNotFound, graphviz.CalledProcessError) as exc:
        raise LegacyLiftError(f"Graphviz could not draw the workflow: {exc}") from None


def svg_text(definition: str | dict[str, Any], trace: Trace | None = None) -> str:
    """The graph as SVG text (for embedding in a report)."""
    require_graphviz()
    return _pipe(definition_graph(definition, trace), "svg").decode("utf-8")


def write_graph(definition: str | dict[str, Any], output: Path, trace: Trace | None = None) -> Path:
    """Write the graph to `output`; its suffix (.svg, .png, .pdf, .dot) picks the format."""
    require_graphviz()
    output = Path(output)
    fmt = output.suffix.lstrip(".").lower()
    if fmt not in ("svg", "png", "pdf", "dot", "gv"):
        raise LegacyLiftError(f"--output {output}: use a .svg, .png, .pdf or .dot file name")
    graph = definition_graph(definition, trace)
    output.parent.mkdir(parents=True, exist_ok=True)
    data = graph.source.encode() if fmt in ("dot", "gv") else _pipe(graph, fmt)
    write_bytes_atomic(output, data)
    return output
