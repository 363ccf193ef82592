#!/usr/bin/env bash
# Contract benchmarks (validation throughput on one core, large-document load time). Usage:
#   bench/contracts/run.sh [SECONDS_PER_CASE] [OPERATIONS_IN_THE_LARGE_DOCUMENT]
#   ROUNDS=5 bench/contracts/run.sh 3 3000
# Pinned to one core with taskset when it is there; Release build. Prints the first round's markdown tables, then
# per row the median, min and max over ROUNDS rounds (default 3) with the load average before and after.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds="${1:-3}"
operations="${2:-3000}"
rounds="${ROUNDS:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dotnet build "$here/Archgate.Bench.Contracts.csproj" -c Release -v q -nologo >/dev/null
dll="$here/bin/Release/net10.0/Archgate.Bench.Contracts.dll"
pin=()
if command -v taskset >/dev/null; then pin=(taskset -c 0); fi
before="$(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
  # Full JIT at once (no tiering): steady-state numbers without waiting for background compiles on a loaded machine.
  DOTNET_TieredCompilation=0 DOTNET_gcServer=0 "${pin[@]}" dotnet "$dll" "$root" "$seconds" "$operations" >"$work/$round.md"
done
cat "$work/1.md"
echo
echo "over $rounds rounds (load average $before -> $(cut -d' ' -f1-3 /proc/loadavg)):"
python3 - "$work" "$rounds" <<'PY'
import re, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
rows = {}
for r in range(1, rounds + 1):
    for line in open(f"{work}/{r}.md"):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or cells[0] in ("payload", "large document") or cells[0].startswith("---"):
            continue
        rows.setdefault(cells[0], []).append(cells)
def num(text):
    m = re.match(r"([0-9][0-9,]*\.?[0-9]*)", text.replace(" ", ""))
    return float(m.group(1).replace(",", "")) if m else None
def span(values, unit=""):
    return f"median {statistics.median(values):,.1f}{unit} (min {min(values):,.1f}, max {max(values):,.1f})"
for name, all_cells in rows.items():
    if name == "generated YAML":
        load = [num(c[3]) for c in all_cells]
        build = [num(c[4]) for c in all_cells]
        print(f"- {name}: load {span(load, ' ms')}; translate + build {span(build, ' ms')}")
        continue
    validations = [v for v in (num(c[2]) for c in all_cells) if v is not None]
    ratios = [v for v in (num(c[4]) for c in all_cells if len(c) > 4 and c[4]) if v is not None]
    line = f"- {name}: validations/s {span(validations)}"
    if ratios:
        line += f"; validate / parse {span(ratios, ' %')}"
    print(line)
PY
