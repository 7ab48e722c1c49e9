"""Tiny legacy models (stdlib-only scripts) and their images, for end-to-end tests and the
overhead benchmark: built from the base image in a second, labelled, reused."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

LABEL = "legacylift.test"

COPY_DATA = """\
import pathlib, shutil, sys
src, dst = pathlib.Path("/opt/ml/processing/input/data"), pathlib.Path("/opt/ml/processing/output")
for path in sorted(p for p in src.rglob("*") if p.is_file()):
    target = dst / path.relative_to(src)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)
print("copied", sys.argv[0])
"""
UPPERCASE = """\
import pathlib
src, dst = pathlib.Path("/opt/ml/processing/input/data"), pathlib.Path("/opt/ml/processing/output")
for path in sorted(src.rglob("*.txt")):
    (dst / path.name).write_text(path.read_text().upper())
print("uppercased")
"""
FAIL = """\
import sys
print("loading the legacy model")
print("ValueError: column 'price' not found", file=sys.stderr)
open("/opt/ml/output/message", "w").write("column 'price' not found")
sys.exit(1)
"""
SLEEP = "import time\nprint('working', flush=True)\ntime.sleep(120)\n"

MODELS = {
    "noop3": (
        {"preprocessing.py": COPY_DATA, "predict.py": COPY_DATA, "postprocessing.py": COPY_DATA},
        "",
    ),
    "single": ({"predict.py": UPPERCASE}, 'steps = ["inference"]\n'),
    "fails": ({"predict.py": FAIL}, 'steps = ["inference"]\n'),
    "slow": ({"predict.py": SLEEP}, 'steps = ["inference"]\n\n[inference]\nmax_runtime = 2\n'),
}


def write_models(root: Path, names=None) -> Path:
    """Write the tiny model folders under `root` (use as LEGACYLIFT_MODELS_DIR)."""
    for name, (scripts, toml) in MODELS.items():
        if names and name not in names:
            continue
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "requirements.txt").write_text("")
        if toml:
            (folder / "model.toml").write_text(toml)
        for filename, text in scripts.items():
            (folder / filename).write_text(text)
    return root


def model_image(client, base_image: str, folder: Path) -> str:
    """An image with `folder` at /opt/ml/code (the model image's layout), built if missing."""
    files = sorted(p for p in folder.iterdir() if p.is_file())
    dockerfile = (
        f"FROM {base_image}\nCOPY code/ /opt/ml/code/\nWORKDIR /opt/ml/code\n"
        f'LABEL {LABEL}="tiny-model"\n'
    )
    digest = hashlib.sha256(dockerfile.encode())
    for path in files:
        digest.update(path.name.encode() + path.read_bytes())
    reference = f"legacylift-test/{folder.name}:{digest.hexdigest()[:12]}"
    if client.images.list(name=reference):
        return reference
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as archive:
        entries = [("Dockerfile", dockerfile.encode())]
        entries += [(f"code/{path.name}", path.read_bytes()) for path in files]
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            archive.addfile(info, io.BytesIO(data))
    context.seek(0)
    client.images.build(fileobj=context, custom_context=True, tag=reference, rm=True)
    return reference


def one_step_model(
    tmp_path: Path, monkeypatch, client, base_image: str, name: str, script: str
) -> tuple[dict[str, str], Path]:
    """A one-step (inference) model `name` running `script`, as the models directory: its
    images ({"model", "framework"}) and an input folder holding one small text file."""
    folder = tmp_path / "models" / name
    folder.mkdir(parents=True)
    (folder / "requirements.txt").write_text("")
    (folder / "model.toml").write_text('steps = ["inference"]\n')
    (folder / "predict.py").write_text(script)
    monkeypatch.setenv("LEGACYLIFT_MODELS_DIR", str(folder.parent))
    data = tmp_path / "input"
    data.mkdir()
    (data / "note.txt").write_text("kept\n")
    return {"model": model_image(client, base_image, folder), "framework": base_image}, data
