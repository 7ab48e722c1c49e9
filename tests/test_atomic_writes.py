"""Every file the tools write survives a crash between writing and renaming it into place.

Each writer runs in a child process whose `os.replace` and `os.link` end the process on the
spot (`os._exit`, no cleanup, as a power cut or `kill -9` would): the target must then hold its
old content or not exist, never a half-written or new-but-unrenamed document, and the child must
have reached the rename (a writer that writes in place never does, and fails here).

Planted bugs, each turning its case red: `pin_image` writing the tfvars with
`path.write_text(...)` instead of `write_json_atomic`; the render cache written with
`cached.write_text(...)`; the job registry's reservation filled after an O_EXCL create (the
reservation then exists half-written).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from legacylift.paths import REPO_ROOT

CRASHED = 86  # the child's exit status when it died at the rename

PRELUDE = f"""
import os
def _crash(*args, **kwargs):
    os._exit({CRASHED})
os.replace = _crash
os.link = _crash
"""

OLD_TFVARS = {"models": {"a": {"image_uri": "reg/legacylift/a@sha256:" + "ab" * 32}}}

# case -> (the writer's code, target relative to the scratch directory, its content before)
CASES = {
    "tfvars": (
        "from legacylift.tfvars import pin_image\npin_image('dev', 'b', None)",
        "tfvars/dev.models.tfvars.json",
        json.dumps(OLD_TFVARS, indent=2, sort_keys=True) + "\n",
    ),
    "render cache": (
        """
        from pathlib import Path
        from legacylift.local import render
        render.evaluate = lambda module_dir, variables: {"definitions": {"m": "{}"}}
        render.render_workflow({}, "img", cache_dir=Path(SCRATCH, "cache"))
        """,
        "cache",
        None,
    ),
    "machine state": (
        "from legacylift.settings import update_state\nupdate_state(base_image='new')",
        "machine/state.json",
        '{"base_image": "old"}\n',
    ),
    "terraform cli config": (
        "from legacylift.setup.terraform_setup import ensure_cli_config\nensure_cli_config()",
        "state/terraform.rc",
        "# an older config\n",
    ),
    "job record": (
        """
        from pathlib import Path
        from legacylift.local.names import JobRegistry
        JobRegistry(Path(SCRATCH, "jobs")).record("job-1", {"ProcessingJobStatus": "Completed"})
        """,
        "jobs/job-1.json",
        '{"ProcessingJobStatus": "InProgress"}\n',
    ),
    "job reservation": (
        """
        from pathlib import Path
        from legacylift.local.names import JobRegistry
        registry = JobRegistry(Path(SCRATCH, "jobs"))
        registry.reserve("job-2", "arn:job-2", {"ProcessingJobName": "job-2"})
        """,
        "jobs/job-2.json",
        None,
    ),
}


def _files(directory: Path) -> dict[str, str]:
    return {
        p.relative_to(directory).as_posix(): p.read_text()
        for p in directory.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_crash_between_write_and_rename_leaves_the_old_file(case, tmp_path):
    code, target, old = CASES[case]
    if old is not None:
        (tmp_path / target).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / target).write_text(old)
    before = _files(tmp_path)
    env = {
        **os.environ,
        "LEGACYLIFT_TFVARS_DIR": str(tmp_path / "tfvars"),
        "LEGACYLIFT_CACHE_DIR": str(tmp_path / "machine"),
        "LEGACYLIFT_STATE_DIR": str(tmp_path / "state"),
        "PYTHONPATH": str(REPO_ROOT),
    }
    # The child runs in the repository (as the tools do); SCRATCH is the scratch directory.
    child = subprocess.run(
        [sys.executable, "-c", PRELUDE + f"SCRATCH = {str(tmp_path)!r}\n" + textwrap.dedent(code)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == CRASHED, f"the writer never renamed into place: {child.stderr}"
    # Nothing visible changed: the target is as before (or still absent) and parses.
    assert _files(tmp_path) == before
    for text in before.values():
        if text.startswith("{"):
            json.loads(text)


def test_writers_complete_without_a_crash(tmp_path, monkeypatch):
    """The same writers, uncrashed, do write (the crash test is not passing by writing nothing)."""
    from legacylift.local.names import JobRegistry
    from legacylift.tfvars import pin_image, read_models

    monkeypatch.setenv("LEGACYLIFT_TFVARS_DIR", str(tmp_path / "tfvars"))
    pin_image("dev", "b", None)
    assert read_models("dev") == {"b": {"image_uri": None}}
    registry = JobRegistry(tmp_path / "jobs")
    registry.reserve("job-2", "arn:job-2", {"ProcessingJobName": "job-2"})
    assert registry.describe("job-2") == {"ProcessingJobName": "job-2"}
    registry.record("job-2", {"ProcessingJobName": "job-2", "ProcessingJobStatus": "Completed"})
    assert registry.describe("job-2")["ProcessingJobStatus"] == "Completed"
    with pytest.raises(Exception, match="already exists"):
        registry.reserve("JOB-2", "arn:job-2", {})
    assert [p.name for p in (tmp_path / "jobs").iterdir()] == ["job-2.json"]


def test_atomic_write_uses_a_hidden_temporary_beside_the_target(tmp_path, record_renames):
    """The temporary lives in the target's directory (a rename within one file system) under
    a hidden `.name.*.tmp` name (listings of the directory ignore it), with the mode asked."""
    from legacylift import atomic

    renames = record_renames(atomic)
    target = tmp_path / "new" / "deeper" / "state.json"  # parents are created
    atomic.write_json_atomic(target, {"b": 1, "a": "é"}, mode=0o600)
    ((source, renamed),) = renames
    assert renamed == target and source.parent == target.parent
    assert source.name.startswith(".state.json.") and source.name.endswith(".tmp")
    assert target.read_text(encoding="utf-8") == '{\n  "a": "\\u00e9",\n  "b": 1\n}\n'
    assert target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["state.json"]


def test_failed_rename_removes_the_temporary_and_raises(tmp_path, monkeypatch):
    from legacylift import atomic

    def refuse(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", refuse)
    target = tmp_path / "t.txt"
    target.write_text("old")
    with pytest.raises(OSError, match="disk full"):
        atomic.write_text_atomic(target, "new")
    assert [p.name for p in tmp_path.iterdir()] == ["t.txt"] and target.read_text() == "old"


def test_atomic_write_is_utf8_whatever_the_locale(tmp_path):
    """Under the C locale (no UTF-8 coercion) text is still written as UTF-8."""
    target = tmp_path / "u.txt"
    code = (
        "from legacylift.atomic import write_text_atomic\n"
        f"write_text_atomic({str(target)!r}, '\\u00e9')"
    )
    env = {
        **os.environ,
        "LC_ALL": "C",
        "LANG": "C",
        "PYTHONUTF8": "0",
        "PYTHONCOERCECLOCALE": "0",
        "PYTHONPATH": str(REPO_ROOT),
    }
    child = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert child.returncode == 0, child.stderr
    assert target.read_bytes() == "é".encode()


def test_crash_between_reserving_a_job_and_writing_its_owner_is_swept(tmp_path):
    """An engine killed right after linking the job's record to its name (before its owner file
    exists) leaves an InProgress record no owner file points at: the sweep must still stop it
    once it is older than the grace period, and must leave a fresh one (a live engine about to
    write its owner) alone. Planted bug: the sweep reading owner files only (as it did): red,
    the crashed job stays InProgress for ever."""
    from legacylift.local.names import JobRegistry

    crash_after_link = f"""
