#!/usr/bin/env bash
# Installs net-balancer, or updates an installed one:
#   sudo ./install.sh                      install into /usr/local and start the service
#   sudo ./install.sh --no-start           install, enable, but do not (re)start
#   DESTDIR=/tmp/root ./install.sh         stage into /tmp/root (no root, no apt, no systemctl)
# Layout (PREFIX defaults to /usr/local):
#   PREFIX/lib/net-balancer/net-balancer.jar       the program
#   PREFIX/lib/net-balancer/net-balancer           launcher (finds the jar next to itself)
#   PREFIX/bin/net-balancer -> ../lib/net-balancer/net-balancer
#   PREFIX/bin/net_autobalance.sh                  the service's entry point (net-balancer run)
#   PREFIX/bin/universal_load_balancer.sh          one-shot configuration (net-balancer apply)
#   PREFIX/bin/test_harness.sh                     failure scenarios (net-balancer test)
#   PREFIX/share/man/man8/*.8                      man pages (net-balancer(8), one per command)
#   PREFIX/share/bash-completion/completions/net-balancer, PREFIX/share/zsh/site-functions/_net-balancer
#   /etc/systemd/system/net_balancer.service
#   /etc/net-balancer/net-balancer.conf            written only when absent: yours is never replaced
#   /etc/net-balancer/hooks.d/
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: [DESTDIR=DIR] ./install.sh [--prefix DIR] [--no-start] [--build]

Installs net-balancer, or updates an existing install (your config file is kept).

  --prefix DIR   install programs under DIR/bin and DIR/lib (default: /usr/local)
  --no-start     enable the service but do not start or restart it
  --build        rebuild target/net-balancer.jar with Maven even if it exists
  -h, --help     show this help

DESTDIR=DIR stages every file under DIR (for packaging and tests): no root needed, no
packages installed, systemd left alone. Unit paths still name the final locations.
EOF
}

