#!/usr/bin/env bash
# Times ./bootstrap: a cold run (no venv, no cached base rootfs, no base image) and a warm rerun.
# Usage: benchmarks/setup_timing.sh [--cold]   (--cold deletes .venv, the base image and its cache)
# Appends a line per run to benchmarks/results/setup.tsv with the machine it ran on.
set -euo pipefail
cd "$(dirname "$0")/.."
out=benchmarks/results/setup.tsv
mkdir -p "$(dirname "$out")"
[ -f "$out" ] || printf 'date\tmachine\trun\tseconds\tbase_image\tbase_image_mb\n' > "$out"
machine="$(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(. /etc/os-release; echo "$PRETTY_NAME")"
if [ "${1:-}" = --cold ]; then
  rm -rf .venv .legacylift "${XDG_CACHE_HOME:-$HOME/.cache}/legacylift/base"
  docker images --format '{{.Repository}}:{{.Tag}}' | grep '^legacylift/base:' | xargs -r docker rmi -f >/dev/null
fi
for run in first second; do
  start=$(date +%s%N)
  ./bootstrap >/dev/null
  secs=$(python3 -c "print(($(date +%s%N) - $start) / 1e9)")
  base=$(.venv/bin/python -c 'from legacylift.settings import base_image; print(base_image())')
  mb=$(docker image inspect "$base" --format '{{.Size}}' | awk '{printf "%.0f", $1/1e6}')
  label=$run; [ "${1:-}" = --cold ] && [ $run = first ] && label=cold
  printf '%s\t%s\t%s\t%.2f\t%s\t%s\n' "$(date -u +%FT%TZ)" "$machine" "$label" "$secs" "$base" "$mb" | tee -a "$out"
done
