#!/usr/bin/env bash
# Runs the tests. With no argument: everything CI runs (as root: installs deps, builds, packages, then the unit and
# contract tests and the integration tests that start real LXD/Incus daemons in network namespaces; about 33-35 min on 2 vCPU).
#   --unit          unit and contract tests only: no root, no lab, no package (~2.5 min with the build)
#   --filter EXPR   only the tests dotnet test's --filter EXPR selects (e.g. FullyQualifiedName~WorkloadScenario)
# The CLI tests run against the NativeAOT binary when it is built (out/terrariumctl).
set -euo pipefail
cd "$(dirname "$0")/.."
unit=0 filter=()
while [ $# -gt 0 ]; do
  case "$1" in
    --unit) unit=1 ;;
    --filter) [ $# -ge 2 ] || { echo "test.sh: --filter needs an expression" >&2; exit 2; }; filter=(--filter "$2"); shift ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test.sh: unknown argument '$1' (--unit, --filter EXPR)" >&2; exit 2 ;;
  esac
  shift
done

targets=(Terrarium.slnx)
if [ "$unit" = 1 ]; then
  dotnet build tests/Terrarium.UnitTests -c Release -nologo -v quiet
  targets=(tests/Terrarium.UnitTests)
else
  bash scripts/install-deps.sh
  bash scripts/build.sh
  bash scripts/package.sh   # the Debian package: its install/upgrade/purge tests run below
fi
[ -x out/terrariumctl ] && export TERRARIUMCTL="$(pwd)/out/terrariumctl"
log=$(mktemp)
set +e
# Each test is listed with its duration: a slow CI run shows where its time went. A test (or a lab fixture's start)
# that runs 12 minutes is a hang: it fails with a dump of the test host instead of running into CI's limit.
dotnet test "${targets[@]}" -c Release --no-build -nologo "${filter[@]}" --logger "console;verbosity=normal" \
  --blame-hang-timeout 12min --blame-hang-dump-type mini 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
bash scripts/test-summary.sh "$log"
rm -f "$log"
exit "$rc"
