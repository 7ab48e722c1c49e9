"""Retrain a sample model and regenerate its expected output, offline, inside its own image.

    python legacy_models/regenerate.py NAME

Runs `train.py` (artifacts and sample input) and then the original desktop script
`legacy/original.py sample/input sample/expected` in a container of the model's image, so the
libraries are exactly the pinned ones and nothing is added to LegacyLift's own environment.
Networking is off: training uses only data the libraries ship or data it generates.
A model with `sample/desktop_run.sh` (a legacy project taken as it is) runs that instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from legacylift.containerise import ensure_model_image
from legacylift.docker_client import docker_client
from legacylift.models import load_model


def run_in_image(image: str, folder: str, *command: str) -> None:
    """Run `python3 command...` in `image` with the model folder as the working directory."""
    output = docker_client().containers.run(
        image,
        entrypoint=["python3", *command],
        working_dir="/work",
        volumes={folder: {"bind": "/work", "mode": "rw"}},
        user=f"{os.getuid()}:{os.getgid()}",
        # The original ran from the model's folder: its helper modules import from there.
        environment={"HOME": "/tmp", "PYTHONPATH": "/work"},  # noqa: S108 (a throwaway container's own /tmp)
        network_disabled=True,
        remove=True,
    )
    print(output.decode(), end="")


def main(name: str) -> None:
    model = load_model(name)
    folder = str(model.path.resolve())
    image = ensure_model_image(name)  # only its Python environment is used here
    desktop_run = model.path / "sample" / "desktop_run.sh"
    if desktop_run.is_file():  # a legacy project taken as it is: its own desktop run, no training
        subprocess.run(["sh", str(desktop_run), image], check=True)
        return
    run_in_image(image, folder, "train.py")
    shutil.rmtree(model.path / "sample" / "expected", ignore_errors=True)
    run_in_image(image, folder, "legacy/original.py", "sample/input", "sample/expected")


if __name__ == "__main__":
    main(sys.argv[1])
