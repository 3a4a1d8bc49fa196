#!/usr/bin/env bash
# The main job: install dependencies, build, and bring up a local N-node Terrarium lab (default 3).
# Tear it down with (as root): out/terrariumctl lab down
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
out/terrariumctl lab up --nodes "${1:-3}"
