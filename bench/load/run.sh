#!/usr/bin/env bash
# Benchmark of `archgate load` against wrk on this machine (see bench/README.md).
#   bench/load/run.sh                 all parts: throughput ratios, RSS at 500 users, accuracy
#   ROUNDS=5 CONNECTIONS="10 50 500" DURATION=10s bench/load/run.sh
#   PARTS=throughput (or rss, delay, open, stall; space-separated) runs only those parts
# Load goes only to a target this script starts on 127.0.0.1; every run is bounded by its duration.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS="${ROUNDS:-5}"
CONNECTIONS="${CONNECTIONS:-10 50 500}"
PARTS="${PARTS:-throughput rss delay open stall}"
OPEN_RATES="${OPEN_RATES:-200 2000}"
DURATION="${DURATION:-10s}"
PORT="${PORT:-5299}"
STRESS_USERS="${STRESS_USERS:-500}"
TARGET="http://127.0.0.1:${PORT}"
OUT="${OUT:-$(mktemp -d)}"

if ! command -v wrk >/dev/null 2>&1; then
  echo "bench: installing wrk"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
fi
for tool in jq curl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is required" >&2; exit 1; }
done

echo "bench: building (Release)"
dotnet build src/Archgate.Cli -c Release -nologo -v quiet >/dev/null
dotnet build bench/targets/Hello -c Release -nologo -v quiet >/dev/null
ARCHGATE="src/Archgate.Cli/bin/Release/net10.0/archgate"

ASPNETCORE_URLS="$TARGET" dotnet bench/targets/Hello/bin/Release/net10.0/Hello.dll >"$OUT/target.log" 2>&1 &
TARGET_PID=$!
trap 'kill "$TARGET_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf "$TARGET/" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -sf "$TARGET/" >/dev/null || { echo "bench: target did not start" >&2; cat "$OUT/target.log" >&2; exit 3; }

# Warm the target's JIT so the first round is not penalized.
wrk -t2 -c50 -d2s "$TARGET/" >/dev/null

part() { [[ " $PARTS " == *" $1 "* ]]; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# median, min and max of the numbers on stdin, one per line
stats() { sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "median %.2f  min %.2f  max %.2f  (%d rounds)", m, a[1], a[NR], NR}'; }

echo "bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(loadavg), $(dotnet --version), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"

if part throughput; then
  for c in $CONNECTIONS; do
    echo
    echo "== throughput: $ROUNDS alternating rounds, $c connections, $DURATION each, GET / (load average $(loadavg)) =="
    : >"$OUT/ratios-$c"
    for round in $(seq 1 "$ROUNDS"); do
      wrk_rps=$(wrk -t2 -c"$c" -d"$DURATION" "$TARGET/" | awk '/Requests\/sec/ {print $2}')
      ag_rps=$("$ARCHGATE" load "$TARGET/" --users "$c" --duration "$DURATION" --json | jq -r .requestsPerSecond)
      ratio=$(awk -v a="$ag_rps" -v w="$wrk_rps" 'BEGIN {printf "%.2f", a / w}')
      echo "$ratio" >>"$OUT/ratios-$c"
      printf 'round %d: wrk %8.0f req/s   archgate %8.0f req/s   ratio %s   load average %s\n' "$round" "$wrk_rps" "$ag_rps" "$ratio" "$(loadavg)"
    done
    echo "ratio archgate/wrk at $c connections: $(stats <"$OUT/ratios-$c")  load average $(loadavg)  (target >= 1.0)"
  done
fi

if part rss; then
  echo
  echo "== peak RSS of archgate at $STRESS_USERS virtual users ($DURATION, GET /delay?ms=20) =="
  /usr/bin/time -v "$ARCHGATE" load "$TARGET/delay?ms=20" --users "$STRESS_USERS" --duration "$DURATION" --json \
    >"$OUT/rss.json" 2>"$OUT/rss.time"
  rss_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$OUT/rss.time")
  printf 'peak RSS %d MB (target <= 300 MB); %s req/s, p95 %s ms, peak in flight %s; load average %s\n' "$((rss_kb / 1024))" \
    "$(jq -r .requestsPerSecond "$OUT/rss.json")" "$(jq -r .latencyMs.p95 "$OUT/rss.json")" "$(jq -r .peakInFlight "$OUT/rss.json")" "$(loadavg)"
fi

summary() { jq -r '"p50 \(.latencyMs.p50)  p90 \(.latencyMs.p90)  p95 \(.latencyMs.p95)  p99 \(.latencyMs.p99)  max \(.latencyMs.max) ms  (\(.requests) requests, late \(.lateRequests))"' "$1"; }

if part delay; then
  echo
  echo "== accuracy, closed model: fixed 10 ms delay, 20 users, 5s: percentiles should sit just above 10 ms =="
  "$ARCHGATE" load "$TARGET/delay?ms=10" --users 20 --duration 5s --json >"$OUT/delay.json"
  echo "archgate: $(summary "$OUT/delay.json")"
  wrk -t2 -c20 -d5s --latency "$TARGET/delay?ms=10" | awk '/Latency Distribution/ {p=1; next} p && NF==2 {printf "%s %s  ", $1, $2} /requests in/ {p=0} END {print ""}' | sed 's/^/wrk:      /'
fi

if part open; then
  echo
  echo "== accuracy, open model: fixed 50 ms delay, $DURATION per rate; archgate p95 vs the server's own p95 (target within +-1 ms) =="
  for rate in $OPEN_RATES; do
    curl -sf "$TARGET/truth" >/dev/null
    "$ARCHGATE" load "$TARGET/delay?ms=50" --rate "$rate/s" --max-in-flight 500 --duration "$DURATION" --json >"$OUT/open-$rate.json"
    curl -sf "$TARGET/truth" >"$OUT/truth-$rate.json"
    jq -r -s --arg rate "$rate" --arg la "$(loadavg)" '.[0] as $a | .[1] as $t |
      "\($rate)/s: archgate p95 \($a.latencyMs.p95) ms, server p95 \($t.p95) ms, difference \((($a.latencyMs.p95 - $t.p95) * 1000 | round) / 1000) ms; send lag p50 \($a.scheduleLagMs.p50) p99 \($a.scheduleLagMs.p99) max \($a.scheduleLagMs.max) ms (target p99 <= 1); \($a.requests) requests, server saw \($t.count), late \($a.lateRequests); load average \($la)"' \
      "$OUT/open-$rate.json" "$OUT/truth-$rate.json"
  done
fi

if part stall; then
  echo
  echo "== coordinated omission: /stall holds every request for up to 1 s once every 5 s (11s runs) =="
  "$ARCHGATE" load "$TARGET/stall" --users 50 --duration 11s --json >"$OUT/stall-closed.json"
  echo "closed model, 50 users:          $(summary "$OUT/stall-closed.json")"
  "$ARCHGATE" load "$TARGET/stall" --rate 2000/s --max-in-flight 50 --duration 11s --json >"$OUT/stall-open.json"
  echo "open model, 2000/s, 50 in flight: $(summary "$OUT/stall-open.json")"
fi
echo
echo "load average at the end: $(loadavg)"
echo "raw outputs in $OUT"
