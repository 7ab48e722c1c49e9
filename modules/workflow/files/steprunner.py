"""Run a legacy training, evaluation or inference script unchanged, adapting its surroundings.

Staged into the training workflow's processing jobs (and the inference job of a model whose
inference uses promoted artifacts) at /opt/ml/processing/input/legacylift/, it runs as

    python3 steprunner.py [--overlay DIR] [--collect JSON --into DIR]
                          [--metrics FILE --metric PATH --direction higher|lower
                           --min-improvement X --summary FILE] -- COMMAND ...

- the command runs in a scratch working directory whose entries link to those of the
  directory it was started in (the model folder, /opt/ml/code), so the script's relative paths
  keep working and what it writes there lands in the scratch directory;
- `--overlay DIR`: each entry of DIR (artifacts staged from S3) replaces the same-named entry of
  the working directory, so a script that loads `model.joblib` loads the staged one; an absent
  or empty DIR changes nothing (the image's own artifacts are used);
- `--collect '["model.joblib"]' --into DIR`: after the command succeeds, the listed paths (as
  the script wrote them in its working directory) are copied to DIR, an output LocalPath;
- `--metrics FILE --metric PATH ...`: after the command succeeds, FILE must be a JSON file with
  a number at PATH (dotted keys, `[n]` for list items, an optional leading `$.`); a summary
  `{"metric", "value", "basis", "direction"}` is written to --summary, where `basis` is the
  value less the required improvement (higher is better) or plus it (lower is better), the
  number the workflow's Choice compares with the promoted model's value. The summary is
  created exclusively, never through a link: a file already there (left by the command) fails
  the step;
- `--end-all-processes` (in a job's container only: its own process namespace): once the
  command has exited, every other process of the container is killed before the runner reads
  the metrics or writes anything, so nothing the command left running can change them.

The command's own exit code is passed on. Problems of LegacyLift's making are written to
/opt/ml/output/message (SageMaker's ExitMessage) and exit 1. Standard library only: it runs in
any model image.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# SageMaker reports this file's text as the job's ExitMessage (`--message-file` moves it).
MESSAGE_FILE = Path("/opt/ml/output/message")
PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class StepError(Exception):
    """A problem to report as the job's exit message."""


def fail(message: str, message_file: Path = MESSAGE_FILE) -> int:
    """Report `message` on stderr and as the exit message; the job's exit code."""
    print(f"legacylift: {message}", file=sys.stderr, flush=True)
    try:
        message_file.parent.mkdir(parents=True, exist_ok=True)
        message_file.write_text(message[:1024], encoding="utf-8")
    except OSError:
        pass
    return 1


def entries(directory: Path) -> list[Path]:
    """The entries of `directory`, or none when it is absent."""
    return sorted(directory.iterdir()) if directory.is_dir() else []


def working_directory(base: Path, overlay: Path | None, fresh: list[str]) -> Path:
    """A scratch directory linking every entry of `base`, those of `overlay` instead of
    same-named ones, and leaving out the top-level names in `fresh` (paths the script writes)."""
    work = Path(tempfile.mkdtemp(prefix="legacylift-work-"))
    linked = {entry.name: entry for entry in entries(base)}
    if overlay is not None:
        linked.update({entry.name: entry for entry in entries(overlay)})
    for name, target in linked.items():
        if name not in fresh:
            (work / name).symlink_to(target)
    return work


def run(command: list[str], cwd: Path) -> int:
    """Run `command` in `cwd`, passing SIGTERM (a stopped job) on; its exit code."""
    child = subprocess.Popen(command, cwd=cwd)
    signal.signal(signal.SIGTERM, lambda *_: child.terminate())
    return child.wait()


def end_all_processes() -> list[int]:
    """Kill every process of the container but this one and its init (PID 1); wait until
    they are gone. The ids killed."""
    own = {os.getpid(), 1}
    killed = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) not in own:
            try:
                os.kill(int(entry.name), signal.SIGKILL)
                killed.append(int(entry.name))
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 10
    while any(running(pid) for pid in killed) and time.monotonic() < deadline:
        reap()
        time.sleep(0.05)
    return killed


