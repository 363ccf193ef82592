#!/usr/bin/env bash
# sqlmap vs Archgate's injection probes on the shop's GET /products?search= (issue #13): both must find the
# injectable parameter with SHOP_FAULTS=sqli-search and neither on the clean shop; prints each tool's request
# count and wall time, with the load average. Everything goes to the shop api on a loopback port.
#   bench/security/run.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
command -v sqlmap >/dev/null || { echo "installing sqlmap (Debian package)"; apt-get install -y -q sqlmap >/dev/null; }
[ -f "$root/samples/shop/bin/Shop.Api/Shop.Api.dll" ] || dotnet build "$root/samples/shop/Shop.slnx" -nologo -v quiet
dotnet build "$root/src/Archgate.Cli" -c Release -nologo -v quiet >/dev/null
archgate="$root/src/Archgate.Cli/bin/Release/net10.0/archgate"

# The contract's GET /products alone, so that Archgate's count is the same operation sqlmap probes.
python3 - "$root/samples/shop/contracts/shop-api.yaml" "$work/products.yaml" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
doc["paths"] = {"/products": {"get": doc["paths"]["/products"]["get"]}}
yaml.safe_dump(doc, open(sys.argv[2], "w"), sort_keys=False)
PY

pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

start_api() {
  rm -f "$work/shop.db"
  (cd "$root/samples/shop" && SHOP_FAULTS="$1" SHOP_DB="Data Source=$work/shop.db" SHOP_PAYMENTS_URL=http://127.0.0.1:1 \
    SHOP_EMAIL_URL=http://127.0.0.1:1 SHOP_EMAIL_API_KEY=em_test SHOP_WEB_ORIGIN=http://127.0.0.1:1 \
    exec dotnet bin/Shop.Api/Shop.Api.dll --urls "http://127.0.0.1:$port") >"$work/api.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health/live" >/dev/null && return; sleep 0.5; done
  echo "the shop api did not start"; exit 3
}

for faults in sqli-search ""; do
  start_api "$faults"
  label=${faults:-clean}
  echo "== shop api ($label), load average $(cut -d' ' -f1-3 /proc/loadavg)"

  t0=$(date +%s.%N)
  sqlmap -u "http://127.0.0.1:$port/products?search=mug" -p search --batch --level 3 --risk 1 --technique BEU --flush-session \
    --output-dir "$work/sqlmap" -t "$work/traffic.txt" --disable-coloring >"$work/sqlmap.out" 2>&1 || true
  t1=$(date +%s.%N)
  requests=$(grep -c '^HTTP request \[#' "$work/traffic.txt" || true)
  if grep -q "Parameter: search" "$work/sqlmap.out"; then verdict="injectable"; else verdict="not injectable"; fi
  printf 'sqlmap:   %-15s %4s requests %6.1f s\n' "$verdict" "$requests" "$(echo "$t1 - $t0" | bc)"
  rm -f "$work/traffic.txt"

  t0=$(date +%s.%N)
  "$archgate" scan "http://127.0.0.1:$port" --openapi "$work/products.yaml" --safe --store "$work/archgate.db" --out "$work/out" >"$work/archgate.out" 2>&1 || true
  t1=$(date +%s.%N)
  requests=$(python3 -c "
import json,sys
run=json.load(open('$work/out/run.json'))
print(sum(m['value'] for s in run['steps'] for c in s['checks'] for m in c.get('metrics',[]) if m['name']=='security_requests' and m['tags'].get('family')=='injection'))")
  if grep -q '"AG9020"' "$work/out/run.json"; then verdict="injectable"; else verdict="not injectable"; fi
  printf 'archgate: %-15s %4.0f requests %6.1f s (injection probes; the scan in all)\n' "$verdict" "$requests" "$(echo "$t1 - $t0" | bc)"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
