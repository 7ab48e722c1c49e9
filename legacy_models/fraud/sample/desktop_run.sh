#!/bin/sh
# The desktop run behind sample/expected/: the three legacy scripts, one after the other, in
# one container of the project's own image (its Dockerfile, WORKDIR /app), by hand, without the
# LegacyLift engine; networking off. Usage: sh sample/desktop_run.sh IMAGE
# (`python legacy_models/regenerate.py fraud` builds the image and runs this).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/expected"
docker run --rm --network none --user 0 --label org.legacylift.test=desktop-run \
  -e HOST_OWNER="$(id -u):$(id -g)" \
  -v "$here/input:/sample:ro" -v "$here/expected:/expected" --entrypoint sh "$1" -c '
    set -e
    mkdir -p /opt/ml/processing/input /opt/ml/processing/output
    cp /sample/transactions.csv /opt/ml/processing/input/
    python3 prep.py
    mv /opt/ml/processing/output/features.csv /opt/ml/processing/input/
    python3 score.py
    mv /opt/ml/processing/output/scores.csv /opt/ml/processing/input/
    python3 report.py
    cp /opt/ml/processing/output/report.csv /expected/report.csv
    chown "$HOST_OWNER" /expected/report.csv'
