#!/usr/bin/env bash
# Builds the Debian package target/net-balancer_VERSION_all.deb with dpkg-deb from the layout in
# packaging/debian/ (control, maintainer scripts, conffiles, copyright, changelog):
#   scripts/build-deb.sh            build the jar first if it is missing, then the package
#   scripts/build-deb.sh --build    rebuild the jar with Maven first
# Needs dpkg-deb (every Debian/Ubuntu has it), java (to generate the man pages and completion
# from the jar) and gzip; no root (dpkg-deb --root-owner-group makes the files root's).
set -euo pipefail

die() { printf 'build-deb.sh: %s\n' "$*" >&2; exit 1; }

src=$(dirname "$(dirname "$(readlink -f "$0")")")
build=false
case ${1:-} in
  "") ;;
  --build) build=true ;;
  -h | --help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown option '$1' (see --help)" ;;
esac
cd "$src"
deb=packaging/debian
jar=target/net-balancer.jar
command -v dpkg-deb >/dev/null || die "dpkg-deb is missing (Debian package dpkg)"
command -v java >/dev/null || die "java is missing: it generates the man pages and completion"
if $build || [[ ! -f $jar ]]; then
  mvn -B -q -DskipTests package
fi
[[ -f $jar ]] || die "$jar is missing"

# The package version: the pom's, with -SNAPSHOT as ~snapshot (sorts before the release); the
# changelog's newest entry must say the same.
pom_version=$(sed -n 's|^  <version>\(.*\)</version>|\1|p' pom.xml | head -n 1)
version=${pom_version/-SNAPSHOT/\~snapshot}
changelog_version=$(sed -n '1s/^net-balancer (\([^)]*\)).*/\1/p' "$deb/changelog")
[[ $version == "$changelog_version" ]] \
  || die "version $version (from pom.xml $pom_version) is not the newest in $deb/changelog ($changelog_version)"
# Reproducible: file times and man page dates from the changelog's newest entry.
SOURCE_DATE_EPOCH=$(date -d "$(sed -n 's/^ -- .*>  //p' "$deb/changelog" | head -n 1)" +%s)
export SOURCE_DATE_EPOCH

root=target/deb/root
rm -rf target/deb
mkdir -p "$root/DEBIAN"

install -D -m 0644 "$jar" "$root/usr/share/net-balancer/net-balancer.jar"
install -D -m 0755 net-balancer "$root/usr/share/net-balancer/net-balancer"
mkdir -p "$root/usr/bin"
ln -s ../share/net-balancer/net-balancer "$root/usr/bin/net-balancer"
for script in net_autobalance.sh universal_load_balancer.sh test_harness.sh; do
  install -m 0755 "$script" "$root/usr/bin/$script"
done
# The unit runs the programs from /usr/bin; install.sh's copy runs them from its PREFIX.
mkdir -p "$root/lib/systemd/system"
sed 's|/usr/local/bin/|/usr/bin/|g' net_balancer.service >"$root/lib/systemd/system/net_balancer.service"
chmod 0644 "$root/lib/systemd/system/net_balancer.service"
install -D -m 0644 packaging/net-balancer.conf "$root/etc/net-balancer/net-balancer.conf"
mkdir -p -m 0755 "$root/etc/net-balancer/hooks.d"

docs=target/deb/docs
java -cp "$jar" netbalancer.cli.GenerateDocs "$docs"
mkdir -p "$root/usr/share/man/man8"
for page in "$docs"/man8/*.8; do
  gzip -9n -c "$page" >"$root/usr/share/man/man8/${page##*/}.gz"
done
install -D -m 0644 "$docs/bash-completion/net-balancer" "$root/usr/share/bash-completion/completions/net-balancer"
install -D -m 0644 "$docs/zsh/_net-balancer" "$root/usr/share/zsh/vendor-completions/_net-balancer"

doc=$root/usr/share/doc/net-balancer
install -D -m 0644 "$deb/copyright" "$doc/copyright"
gzip -9n -c "$deb/changelog" >"$doc/changelog.gz"
install -D -m 0644 "$deb/lintian-overrides" "$root/usr/share/lintian/overrides/net-balancer"

for f in postinst prerm postrm; do
  install -m 0755 "$deb/$f" "$root/DEBIAN/$f"
done
install -m 0644 "$deb/conffiles" "$root/DEBIAN/conffiles"
size=$(du -k -s --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$size/" "$deb/control" >"$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z \
  | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"

# Directories 0755 whatever the umask; every time the changelog's.
find "$root" -type d -exec chmod 0755 {} +
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
out=target/net-balancer_${version}_all.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null
echo "$out"