def running(pid: int) -> bool:
    """Whether process `pid` still runs (a zombie, dead but not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def reap() -> None:
    """Collect exited children (as a container's PID 1, the orphans it inherits too)."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def write_exclusively(path: Path, text: str) -> None:
    """Create `path` with `text`; never follow a link there, never replace a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    except FileExistsError:
        raise StepError(
            f"{path} already exists: the evaluation must not write the runner's metric summary "
            "(nothing is promoted); write the metrics file only"
        ) from None
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)


def collect(work: Path, paths: list[str], into: Path) -> None:
    """Copy each of `paths` from the working directory to `into`."""
    for relative in paths:
        source = work / relative
        if not source.exists():
            raise StepError(
                f"the training script finished without writing {relative!r} in its working "
                f"directory (found: {', '.join(p.name for p in entries(work)) or 'nothing'}); "
                "fix [train] artifact_paths in model.toml or the script"
            )
        target = into / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copyfile(source, target)


def metric_value(document: object, path: str) -> object:
    """The value at `path` in `document`, or StepError naming the missing part."""
    expression = path[2:] if path.startswith("$.") else path
    value, walked = document, "$"
    for match in PATH_PART.finditer(expression):
        key, index = match.group(1), match.group(2)
        if key is not None:
            if not isinstance(value, dict) or key not in value:
                known = ", ".join(map(str, value)) if isinstance(value, dict) else "not an object"
                raise StepError(
                    f"the metrics file has no {walked}.{key} (keys at {walked}: {known})"
                )
            value, walked = value[key], f"{walked}.{key}"
        else:
            if not isinstance(value, list) or int(index) >= len(value):
                raise StepError(f"the metrics file has no {walked}[{index}]")
            value, walked = value[int(index)], f"{walked}[{index}]"
    return value


def summarise(metrics: Path, path: str, direction: str, improvement: float) -> dict:
    """The metric summary the workflow's Choice reads."""
    if not metrics.is_file():
        raise StepError(
            f"the evaluation script wrote no metrics file {metrics}; it must write a JSON "
            "file there ([promotion] metrics_file and [evaluate] output_path in model.toml)"
        )
    try:
        document = json.loads(metrics.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise StepError(f"the metrics file {metrics} is not JSON ({exc})") from None
    value = metric_value(document, path)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise StepError(f"metric {path} is {value!r} in {metrics}, not a finite number")
    basis = value - improvement if direction == "higher" else value + improvement
    return {"metric": path, "value": value, "basis": basis, "direction": direction}


def parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """The runner's options and the command after `--`."""
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        raise StepError("steprunner: give the command to run after --")
    split = argv.index("--")
    parser = argparse.ArgumentParser(prog="steprunner")
    parser.add_argument("--overlay", type=Path)
    parser.add_argument("--collect", type=json.loads, default=[])
    parser.add_argument("--into", type=Path)
    parser.add_argument("--metrics", type=Path)
    parser.add_argument("--metric")
    parser.add_argument("--direction", choices=["higher", "lower"], default="higher")
    parser.add_argument("--min-improvement", type=float, default=0.0)
    parser.add_argument("--summary", type=Path)
    parser.add_argument("--message-file", type=Path, default=MESSAGE_FILE)
    parser.add_argument("--end-all-processes", action="store_true")
    return parser.parse_args(argv[:split]), argv[split + 1 :]


def main(argv: list[str]) -> int:
    """Run the step; its exit code."""
    message_file = MESSAGE_FILE
    try:
        options, command = parse(argv)
        message_file = options.message_file
        fresh = sorted({Path(p).parts[0] for p in options.collect})
        work = working_directory(Path.cwd(), options.overlay, fresh)
        code = run(command, work)
        if options.end_all_processes:
            end_all_processes()
        if code != 0:
            return code
        if options.collect:
            collect(work, options.collect, options.into)
        if options.metrics is not None:
            summary = summarise(
                options.metrics, options.metric, options.direction, options.min_improvement
            )
            write_exclusively(options.summary, json.dumps(summary))
            print(f"legacylift: {summary['metric']} = {summary['value']}", flush=True)
        return 0
    except StepError as exc:
        return fail(str(exc), message_file)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
