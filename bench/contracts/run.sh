#!/usr/bin/env bash
# Contract benchmarks (validation throughput on one core, large-document load time). Usage:
#   bench/contracts/run.sh [SECONDS_PER_CASE] [OPERATIONS_IN_THE_LARGE_DOCUMENT]
# Pinned to one core with taskset when it is there; Release build; prints markdown tables.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds="${1:-3}"
operations="${2:-3000}"
dotnet build "$here/Archgate.Bench.Contracts.csproj" -c Release -v q -nologo >/dev/null
dll="$here/bin/Release/net10.0/Archgate.Bench.Contracts.dll"
pin=()
if command -v taskset >/dev/null; then pin=(taskset -c 0); fi
# Full JIT at once (no tiering): steady-state numbers without waiting for background compiles on a loaded machine.
DOTNET_TieredCompilation=0 DOTNET_gcServer=0 "${pin[@]}" dotnet "$dll" "$root" "$seconds" "$operations"
