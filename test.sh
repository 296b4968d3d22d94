#!/usr/bin/env bash
# Runs every test: installs what the tests need when it is missing (JDK 17, Maven, iproute2,
# nftables, conntrack, iperf3), then `mvn -B verify` (unit tests, then the namespace-lab
# integration tests on the real kernel). Needs root: the lab creates network namespaces.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

if [ "$(id -u)" -ne 0 ]; then
  echo "test.sh: run as root (sudo ./test.sh): the integration tests build network namespaces" >&2
  exit 1
fi

need=()
command -v java >/dev/null || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need+=(maven)
command -v ip >/dev/null || need+=(iproute2)
command -v nft >/dev/null || need+=(nftables)
command -v conntrack >/dev/null || need+=(conntrack)
command -v iperf3 >/dev/null || need+=(iperf3)
command -v ping >/dev/null || need+=(iputils-ping)
command -v promtool >/dev/null || need+=(prometheus)
command -v curl >/dev/null || need+=(curl)
command -v systemd-analyze >/dev/null || need+=(systemd)
if ((${#need[@]})); then
  echo "test.sh: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

exec mvn -B verify "$@"
