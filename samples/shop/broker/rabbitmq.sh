#!/bin/sh
# Starts the shop's own RabbitMQ node (Debian's rabbitmq-server) in the foreground, never a system node: its own
# node name, ports, Erlang port mapper, cookie, data and logs under $SHOP_BROKER_DIR (.archgate/rabbitmq-PORT),
# wiped at each start, no plugins. Stopping this process group stops the node (and its port mapper).
#   SHOP_AMQP_PORT       AMQP listener on 127.0.0.1 (7401)
#   SHOP_BROKER_EPMD_PORT  this node's own epmd (7402);  SHOP_BROKER_DIST_PORT  Erlang distribution (7403)
#   SHOP_AMQP_USER / SHOP_AMQP_PASSWORD  the one user (shop by default; the password is required)
set -eu
port="${SHOP_AMQP_PORT:-7401}"
base="${SHOP_BROKER_DIR:-.archgate/rabbitmq-$port}"
server=/usr/lib/rabbitmq/bin/rabbitmq-server
if [ ! -x "$server" ]; then
  echo "rabbitmq-server is not installed: 'archgate doctor --install' installs it (Debian package rabbitmq-server)" >&2
  exit 3
fi
rm -rf "$base"
mkdir -p "$base/home"
base="$(cd "$base" && pwd)"
cat > "$base/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$port
loopback_users = none
default_user = ${SHOP_AMQP_USER:-shop}
default_pass = ${SHOP_AMQP_PASSWORD:?set SHOP_AMQP_PASSWORD (archgate.yaml passes the test-mode one)}
CONF
echo '[].' > "$base/enabled_plugins"
: > "$base/rabbitmq-env.conf"
export HOME="$base/home" ERL_EPMD_PORT="${SHOP_BROKER_EPMD_PORT:-7402}" \
  RABBITMQ_NODENAME="shop-$port@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$port" \
  RABBITMQ_DIST_PORT="${SHOP_BROKER_DIST_PORT:-7403}" RABBITMQ_MNESIA_BASE="$base/mnesia" RABBITMQ_LOG_BASE="$base/log" \
  RABBITMQ_CONFIG_FILE="$base/rabbitmq.conf" RABBITMQ_ADVANCED_CONFIG_FILE="$base/advanced.config" \
  RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins" RABBITMQ_CONF_ENV_FILE="$base/rabbitmq-env.conf" \
  RABBITMQ_PID_FILE="$base/pid" RABBITMQ_LOGS=-
epmd -address 127.0.0.1 -port "$ERL_EPMD_PORT" &
# Wait for this node's port mapper (at most 5 s): otherwise Erlang starts a daemon one of its own, outside this process group.
tries=0
until epmd -port "$ERL_EPMD_PORT" -names >/dev/null 2>&1 || [ "$tries" -ge 50 ]; do tries=$((tries + 1)); sleep 0.1; done
exec "$server"
