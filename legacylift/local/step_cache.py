"""Resuming a local run: each processing job's content key, and reuse of a completed job's
outputs when a resumed run asks for the same job again.

A step's key is its CreateProcessingJob request with everything that names this run left out
(job name, tags, output locations) and every reference to content replaced by that content:
- each input: the key of the job of this run that wrote it (so a step that ran again changes
  the key of every step after it), or else the SHA-256 of its objects (names and bytes);
- the code input of script mode: the same, leaving out the other steps' scripts (a fix to
  postprocessing.py does not invalidate preprocessing; any helper or artifact does);
- the image: its local image ID, not its tag; for the model's own image, built by LegacyLift
  from the model folder, the hash of its build context less the other steps' scripts.
This is how SageMaker Pipelines keys a step for its step cache, with content hashes where
Pipelines compares URIs.

Every completed job is recorded under `<local dir>/runs/<execution>/steps/`, one file each, as
it completes; a resumed run reads the records of the run it resumes. A hit copies the old
job's outputs to this run's output locations and returns the old job's description: no job
is created, so the job registry proves which steps ran.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from legacylift.atomic import write_json_atomic
from legacylift.errors import LegacyLiftError
from legacylift.local.datasources import DataSources, LocalObjectStore, join_uri

CODE_INPUT = "code"


def runs_dir(settings) -> Path:
    """Where local run records go: `<local dir>/runs/` (beside `jobs/`)."""
    return Path(settings.jobs_dir).parent / "runs"


def _prefix(uri: str) -> str:
    return uri if uri.endswith("/") else uri + "/"


@dataclass
class Reuse:
    """A step served from an earlier run: the job that ran it and the run it belongs to."""

    job: str
    run: str
    describe: dict[str, Any]


@dataclass
class StepCache:
    """Keys every job of one execution and records the completed ones; with `previous`
    (records of the resumed run, by key) it serves hits instead of running them again.

    `image_key(ref, ignored)` names an image's content (its ID, or a build context's hash
    leaving out the `ignored` scripts; None when it is not present locally); `step_scripts`
    the model's step scripts, relative to its code folder."""

    settings: Any
    execution: str
    sources: DataSources
    image_key: Any
    step_scripts: frozenset[str] = frozenset()
    previous: dict[str, dict[str, Any]] = field(default_factory=dict)
    resumed_from: str | None = None
    reused: dict[str, Reuse] = field(default_factory=dict)  # requested job name -> reuse
    misses: dict[str, str] = field(default_factory=dict)  # requested job name -> why it ran
    _produced: dict[str, str] = field(default_factory=dict)  # output prefix -> job key
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def steps_dir(self) -> Path:
        """This execution's step records."""
        return runs_dir(self.settings) / self.execution / "steps"

    # --- keys --------------------------------------------------------------------------------

    def key(self, request: dict[str, Any]) -> str | None:
        """The step's content key; None when a part of it cannot be known (an image that is not
        present locally, an input that cannot be listed): such a step always runs."""
        keyed = copy.deepcopy(request)
        for name in ("ProcessingJobName", "Tags"):
            keyed.pop(name, None)
        for item in keyed.get("ProcessingOutputConfig", {}).get("Outputs", []):
            (item.get("S3Output") or {}).pop("S3Uri", None)
        app = keyed.get("AppSpecification", {})
        running = json.dumps([app.get("ContainerEntrypoint"), app.get("ContainerArguments")])
        image = self.image_key(app.get("ImageUri", ""), self._other_scripts(running))
        if image is None:
            return None
        app["ImageUri"] = image
        try:
            for item in keyed.get("ProcessingInputs", []):
                s3 = item.get("S3Input") or {}
                if "S3Uri" in s3:
                    ignored = (
                        self._other_scripts(running)
                        if item.get("InputName") == CODE_INPUT
                        else frozenset()
                    )
                    s3["S3Uri"] = self._content(s3["S3Uri"], ignored)
        except (LegacyLiftError, OSError):  # unreadable: the step runs, as without a key
            return None
        text = json.dumps(keyed, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def _other_scripts(self, running: str) -> frozenset[str]:
        return frozenset(s for s in self.step_scripts if s not in running)

    def _content(self, uri: str, ignored: frozenset[str]) -> str:
        with self._lock:
            producer = next(
                (key for prefix, key in self._produced.items() if _prefix(uri).startswith(prefix)),
                None,
            )
        if producer is not None:
            return f"job:{producer}"
        digest = hashlib.sha256()
        for staged in sorted(self.sources.list(uri), key=lambda s: s.relative):
            if staged.relative in ignored:
                continue
            digest.update(staged.relative.encode() + b"\0")
            with staged.open() as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
            digest.update(b"\0")
        return f"sha256:{digest.hexdigest()}"

    # --- records -----------------------------------------------------------------------------

    def completed(
        self,
        key: str,
        request: dict[str, Any],
        describe: dict[str, Any],
        uploaded: int,
        origin: str | None = None,
    ) -> None:
        """Record a completed job of this execution (run here, or reused from `origin`)."""
        outputs = [
            item["S3Output"]["S3Uri"]
            for item in request.get("ProcessingOutputConfig", {}).get("Outputs", [])
            if "S3Output" in item
        ]
        with self._lock:
            for uri in outputs:
                self._produced[_prefix(uri)] = key
        record = {
            "key": key,
            "job": describe["ProcessingJobName"],
            "outputs": outputs,
            "uploaded": uploaded,
            "describe": describe,
            "origin": origin,
        }
        write_json_atomic(self.steps_dir / f"{describe['ProcessingJobName'].lower()}.json", record)

    def reuse(self, key: str | None, request: dict[str, Any]) -> Reuse | None:
        """Serve the step from the resumed run when it has a completed job with this key whose
        outputs are all still there: its outputs copied to this request's locations."""
        entry = self.previous.get(key) if key else None
        if entry is None:
            return None
        outputs = [
            item["S3Output"]["S3Uri"]
            for item in request.get("ProcessingOutputConfig", {}).get("Outputs", [])
            if "S3Output" in item
        ]
        if len(outputs) != len(entry["outputs"]):
            return None
        listed = [
            self.sources.list(old) if old.startswith("s3://") else [] for old in entry["outputs"]
        ]
        if sum(len(objects) for objects in listed) < entry["uploaded"]:
            self.misses[request["ProcessingJobName"]] = (
                f"the outputs of job {entry['job']} are no longer in the store "
                "(removed by clean-local?): it runs again"
            )
            return None
        for old, new, objects in zip(entry["outputs"], outputs, listed, strict=True):
            for staged in objects:
                self._copy(join_uri(old, staged.relative), join_uri(new, staged.relative), staged)
        origin = entry.get("origin") or self.resumed_from
        self.completed(key, request, entry["describe"], entry["uploaded"], origin=origin)
        reuse = Reuse(entry["job"], origin or "", entry["describe"])
        with self._lock:
            self.reused[request["ProcessingJobName"]] = reuse
        return reuse

    def _copy(self, old: str, new: str, staged) -> None:
        """One output object into this run: a hard link in the local object store (its
        objects are only ever replaced by rename, never changed in place), else a copy."""
        store = self.sources.s3
        if isinstance(store, LocalObjectStore) and old.startswith("s3://"):
            target = store.path_of(new)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(store.path_of(old), target)
                return
            except OSError:
                pass  # another filesystem, or a target already there: copy it
        with staged.open() as source:
            self.sources.put(new, source)


def load_steps(settings, execution: str) -> dict[str, dict[str, Any]]:
    """The completed jobs recorded for `execution`, by content key."""
    entries: dict[str, dict[str, Any]] = {}
    for path in sorted((runs_dir(settings) / execution / "steps").glob("*.json")):
        try:
            entry = json.loads(path.read_text())
            entries[entry["key"]] = entry
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a record another tool left unreadable is no reason to refuse a resume
    return entries
