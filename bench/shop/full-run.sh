#!/usr/bin/env bash
# The time of a whole protocol run on the shop, as `archgate demo` does it: `archgate run --up` (start the shop,
# every step, stop it), ROUNDS times with a fresh database each, after a build (warm: no first-run restore or
# compile in the figures). Per round it prints the verdict, the load average, the wall time and each step's
# duration; at the end the median and range of each step and of the whole run, and every check that took 2 s or more.
# Uses the shop's fixed ports 7001-7403: nothing else may run the shop meanwhile.
#   bench/shop/full-run.sh                  # 3 rounds
#   ROUNDS=5 SKIP_BUILD=1 bench/shop/full-run.sh
# Each round gets a fresh database and a fresh payments store: a payments store kept from an earlier round knows
# the new round's order ids already and answers them with its old payments, so no charge would reach the gateway.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
rounds="${ROUNDS:-3}"
cd "$root"
if [[ -z "${SKIP_BUILD:-}" ]]; then
  dotnet build Archgate.slnx -c Release -v quiet -nologo >/dev/null
fi

archgate() { dotnet src/Archgate.Cli/bin/Release/net10.0/archgate.dll "$@"; }
work="$(mktemp -d)"
manifest=samples/shop/archgate.yaml
trap 'rm -rf "$work"' EXIT

echo "bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(git rev-parse --short HEAD)"
for round in $(seq 1 "$rounds"); do
  dir="$work/$round"
  mkdir -p "$dir"
  before="$(cut -d' ' -f1-3 /proc/loadavg)"
  cpu_before="$(head -1 /proc/stat)"
  start=$(date +%s.%N)
  SHOP_DB="Data Source=$dir/shop.db" SHOP_PAYMENTS_DB="Data Source=$dir/payments.db" archgate run "$manifest" --up --store "$dir/archgate.db" --out "$dir/out" >"$dir/stdout" 2>&1 || true
  wall=$(echo "$(date +%s.%N) - $start" | bc)
  after="$(cut -d' ' -f1-3 /proc/loadavg)"
  busy=$(python3 -c 'import sys; a, b = ([int(x) for x in s.split()[1:]] for s in sys.argv[1:]); d = [y - x for x, y in zip(a, b)]; print(f"{100 * (1 - (d[3] + d[4]) / sum(d)):.0f}")' "$cpu_before" "$(head -1 /proc/stat)")
  [[ -f "$dir/out/run.json" ]] || { echo "round $round: no run.json; archgate said:"; tail -20 "$dir/stdout"; continue; }
  python3 - "$dir/out/run.json" "$round" "$before" "$after" "$wall" "$busy" <<'PY' | tee -a "$work/rounds"
import json, os, sys
path, rnd, before, after, wall, busy = sys.argv[1:]
run = json.load(open(path))
steps = " ".join(f"{s['number']}:{s['durationMs'] / 1000:.1f}" for s in run["steps"])
print(f"round {rnd}: verdict {run['verdict']}; load average {before} -> {after}; wall {float(wall):.1f} s; CPU busy {busy} % of {os.cpu_count()} cores; steps (s) {steps}")
with open(path + ".checks", "w") as out:
    for s in run["steps"]:
        for c in s["checks"]:
            out.write(f"{s['number']}\t{c['id']}\t{c['durationMs'] / 1000:.2f}\n")
PY
  cat "$dir/out/run.json.checks" >>"$work/checks"
done

python3 - "$work/rounds" <<'PY'
import re, statistics, sys
rows = [line for line in open(sys.argv[1]) if line.startswith("round")]
if not rows:
    sys.exit("no round produced a run.json (see above)")
walls = [float(re.search(r"wall ([0-9.]+) s", r).group(1)) for r in rows]
steps = {}
for r in rows:
    for n, d in re.findall(r"(\d+):([0-9.]+)", r.split("steps (s)")[1]):
        steps.setdefault(int(n), []).append(float(d))
fmt = lambda v: f"median {statistics.median(v):.1f} s, range {min(v):.1f}-{max(v):.1f} s"
for n in sorted(steps):
    print(f"step {n}: {fmt(steps[n])}")
print(f"whole run (process start to exit): {fmt(walls)} over {len(walls)} rounds")
PY

# Where the time goes: every check that took 2 s or more (median over the rounds), slowest first, with its share of
# the median of the steps' sum. The rest is listed as one line.
python3 - "$work/checks" <<'PY'
import collections, statistics, sys
times = collections.defaultdict(list)
for line in open(sys.argv[1]):
    step, check, seconds = line.rstrip("\n").split("\t")
    times[(int(step), check)].append(float(seconds))
median = {k: statistics.median(v) for k, v in times.items()}
total = sum(median.values())
print(f"checks, median over the rounds (sum of all checks {total:.1f} s):")
slow = sorted((k for k in median if median[k] >= 2), key=lambda k: -median[k])
for step, check in slow:
    v = times[(step, check)]
    print(f"  step {step:<2} {check:<58} {median[(step, check)]:6.1f} s ({min(v):.1f}-{max(v):.1f})  {100 * median[(step, check)] / total:4.1f} %")
rest = [k for k in median if median[k] < 2]
print(f"  {len(rest)} other checks together {sum(median[k] for k in rest):.1f} s")
PY
