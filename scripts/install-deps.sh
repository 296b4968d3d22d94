#!/usr/bin/env bash
# Installs, with apt, whatever net-balancer's build, lab and tests need and this machine lacks:
# JDK 17, Maven, iproute2, nftables, conntrack, iperf3, ping, promtool, systemd-analyze, curl,
# zsh (the completion test drives a real zsh), man (the man-page test renders every page with
# man --warnings), lintian (the package test), chromium (headless: the status page's browser
# test), iptables (its nft backend) and ipset for the bench's rebuild of mwan3's ruleset, and
# radvd (a lab ISP's router advertisements: a SLAAC uplink).
# Does nothing when all of it is present.
set -euo pipefail

need=()
command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need+=(maven)
command -v ip >/dev/null || need+=(iproute2)
command -v nft >/dev/null || need+=(nftables)
command -v conntrack >/dev/null || need+=(conntrack)
command -v iperf3 >/dev/null || need+=(iperf3)
command -v ping >/dev/null || need+=(iputils-ping)
command -v promtool >/dev/null || need+=(prometheus)
command -v systemd-analyze >/dev/null || need+=(systemd)
command -v curl >/dev/null || need+=(curl)
command -v zsh >/dev/null || need+=(zsh)
command -v man >/dev/null || need+=(man-db)
command -v lintian >/dev/null || need+=(lintian)
command -v chromium >/dev/null || need+=(chromium)
command -v iptables-nft >/dev/null || need+=(iptables)
command -v ipset >/dev/null || need+=(ipset)
command -v radvd >/dev/null || need+=(radvd)
if ((${#need[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps.sh: missing ${need[*]}; run as root to install them" >&2
    exit 1
  fi
  echo "install-deps.sh: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
