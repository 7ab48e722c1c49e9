"""The workspace tfvars (contracts §2): shape, atomic writes, other entries kept, safe under
many concurrent writers."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from legacylift.errors import LegacyLiftError
from legacylift.paths import REPO_ROOT
from legacylift.tfvars import pin_image, read_models, tfvars_path

DIGEST = "sha256:" + "ab" * 32


def test_pin_writes_the_contract_shape_and_keeps_other_entries(tfvars_dir):
    pin_image("dev", "a", f"reg/legacylift/a@{DIGEST}", "h1", {"steps": ["inference"]})
    pin_image("dev", "b", None)
    pin_image("dev", "a", f"reg/legacylift/a@{DIGEST}", "h2")
    path = tfvars_dir / "dev.models.tfvars.json"
    assert path == tfvars_path("dev")
    text = path.read_text()
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"
    assert json.loads(text) == {
        "models": {
            "a": {"image_uri": f"reg/legacylift/a@{DIGEST}", "source_hash": "h2"},
            "b": {"image_uri": None},
        }
    }
    assert read_models("other") == {}


def test_only_digests_are_pinned(tfvars_dir):
    with pytest.raises(LegacyLiftError, match="repository@sha256"):
        pin_image("dev", "a", "reg/legacylift/a:latest")
    assert not tfvars_path("dev").exists()


@pytest.mark.parametrize(
    "digest",
    ["ab" * 31 + "a", "ab" * 32 + "a", "AB" * 32, "ab" * 31 + "zz", "", "sha512-" + "ab" * 32],
)
def test_digest_must_be_sha256_of_64_lowercase_hex_digits(tfvars_dir, digest):
    """Planted bug: the digest pattern loosened to any length (`[0-9a-f]+`); the 63- and
    65-digit cases turn red."""
    with pytest.raises(LegacyLiftError, match="repository@sha256"):
        pin_image("dev", "a", f"reg/legacylift/a@sha256:{digest}")
    assert not tfvars_path("dev").exists()
    pin_image("dev", "a", f"reg/legacylift/a@{DIGEST}")
    assert read_models("dev")["a"]["image_uri"].endswith("ab" * 32)


def test_corrupt_file_is_reported_not_overwritten(tfvars_dir):
    path = tfvars_path("dev")
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with pytest.raises(LegacyLiftError, match="not valid JSON"):
        pin_image("dev", "a", None)
    assert path.read_text() == "{not json"


def test_many_concurrent_writers_lose_nothing(tfvars_dir):
    """6 processes pin 15 models each into one workspace at the same time."""
    code = (
        "import sys; from legacylift.tfvars import pin_image\n"
        "for i in range(15): pin_image('race', f'm{sys.argv[1]}-{i}', None, str(i))\n"
    )
    env = {**__import__("os").environ, "LEGACYLIFT_TFVARS_DIR": str(tfvars_dir)}
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(n)], cwd=REPO_ROOT, env=env)
        for n in range(6)
    ]
    assert [proc.wait(timeout=120) for proc in procs] == [0] * 6
    assert len(read_models("race")) == 90


def test_default_directory_workspace_names_and_lock_file(monkeypatch, tmp_path):
    from legacylift import tfvars

    monkeypatch.delenv("LEGACYLIFT_TFVARS_DIR", raising=False)
    assert tfvars.tfvars_dir() == REPO_ROOT / "terraform" / "tfvars"
    for bad in ("", None, "-dev", "dev/../x", "a" * 65):
        with pytest.raises(LegacyLiftError) as refused:
            tfvars.tfvars_path(bad)
        assert str(refused.value) == (
            f"invalid workspace {bad!r}: use letters, digits, '-' and '_' (as Terraform "
            "workspace names), e.g. 'dev'"
        )
    monkeypatch.setenv("LEGACYLIFT_TFVARS_DIR", str(tmp_path / "deep" / "er"))
    pin_image("dev", "a", None)
    assert sorted(p.name for p in (tmp_path / "deep" / "er").iterdir()) == [
        ".dev.models.tfvars.json.lock",
        "dev.models.tfvars.json",
    ]


def test_a_held_lock_times_out_with_an_error(tfvars_dir, monkeypatch):
    from filelock import FileLock, Timeout

    from legacylift import tfvars

    monkeypatch.setattr(tfvars, "LOCK_TIMEOUT_SECONDS", 0.2)
    path = tfvars_path("dev")
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path.parent / f".{path.name}.lock")), pytest.raises(Timeout):
        pin_image("dev", "a", None)
    assert not path.exists()


@pytest.mark.parametrize("text", ["[]", '{"models": []}', '"models"'])
def test_wrong_shapes_are_reported(tfvars_dir, text):
    path = tfvars_path("dev")
    path.parent.mkdir(parents=True)
    path.write_text(text)
    with pytest.raises(LegacyLiftError, match=r'expected \{"models": \{...\}\} at the top level'):
        read_models("dev")


def test_a_file_without_models_reads_as_empty(tfvars_dir):
    path = tfvars_path("dev")
    path.parent.mkdir(parents=True)
    path.write_text('{"other": 1}')
    assert read_models("dev") == {}
    pin_image("dev", "a", None)
    assert json.loads(path.read_text()) == {"other": 1, "models": {"a": {"image_uri": None}}}


@pytest.mark.parametrize(
    "entry",
    [
        "not-an-object",
        ["x"],
        None,
        {"image_uri": 5},
        {"image_uri": ["reg/x@sha256:1"]},
        {"image_uri": {"nested": "x" * 200}},
    ],
)
def test_a_model_entry_of_the_wrong_shape_names_the_model_and_the_fix(tfvars_dir, entry):
    """Each entry must be an object whose image_uri is a string or null; the message quotes
    the entry (cut at 120 characters) and says how to repair it."""
    path = tfvars_path("dev")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"models": {"good": {"image_uri": None}, "bad": entry}}))
    with pytest.raises(LegacyLiftError) as refused:
        read_models("dev")
    assert str(refused.value) == (
        f'{path}: models["bad"] must be an object whose image_uri is a string or null (found '
        f"{json.dumps(entry)[:120]}); fix the entry, or delete it and run invoke build-model "
        "bad, which rewrites it"
    )


def test_model_entries_with_or_without_an_image_are_read(tfvars_dir):
    path = tfvars_path("dev")
    path.parent.mkdir(parents=True)
    models = {
        "a": {"image_uri": "reg/a@sha256:" + "ab" * 32, "x": 1},
        "b": {"image_uri": None},
        "c": {},
    }
    path.write_text(json.dumps({"models": models}))
    assert read_models("dev") == models
