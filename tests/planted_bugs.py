"""Plant known bugs, one at a time, in a temporary copy of the repository and show that a fast
test fails for each.

Each bug is a small edit of production code (a text replacement that must apply exactly once)
together with the fast tests that must catch it. The script first runs all those tests on an
unmodified copy (they must pass: a test failing anyway proves nothing), then, for each bug, a
fresh copy with the bug planted (they must fail). The working tree is never modified.

    python -m tests.planted_bugs            # every bug (about 30 s on 2 busy cores)
    python -m tests.planted_bugs tfvars-in-place ...   # some of them
    python -m tests.planted_bugs --list

Exit status 0 when the baseline is green and every planted bug turns at least one test red.
Terraform and the provider mirror come from this checkout's .legacylift/ (LEGACYLIFT_STATE_DIR).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from legacylift import settings

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class PlantedBug:
    """A replacement of `old` by `new` in `path`, and the tests that must catch it."""

    name: str
    what: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


BUGS = (
    PlantedBug(
        "tfvars-in-place",
        "the workspace tfvars written in place instead of temp-and-rename",
        "legacylift/tfvars.py",
        "        write_json_atomic(path, data)\n",
        "        path.parent.mkdir(parents=True, exist_ok=True)\n"
        "        path.write_text(json.dumps(data, indent=2, sort_keys=True) + '\\n')\n",
        ("tests/test_atomic_writes.py",),
    ),
    PlantedBug(
        "outputs-links-devices",
        "output extraction no longer skipping hard links and devices (only symlinks)",
        "legacylift/local/staging.py",
        "            if not member.isreg():\n",
        "            if member.issym():\n",
        ("tests/local/test_link_safety.py::test_outputs_keep_regular_files_only",),
    ),
    PlantedBug(
        "file-inputs-follow-symlinks",
        "file:// inputs following symlinks",
        "legacylift/local/datasources.py",
        "        if entry.is_symlink() or not (entry.is_file() or entry.is_dir()):\n",
        "        if not (entry.is_file() or entry.is_dir()):\n",
        ("tests/local/test_link_safety.py",),
    ),
    PlantedBug(
        "result-path-mutates-input",
        "ResultPath placing the result into the caller's input instead of a copy",
        "legacylift/local/asl/jsonpath.py",
        "    root = json.loads(json.dumps(document))\n",
        "    root = document\n",
        ("tests/local/test_payload_isolation.py",),
    ),
    PlantedBug(
        "tolerated-percentage-unparsed",
        'a numeric *Path value (ToleratedFailurePercentagePath\'s "1") compared as given',
        "legacylift/local/asl/numeric_fields.py",
        "    number = parse(value)\n",
        "    number = value if isinstance(value, int | float | str) else parse(value)\n",
        ("tests/local/test_asl_no_crash.py",),
    ),
    PlantedBug(
        "definition-types-unchecked",
        "a state's fields of the wrong JSON type reaching the interpreter unchecked",
        "legacylift/local/asl/definition.py",
        "        schema.check_state(label, state)\n",
        "",
        ("tests/local/test_asl_no_crash.py::test_malformed_definitions_are_refused_not_crashed",),
    ),
    PlantedBug(
        "choice-rule-types-unchecked",
        "a JSONPath Choice rule's operands of the wrong JSON type reaching the interpreter",
        "legacylift/local/asl/schema.py",
        '        _check_rule(f"{label} Choices[{index}]", rule)\n',
        "",
        ("tests/local/test_asl_no_crash.py::test_malformed_definitions_are_refused_not_crashed",),
    ),
    PlantedBug(
        "inline-map-refuses-tolerance",
        "an inline Map with ToleratedFailureCount refused before the run (AWS runs it)",
        "legacylift/local/asl/definition.py",
        'DISTRIBUTED_ONLY = ("ItemReader", "ResultWriter", "ItemBatcher")\n',
        'DISTRIBUTED_ONLY = ("ItemReader", "ResultWriter", "ItemBatcher",'
        ' "ToleratedFailureCount")\n',
        ("tests/local/test_asl_conformance.py::test_behaves_as_aws",),
    ),
    PlantedBug(
        "negative-tolerated-count-runs",
        "a negative ToleratedFailureCountPath value run instead of failing with States.Runtime",
        "legacylift/local/asl/numeric_fields.py",
        '    "ToleratedFailureCount": (as_integer, "integer", lambda n: n >= 0,\n',
        '    "ToleratedFailureCount": (as_integer, "integer", lambda n: True,\n',
        ("tests/local/test_asl_conformance.py::test_behaves_as_aws",),
    ),
    PlantedBug(
        "jsonata-range-of-one-an-array",
        "JSONata $range of one value returned as an array, not the value",
        "legacylift/local/asl/jsonata_payload.py",
        "    return values[0] if len(values) == 1 else values\n",
        "    return values\n",
        ("tests/local/test_asl_conformance.py::test_behaves_as_aws",),
    ),
    PlantedBug(
        "jsonata-bad-timestamp-runtime",
        "a JSONata Wait Timestamp that is no timestamp failing with States.Runtime",
        "legacylift/local/asl/interpreter.py",
        '                if io.language == "JSONata":\n',
        "                if False:\n",
        ("tests/local/test_asl_conformance.py::test_behaves_as_aws",),
    ),
    PlantedBug(
        "list-bucket-unconditioned",
        "the s3:prefix condition removed from the SageMaker role's ListBucket statement",
        "modules/workflow/policies.tf",
        '        Condition = { StringLike = { "s3:prefix" = distinct(flatten([\n'
        "          for location in grant.list : "
        '[trimsuffix(location.key, "/"), "${location.key}*"] if location.bucket == bucket\n'
        "        ])) } }\n",
        "",
        (
            "tests/workflow/test_policies.py::test_list_bucket_is_allowed_only_under_the_models_own_prefixes",
        ),
    ),
    PlantedBug(
        "failed-step-without-exit-time",
        "a failed step reported without its exit time",
        "legacylift/aws/history.py",
        '            current.failed = True\n            current.exited = event["timestamp"]\n',
        "            current.failed = True\n",
        ("tests/aws/test_history.py",),
    ),
    PlantedBug(
        "digest-any-length",
        "a pinned digest of any length accepted by the tfvars writer",
        "legacylift/tfvars.py",
        "@sha256:[0-9a-f]{64}$",
        "@sha256:[0-9a-f]+$",
        ("tests/build/test_tfvars.py",),
    ),
    PlantedBug(
        "outdated-tls-operator-flipped",
        "the bucket policy's DenyOutdatedTLS operator flipped",
        "modules/s3/main.tf",
        '      test     = "NumericLessThan"\n      variable = "s3:TlsVersion"\n',
        '      test     = "NumericGreaterThan"\n      variable = "s3:TlsVersion"\n',
        (
            "tests/terraform/test_bucket_policy.py::test_bucket_policy_denies_plain_http_and_old_tls_only",
        ),
    ),
    PlantedBug(
        "retried-task-reported-failed",
        "a Task retried by its Retry field, then succeeding, still reported failed",
        "legacylift/aws/history.py",
        "            if current.failed:  # the Retry field starts the failed task again\n",
        "            if False:  # the Retry field starts the failed task again\n",
        ("tests/aws/test_history.py",),
    ),
    PlantedBug(
        "map-over-object-refused",
        "a Map over a JSON object refused as not an array instead of iterating its pairs",
        "legacylift/local/asl/interpreter.py",
        "            items = object_pairs(io.items(state, effective, context))\n",
        "            items = io.items(state, effective, context)\n",
        ("tests/local/test_asl_conformance.py::test_behaves_as_aws",),
    ),
    PlantedBug(
        "code-folder-unlimited",
        "a script-mode code folder of any size staged and uploaded without the limit's error",
        "legacylift/build/code_folder.py",
        "    if total > MAX_CODE_BYTES or len(files) > MAX_CODE_FILES:\n",
        "    if False:\n",
        ("tests/build/test_code_folder.py",),
    ),
    PlantedBug(
        "new-model-names-only",
        "new-model --from ordering steps by script names only, not by the files they pass on",
        "legacylift/script_flow.py",
        "    if not links:\n        return None\n",
        "    if True:\n        return None\n",
        ("tests/build/test_new_model_flow.py",),
    ),
    PlantedBug(
        "new-model-guesses-past-unplaced",
        "new-model --from writing a model of the chain it found, leaving unplaced scripts out",
        "legacylift/new_model.py",
        "        if flow.unplaced:\n            _unplaced(origin, folder, flow, result)\n"
        "            return\n",
        "",
        ("tests/build/test_new_model_flow.py",),
    ),
    PlantedBug(
        "instances-share-no-network",
        "the instances of a multi-instance job on no network (algo-N unresolvable)",
        "legacylift/local/cluster.py",
        '        network_mode=network,\n        hostname=f"algo-{host}",\n',
        '        network_mode="none",\n',
        (
            "tests/local/test_cluster.py::test_the_instances_of_one_job_reach_each_other_by_host_name_and_nothing_else",
        ),
    ),
    PlantedBug(
        "manifest-read-as-prefix",
        "a ManifestFile input staged as an S3Prefix (the manifest itself, not what it lists)",
        "legacylift/local/processing.py",
        '                manifest = s3["S3DataType"] == "ManifestFile"\n',
        "                manifest = False\n",
        ("tests/local/test_processing_runner.py::test_a_bad_manifest_fails_the_job_naming_it",),
    ),
    PlantedBug(
        "nested-inputs-refused",
        "an input inside another input refused as overlapping (AWS accepts it)",
        "legacylift/local_paths.py",
        '        if nested and "output" in (kind, other_kind):\n',
        "        if nested:\n",
        ("tests/local/test_validation.py::test_inputs_nested_in_inputs_are_accepted_as_aws_does",),
    ),
    PlantedBug(
        "script-mode-input-around-code-refused",
        "a script-mode data input holding the code path refused (the SDK's own layout)",
        "legacylift/models.py",
        "            if local_path_clash(kind, local_path, code):\n",
        "            if _overlap(local_path, CODE_PATH):\n",
        ("tests/build/test_models.py::test_script_mode_input_may_hold_the_code_path",),
    ),
)


def _copy_repository(destination: Path) -> Path:
    """The tracked and untracked-but-not-ignored files of the checkout, copied."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for relative in filter(None, listed.split("\0")):
        source = REPO / relative
        if not source.exists() or source.is_dir():
            continue  # deleted in the working tree but not yet in the index
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    return destination


