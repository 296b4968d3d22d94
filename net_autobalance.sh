#!/bin/sh
# The service's entry point (net_balancer.service runs /usr/local/bin/net_autobalance.sh): the
# net-balancer daemon, which follows kernel events and uplink health until SIGTERM.
# Extra arguments go to `net-balancer run` (e.g. --config FILE).
here=$(dirname "$(readlink -f "$0")")
if [ -x "$here/net-balancer" ]; then
  exec "$here/net-balancer" run "$@"
fi
exec net-balancer run "$@"
