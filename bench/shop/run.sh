#!/usr/bin/env bash
# The shop's order journey under step 8's default load (samples/shop/archgate.yaml as it is: 100 users for
# 5 s, then 500), ROUNDS times. Per round it prints the machine's load average and, for the baseline stage
# (100 users), the p95 of the journey's routes; at the end the median and range of "follow order to paid"
# (placed -> paid). Uses the shop's fixed ports 7001-7301: nothing else may run the shop meanwhile.
#   bench/shop/run.sh                 # 3 rounds, ~1.5 min each
#   ROUNDS=5 SKIP_BUILD=1 bench/shop/run.sh
#   BASELINE=20s bench/shop/run.sh     # a longer baseline stage (a copy of the manifest, deleted afterwards)
# Each round gets a fresh database and a fresh payments store: a payments store kept from an earlier round knows
# the new round's order ids already and answers them with its old payments, so no charge would reach the gateway.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
rounds="${ROUNDS:-3}"
cd "$root"
if [[ -z "${SKIP_BUILD:-}" ]]; then
  dotnet build Archgate.slnx -c Release -v quiet -nologo >/dev/null
fi

work="$(mktemp -d)"
manifest=samples/shop/archgate.yaml
if [[ -n "${BASELINE:-}" ]]; then
  manifest=samples/shop/.bench-archgate.yaml   # beside the original: its paths are relative to its folder
  sed "s/- { name: baseline, users: 100, duration: 5s }/- { name: baseline, users: 100, duration: $BASELINE }/" samples/shop/archgate.yaml >"$manifest"
fi
trap 'rm -rf "$work"; rm -f samples/shop/.bench-archgate.yaml' EXIT
for round in $(seq 1 "$rounds"); do
  dir="$work/$round"
  mkdir -p "$dir"
  before="$(cut -d' ' -f1-3 /proc/loadavg)"
  SHOP_DB="Data Source=$dir/shop.db" SHOP_PAYMENTS_DB="Data Source=$dir/payments.db" dotnet src/Archgate.Cli/bin/Release/net10.0/archgate.dll \
    run "$manifest" --up --steps 8 --store "$dir/archgate.db" --out "$dir/out" >"$dir/stdout" 2>&1 || true
  after="$(cut -d' ' -f1-3 /proc/loadavg)"
  [[ -f "$dir/out/run.json" ]] || { echo "round $round: no run.json; archgate said:"; tail -20 "$dir/stdout"; continue; }
  python3 - "$dir/out/run.json" "$round" "$before" "$after" <<'PY' | tee -a "$work/rounds"
import json, sys
path, rnd, before, after = sys.argv[1:]
run = json.load(open(path))
step = next(s for s in run["steps"] if s["number"] == 8)
metrics = [m for c in step["checks"] if c["id"].startswith("load:") for m in c.get("metrics", [])]
def p95(route, stage):
    for m in metrics:
        t = m.get("tags", {})
        if m["name"] == "http_req_duration" and t.get("route") == route and t.get("stage") == stage and t.get("stat") == "p95":
            return m["value"]
    return float("nan")
routes = ["POST /auth/login", "PUT /cart/items/1", "POST /orders", "follow order to paid", "GET /orders", "GET /products"]
cells = " | ".join(f"{r} {p95(r, 'baseline'):.0f}" for r in routes)
print(f"round {rnd}: verdict {step['status']}; load average {before} -> {after}; baseline p95 ms: {cells}; journey {p95('follow order to paid', 'baseline'):.1f}")
# What failed, when something did: the rule and message of each finding above medium.
for c in step["checks"]:
    for f in c.get("findings", []):
        if c.get("status") == "fail" and f.get("severity") in ("high", "critical"):
            print(f"  round {rnd} {c['id']}: {f['rule']} {f['message']}")
PY
done

python3 - "$work/rounds" <<'PY'
import re, statistics, sys
values = [float(m.group(1)) for m in (re.search(r"journey ([0-9.]+)$", line.strip()) for line in open(sys.argv[1])) if m]
if not values:
    sys.exit("follow order to paid was not measured at 100 users in any round (see the rounds above)")
print(f"follow order to paid, p95 at 100 users: median {statistics.median(values):.0f} ms, range {min(values):.0f}-{max(values):.0f} ms over {len(values)} rounds")
PY
