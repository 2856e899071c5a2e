#!/usr/bin/env bash
# How `cradle run` scales across MPI ranks on this machine: the same run on 1, 2, … ranks
# (each with the same threads), its wall time, the speed-up over 1 rank and the efficiency
# (speed-up / ranks), as a Markdown report on stdout. Needs a cradle built with
# -DCRADLE_USE_MPI=ON (README.md: Running on a cluster) and mpirun.
#
#   bench/mpi_scaling.sh [-c CRADLE] [-n "1 2 4"] [-t THREADS] [-- RUN ARGUMENTS…]
#
# -c  the program (default build-mpi/cradle); -n  the rank counts (default: 1 and 2);
# -t  threads per rank (default 1: ranks alone use the cores); after --, what `cradle run` is
# given (default: scenarios/sets/xihu_levers.toml -r 32, the shipped Xihu set at full size).
# Each case runs once, after one untimed warm-up run; a busy machine shows in the times.
set -euo pipefail
cd "$(dirname "$0")/.."

cradle=build-mpi/cradle
rank_counts="1 2"
threads=1
while [ $# -gt 0 ]; do
  case "$1" in
    -c) cradle=$2; shift 2 ;;
    -n) rank_counts=$2; shift 2 ;;
    -t) threads=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "usage: $0 [-c CRADLE] [-n \"1 2 4\"] [-t THREADS] [-- RUN ARGUMENTS…]" >&2; exit 2 ;;
  esac
done
run_args=("$@")
[ ${#run_args[@]} -gt 0 ] || run_args=(scenarios/sets/xihu_levers.toml -r 32)
[ -x "$cradle" ] || { echo "$0: no program at $cradle (build with -DCRADLE_USE_MPI=ON)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# As root (CI, containers) mpirun wants --allow-run-as-root; --oversubscribe allows more
# ranks × threads than cores, which then shows as lost efficiency.
mpirun=(mpirun -q --oversubscribe --bind-to none)
[ "$(id -u)" -ne 0 ] || mpirun+=(--allow-run-as-root)

run_once() {  # ranks → wall seconds
  local start end
  start=$(date +%s.%N)
  "${mpirun[@]}" -n "$1" "$cradle" run "${run_args[@]}" -t "$threads" -q -o "$work/out.h5" >/dev/null
  end=$(date +%s.%N)
  echo "$start $end" | awk '{ printf "%.2f", $2 - $1 }'
}

run_once 1 >/dev/null  # warm-up: page cache, first-touch of the program
echo "# cradle run across MPI ranks"
echo
echo "- $(date -u +%Y-%m-%d), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) hardware threads, load average $(cut -d' ' -f1 /proc/loadavg) at the start"
echo "- \`cradle run ${run_args[*]} -t $threads\` ($("$cradle" --version))"
echo
echo "| ranks | threads per rank | wall time (s) | speed-up | efficiency |"
echo "|---:|---:|---:|---:|---:|"
base=""
for n in $rank_counts; do
  t=$(run_once "$n")
  [ -n "$base" ] || base=$t
  awk -v n="$n" -v th="$threads" -v t="$t" -v b="$base" \
    'BEGIN { printf "| %d | %d | %.2f | %.2f | %.0f %% |\n", n, th, t, b / t, 100 * b / t / n }'
done
