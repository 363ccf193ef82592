#!/usr/bin/env bash
# archgate diff timings per pair: a cold process per pair (what CI pays for one `archgate diff OLD NEW`), and the
# same pairs in one `archgate diff --batch` process (first time in the process, then warm: the median of 3 repeats).
# Usage: bench/contracts/diff.sh [PATHS_IN_THE_LARGE_PAIR]
# Release build; pinned to one core with taskset when it is there; prints a markdown table. The times are wall
# times on a shared machine: compare the columns with each other, not with another day's run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
paths="${1:-1000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

dotnet build "$root/src/Archgate.Cli/Archgate.Cli.csproj" -c Release -v q -nologo >/dev/null
dll="$(find "$root/src/Archgate.Cli/bin/Release" -name archgate.dll | head -1)"
pin=()
if command -v taskset >/dev/null; then pin=(taskset -c 0); fi

# A generated pair: PATHS paths with a shared component schema; the new version tightens, loosens and removes a little.
large() {
  local change="$1"
  printf 'openapi: 3.1.0\ninfo: {title: large, version: "1"}\npaths:\n'
  for ((i = 0; i < paths; i++)); do
    printf '  /r%d/{id}:\n    parameters: [{name: id, in: path, required: true, schema: {type: integer, minimum: 1}}]\n' "$i"
    printf '    get:\n      operationId: get%d\n      responses:\n        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/R%d"}}}}\n' "$i" "$i"
    printf '    put:\n      requestBody: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/R%d"}}}}\n      responses: {"204": {description: done}}\n' "$i"
  done
  printf 'components:\n  schemas:\n    Money: {type: object, required: [amount, currency], properties: {amount: {type: number, minimum: 0}, currency: {type: string, minLength: 3, maxLength: 3}}}\n'
  for ((i = 0; i < paths; i++)); do
    if [[ "$change" == new && $((i % 10)) == 0 ]]; then max=50; extra=', note: {type: [string, "null"]}'; else max=100; extra=''; fi
    printf '    R%d: {type: object, required: [id, name], properties: {id: {type: integer, readOnly: true}, name: {type: string, maxLength: %d}, price: {$ref: "#/components/schemas/Money"}, tags: {type: array, items: {type: string, enum: [a, b, c]}}%s}}\n' "$i" "$max" "$extra"
  done
}
large old > "$work/large-old.yaml"
large new > "$work/large-new.yaml"

pairs=(
  "$root/samples/shop/contracts/shop-api.v1.yaml $root/samples/shop/contracts/shop-api.yaml"
  "$root/tests/Archgate.Checks.Tests/Contracts/Diff/Golden/orders-old.yaml $root/tests/Archgate.Checks.Tests/Contracts/Diff/Golden/orders-new.yaml"
  "$root/tests/Archgate.Checks.Tests/Contracts/Diff/Oasdiff/openapi-test1.yaml $root/tests/Archgate.Checks.Tests/Contracts/Diff/Oasdiff/openapi-test3.yaml"
  "$work/large-old.yaml $work/large-new.yaml"
)

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# "median (min-max)" of the numbers given
spread() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%s (%s-%s)", a[int((NR + 1) / 2)], a[1], a[NR]}'; }

# Cold: one process per run, the median of 3 runs.
declare -a cold
for p in "${pairs[@]}"; do
  read -r old new <<<"$p"
  runs=()
  for _ in 1 2 3; do
    start=$(date +%s%N)
    "${pin[@]}" dotnet "$dll" diff "$old" "$new" -o "$work/out.md" >/dev/null 2>&1 || true
    runs+=("$(ms "$start")")
  done
  cold+=("$(spread "${runs[@]}")")
done

# Batch: every pair 4 times in one process; the first is the pair's first time, the median of the other 3 is warm.
: > "$work/pairs.txt"
for round in 1 2 3 4; do
  for p in "${pairs[@]}"; do echo "$p" >> "$work/pairs.txt"; done
done
"${pin[@]}" dotnet "$dll" diff --batch "$work/pairs.txt" -o "$work/reports" > "$work/batch.md" 2>/dev/null || true
mapfile -t times < <(awk -F'|' 'NR > 2 {gsub(/ /, "", $9); print $9}' "$work/batch.md")
mapfile -t counts < <(awk -F'|' 'NR > 2 {gsub(/ /, "", $5); gsub(/ /, "", $6); gsub(/ /, "", $7); gsub(/ /, "", $8); print $5 " ERR, " $6 " WARN, " $7 " INFO, " $8 " warnings"}' "$work/batch.md")

n=${#pairs[@]}
echo "machine: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?), $(dotnet --version), one core"
echo
echo "| pair | sizes | changes | cold process, median of 3 (min-max) | --batch, first time in the process | --batch, warm, median of 3 (min-max) |"
echo "|---|---|---|---|---|---|"
for ((i = 0; i < n; i++)); do
  read -r old new <<<"${pairs[$i]}"
  sizes="$(( $(wc -c < "$old") / 1024 )) KB / $(( $(wc -c < "$new") / 1024 )) KB"
  warm=$(spread "${times[$((i + n))]}" "${times[$((i + 2 * n))]}" "${times[$((i + 3 * n))]}")
  echo "| $(basename "$old") -> $(basename "$new") | $sizes | ${counts[$i]} | ${cold[$i]} ms | ${times[$i]} ms | $warm ms |"
done
