#!/usr/bin/env bash
# Runs one test class N times in a row and prints its failures and durations: a flaky class shows here, not in CI.
#   bash scripts/soak.sh CLASS N     e.g. bash scripts/soak.sh WorkloadScenario 3
# Needs a build (bash scripts/build.sh) and root for the lab classes; each run's log is kept under /tmp.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] && [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "usage: soak.sh CLASS N (N a whole number from 1)" >&2; exit 2; }
class="$1" n="$2"
export TERRARIUMCTL="$(pwd)/out/terrariumctl"
fails=0 durations=()
for i in $(seq 1 "$n"); do
  log="/tmp/soak-$class-$i.log"
  start=$(date +%s)
  if dotnet test Terrarium.slnx -c Release --no-build -nologo --filter "FullyQualifiedName~.$class." \
       --logger "console;verbosity=normal" --blame-hang-timeout 12min --blame-hang-dump-type none > "$log" 2>&1; then
    result=pass
  else
    result=FAIL; fails=$((fails + 1))
  fi
  d=$(( $(date +%s) - start )); durations+=("$d")
  echo "soak $class run $i/$n: $result in ${d} s ($(bash scripts/test-summary.sh "$log" | tail -1); log $log)"
done
sorted=$(printf '%s\n' "${durations[@]}" | sort -n)
p50=$(printf '%s\n' "$sorted" | sed -n "$(( (n + 1) / 2 ))p"); max=$(printf '%s\n' "$sorted" | tail -1)
echo "soak $class: $fails of $n failed; duration p50 ${p50} s, max ${max} s"
[ "$fails" -eq 0 ]
