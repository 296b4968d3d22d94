#!/usr/bin/env bash
# Removes net-balancer: stops and disables the service, removes its routes, rules, nft table and
# restores the sysctls it changed (`net-balancer cleanup`), deletes every installed file and the
# metrics file, then checks that nothing is left. Your configuration stays unless --purge.
#   sudo ./uninstall.sh            DESTDIR=/tmp/root ./uninstall.sh   (staged: files only)
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: [DESTDIR=DIR] ./uninstall.sh [--prefix DIR] [--purge] [--force]

Stops and disables net_balancer.service, removes its routes, rules and nft table, restores
the sysctls it changed, and deletes every installed file and the metrics file.

  --prefix DIR   the prefix given to install.sh (default: /usr/local)
  --purge        also delete /etc/net-balancer (configuration, hooks) and unit drop-ins
  --force        delete the files even when the network cleanup failed
  -h, --help     show this help

DESTDIR=DIR removes a staged install from DIR: files only, the network is left alone.
EOF
}

say() { printf '%s\n' "$*"; }
warn() { printf 'uninstall.sh: warning: %s\n' "$*" >&2; }
die() { printf 'uninstall.sh: %s\n' "$*" >&2; exit 1; }

src=$(dirname "$(readlink -f "$0")")
prefix=/usr/local
purge=false
force=false
while (($#)); do
  case $1 in
    --prefix) (($# >= 2)) || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    --purge) purge=true; shift ;;
    --force) force=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

[[ $prefix == /* ]] || die "--prefix must be an absolute path, not '$prefix'"
while [[ $prefix == */ && $prefix != / ]]; do prefix=${prefix%/}; done
[[ $prefix != / ]] || die "--prefix / is not supported"

destdir=${DESTDIR:-}
if [[ -n $destdir ]]; then
  destdir=$(realpath -m -- "$destdir")
  [[ $destdir != / ]] || die "DESTDIR=/ is the running system: unset DESTDIR instead"
  [[ -d $destdir ]] || die "DESTDIR $destdir does not exist"
fi
staged() { [[ -n $destdir ]]; }

if ! staged && ((EUID != 0)); then
  die "run as root (sudo ./uninstall.sh), or set DESTDIR=DIR to remove a staged install"
fi

libdir=$destdir$prefix/lib/net-balancer
bindir=$destdir$prefix/bin
mandir=$destdir$prefix/share/man
unitdir=$destdir/etc/systemd/system
unit=$unitdir/net_balancer.service
confdir=$destdir/etc/net-balancer
conf=$confdir/net-balancer.conf
systemd_up() { ! staged && [[ -d /run/systemd/system ]]; }

# conf_value KEY DEFAULT: KEY's value in the config file (KEY=VALUE lines, optionally quoted).
conf_value() {
  local v=""
  [[ -r $conf ]] && v=$(sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$conf" | tail -n 1)
  v=${v%"${v##*[![:space:]]}"}
  [[ $v == \"*\" || $v == \'*\' ]] && v=${v:1:${#v}-2}
  printf '%s\n' "${v:-$2}"
}

say "uninstalling net-balancer from ${destdir:-/} (prefix $prefix)"

# ---- service --------------------------------------------------------------------------------
if systemd_up; then
  if systemctl is-active --quiet net_balancer.service; then
    systemctl stop net_balancer.service
    say "  service stopped"
  fi
  if systemctl is-enabled --quiet net_balancer.service 2>/dev/null; then
    systemctl disable --quiet net_balancer.service
    say "  service disabled"
  fi
elif ! staged; then
  say "  systemd is not running: no service to stop"
fi

# ---- network state (running system only) ------------------------------------------------------
state_dir=$(conf_value STATE_DIR /run/net-balancer)
metrics_file=$(conf_value METRICS_FILE /var/run/load_balancer_metrics.prom)
leftovers=()
if ! staged; then
  nb=""
  if [[ -x $bindir/net-balancer && -f $libdir/net-balancer.jar ]]; then
    nb=$bindir/net-balancer
  elif [[ -x $src/net-balancer && -f $src/target/net-balancer.jar ]]; then
    nb=$src/net-balancer
  fi
  if [[ -z $nb ]]; then
    warn "net-balancer is not installed here: cannot run its cleanup"
    cleaned=false
  elif "$nb" cleanup; then
    cleaned=true
  else
    warn "net-balancer cleanup reported errors (above)"
    cleaned=false
  fi
  proto=$(conf_value LB_RT_PROTO 213)
  for fam in -4 -6; do
    if [[ -n $(ip -N "$fam" route show table all proto "$proto" 2>/dev/null) ]]; then
      leftovers+=("ip $fam routes with protocol $proto (ip $fam route show table all proto $proto)")
    fi
    if ip -N "$fam" rule show 2>/dev/null | grep -Eq "proto $proto( |\$)"; then
      leftovers+=("ip $fam rules with protocol $proto (ip $fam rule show)")
    fi
  done
  if command -v nft >/dev/null && nft list table inet net_balancer >/dev/null 2>&1; then
    leftovers+=("nft table inet net_balancer")
  fi
  if ! $cleaned || ((${#leftovers[@]})); then
    for l in "${leftovers[@]}"; do warn "still in the kernel: $l"; done
    if ! $force; then
      die "network cleanup incomplete: nothing was deleted, so you can retry (or ./uninstall.sh --force)"
    fi
    warn "--force: deleting the files anyway"
  else
    say "  network: routes, rules and nft table removed, sysctls restored"
  fi
fi

# ---- files ----------------------------------------------------------------------------------
gone=()     # every path that must not exist afterwards
kept=()
# Staged installs: remove the directories install.sh created once they are empty.
prune() {
  staged || return 0
  local d=$1
  while [[ $d == "$destdir"/* ]]; do
    rmdir -- "$d" 2>/dev/null || break
    d=$(dirname -- "$d")
  done
}
remove() {
  gone+=("$1")
  if [[ -e $1 || -L $1 ]]; then
    rm -rf -- "$1"
    say "  removed $1"
  fi
  prune "$(dirname -- "$1")"
}

remove "$bindir/net-balancer"
remove "$bindir/net_autobalance.sh"
remove "$bindir/universal_load_balancer.sh"
remove "$bindir/test_harness.sh"
remove "$libdir"
# Man pages: net-balancer*.8 and the seed scripts' pages.
for page in "$mandir"/man8/net-balancer.8 "$mandir"/man8/net-balancer-*.8 "$mandir"/man8/net_autobalance.sh.8 \
  "$mandir"/man8/universal_load_balancer.sh.8 "$mandir"/man8/test_harness.sh.8; do
  if [[ -e $page ]]; then remove "$page"; fi
done
remove "$destdir$prefix/share/bash-completion/completions/net-balancer"
remove "$destdir$prefix/share/zsh/site-functions/_net-balancer"
remove "$unitdir/multi-user.target.wants/net_balancer.service"
remove "$unit"
remove "$destdir/var/run/load_balancer_metrics.prom"
# Temporary files of the metrics writer that a crash left: .NAME.<random>.tmp next to the file.
for f in "$destdir/var/run/.load_balancer_metrics.prom."*.tmp; do
  if [[ -f $f ]]; then remove "$f"; fi
done
# A configured METRICS_FILE elsewhere: only a file that looks like ours.
custom_metrics=$destdir$metrics_file
if [[ $metrics_file == /*.prom && -f $custom_metrics
  && $custom_metrics != "$destdir/var/run/load_balancer_metrics.prom" ]]; then
  remove "$custom_metrics"
fi
# Runtime state: the sysctl originals (useless once cleaned up) and the control socket.
state_dirs=("$destdir/run/net-balancer")
if [[ $state_dir != /run/net-balancer ]]; then state_dirs+=("$destdir$state_dir"); fi
for dir in "${state_dirs[@]}"; do
  [[ -d $dir ]] || continue
  for f in "$dir"/sysctl-originals-*.json "$dir"/sysctl-originals-*.json.tmp "$dir/control.sock"; do
    if [[ -e $f || -L $f ]]; then remove "$f"; fi
  done
  # The event history (net-balancer events) and a temp file of its atomic rewrite.
  for f in "$dir"/events-*.json "$dir"/.events-*.json.*.tmp; do
    if [[ -e $f || -L $f ]]; then remove "$f"; fi
  done
  [[ -d $dir ]] || continue # a staged install's prune took it already
  if rmdir -- "$dir" 2>/dev/null; then
    say "  removed $dir"
    prune "$(dirname -- "$dir")"
  else
    kept+=("$dir (not empty)")
  fi
done

if [[ -d $unitdir/net_balancer.service.d ]]; then
  if $purge; then
    remove "$unitdir/net_balancer.service.d"
  else
    kept+=("$unitdir/net_balancer.service.d (your unit drop-ins)")
  fi
fi
if [[ -d $confdir ]]; then
  if $purge; then
    remove "$confdir"
  else
    if [[ -d $confdir/hooks.d ]]; then
      if rmdir -- "$confdir/hooks.d" 2>/dev/null; then
        say "  removed $confdir/hooks.d (empty)"
      else
        kept+=("$confdir/hooks.d (your hooks)")
      fi
    fi
    if [[ -e $conf ]]; then kept+=("$conf (your configuration)"); fi
    if rmdir -- "$confdir" 2>/dev/null; then
      say "  removed $confdir (empty)"
      prune "$(dirname -- "$confdir")"
    fi
  fi
fi

if systemd_up; then
  systemctl daemon-reload
  systemctl reset-failed net_balancer.service 2>/dev/null || true
  say "  systemd: units reloaded"
fi

# ---- check ----------------------------------------------------------------------------------
left=()
for p in "${gone[@]}"; do
  [[ -e $p || -L $p ]] && left+=("$p")
done
left+=("${leftovers[@]}")
if ((${#left[@]})); then
  for p in "${left[@]}"; do warn "left behind: $p"; done
  exit 1
fi
say "check: nothing left behind"
for k in "${kept[@]}"; do
  say "kept: $k"
done
if ((${#kept[@]})) && ! $purge; then
  say "(./uninstall.sh --purge removes these too)"
fi
