"""The script-mode code folder (`code_files`, `code_digest`, `code_settings`): what it holds,
its hash, its size limit, and which models have one."""

from __future__ import annotations

import hashlib

import pytest

from legacylift.containerise import code_folder
from legacylift.containerise.code_folder import code_digest, code_files, code_settings
from legacylift.errors import LegacyLiftError
from legacylift.models import load_model
from tests.containerise.conftest import copy_sample


def _folder(tmp_path, files: dict[str, str]):
    folder = tmp_path / "habits"
    for relative, text in files.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text)
    return folder


def test_the_folder_holds_code_and_siblings_not_samples_legacy_or_ignored_files(tmp_path):
    folder = _folder(
        tmp_path,
        {
            "score.py": "x",
            "weights.json": "{}",
            "lib/util.py": "y",
            "model.toml": "",
            "sample/expected/out.csv": "1",
            "legacy/run.py": "z",
            ".dockerignore": "data/\n",
            "data/big.csv": "1,2",
            ".git/config": "[core]",
        },
    )
    assert [relative for relative, _ in code_files(folder)] == [
        "lib/util.py",
        "score.py",
        "weights.json",
    ]


def test_the_digest_is_the_documented_formula_and_follows_content(tmp_path):
    """The formula main.tf repeats with sha256()/filesha256(): a change of it on either side
    would give the two runs different folders."""
    folder = _folder(tmp_path, {"b.py": "B", "a.json": "A"})
    files = code_files(folder)
    lines = [
        f"{name}\t{hashlib.sha256(text.encode()).hexdigest()}"
        for name, text in (("a.json", "A"), ("b.py", "B"))
    ]
    before = code_digest(files)
    assert before == hashlib.sha256("\n".join(lines).encode()).hexdigest()
    (folder / "a.json").write_text("A2")
    assert code_digest(code_files(folder)) != before


def test_a_folder_past_the_limit_is_refused_naming_the_largest_files_and_the_fix(
    tmp_path, monkeypatch
):
    """Planted once: the size check removed, the folder was listed and no error came."""
    monkeypatch.setattr(code_folder, "MAX_CODE_BYTES", 1000)
    folder = _folder(tmp_path, {"score.py": "x", "table.csv": "1" * 2000})
    with pytest.raises(LegacyLiftError) as refused:
        code_files(folder)
    message = str(refused.value)
    assert "habits: the code folder a script-mode step stages holds 2 files" in message
    assert "largest: table.csv, score.py" in message
    assert ".dockerignore" in message and 'image = "model"' in message


def test_only_models_with_a_script_mode_step_list_code_files(models_dir):
    copy_sample("iris", models_dir, "scripted")
    assert "predict.py" in code_settings(load_model("scripted"))["code_files"]
    folder = copy_sample("iris", models_dir, "own-image")
    (folder / "model.toml").write_text('steps = ["inference"]\n')
    assert code_settings(load_model("own-image")) == {}
