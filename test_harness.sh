#!/bin/sh
# The seed's test harness: failure scenarios with the seed's syntax, run by `net-balancer test`.
#   sudo ./test_harness.sh status                    # Show current status
#   sudo ./test_harness.sh down-up wlan0 30          # Bring interface down then up
#   sudo ./test_harness.sh flap eth0 5               # Simulate route flapping
#   sudo ./test_harness.sh neighbor-fail eth0        # Simulate neighbor failure
#   sudo ./test_harness.sh health-block 30           # Block health check target
#   sudo ./test_harness.sh comprehensive             # Run full test suite
# Each scenario changes only what it names and puts it back (also on Ctrl-C); it refuses to take
# away the last working uplink unless --force. Add --lab to run in a throw-away namespace lab
# instead of this host. Exit 0 passed, 1 failed, 2 bad usage, 3 refused, 130 interrupted.
here=$(dirname "$(readlink -f "$0")")
if [ -x "$here/net-balancer" ]; then
  exec "$here/net-balancer" test "$@"
fi
exec net-balancer test "$@"
