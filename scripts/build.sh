#!/usr/bin/env bash
# Builds the solution and the NativeAOT terrariumctl into out/terrariumctl.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build Terrarium.slnx -c Release -nologo -v quiet
dotnet publish src/Terrarium.Cli/Terrarium.Cli.csproj -c Release -r linux-x64 -o out -nologo -v quiet
out/terrariumctl --help >/dev/null
echo "built $(pwd)/out/terrariumctl (NativeAOT, $(du -h out/terrariumctl | cut -f1))" >&2
