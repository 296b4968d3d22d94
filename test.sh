#!/usr/bin/env bash
# Runs every test: installs what the tests need when it is missing (JDK 17, Maven, iproute2,
# nftables, conntrack, iperf3, promtool, …), then `mvn -B verify` (unit tests, then the
# namespace-lab integration tests on the real kernel). Needs root: the lab creates network
# namespaces (never touching the host's own network).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

if [ "$(id -u)" -ne 0 ]; then
  echo "test.sh: run as root (sudo ./test.sh): the integration tests build network namespaces" >&2
  exit 1
fi
scripts/install-deps.sh
exec mvn -B verify "$@"
