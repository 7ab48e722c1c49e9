#!/bin/sh
# The desktop run behind sample/expected/: the three legacy scripts, one after the other, in
# one container of the project's own image (its Dockerfile), by hand, without the LegacyLift
# engine; networking off. Usage: sh sample/desktop_run.sh IMAGE
# (`python legacy_models/regenerate.py demand` builds the image and runs this).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/expected"
docker run --rm --network none --user 0 --label org.legacylift.test=desktop-run \
  -e HOST_OWNER="$(id -u):$(id -g)" \
  -v "$here/input:/sample:ro" -v "$here/expected:/expected" --entrypoint sh "$1" -c '
    set -e
    mkdir -p /opt/ml/processing/input/raw /opt/ml/processing/output
    cp /sample/sales.csv /opt/ml/processing/input/raw/
    python3 preprocess.py
    mv /opt/ml/processing/output/features.csv /opt/ml/processing/input/
    python3 predict.py
    mkdir -p /opt/ml/processing/input/predictions
    mv /opt/ml/processing/output/predictions.csv /opt/ml/processing/input/predictions/
    python3 postprocess.py
    cp /opt/ml/processing/output/report.csv /expected/report.csv
    chown "$HOST_OWNER" /expected/report.csv'
