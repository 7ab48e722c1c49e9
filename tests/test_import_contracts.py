"""The package's layers, checked by import-linter: each layer imports only from the layers below
it (function-level imports included), every top-level module is placed in a layer, and no two
modules of one package import each other, directly or round a loop. The contracts live in
pyproject.toml's [tool.importlinter]; docs/contracts.md (7. Package layers) explains them."""

from __future__ import annotations

import tomllib
from pathlib import Path

from importlinter.cli import lint_imports

import legacylift

REPO = Path(__file__).resolve().parents[1]


def test_the_layers_point_down_and_no_package_has_an_import_cycle(capsys):
    """`lint-imports` keeps every contract of pyproject.toml.

    Planted bug `upward-import-models-local`: models.py (core) imports the local engine's
    instance sizes again; the layers contract breaks (and so does the acyclic one). Planted bug
    `library-imports-tasks`: model_table.py imports a help text from the invoke tasks; the
    commands-on-top contract breaks."""
    status = lint_imports(config_filename=str(REPO / "pyproject.toml"), no_cache=True)
    report = capsys.readouterr().out
    assert status == 0, report
    assert "Contracts: 3 kept, 0 broken." in report


def test_the_contracts_check_this_checkout():
    """The analysed package is the checkout's own (the planted-bug script runs the tests in a
    copy, whose edits a check of the installed tree would miss)."""
    assert Path(legacylift.__file__).resolve().parent == REPO / "legacylift"


def test_every_top_level_module_has_a_layer():
    """The layers contract is exhaustive: a new top-level module of `legacylift` must be given
    its layer (import-linter refuses a contract that leaves one out).

    Planted bug: `exhaustive = true` removed from the contract, whereupon a module left out of
    every layer escapes the check; this test reads the setting and names every module."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
    (layers,) = [c for c in config["contracts"] if c["type"] == "layers"]
    assert layers["exhaustive"] is True
    assert layers["containers"] == ["legacylift"]
