#!/bin/sh
# The desktop run that produced sample/expected/: the three legacy scripts, one after the
# other, in one container of the project's own image (its Dockerfile), by hand, no LegacyLift
# engine. Usage: sh sample/desktop_run.sh IMAGE > sample/expected/report.csv
set -eu
here=$(cd "$(dirname "$0")" && pwd)
docker run --rm --network none --user 0 --label org.legacylift.test=desktop-run \
  -v "$here/input:/sample:ro" --entrypoint sh "$1" -c '
    set -e
    mkdir -p /opt/ml/processing/input/raw /opt/ml/processing/output
    cp /sample/sales.csv /opt/ml/processing/input/raw/
    python3 preprocess.py >&2
    mv /opt/ml/processing/output/features.csv /opt/ml/processing/input/
    python3 predict.py >&2
    mkdir -p /opt/ml/processing/input/predictions
    mv /opt/ml/processing/output/predictions.csv /opt/ml/processing/input/predictions/
    python3 postprocess.py >&2
    cat /opt/ml/processing/output/report.csv'