def _plant(copy: Path, bug: PlantedBug) -> None:
    path = copy / bug.path
    text = path.read_text()
    count = text.count(bug.old)
    if count != 1:
        raise SystemExit(
            f"{bug.name}: the code to mutate occurs {count} times in {bug.path}, not once: "
            "update PlantedBug.old in tests/planted_bugs.py to the current code"
        )
    path.write_text(text.replace(bug.old, bug.new))


def _pytest(copy: Path, tests: tuple[str, ...]) -> tuple[int, float, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(copy),
        "LEGACYLIFT_STATE_DIR": settings.get("LEGACYLIFT_STATE_DIR") or str(REPO / ".legacylift"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
    )
    lines = (completed.stdout + completed.stderr).strip().splitlines()
    return completed.returncode, time.monotonic() - started, lines[-1] if lines else ""


def _check_imports_copy(copy: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(copy)}
    where = subprocess.run(
        [sys.executable, "-c", "import legacylift; print(legacylift.__file__)"],
        cwd=copy, env=env, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if not where.startswith(str(copy)):
        raise SystemExit(f"the copy's tests would import {where}, not the copy")


def main(argv: list[str] | None = None) -> int:
    """Plant the chosen bugs (all by default); 0 when each is caught on a green baseline."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bugs", nargs="*", help="names of bugs to plant (default: all)")
    parser.add_argument("--list", action="store_true", help="list the bugs and their tests")
    args = parser.parse_args(argv)
    chosen = [b for b in BUGS if not args.bugs or b.name in args.bugs]
    unknown = set(args.bugs) - {b.name for b in BUGS}
    if unknown:
        parser.error(f"unknown bug(s) {sorted(unknown)}; see --list")
    if args.list:
        for bug in chosen:
            print(f"{bug.name}: {bug.what}\n    {bug.path}; caught by {' '.join(bug.tests)}")
        return 0
    with tempfile.TemporaryDirectory(prefix="legacylift-planted-") as scratch:
        pristine = _copy_repository(Path(scratch) / "pristine")
        _check_imports_copy(pristine)
        every_test = tuple(dict.fromkeys(t for bug in chosen for t in bug.tests))
        status, seconds, summary = _pytest(pristine, every_test)
        print(f"baseline (no bug planted): {summary} [{seconds:.0f}s]")
        if status != 0:
            print("the baseline must pass before planted bugs mean anything")
            return 1
        missed = []
        for bug in chosen:
            copy = Path(scratch) / bug.name
            shutil.copytree(pristine, copy, symlinks=True)
            _plant(copy, bug)
            status, seconds, summary = _pytest(copy, bug.tests)
            caught = status == 1  # 1: tests failed (2-5: interrupted, usage, no tests)
            print(f"{'CAUGHT' if caught else 'MISSED'} {bug.name}: {bug.what}\n"
                  f"    {summary} [{seconds:.0f}s]")  # fmt: skip
            if not caught:
                missed.append(bug.name)
            shutil.rmtree(copy)
    print(f"{len(chosen) - len(missed)} of {len(chosen)} planted bugs caught")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