import os
_link = os.link
def _link_then_crash(*args, **kwargs):
    _link(*args, **kwargs)
    os._exit({CRASHED})
os.link = _link_then_crash
from legacylift.local.names import JobRegistry
JobRegistry({str(tmp_path / "jobs")!r}).reserve(
    "job-3", "arn:job-3", {{"ProcessingJobName": "job-3", "ProcessingJobStatus": "InProgress"}},
    owner="boot/ns:1:1",
)
"""
    child = subprocess.run(
        [sys.executable, "-c", crash_after_link],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == CRASHED, child.stderr
    registry = JobRegistry(tmp_path / "jobs")
    reserved = {name: json.loads(text) for name, text in _files(tmp_path / "jobs").items()}
    assert reserved == {
        "job-3.json": {"ProcessingJobName": "job-3", "ProcessingJobStatus": "InProgress"}
    }  # the reservation, and no owner file
    reason = "Stopped: engine (pid {pid}) gone"

    assert registry.sweep(lambda owner: True, reason, lambda owner: "1") == []  # within grace
    assert registry.describe("job-3")["ProcessingJobStatus"] == "InProgress"

    old = (tmp_path / "jobs" / "job-3.json").stat().st_mtime - 61
    os.utime(tmp_path / "jobs" / "job-3.json", (old, old))
    assert registry.sweep(lambda owner: True, reason, lambda owner: "1") == ["job-3"]
    described = registry.describe("job-3")
    assert described["ProcessingJobStatus"] == "Stopped"
    assert described["FailureReason"] == "Stopped: engine (pid unknown) gone"


def test_the_sweep_leaves_live_and_finished_jobs_alone(tmp_path):
    """Old records with a live owner, or finished, are not orphans; a gone owner's job is."""
    from legacylift.local.names import JobRegistry

    registry = JobRegistry(tmp_path / "jobs")
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "odd.json").write_text("[1]")  # not a record: left alone
    for name, owner in (("live", "alive"), ("done", None), ("dead", "dead")):
        registry.reserve(
            name,
            f"arn:{name}",
            {"ProcessingJobName": name, "ProcessingJobStatus": "InProgress"},
            owner=owner,
        )
    registry.record("done", {"ProcessingJobName": "done", "ProcessingJobStatus": "Completed"})
    for path in (tmp_path / "jobs").iterdir():
        os.utime(path, (0, 0))
    stopped = registry.sweep(lambda owner: owner == "dead", "gone {pid}", lambda owner: owner)
    assert stopped == ["dead"]
    assert registry.describe("dead")["FailureReason"] == "gone dead"
    assert registry.describe("live")["ProcessingJobStatus"] == "InProgress"
    assert registry.describe("done")["ProcessingJobStatus"] == "Completed"
    assert sorted(p.name for p in (tmp_path / "jobs").iterdir()) == [
        "dead.json",
        "done.json",
        "live.json",
        "live.owner",
        "odd.json",
    ]


def test_atomic_writers_default_to_a_file_everyone_can_read(tmp_path):
    """0644 unless asked otherwise (tfvars, job records and caches are read by other users)."""
    from legacylift import atomic

    atomic.write_bytes_atomic(tmp_path / "b", b"1")
    atomic.write_text_atomic(tmp_path / "t", "1")
    atomic.write_json_atomic(tmp_path / "j", 1)
    assert {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()} == {
        "b": 0o644,
        "t": 0o644,
        "j": 0o644,
    }
