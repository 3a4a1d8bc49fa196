#!/usr/bin/env bash
# Reads a `dotnet test --logger "console;verbosity=normal"` log and prints, last lines last (CI keeps the end): where
# the time went per integration class, every failed test with the first lines of its error (real failures first, then
# the steps that did not run because of them), and one plain closing line for the whole run, summed over the assemblies.
set -euo pipefail
log="$1"
# The agents' last lines at a lab step's first failure (what each node's agent was doing), first, so that the
# failures and the totals stay last.
awk '/^ +Failed [A-Za-z]/ { name = $2 }
     /--- the lab.s logs when it failed ---/ { inlogs = 1; printf "\nAGENT LOGS when %s failed (last lines of each):\n", name; next }
     inlogs && /--- the failure ---/ { flush(); inlogs = 0; next }
     inlogs && /== .* ==$/ { flush(); if ($0 ~ /agent\.log ==$/) { header = $0; sub(/^ +/, "", header); n = 0 } next }
     inlogs && header != "" { buf[n % 12] = substr($0, 1, 300); n++ }
     function flush(  i, start) {
       if (header == "") return
       print header; start = n > 12 ? n - 12 : 0
       for (i = start; i < n; i++) print buf[i % 12]
       header = ""; n = 0 }' "$log"
# Where the time went: each integration class's steps added up (its lab's start is printed by the lab itself).
awk '/^ +(Passed|Failed) Terrarium\.IntegrationTests\./ && match($0, /\[[^]]*\]$/) {
       d = substr($0, RSTART + 1, RLENGTH - 2); s = 0
       if (d ~ /ms$/) s = 0; else { n = split(d, p, " "); for (i = 1; i < n; i++) { if (p[i+1] == "m") s += 60 * p[i]; if (p[i+1] == "s") s += p[i]; if (p[i+1] == "h") s += 3600 * p[i] } }
       split($2, q, "."); cls = q[length(q) - 1]; t[cls] += s }
     END { for (c in t) printf "class %-28s %5d s of steps\n", c, t[c] }' "$log" | sort -k3 -n -r
# CI keeps only the end of this output: name every failed test there, with the first lines of its error.
failures=$(awk '/^ +Failed [A-Za-z]/ { name = $2; keep = 0; next }
     name != "" && /^ +Error Message:/ { printf "\nFAILED %s", name; keep = 6; name = ""; next }
     keep > 0 && (/^ +(Stack Trace|Standard Output Messages):/ || /--- the lab.s logs/) { keep = 0; next }
     keep > 0 { printf "\x1f    %s", substr($0, 1, 400); keep-- }' "$log")
printf '%s\n' "$failures" | grep -v '^$' | grep -v 'Not run: ' | tr '\037' '\n' || true
printf '%s\n' "$failures" | grep 'Not run: ' | tr '\037' '\n' || true
# Both of dotnet test's closing formats: "Passed!  - Failed: 0, Passed: 413, ..." and, with the listing, "     Passed: 413".
awk '/(Passed|Failed)!/ || /^ *(Passed|Failed|Skipped): [0-9]+ *$/ { for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
