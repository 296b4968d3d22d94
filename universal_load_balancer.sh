#!/bin/sh
# The seed's one-shot configuration: find the uplinks now and balance over them, once.
# Extra arguments go to `net-balancer apply` (e.g. --dry-run, --config FILE).
here=$(dirname "$(readlink -f "$0")")
if [ -x "$here/net-balancer" ]; then
  exec "$here/net-balancer" apply "$@"
fi
exec net-balancer apply "$@"
