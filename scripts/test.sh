#!/usr/bin/env bash
# Runs every test: unit tests and the integration tests that start real LXD daemons in network
# namespaces. The CLI tests run against the NativeAOT binary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
bash scripts/package.sh   # the Debian package: its install/upgrade/purge tests run below
log=$(mktemp)
set +e
# Each test is listed with its duration: a slow CI run shows where its time went.
TERRARIUMCTL="$(pwd)/out/terrariumctl" dotnet test Terrarium.slnx -c Release --no-build -nologo --logger "console;verbosity=normal" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# One plain closing line for the whole run, summed over the test assemblies.
# Both of dotnet test's closing formats: "Passed!  - Failed: 0, Passed: 413, ..." and, with the listing, "     Passed: 413".
awk '/(Passed|Failed)!/ || /^ *(Passed|Failed|Skipped): [0-9]+ *$/ { for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
# CI keeps only the end of this output: name every failed test there, with the first lines of its error.
awk '/^ +Failed [A-Za-z]/ { name = $2; keep = 0; next }
     name != "" && /^ +Error Message:/ { print "FAILED " name; keep = 6; name = ""; next }
     keep > 0 && (/^ +(Stack Trace|Standard Output Messages):/ || /--- the lab.s logs/) { keep = 0; next }
     keep > 0 { print "    " substr($0, 1, 400); keep-- }' "$log"
rm -f "$log"
exit "$rc"
