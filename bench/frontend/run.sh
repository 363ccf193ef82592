#!/usr/bin/env bash
# Step 8's page timing (FCP, LCP in Debian's Chromium) against Lighthouse 12.2.3 on the same page, same Chromium,
# desktop preset, no throttling, the flags step 8 gives Chromium. Per round, alternating: `archgate run --steps 8` on a one-frontend manifest (the
# check's median of its cold loads) and one Lighthouse run. Prints each round with the load average, then the median,
# min and max of both tools' FCP and LCP and of the difference (Archgate minus Lighthouse).
# The page paints its text at once and its largest element 500 ms later. Everything is on a loopback port.
#   bench/frontend/run.sh                 # 5 rounds
#   ROUNDS=9 SKIP_BUILD=1 bench/frontend/run.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
rounds="${ROUNDS:-5}"
work="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

command -v chromium >/dev/null || [ -x /usr/bin/chromium ] || { echo "installing chromium (Debian package)"; apt-get install -y -q chromium >/dev/null; }
command -v npm >/dev/null || { echo "installing npm (Debian package)"; apt-get install -y -q npm >/dev/null; }
lighthouse_home="${TMPDIR:-/tmp}/archgate-lighthouse-12.2.3"
lighthouse="$lighthouse_home/node_modules/lighthouse/cli/index.js"
if [ ! -f "$lighthouse" ]; then
  echo "installing lighthouse 12.2.3 into $lighthouse_home"
  mkdir -p "$lighthouse_home" && (cd "$lighthouse_home" && npm install --no-audit --no-fund --loglevel=error lighthouse@12.2.3 >/dev/null)
fi
if [[ -z "${SKIP_BUILD:-}" ]]; then
  dotnet build "$root/src/Archgate.Cli" -c Release -nologo -v quiet >/dev/null
fi
archgate="$root/src/Archgate.Cli/bin/Release/net10.0/archgate.dll"

mkdir -p "$work/site"
cat >"$work/site/late.html" <<'HTML'
<!doctype html><html><head><title>late</title></head><body><p>first text</p>
<script>setTimeout(() => { const h = document.createElement('h1'); h.style.fontSize = '120px';
h.textContent = 'The largest element of the page'; document.body.appendChild(h); }, 500);</script></body></html>
HTML
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/site" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/late.html" >/dev/null && break; sleep 0.1; done
cat >"$work/archgate.yaml" <<YAML
version: 1
system: { name: pages }
components:
  - { name: web, kind: frontend, url: "http://127.0.0.1:$port/", pages: [/late.html] }
slo:
  web: { fcp: 1.8s, lcp: 2.5s }
YAML

echo "bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(git -C "$root" rev-parse --short HEAD)"
for round in $(seq 1 "$rounds"); do
  out="$work/out-$round"
  dotnet "$archgate" run "$work/archgate.yaml" --steps 8 --out "$out" --store "$work/archgate.db" >"$work/archgate.log" 2>&1 || true
  [ -f "$out/run.json" ] || { echo "round $round: archgate wrote no run.json:"; tail -20 "$work/archgate.log"; exit 1; }
  CHROME_PATH=/usr/bin/chromium node "$lighthouse" "http://127.0.0.1:$port/late.html" --output=json --output-path="$work/lh-$round.json" --quiet \
    --only-audits=first-contentful-paint,largest-contentful-paint --disable-full-page-screenshot --throttling-method=provided --preset=desktop \
    "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync" >"$work/lh.log" 2>&1 \
    || { echo "round $round: lighthouse failed:"; tail -20 "$work/lh.log"; exit 1; }
  python3 - "$out/run.json" "$work/lh-$round.json" "$round" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY' | tee -a "$work/rounds"
import json, sys
ours, theirs, rnd, load = sys.argv[1:]
metrics = {m["name"]: m["value"] for s in json.load(open(ours))["steps"] for c in s.get("checks", []) for m in c.get("metrics", [])}
if "page_lcp" not in metrics:
    sys.exit(f"round {rnd}: archgate did not measure the page (see its run.json)")
audits = json.load(open(theirs))["audits"]
lh_fcp, lh_lcp = (audits[a]["numericValue"] for a in ("first-contentful-paint", "largest-contentful-paint"))
print(f"round {rnd}: archgate FCP {metrics['page_fcp']:.0f} LCP {metrics['page_lcp']:.0f}; lighthouse FCP {lh_fcp:.0f} LCP {lh_lcp:.0f} (ms); load average {load}")
PY
done

python3 - "$work/rounds" <<'PY'
import re, statistics, sys
rows = [re.findall(r"(?:FCP|LCP) (\d+)", line) for line in open(sys.argv[1]) if line.startswith("round")]
cols = {"archgate FCP": 0, "archgate LCP": 1, "lighthouse FCP": 2, "lighthouse LCP": 3}
def show(name, values):
    print(f"{name:<28} median {statistics.median(values):7.0f} ms   min {min(values):7.0f}   max {max(values):7.0f}")
print(f"over {len(rows)} rounds:")
for name, i in cols.items():
    show(name, [float(r[i]) for r in rows])
show("FCP archgate - lighthouse", [float(r[0]) - float(r[2]) for r in rows])
show("LCP archgate - lighthouse", [float(r[1]) - float(r[3]) for r in rows])
PY
