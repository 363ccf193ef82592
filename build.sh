#!/usr/bin/env bash
# One entry point for building and testing Archgate.
#   ./build.sh test    install missing system packages, build, run every test
#   ./build.sh build   build only
#   ./build.sh demo    install what the shop's run needs (archgate doctor --install), then run `archgate demo`
set -euo pipefail
cd "$(dirname "$0")"

need_packages() {
  local missing=()
  command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
  command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
  # Step 8 times frontend pages in Debian's Chromium (Playwright never downloads a browser of its own).
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  # The FCP/LCP test compares with Lighthouse, which npm installs on first use.
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "build.sh: installing ${missing[*]}"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

cmd="${1:-test}"
case "$cmd" in
  build)
    dotnet build Archgate.slnx -c Release -nologo -v quiet
    ;;
  test)
    need_packages
    dotnet build Archgate.slnx -c Release -nologo -v quiet
    log=$(mktemp)
    status=0
    dotnet test Archgate.slnx -c Release --no-build -nologo --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?
    count() { awk -v key="$1:" '$1 == key && $2 ~ /^[0-9]+$/ {s += $2} END {print s + 0}' "$log"; }
    passed=$(count Passed)
    failed=$(count Failed)
    skipped=$(count Skipped)
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