say() { printf '%s\n' "$*"; }
warn() { printf 'install.sh: warning: %s\n' "$*" >&2; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

src=$(dirname "$(readlink -f "$0")")
prefix=/usr/local
start=true
build=false
while (($#)); do
  case $1 in
    --prefix) (($# >= 2)) || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    --no-start) start=false; shift ;;
    --build) build=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

# The prefix ends up in the unit's ExecStart lines and in a sed expression: keep it plain.
[[ $prefix == /* ]] || die "--prefix must be an absolute path, not '$prefix'"
[[ $prefix =~ ^[A-Za-z0-9._/+-]+$ ]] || die "--prefix may hold only letters, digits and . _ / + -: '$prefix'"
while [[ $prefix == */ && $prefix != / ]]; do prefix=${prefix%/}; done
[[ $prefix != / ]] || die "--prefix / is not supported; use /usr or /usr/local"

destdir=${DESTDIR:-}
if [[ -n $destdir ]]; then
  destdir=$(realpath -m -- "$destdir")
  [[ $destdir != / ]] || die "DESTDIR=/ is the running system: unset DESTDIR instead"
fi
staged() { [[ -n $destdir ]]; }

if ! staged && ((EUID != 0)); then
  die "run as root (sudo ./install.sh), or set DESTDIR=DIR to stage the files into DIR"
fi

libdir=$destdir$prefix/lib/net-balancer
bindir=$destdir$prefix/bin
mandir=$destdir$prefix/share/man
bashcompdir=$destdir$prefix/share/bash-completion/completions
zshcompdir=$destdir$prefix/share/zsh/site-functions
unitdir=$destdir/etc/systemd/system
unit=$unitdir/net_balancer.service
confdir=$destdir/etc/net-balancer
conf=$confdir/net-balancer.conf
jar=$src/target/net-balancer.jar

# Temporary files next to their destination, so the final rename is atomic (a running JVM keeps
# its jar open; replacing the file in place would crash it). Removed if we stop half-way.
tmp_files=()
trap 'rm -f -- "${tmp_files[@]}"' EXIT

# ---- what is there already -----------------------------------------------------------------
if [[ -e $libdir/net-balancer.jar || -e $unit || -e $bindir/net_autobalance.sh ]]; then
  say "net-balancer is installed in ${destdir:-/}: updating it"
  if [[ -f $unit ]]; then
    old_prefix=$(sed -n 's|^ExecStart=\(.*\)/bin/net_autobalance\.sh.*|\1|p' "$unit" | head -n 1)
    if [[ -n $old_prefix && $old_prefix != "$prefix" ]]; then
      warn "the installed unit runs $old_prefix/bin/net_autobalance.sh; this install uses --prefix $prefix." \
        "Files under $old_prefix stay behind: remove them with ./uninstall.sh --prefix $old_prefix first."
    fi
  fi
else
  say "installing net-balancer into ${destdir:-/} (prefix $prefix)"
fi

# ---- packages (running system only) --------------------------------------------------------
java_major() {
  local v
  v=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
  v=${v#1.}
  [[ $v =~ ^[0-9]+$ ]] && printf '%s\n' "$v" || printf '0\n'
}
have_java17() { command -v java >/dev/null && (($(java_major) >= 17)); }

need_build=false
if $build || [[ ! -f $jar ]]; then
  need_build=true
fi

if ! staged; then
  missing=()
  have_java17 || missing+=(java)
  command -v ip >/dev/null || missing+=(iproute2)
  command -v nft >/dev/null || missing+=(nftables)
  command -v conntrack >/dev/null || missing+=(conntrack)
  if $need_build; then
    command -v javac >/dev/null || missing+=(jdk)
    command -v mvn >/dev/null || missing+=(maven)
  fi
  if ((${#missing[@]})); then
    command -v apt-get >/dev/null || die "missing: ${missing[*]}; install them (Java 17 or newer), then run this again"
    export DEBIAN_FRONTEND=noninteractive
    say "updating the package lists"
    apt-get update -qq
    # Java 17 where the distribution has it, else its default Java (17 or newer on current releases).
    candidate() { apt-cache policy "$1" 2>/dev/null | grep -q 'Candidate: [^(]'; }
    pkgs=()
    for m in "${missing[@]}"; do
      case $m in
        java) if candidate openjdk-17-jre-headless; then pkgs+=(openjdk-17-jre-headless); else pkgs+=(default-jre-headless); fi ;;
        jdk) if candidate openjdk-17-jdk-headless; then pkgs+=(openjdk-17-jdk-headless); else pkgs+=(default-jdk-headless); fi ;;
        *) pkgs+=("$m") ;;
      esac
    done
    say "installing packages: ${pkgs[*]}"
    apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
    have_java17 || die "java on PATH is Java $(java_major); net-balancer needs 17 or newer (update-alternatives --config java)"
  else
    say "packages: java $(java_major), iproute2, nftables and conntrack are present"
  fi
fi

# ---- the jar ---------------------------------------------------------------------------------
if $need_build; then
  command -v mvn >/dev/null || die "target/net-balancer.jar is missing and Maven is not installed: install maven, or build the jar elsewhere"
  say "building target/net-balancer.jar (mvn -B -q -DskipTests package)"
  (cd "$src" && mvn -B -q -DskipTests package)
  [[ -f $jar ]] || die "the build did not produce $jar"
else
  newer=$(find "$src/pom.xml" "$src/src/main" -newer "$jar" -type f -print -quit 2>/dev/null || true)
  [[ -z $newer ]] || warn "target/net-balancer.jar is older than ${newer#"$src"/}; pass --build to rebuild it"
fi

# ---- files -----------------------------------------------------------------------------------
# put MODE SRC DEST: copy atomically and say whether DEST was new, replaced or already equal.
put() {
  local mode=$1 from=$2 to=$3 tmp what
  mkdir -p -- "$(dirname -- "$to")"
  if [[ -f $to && ! -L $to ]] && cmp -s -- "$from" "$to"; then
    chmod "$mode" -- "$to"
    what=unchanged
  else
    [[ -e $to || -L $to ]] && what=replaced || what=new
    tmp=$(mktemp -- "$to.XXXXXX")
    tmp_files+=("$tmp")
    install -m "$mode" -- "$from" "$tmp"
    mv -f -- "$tmp" "$to"
  fi
  say "  $to ($what)"
}

# link TARGET DEST: a symbolic link, replaced atomically.
link() {
  local target=$1 to=$2 tmp
  mkdir -p -- "$(dirname -- "$to")"
  if [[ -L $to && $(readlink -- "$to") == "$target" ]]; then
    say "  $to -> $target (unchanged)"
    return
  fi
  tmp=$(mktemp -u -- "$to.XXXXXX")
  tmp_files+=("$tmp")
  ln -s -- "$target" "$tmp"
  mv -Tf -- "$tmp" "$to"
  say "  $to -> $target"
}

say "files:"
put 0644 "$jar" "$libdir/net-balancer.jar"
put 0755 "$src/net-balancer" "$libdir/net-balancer"
put 0644 "$src/packaging/net-balancer.conf" "$libdir/net-balancer.conf.default"
# A link, so the launcher resolves its own directory to $libdir and finds the jar there, for any
# prefix and under DESTDIR alike.
link ../lib/net-balancer/net-balancer "$bindir/net-balancer"
put 0755 "$src/net_autobalance.sh" "$bindir/net_autobalance.sh"
put 0755 "$src/universal_load_balancer.sh" "$bindir/universal_load_balancer.sh"
put 0755 "$src/test_harness.sh" "$bindir/test_harness.sh"

# Man pages and bash/zsh completion, generated from the jar's own command model.
docs=$(mktemp -d)
trap 'rm -f -- "${tmp_files[@]}"; rm -rf -- "$docs"' EXIT
command -v java >/dev/null || die "java is needed to generate the man pages and completion (Java 17 or newer)"
java -cp "$jar" netbalancer.cli.GenerateDocs "$docs" || die "could not generate the man pages and completion from $jar"
for page in "$docs"/man8/*.8; do
  put 0644 "$page" "$mandir/man8/${page##*/}"
done
put 0644 "$docs/bash-completion/net-balancer" "$bashcompdir/net-balancer"
put 0644 "$docs/zsh/_net-balancer" "$zshcompdir/_net-balancer"

rendered=$(mktemp)
tmp_files+=("$rendered")
sed "s|/usr/local/bin/|$prefix/bin/|g" "$src/net_balancer.service" >"$rendered"
put 0644 "$rendered" "$unit"

mkdir -p -- "$confdir"
if [[ -e $conf ]]; then
  say "  $conf (kept: your configuration is never replaced; defaults: $libdir/net-balancer.conf.default)"
else
  put 0644 "$src/packaging/net-balancer.conf" "$conf"
fi
if [[ -d $confdir/hooks.d ]]; then
  say "  $confdir/hooks.d/ (kept)"
else
  mkdir -m 0755 -- "$confdir/hooks.d"
  say "  $confdir/hooks.d/ (new)"
fi

# ---- systemd (running system only) -----------------------------------------------------------
if staged; then
  say "staged into $destdir: systemd left alone"
  exit 0
fi
if [[ ! -d /run/systemd/system ]]; then
  say "systemd is not running here: start the daemon with $prefix/bin/net_autobalance.sh"
  exit 0
fi
systemctl daemon-reload
systemctl enable --quiet net_balancer.service
say "systemd: reloaded units, net_balancer.service enabled"
if ! $start; then
  say "not started (--no-start): systemctl start net_balancer.service"
  exit 0
fi
# Do not replace a running daemon with one that would refuse the configuration.
if ! check=$("$bindir/net-balancer" apply --dry-run 2>&1 >/dev/null); then
  printf '%s\n' "$check" >&2
  die "the configuration in $conf is not valid: service not (re)started; fix it, then: systemctl restart net_balancer.service"
fi
if systemctl is-active --quiet net_balancer.service; then
  systemctl restart net_balancer.service
  say "systemd: net_balancer.service restarted"
else
  systemctl start net_balancer.service
  say "systemd: net_balancer.service started"
fi
sleep 2
if ! systemctl is-active --quiet net_balancer.service; then
  journalctl -u net_balancer.service -n 20 --no-pager >&2 || true
  die "net_balancer.service is not running; see: journalctl -u net_balancer.service"
fi
say "done: systemctl status net_balancer.service; $prefix/bin/net-balancer status"
