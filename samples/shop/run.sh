#!/usr/bin/env bash
# Starts the whole shop by hand (what archgate.yaml's run blocks do), with the test-mode keys.
#   samples/shop/run.sh            clean
#   SHOP_FAULTS=bola,slow-orders samples/shop/run.sh
# Ctrl+C stops every process.
set -euo pipefail
cd "$(dirname "$0")"
[ -f bin/Shop.Api/Shop.Api.dll ] || dotnet build Shop.slnx -nologo -v quiet

export SHOP_FAULTS="${SHOP_FAULTS:-}"
export SHOP_GATEWAY_API_KEY="${SHOP_GATEWAY_API_KEY:-sk_test_archgate_gateway}"
export SHOP_GATEWAY_WEBHOOK_SECRET="${SHOP_GATEWAY_WEBHOOK_SECRET:-whsec_test_archgate}"
export SHOP_EMAIL_API_KEY="${SHOP_EMAIL_API_KEY:-em_test_archgate}"
export SHOP_DB="${SHOP_DB:-Data Source=.archgate/shop.db}"
export SHOP_PAYMENTS_DB="${SHOP_PAYMENTS_DB:-Data Source=.archgate/payments.db}"   # shared by both payments instances

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT INT TERM
dotnet bin/Shop.ThirdParty/Shop.ThirdParty.dll --urls http://127.0.0.1:7301 & pids+=($!)
SHOP_GATEWAY_URL=http://127.0.0.1:7301 dotnet bin/Shop.Payments/Shop.Payments.dll --urls http://127.0.0.1:7201 & pids+=($!)
SHOP_GATEWAY_URL=http://127.0.0.1:7301 SHOP_CONFIG_DIR=.archgate/payments-2 dotnet bin/Shop.Payments/Shop.Payments.dll --urls http://127.0.0.1:7202 & pids+=($!)
SHOP_PAYMENTS_URL=http://127.0.0.1:7201,http://127.0.0.1:7202 SHOP_EMAIL_URL=http://127.0.0.1:7301 SHOP_WEB_ORIGIN=http://127.0.0.1:7001 SHOP_OIDC_ISSUER=http://127.0.0.1:7301/oidc \
  dotnet bin/Shop.Api/Shop.Api.dll --urls http://127.0.0.1:7101 & pids+=($!)
SHOP_API_URL=http://127.0.0.1:7101 SHOP_ANALYTICS_URL=http://127.0.0.1:7301 dotnet bin/Shop.Web/Shop.Web.dll --urls http://127.0.0.1:7001 & pids+=($!)
echo "shop: web http://127.0.0.1:7001  api http://127.0.0.1:7101  payments :7201 :7202  providers :7301 (Ctrl+C stops)"
wait
