#!/usr/bin/env bash
# One entry point for building and testing Archgate.
#   ./build.sh test    build, install the programs the tests start (archgate doctor --tests --install), run every test
#   ./build.sh build   build only
#   ./build.sh demo    install what the shop's run needs (archgate doctor --install), then run `archgate demo`
set -euo pipefail
cd "$(dirname "$0")"

cmd="${1:-test}"
case "$cmd" in
  build)
    dotnet build Archgate.slnx -c Release -nologo -v quiet
    ;;
  test)
    dotnet build Archgate.slnx -c Release -nologo -v quiet
    # What the tests start (PostgreSQL, Chromium, npm, ...): the one catalogue `archgate doctor` keeps,
    # installed with apt-get where missing.
    dotnet src/Archgate.Cli/bin/Release/net10.0/archgate.dll doctor --tests --install
    log=$(mktemp)
    status=0
    dotnet test Archgate.slnx -c Release --no-build -nologo --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?
    count() { awk -v key="$1:" '$1 == key && $2 ~ /^[0-9]+$/ {s += $2} END {print s + 0}' "$log"; }
    passed=$(count Passed)
    failed=$(count Failed)
    skipped=$(count Skipped)
    # The failed tests again at the end, each with the first lines of its message (no stack), so that the tail of a long log
    # names them.
    if [ "$failed" -gt 0 ]; then
      echo "failed tests:"
      awk '/^  Failed [A-Za-z_]/ {n = 12} /^  Stack Trace:/ {n = 0} n > 0 {print; n--}' "$log"
    fi
    rm -f "$log"
    echo "tests: $passed passed, $failed failed, $skipped skipped"
    exit $status
    ;;
  demo)
    dotnet build src/Archgate.Cli -c Release -nologo -v quiet
    dotnet run --project src/Archgate.Cli -c Release --no-build -- doctor samples/shop/archgate.yaml --install
    dotnet run --project src/Archgate.Cli -c Release --no-build -- demo
    ;;
  *)
    echo "usage: ./build.sh [test|build|demo]" >&2
    exit 1
    ;;
esac
