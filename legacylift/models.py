"""Legacy model folders: discovery, the folder contract, and `model.toml` settings.

A model is `legacy_models/NAME/` (docs/contracts.md §1). Every
problem is reported as a `LegacyLiftError` naming the model, the file or key, and the fix.
"""

from __future__ import annotations

import functools
import math
import posixpath
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from legacylift import settings
from legacylift.config_files import parse_file
from legacylift.errors import LegacyLiftError
from legacylift.local_paths import local_path_clash
from legacylift.paths import MODELS_DIR

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
STEPS = ("preprocessing", "inference", "postprocessing")
# The optional training workflow's steps (run on the model's own image, in this order).
TRAINING_STEPS = ("train", "evaluate")
SCRIPTS = {
    "preprocessing": "preprocessing.py",
    "inference": "predict.py",
    "postprocessing": "postprocessing.py",
    "train": "train.py",
    "evaluate": "evaluate.py",
}
IMAGES = ("framework", "model")
DEFAULT_IMAGE = {
    "preprocessing": "framework",
    "inference": "model",
    "postprocessing": "framework",
    "combine": "framework",
    "train": "model",
    "evaluate": "model",
}
# The parts of a model folder that are not its code, never copied into its image: the
# before/after demo, samples, settings and build recipe.
EXCLUDED_DIRS = frozenset({"legacy", "sample", "__pycache__", ".ipynb_checkpoints"})
EXCLUDED_FILES = frozenset({"model.toml", "Dockerfile", ".dockerignore", ".DS_Store"})
INSTANCE_TYPE = re.compile(r"^ml\.[a-z0-9]+\.[a-z0-9]+$")
DEBIAN_PACKAGE = re.compile(r"^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+~:-]+)?$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
RANGES = {"volume_size": (1, 16384), "max_runtime": (1, 777600), "instance_count": (1, 100)}
DEFAULT_KEYS = ("instance_type", "volume_size", "max_runtime", "environment", "network")
# How a step runs, declared per step so legacy code keeps its own file names and paths.
RUN_KEYS = ("script", "arguments", "input_path", "output_path", "entrypoint")
# instance_count > 1: that many instances, each with its ShardedByS3Key share of the data input.
STEP_KEYS = (*DEFAULT_KEYS, "image", *RUN_KEYS, "instance_count")
PROCESSING_ROOT = "/opt/ml/processing/"
DEFAULT_INPUT_PATH = "/opt/ml/processing/input/data"
DEFAULT_OUTPUT_PATH = "/opt/ml/processing/output"
# Script mode stages the model's code here (the framework image's `code` ProcessingInput).
CODE_PATH = "/opt/ml/processing/input/code"
ENTRYPOINTS = ("image",)
# SageMaker's AppSpecification and ProcessingLocalPath limits (botocore's API model).
MAX_ARGUMENTS, MAX_ARGUMENT_LENGTH, MAX_LOCAL_PATH = 100, 256, 256
SCRIPT_PATH = re.compile(r"^[A-Za-z0-9._+@-][A-Za-z0-9._+@/ -]*$")
LOCAL_PATH = re.compile(r"^/[A-Za-z0-9._+@/-]+$")
# [fan_out]: one input of many batches, each through the whole chain (docs/guide.md "Many batches").
FAN_OUT_KEYS = (
    "split",
    "mode",
    "max_concurrency",
    "tolerated_failures",
    "tolerated_failure_percentage",
    "objects_per_batch",
    "combine",
)
FAN_OUT_SPLITS = ("prefix", "object")
FAN_OUT_MODES = ("distributed", "inline")
# Step Functions' limits: an inline Map runs at most 40 iterations at once, a Distributed Map
# at most 10,000 child workflows.
FAN_OUT_CONCURRENCY = {"inline": 40, "distributed": 10000}
# objects_per_batch: a batch's input is the ItemBatcher's list of S3 listing entries, and a
# child workflow's input is at most 256 KiB: 100 entries of S3's longest keys (1024 bytes,
# about 1.2 KB per entry) stay within it.
MAX_OBJECTS_PER_BATCH = 100
COMBINE_STEP = "combine"
COMBINE_SCRIPT = "combine.py"
# Training steps take the run keys but not `entrypoint`/`image`: LegacyLift's step runner wraps
# their script on the model's image. `artifact_paths`: what the training script writes into its
# working directory (collected as the new artifacts).
TRAINING_STEP_KEYS = (*DEFAULT_KEYS, "script", "arguments", "input_path", "output_path")
PROMOTION_KEYS = ("metric", "metrics_file", "direction", "threshold", "min_improvement")
INFERENCE_ARTIFACTS = ("image", "promoted")
METRIC_PATH = re.compile(r"^(\$\.)?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+|\[[0-9]+\])*$")
METRICS_FILE = re.compile(r"^[A-Za-z0-9_.-]+$")
# [schedule]: when runs start by themselves, and the input each gets (legacylift/schedule.py).
SCHEDULE_KEYS = ("expression", "time_zone", "input", "output", "start")
DEFAULT_SCHEDULE_OUTPUT = "s3://{bucket}/{model}/output/{date}/"
# [trigger]: a run per batch uploaded under on_upload, started when the batch's marker lands.
TRIGGER_KEYS = ("on_upload", "marker")
DEFAULT_TRIGGER_MARKER = "_SUCCESS"
TRIGGER_PREFIX = re.compile(r"^[A-Za-z0-9!_.*'()/-]+/$")
TOP_KEYS = (
    "steps",
    "system_packages",
    "defaults",
    *STEPS,
    *TRAINING_STEPS,
    "promotion",
    "fan_out",
    "schedule",
    "trigger",
)


def models_dir() -> Path:
    """Where model folders live: `legacy_models/`, or LEGACYLIFT_MODELS_DIR (tests, benchmarks)."""
    return Path(settings.get("LEGACYLIFT_MODELS_DIR") or MODELS_DIR)


@dataclass(frozen=True)
class Model:
    """One legacy model folder and its validated settings."""

    name: str
    path: Path
    steps: tuple[str, ...] = STEPS
    system_packages: tuple[str, ...] = ()
    defaults: dict[str, Any] = field(default_factory=dict)
    step_settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    fan_out: dict[str, Any] | None = None
    promotion: dict[str, Any] = field(default_factory=dict)
    schedule: dict[str, Any] | None = None
    trigger: dict[str, Any] | None = None

    @property
    def has_training(self) -> bool:
        """Whether the model declares the training workflow ([train], [evaluate], [promotion])."""
        return bool(self.promotion)

    @property
    def uses_promoted_artifacts(self) -> bool:
        """Whether inference loads the promoted artifacts (`[inference] artifacts = "promoted"`)."""
        return self.step_settings.get("inference", {}).get("artifacts") == "promoted"

    @property
    def own_dockerfile(self) -> Path | None:
        """The model's own Dockerfile, used instead of the template when present."""
        candidate = self.path / "Dockerfile"
        return candidate if candidate.is_file() else None

    def image_for(self, step: str) -> str:
        """Which image runs `step`: "framework" or "model" (also the fan-out's "combine")."""
        return self._settings_of(step).get("image", DEFAULT_IMAGE.get(step, "framework"))

    def script_for(self, step: str) -> str:
        """The step's script, relative to the model folder (`script`, default by step name)."""
        return self._settings_of(step).get("script", SCRIPTS.get(step, COMBINE_SCRIPT))

    def _settings_of(self, step: str) -> dict[str, Any]:
        if step == COMBINE_STEP:
            return (self.fan_out or {}).get("combine", {})
        return self.step_settings.get(step, {})

    @property
    def script_steps(self) -> tuple[str, ...]:
        """The steps whose scripts run: the listed steps, then the fan-out's combine step."""
        combine = self.fan_out is not None and "combine" in self.fan_out
        return (*self.steps, COMBINE_STEP) if combine else self.steps

    def arguments_for(self, step: str) -> tuple[str, ...]:
        """The step's ContainerArguments (`arguments`), empty when none are declared."""
        return tuple(self._settings_of(step).get("arguments", ()))

    def input_path_for(self, step: str) -> str:
        """The LocalPath the step reads its data from (`input_path`)."""
        return self._settings_of(step).get("input_path", DEFAULT_INPUT_PATH)

    def output_path_for(self, step: str) -> str:
        """The LocalPath the step writes its results to (`output_path`)."""
        return self._settings_of(step).get("output_path", DEFAULT_OUTPUT_PATH)

    def uses_image_entrypoint(self, step: str) -> bool:
        """Whether the step runs the image's own ENTRYPOINT/CMD (`entrypoint = "image"`), so
        its request carries no ContainerEntrypoint."""
        return self._settings_of(step).get("entrypoint") == "image"

    def needs_script(self, step: str) -> bool:
        """Whether the step's script must exist: not when the image's own entrypoint runs and
        no script is declared."""
        return not self.uses_image_entrypoint(step) or "script" in self._settings_of(step)

    def tfvars_settings(self) -> dict[str, Any]:
        """The settings the workspace tfvars mirror (contracts §2), beside image_uri."""
        settings: dict[str, Any] = {"steps": list(self.steps)}
        if self.defaults:
            settings["defaults"] = dict(self.defaults)
        for step in STEPS:
            settings[step] = dict(self.step_settings.get(step, {}))
        if self.fan_out is not None:
            settings["fan_out"] = {
                key: dict(value) if isinstance(value, dict) else value
                for key, value in self.fan_out.items()
            }
        if self.has_training:
            for step in TRAINING_STEPS:
                settings[step] = dict(self.step_settings.get(step, {}))
            settings["promotion"] = dict(self.promotion)
        if self.schedule is not None:
            from legacylift.schedule import OFFSET_YEARS, start_date_utc, utc_offsets

            offsets = utc_offsets(self.schedule["time_zone"], *OFFSET_YEARS)
            settings["schedule"] = {**self.schedule, "utc_offsets": offsets}
            if "start" in self.schedule:  # Scheduler's StartDate is in UTC
                settings["schedule"]["start_date"] = start_date_utc(
                    self.schedule["start"], self.schedule["time_zone"]
                )
        if self.trigger is not None:
            settings["trigger"] = dict(self.trigger)
        return settings


def validate_name(name: str) -> str:
    """Return `name` if it is a valid model name, else raise naming the rule."""
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise LegacyLiftError(
            f"invalid model name {name!r}: use lowercase letters, digits and hyphens, starting "
            "with a letter, at most 32 characters (e.g. 'churn-v2')"
        )
    return name


def discover_models(
    on_invalid: Callable[[str, LegacyLiftError], None] | None = None,
) -> list[Model]:
    """Every model folder under the models directory, validated, sorted by name. With
    `on_invalid(folder name, error)`, a folder that is not a valid model is reported there and
    left out, so the others still load; without it, the first such folder raises."""
    root = models_dir()
    if not root.is_dir():
        return []
    models = []
    for entry in sorted(root.iterdir()):
        if not entry.is_dir() or entry.name.startswith((".", "_")):
            continue
        try:
            models.append(load_model(entry.name))
        except LegacyLiftError as exc:
            if on_invalid is None:
                raise
            on_invalid(entry.name, exc)
    return models


def load_model(name: str) -> Model:
    """The model `name`: its folder checked against the contract, its model.toml parsed."""
    validate_name(name)
    path = models_dir() / name
    if not path.is_dir():
        known = ", ".join(sorted(p.name for p in models_dir().glob("*") if p.is_dir())) or "none"
        raise LegacyLiftError(
            f"unknown model {name!r}: no folder {path} (known models: {known}); add the folder "
            "as described in docs/guide.md, 'Adding a legacy model'"
        )
    config = _read_toml(path / "model.toml")
    model = _parse(name, path, config)
    _check_files(model)
    return model


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    return parse_file(path, tomllib.loads, "TOML", "fix the syntax (a UTF-8 text file)")


def _fail(model_path: Path, message: str) -> LegacyLiftError:
    return LegacyLiftError(f"{model_path / 'model.toml'}: {message}")


def _check_keys(path: Path, table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise _fail(path, f"unknown key '{where}{key}'; allowed: {', '.join(allowed)}")


def _parse(name: str, path: Path, config: dict[str, Any]) -> Model:
    _check_keys(path, config, TOP_KEYS, "")
    steps = config.get("steps", list(STEPS))
    if (
        not isinstance(steps, list)
        or not steps
        or any(step not in STEPS for step in steps)
        or len(set(steps)) != len(steps)
        or steps != sorted(steps, key=STEPS.index)
    ):
        raise _fail(
            path,
            f"steps = {steps!r}: give a non-empty ordered subset of {list(STEPS)}, no repeats",
        )
    packages = config.get("system_packages", [])
    if not isinstance(packages, list) or any(
        not isinstance(p, str) or not DEBIAN_PACKAGE.match(p) for p in packages
    ):
        raise _fail(path, f"system_packages = {packages!r}: give a list of Debian package names")
    defaults = _settings(path, config.get("defaults", {}), DEFAULT_KEYS, "defaults.")
    inference_keys = {**dict.fromkeys(STEP_KEYS), "artifacts": None}
    step_settings = {
        step: _settings(
            path,
            config.get(step, {}),
            tuple(inference_keys) if step == "inference" else STEP_KEYS,
            f"{step}.",
        )
        for step in STEPS
    }
    if step_settings["inference"].get("image", "model") != "model":
        raise _fail(
            path,
            f"inference.image = {step_settings['inference']['image']!r}: the inference step "
            "always runs in the model's own image; remove the key or set it to 'model'",
        )
    for step in STEPS:
        _check_step(path, step, step_settings[step])
    fan_out = _parse_fan_out(path, config["fan_out"]) if "fan_out" in config else None
    promotion = _training(path, config, step_settings)
    schedule = _parse_schedule(path, config["schedule"]) if "schedule" in config else None
    trigger = _parse_trigger(path, name, config["trigger"]) if "trigger" in config else None
    return Model(
        name,
        path,
        tuple(steps),
        tuple(packages),
        defaults,
        step_settings,
        fan_out,
        promotion,
        schedule,
        trigger,
    )


def _parse_schedule(path: Path, table: Any) -> dict[str, Any]:
    """`[schedule]`, checked: an AWS cron/rate expression, an IANA time zone, and the input
    (and output) templates of each scheduled run."""
    from legacylift import schedule

    if not isinstance(table, dict):
        raise _fail(path, "[schedule] must be a table")
    _check_keys(path, table, SCHEDULE_KEYS, "schedule.")
    rule = dict(table)
    if "expression" not in rule or "input" not in rule:
        raise _fail(
            path,
            '[schedule] needs expression and input, e.g. expression = "cron(0 2 * * ? *)" and '
            'input = "s3://{bucket}/{model}/input/{date}/"',
        )
    try:
        schedule.parse(rule["expression"])
        schedule.time_zone(rule.setdefault("time_zone", "UTC"))
        for key in ("input", "output"):
            schedule.check_template(
                rule.setdefault(key, DEFAULT_SCHEDULE_OUTPUT), f"schedule.{key}"
            )
        if "start" in rule:  # StartDate: the first start of a rate, no start before it
            begins = schedule.parse_start(rule["start"], rule["time_zone"])
            rule["start"] = begins.replace(tzinfo=None).isoformat(timespec="minutes")
    except LegacyLiftError as exc:
        raise _fail(path, f"schedule: {exc}") from None
    return rule


def _parse_trigger(path: Path, name: str, table: Any) -> dict[str, Any]:
    """`[trigger]`, checked: the upload prefix, inside the model's input area of the data
    bucket (`<model>/input/`), and the marker object whose arrival starts the batch's run."""
    if not isinstance(table, dict):
        raise _fail(path, "[trigger] must be a table")
    _check_keys(path, table, TRIGGER_KEYS, "trigger.")
    rule = dict(table)
    area = f"{name}/input/"
    prefix = rule.get("on_upload")
    if not (
        isinstance(prefix, str)
        and TRIGGER_PREFIX.match(prefix)
        and prefix.startswith(area)
        and posixpath.normpath(prefix) + "/" == prefix
    ):
        raise _fail(
            path,
            f"trigger.on_upload = {prefix!r}: give a key prefix inside the model's input area "
            f"{area} of the data bucket, ending in '/', without '..' or '//' (e.g. "
            f"'{area}daily/'); runs may read only there",
        )
    marker = rule.setdefault("marker", DEFAULT_TRIGGER_MARKER)
    if not isinstance(marker, str) or not METRICS_FILE.match(marker):
        raise _fail(
            path,
            f"trigger.marker = {marker!r}: give the file name that marks a complete batch, "
            "e.g. '_SUCCESS'",
        )
    return rule


def _training(path: Path, config: dict[str, Any], step_settings: dict[str, Any]) -> dict:
    """The training workflow's sections, checked, into `step_settings`; the promotion rule."""
    sections = [key for key in (*TRAINING_STEPS, "promotion") if key in config]
    artifacts = step_settings["inference"].get("artifacts", "image")
    if artifacts not in INFERENCE_ARTIFACTS:
        raise _fail(
            path,
            f"inference.artifacts = {artifacts!r}: use 'promoted' (the training workflow's "
            "promoted artifacts, the image's own until one is promoted) or 'image'",
        )
    if artifacts == "promoted" and len(sections) < 3:
        raise _fail(
            path,
            'inference.artifacts = "promoted" needs the training workflow: add [train], '
            "[evaluate] and [promotion]",
        )
    if artifacts == "promoted" and step_settings["inference"].get("entrypoint") == "image":
        raise _fail(
            path,
            'inference.artifacts = "promoted" runs the inference script under LegacyLift\'s '
            'step runner, which needs the script: remove inference.entrypoint = "image"',
        )
    if not sections:
        return {}
    if len(sections) < 3:
        missing = [f"[{key}]" for key in (*TRAINING_STEPS, "promotion") if key not in sections]
        raise _fail(
            path,
            f"the training workflow needs [train], [evaluate] and [promotion]: add "
            f"{', '.join(missing)} (or remove the others)",
        )
    for step in TRAINING_STEPS:
        table = dict(config[step])
        artifact_paths = table.pop("artifact_paths", None) if step == "train" else None
        step_settings[step] = _settings(path, table, TRAINING_STEP_KEYS, f"{step}.")
        _check_step(path, step, step_settings[step])
        if artifact_paths is not None:
            step_settings[step]["artifact_paths"] = _artifact_paths(path, artifact_paths)
    return _promotion(path, config["promotion"])


def _artifact_paths(path: Path, value: Any) -> list[str]:
    if not (
        isinstance(value, list)
        and value
        and all(
            isinstance(item, str)
            and SCRIPT_PATH.match(item)
            and posixpath.normpath(item) == item
            and ".." not in item.split("/")
            for item in value
        )
    ):
        raise _fail(
            path,
            f"train.artifact_paths = {value!r}: give the paths the training script writes in its "
            'working directory, relative and inside it, e.g. ["model.joblib"] or ["model"]',
        )
    return list(value)


def _promotion(path: Path, table: Any) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise _fail(path, "[promotion] must be a table")
    _check_keys(path, table, PROMOTION_KEYS, "promotion.")
    rule = dict(table)
    metric = rule.get("metric")
    if not isinstance(metric, str) or not METRIC_PATH.match(metric):
        raise _fail(
            path,
            f"promotion.metric = {metric!r}: give the metric's path in the metrics JSON, e.g. "
            "'accuracy', 'scores.r2' or 'folds[0].auc'",
        )
    metrics_file = rule.setdefault("metrics_file", "metrics.json")
    if not isinstance(metrics_file, str) or not METRICS_FILE.match(metrics_file):
        raise _fail(
            path,
            f"promotion.metrics_file = {metrics_file!r}: give the file name the evaluation "
            "script writes in its output_path, e.g. 'metrics.json'",
        )
    direction = rule.setdefault("direction", "higher")
    if direction not in ("higher", "lower"):
        raise _fail(path, f"promotion.direction = {direction!r}: use 'higher' or 'lower'")
    for key in ("threshold", "min_improvement"):
        value = rule.get(key)
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise _fail(
                path, f"promotion.{key} = {value!r}: give a finite number (no bar is reachable)"
            )
    if "threshold" not in rule and "min_improvement" not in rule:
        raise _fail(
            path,
            "[promotion] needs a bar: threshold (e.g. threshold = 0.9 for accuracy >= 0.9) "
            "and/or min_improvement (better than the promoted model by at least that much)",
        )
    if rule.get("min_improvement", 0) < 0:
        raise _fail(
            path,
            f"promotion.min_improvement = {rule['min_improvement']!r}: a negative improvement "
            "would promote worse models; give 0 or more",
        )
    return rule


def _settings(path: Path, table: Any, allowed: tuple[str, ...], where: str) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise _fail(path, f"[{where.rstrip('.')}] must be a table")
    _check_keys(path, table, allowed, where)
    for key, value in table.items():
        _check_value(path, f"{where}{key}", key, value)
    return dict(table)


@functools.cache
def processing_instance_types() -> tuple[str, ...]:
    """Every instance type SageMaker Processing accepts (the API model's ProcessingInstanceType
    enum, as botocore ships it)."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("sagemaker")
    return tuple(model.shape_for("ProcessingInstanceType").enum)


def _check_value(path: Path, label: str, key: str, value: Any) -> None:
    if key == "instance_type" and not (isinstance(value, str) and INSTANCE_TYPE.match(value)):
        raise _fail(path, f"{label} = {value!r}: use a SageMaker instance type like 'ml.m5.xlarge'")
    if key == "instance_type" and value not in processing_instance_types():
        raise _fail(
            path,
            f"{label} = {value!r}: not a SageMaker Processing instance type; use one such "
            "as 'ml.m5.xlarge' (the SageMaker API's ProcessingInstanceType values)",
        )
    if key in RANGES:
        low, high = RANGES[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _fail(path, f"{label} = {value!r}: use a whole number from {low} to {high}")
    if key == "image" and value not in IMAGES:
        raise _fail(path, f"{label} = {value!r}: use 'framework' or 'model'")
    if key == "network" and not isinstance(value, bool):
        raise _fail(path, f"{label} = {value!r}: use true or false")
    if key in RUN_KEYS:
        _check_run_value(path, label, key, value)
    if key == "environment" and not (
        isinstance(value, dict)
        and all(isinstance(k, str) and ENV_NAME.match(k) for k in value)
        and all(isinstance(v, str) for v in value.values())
    ):
        raise _fail(path, f'{label}: use a table of NAME = "string value" pairs')


def _check_run_value(path: Path, label: str, key: str, value: Any) -> None:
    if key == "script" and not (
        isinstance(value, str)
        and SCRIPT_PATH.match(value)
        and posixpath.normpath(value) == value
        and ".." not in value.split("/")
    ):
        raise _fail(
            path,
            f"{label} = {value!r}: give the script's path relative to the model folder, "
            "inside it, without '..' or a leading '/' (e.g. 'preprocess.py' or 'src/predict.py')",
        )
    if key == "arguments" and not (
        isinstance(value, list)
        and 1 <= len(value) <= MAX_ARGUMENTS
        and all(isinstance(v, str) and len(v) <= MAX_ARGUMENT_LENGTH for v in value)
    ):
        raise _fail(
            path,
            f"{label} = {value!r}: give a list of 1 to {MAX_ARGUMENTS} strings of at most "
            f'{MAX_ARGUMENT_LENGTH} characters, e.g. ["--threshold", "0.5"] (SageMaker\'s '
            "ContainerArguments)",
        )
    if key in ("input_path", "output_path") and not (
        isinstance(value, str)
        and len(value) <= MAX_LOCAL_PATH
        and LOCAL_PATH.match(value)
        and value.startswith(PROCESSING_ROOT)
        and posixpath.normpath(value) == value
        and value != PROCESSING_ROOT.rstrip("/")
    ):
        raise _fail(
            path,
            f"{label} = {value!r}: give a directory under {PROCESSING_ROOT} without '..', "
            f"'//' or a trailing '/' (e.g. '/opt/ml/processing/input'), at most "
            f"{MAX_LOCAL_PATH} characters",
        )
    if key == "entrypoint" and value not in ENTRYPOINTS:
        raise _fail(
            path,
            f'{label} = {value!r}: the only value is "image" (run the image\'s own '
            "ENTRYPOINT/CMD); remove the key to run the step's script with python3",
        )


def _overlap(first: str, second: str) -> bool:
    return (first + "/").startswith(second + "/") or (second + "/").startswith(first + "/")


def _check_step(path: Path, step: str, settings: dict[str, Any]) -> None:
    """Checks across one step's keys: paths that collide, an entrypoint its image cannot have."""
    image = settings.get("image", DEFAULT_IMAGE[step])
    if settings.get("entrypoint") == "image" and image != "model":
        raise _fail(
            path,
            f'{step}.entrypoint = "image" needs the model\'s own image: set {step}.image = '
            '"model" (the framework image has no entrypoint of the model\'s), or remove '
            f"{step}.entrypoint",
        )
    input_path = settings.get("input_path", DEFAULT_INPUT_PATH)
    output_path = settings.get("output_path", DEFAULT_OUTPUT_PATH)
    if _overlap(input_path, output_path):
        raise _fail(
            path,
            f"{step}: input_path {input_path!r} and output_path {output_path!r} overlap; a "
            "processing job needs a directory of its own for each (e.g. input_path = "
            "'/opt/ml/processing/input', output_path = '/opt/ml/processing/output')",
        )
    if image == "framework":
        # Script mode's code is one more input: it may nest with the data input (the SDK's own
        # layout has it inside), never be the same path or overlap an output (see local_paths).
        code = [("input", CODE_PATH)]
        for key, kind, local_path in (
            ("input_path", "input", input_path),
            ("output_path", "output", output_path),
        ):
            if local_path_clash(kind, local_path, code):
                raise _fail(
                    path,
                    f"{step}.{key} = {local_path!r} overlaps {CODE_PATH}, where script mode "
                    f"stages the code: choose another path (an input may hold it: "
                    f"'/opt/ml/processing/input' is fine), or set {step}.image = \"model\" "
                    "(the code is then in the image, at /opt/ml/code)",
                )


def _check_files(model: Model) -> None:
    if not (model.path / "requirements.txt").is_file():
        raise LegacyLiftError(
            f"model {model.name!r} is missing requirements.txt in {model.path}: every model "
            "needs one (it may be empty)"
        )
    for step in model.script_steps:
        if model.needs_script(step):
            _check_script(model, step)
    if model.has_training:
        for step in TRAINING_STEPS:
            _check_script(model, step)


def _parse_fan_out(path: Path, table: Any) -> dict[str, Any]:
    """`[fan_out]`, checked: how the input splits into batches, how many run at once, how many
    may fail, and the optional `[fan_out.combine]` step (a step table of its own)."""
    if not isinstance(table, dict):
        raise _fail(path, "[fan_out] must be a table")
    _check_keys(path, table, FAN_OUT_KEYS, "fan_out.")
    fan_out = dict(table)
    split = fan_out.setdefault("split", "prefix")
    if split not in FAN_OUT_SPLITS:
        raise _fail(
            path,
            f'fan_out.split = {split!r}: use "prefix" (each immediate sub-prefix of input_uri '
            'is a batch, e.g. one folder per day) or "object" (each object is a batch)',
        )
    mode = fan_out.setdefault("mode", "distributed")
    if mode not in FAN_OUT_MODES:
        raise _fail(
            path,
            f'fan_out.mode = {mode!r}: use "distributed" (Distributed Map: thousands of '
            'batches, each a child workflow) or "inline" (inline Map: at most 1000 batches)',
        )
    top = FAN_OUT_CONCURRENCY[mode]
    concurrency = fan_out.setdefault("max_concurrency", 10)
    if (
        isinstance(concurrency, bool)
        or not isinstance(concurrency, int)
        or not (1 <= concurrency <= top)
    ):
        raise _fail(
            path,
            f"fan_out.max_concurrency = {concurrency!r}: give how many batches may run at once, a "
            f"whole number from 1 to {top} ({mode} Map's limit); 0 would mean no limit on AWS, "
            "which a legacy model's account quota rarely survives",
        )
    _check_tolerance(path, fan_out, mode)
    _check_objects_per_batch(path, fan_out)
    if "combine" in fan_out:
        combine = _settings(path, fan_out["combine"], STEP_KEYS, "fan_out.combine.")
        _check_step(path, COMBINE_STEP, combine)
        fan_out["combine"] = combine
    return fan_out


def _check_tolerance(path: Path, fan_out: dict[str, Any], mode: str) -> None:
    count = fan_out.get("tolerated_failures")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
        raise _fail(
            path,
            f"fan_out.tolerated_failures = {count!r}: give how many batches may fail before the "
            "run fails, a whole number from 0 (the default: any failed batch fails the run)",
        )
    percentage = fan_out.get("tolerated_failure_percentage")
    if percentage is not None and (
        isinstance(percentage, bool)
        or not isinstance(percentage, int | float)
        or not 0 <= percentage <= 100
    ):
        raise _fail(
            path,
            f"fan_out.tolerated_failure_percentage = {percentage!r}: give a number from 0 to 100 "
            "(the share of batches that may fail before the run fails)",
        )
    for key in ("tolerated_failures", "tolerated_failure_percentage"):
        if fan_out.get(key) is not None and mode != "distributed":
            raise _fail(
                path,
                f'fan_out.{key} needs mode = "distributed": Step Functions tolerates failed '
                "child workflows in a Distributed Map only (an inline Map fails at its first "
                "failed batch)",
            )


def _check_objects_per_batch(path: Path, fan_out: dict[str, Any]) -> None:
    """`objects_per_batch`: N objects per batch, each batch's objects listed in a manifest its
    first step reads as an `S3DataType: ManifestFile` input (docs/guide.md "Many batches")."""
    count = fan_out.get("objects_per_batch")
    if count is None:
        return
    if (
        isinstance(count, bool)
        or not isinstance(count, int)
        or not (1 <= count <= MAX_OBJECTS_PER_BATCH)
    ):
        raise _fail(
            path,
            f"fan_out.objects_per_batch = {count!r}: give how many objects each batch holds, a "
            f"whole number from 1 to {MAX_OBJECTS_PER_BATCH} (a batch's list of objects must fit "
            "a child workflow's 256 KiB input)",
        )
    if count > 1 and (fan_out["split"], fan_out["mode"]) != ("object", "distributed"):
        raise _fail(
            path,
            f'fan_out.objects_per_batch = {count} needs split = "object" and mode = '
            '"distributed": Step Functions groups items into batches in a Distributed Map only '
            "(its ItemBatcher), and a sub-prefix batch is already a group of objects",
        )


def _check_script(model: Model, step: str) -> None:
    script = model.script_for(step)
    declared = "script" in model._settings_of(step)
    key = "fan_out.combine" if step == COMBINE_STEP else step
    where = (
        f"{model.path / 'model.toml'}: {key}.script = {script!r}"
        if declared
        else (f"model {model.name!r}: {step} script {script}")
    )
    fix = (
        f"set {key}.script in model.toml to the step's script, a path relative to {model.path}"
        if not declared
        else "give the path of a regular file inside the model folder"
    )
    candidate = model.path / script
    parts = script.split("/")
    if any(part in EXCLUDED_DIRS for part in parts[:-1]) or parts[-1] in EXCLUDED_FILES:
        raise LegacyLiftError(
            f"{where}: files under {', '.join(f'{d}/' for d in sorted(EXCLUDED_DIRS))} and the "
            f"files {', '.join(sorted(EXCLUDED_FILES))} stay out of the image and the code "
            "upload; point at a script outside them"
        )
    if not candidate.exists() and not candidate.is_symlink():
        if not declared:
            raise LegacyLiftError(
                f"model {model.name!r} is missing {script} (its {step} script) in {model.path}: "
                f"add it, or {fix}"
            )
        raise LegacyLiftError(f"{where}: no such file in {model.path}; {fix}")
    if candidate.resolve() != model.path.resolve() / script:
        raise LegacyLiftError(
            f"{where}: is (or lies under) a symbolic link; the image and the code upload hold "
            "regular files only: copy the script into the model folder"
        )
    if not candidate.is_file():
        raise LegacyLiftError(f"{where}: not a regular file; {fix}")
