#!/usr/bin/env bash
# Reads a `dotnet test --logger "console;verbosity=normal"` log: prints one plain closing line for the whole run
# (summed over the test assemblies), then every failed test with the first lines of its error, real failures first
# and the steps that did not run because of them after ("Not run: …").
set -euo pipefail
log="$1"
# Both of dotnet test's closing formats: "Passed!  - Failed: 0, Passed: 413, ..." and, with the listing, "     Passed: 413".
awk '/(Passed|Failed)!/ || /^ *(Passed|Failed|Skipped): [0-9]+ *$/ { for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
# CI keeps only the end of this output: name every failed test there, with the first lines of its error.
failures=$(awk '/^ +Failed [A-Za-z]/ { name = $2; keep = 0; next }
     name != "" && /^ +Error Message:/ { printf "\nFAILED %s", name; keep = 6; name = ""; next }
     keep > 0 && (/^ +(Stack Trace|Standard Output Messages):/ || /--- the lab.s logs/) { keep = 0; next }
     keep > 0 { printf "\x1f    %s", substr($0, 1, 400); keep-- }' "$log")
printf '%s\n' "$failures" | grep -v '^$' | grep -v 'Not run: ' | tr '\037' '\n' || true
printf '%s\n' "$failures" | grep 'Not run: ' | tr '\037' '\n' || true
