#!/usr/bin/env bash
# Times pytest over a selection of the suite on the bundled minimum Terraform (the long leg of
# `invoke test`), with one process or with N pytest-xdist workers (`--dist loadgroup`).
# Usage: benchmarks/suite_time.sh WORKERS [PYTEST ARGUMENTS...]
#   benchmarks/suite_time.sh 1 tests/aws tests/terraform
#   benchmarks/suite_time.sh 2 tests/aws tests/terraform
# Appends a line per run to benchmarks/results/suite_time.tsv with the machine and the load
# average (other processes on the machine stretch wall times); the slowest tests of the run
# are in its pytest output (--durations=25).
set -euo pipefail
cd "$(dirname "$0")/.."
workers=${1:?usage: benchmarks/suite_time.sh WORKERS [PYTEST ARGUMENTS...]}
shift
out=benchmarks/results/suite_time.tsv
[ -f "$out" ] || printf 'date\tmachine\tterraform\tworkers\tselection\tresult\tseconds\tload_before\tload_after\n' > "$out"
machine="$(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(. /etc/os-release; echo "$PRETTY_NAME")"
minimum=$(.venv/bin/python -c 'from legacylift.terraform_select import matrix_legs; print(matrix_legs()[0].path)')
parallel=()
[ "$workers" -gt 1 ] && parallel=(-n "$workers" --dist loadgroup)
load_before=$(cut -d' ' -f1 /proc/loadavg)
start=$(date +%s%N)
set +e
LEGACYLIFT_TERRAFORM=$minimum PATH="$PWD/.legacylift/bin:$PATH" \
  .venv/bin/python -m pytest "${parallel[@]}" -q -p no:cacheprovider --durations=25 "$@"
rc=$?
set -e
secs=$(python3 -c "print(($(date +%s%N) - $start) / 1e9)")
result=passed; [ "$rc" = 0 ] || result="failed (exit $rc)"
printf '%s\t%s\t%s\t%s\t%s\t%s\t%.1f\t%s\t%s\n' "$(date -u +%FT%TZ)" "$machine" \
  "$("$minimum" version | head -1)" "$workers" "$*" "$result" "$secs" "$load_before" \
  "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$out"
exit "$rc"
