#!/usr/bin/env bash
# Overhead of Archgate's fault proxy in passthrough (see bench/README.md): p50 latency of one user through the
# proxy minus a direct connection, and throughput through the proxy over direct, per round and as median and
# range. Direct and proxied runs alternate within each round, so both see the same machine load.
#   bench/proxy/run.sh
#   ROUNDS=7 DURATION=5s USERS=50 MODE=tcp bench/proxy/run.sh
# Load goes only to a target and a proxy this script starts on 127.0.0.1; every run is bounded by its duration.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS="${ROUNDS:-5}"
DURATION="${DURATION:-5s}"
USERS="${USERS:-50}"
MODE="${MODE:-http}"
PORT="${PORT:-5297}"
PROXY_PORT="${PROXY_PORT:-5296}"
TARGET="http://127.0.0.1:${PORT}"
PROXY="http://127.0.0.1:${PROXY_PORT}"
OUT="${OUT:-$(mktemp -d)}"

command -v jq >/dev/null 2>&1 || { echo "bench: jq is required" >&2; exit 1; }
command -v curl >/dev/null 2>&1 || { echo "bench: curl is required" >&2; exit 1; }

echo "bench: building (Release)"
dotnet build src/Archgate.Cli -c Release -nologo -v quiet >"$OUT/build.log" || { cat "$OUT/build.log" >&2; exit 3; }
dotnet build bench/targets/Hello -c Release -nologo -v quiet >/dev/null
dotnet build bench/proxy -c Release -nologo -v quiet >"$OUT/build-proxy.log" || { cat "$OUT/build-proxy.log" >&2; exit 3; }
ARCHGATE="src/Archgate.Cli/bin/Release/net10.0/archgate"

ASPNETCORE_URLS="$TARGET" dotnet bench/targets/Hello/bin/Release/net10.0/Hello.dll >"$OUT/target.log" 2>&1 &
TARGET_PID=$!
dotnet bench/proxy/bin/Release/net10.0/Archgate.Bench.Proxy.dll "$TARGET" "$PROXY_PORT" "$MODE" >"$OUT/proxy.log" 2>&1 &
PROXY_PID=$!
trap 'kill "$TARGET_PID" "$PROXY_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf "$PROXY/" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -sf "$PROXY/" >/dev/null || { echo "bench: target or proxy did not start" >&2; cat "$OUT/target.log" "$OUT/proxy.log" >&2; exit 3; }

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# median, min and max of the numbers on stdin, one per line
stats() { sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "median %.3f  min %.3f  max %.3f  (%d rounds)", m, a[1], a[NR], NR}'; }
load() { "$ARCHGATE" load "$1/" --users "$2" --duration "$DURATION" --json; }

echo "bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(loadavg), $(dotnet --version), proxy mode $MODE"
# Warm both paths' JIT so the first round is not penalized.
load "$TARGET" 10 >/dev/null
load "$PROXY" 10 >/dev/null

: >"$OUT/overhead"
: >"$OUT/ratio"
for round in $(seq 1 "$ROUNDS"); do
  direct_p50=$(load "$TARGET" 1 | jq -r .latencyMs.p50)
  proxy_p50=$(load "$PROXY" 1 | jq -r .latencyMs.p50)
  direct_rps=$(load "$TARGET" "$USERS" | jq -r .requestsPerSecond)
  proxy_rps=$(load "$PROXY" "$USERS" | jq -r .requestsPerSecond)
  overhead=$(awk -v p="$proxy_p50" -v d="$direct_p50" 'BEGIN {printf "%.3f", p - d}')
  ratio=$(awk -v p="$proxy_rps" -v d="$direct_rps" 'BEGIN {printf "%.3f", p / d}')
  echo "$overhead" >>"$OUT/overhead"
  echo "$ratio" >>"$OUT/ratio"
  printf 'round %d: p50 direct %.3f ms, proxied %.3f ms (+%s ms); %d users: direct %.0f req/s, proxied %.0f req/s (ratio %s); load average %s\n' \
    "$round" "$direct_p50" "$proxy_p50" "$overhead" "$USERS" "$direct_rps" "$proxy_rps" "$ratio" "$(loadavg)"
done

echo "p50 overhead of the proxy (1 user, ms): $(stats <"$OUT/overhead")  (target < 0.2 ms)"
echo "throughput proxied/direct at $USERS users: $(stats <"$OUT/ratio")  load average $(loadavg)"
