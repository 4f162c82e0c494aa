#!/bin/sh
# mkdeb.sh - build the Debian binary package rsyslog-imnetflow from a built
# and staged (make install DESTDIR=...) tree; `make deb` runs it.
#
#   mkdeb.sh SRCDIR STAGED_SO "RSYSLOG_CPPFLAGS" PACKAGE_VERSION OUTDIR
#
# No debhelper and no debian/ directory at the top level: the package is a
# plain binary one assembled here and built with dpkg-deb.
#  - Version: the top entry of contrib/debian/changelog (0.1.0-1); its
#    upstream part must be configure's PACKAGE_VERSION.
#  - imnetflow.so goes to Debian's rsyslog module directory,
#    /usr/lib/<DEB_HOST_MULTIARCH>/rsyslog, stripped as dh_strip would.
#  - docs to /usr/share/doc/rsyslog-imnetflow (over 4 kB gzip -9n, as
#    policy 12.3 asks), rsyslog.conf.example and the systemd drop-in
#    imnetflow-hardening.conf under examples/.
#  - Depends: dpkg-shlibdeps for the libraries, and rsyslog of exactly the
#    upstream version whose headers the module was compiled against (rsyslog
#    has no stable module ABI): rsyslog (>= V), rsyslog (<< V.~). With V =
#    8.2302.0 this admits 8.2302.0-<any revision> and 8.2302.0+repack
#    versions, and rejects 8.2302.0~rc (below V), 8.2302.0.1, 8.2302.1 and
#    8.2306.0: in dpkg's ordering "~" sorts before the end of a string, and
#    the end before any other character, so V < V-r < V+x < V.~ < V.1.
#  - the Debian rsyslog package installed here must be that version (the
#    module is loaded by the rsyslogd it was built for).
#  - postinst creates the system user and group _imnetflow that the example
#    drops to, /var/log/netflow and a dpkg-statoverride giving it
#    /var/spool/rsyslog; postrm undoes the last two on purge.
#  - lintian runs on the result (LINTIAN=: skips it): errors and warnings
#    fail; contrib/debian/lintian-overrides says why each override is there.
#
# Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
set -eu
umask 022

[ $# = 5 ] || { echo "usage: $0 SRCDIR STAGED_SO RSYSLOG_CPPFLAGS PACKAGE_VERSION OUTDIR" >&2; exit 2; }
srcdir=$1 staged_so=$2 rsyslog_cppflags=$3 package_version=$4 outdir=$5
deb=$srcdir/contrib/debian
pkg=rsyslog-imnetflow
die() { echo "mkdeb: $*" >&2; exit 1; }

[ -f "$staged_so" ] || die "$staged_so not found (make install DESTDIR=... first)"
for tool in dpkg-deb dpkg-shlibdeps dpkg-parsechangelog dpkg-architecture; do
	command -v $tool > /dev/null || die "$tool not found: install dpkg-dev (contrib/install-deps.sh)"
done

# --- versions ----------------------------------------------------------------
version=$(dpkg-parsechangelog -l "$deb/changelog" -S Version)
[ "${version%-*}" = "$package_version" ] ||
	die "contrib/debian/changelog is at $version but the source is $package_version: add a changelog entry"
# the rsyslog whose headers the module was compiled against: the config.h
# in the include path (configure checked it against rsyslogd -v)
built_against=
for flag in $rsyslog_cppflags; do
	h=${flag#-I}/config.h
	if [ -f "$h" ]; then
		built_against=$(sed -n 's/^#define VERSION "\(.*\)"$/\1/p' "$h")
		break
	fi
done
[ -n "$built_against" ] || die "no rsyslog config.h in $rsyslog_cppflags"
debian_rsyslog=$(dpkg-query -W -f='${Version}' rsyslog 2>/dev/null) ||
	die "Debian's rsyslog package is not installed"
upstream=${debian_rsyslog%-*}   # keeps an epoch, if any, for the bounds
[ "${upstream#*:}" = "$built_against" ] ||
	die "built against rsyslog $built_against but rsyslog $debian_rsyslog is installed: rebuild (contrib/build.sh)"

arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
moddir=/usr/lib/$multiarch/rsyslog
[ -f "$moddir/imudp.so" ] || die "$moddir is not rsyslog's module directory (no imudp.so)"

# --- the tree ----------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/mkdeb.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
doc=$root/usr/share/doc/$pkg
install -d "$root/DEBIAN" "$root$moddir" "$doc/examples"
install -m 644 "$staged_so" "$root$moddir/imnetflow.so"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root$moddir/imnetflow.so"
# the daily-file writer of rsyslog.conf.example, staged beside the module
install -m 755 "$(dirname "$staged_so")/nf-dailyfile" "$root$moddir/nf-dailyfile"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root$moddir/nf-dailyfile"
for f in "$srcdir/README.md" "$srcdir/SECURITY.md" "$srcdir"/docs/*.md; do
	install -m 644 "$f" "$doc/"
	[ "$(stat -c %s "$f")" -le 4096 ] || gzip -9n "$doc/$(basename "$f")"
done
install -m 644 "$srcdir/rsyslog.conf.example" "$srcdir/contrib/systemd/imnetflow-hardening.conf" "$doc/examples/"
install -m 644 "$deb/copyright" "$doc/copyright"
gzip -9nc "$deb/changelog" > "$doc/changelog.Debian.gz"
chmod 644 "$doc/changelog.Debian.gz"
# the overrides file without its comments (reasons stay in the source)
overrides=$(grep -v -e '^#' -e '^$' "$deb/lintian-overrides" || true)
if [ -n "$overrides" ]; then
	install -d "$root/usr/share/lintian/overrides"
	printf '%s\n' "$overrides" > "$root/usr/share/lintian/overrides/$pkg"
	chmod 644 "$root/usr/share/lintian/overrides/$pkg"
fi

# maintainer scripts: the user rsyslogd drops to, and its directories
install -m 755 "$deb/postinst" "$deb/postrm" "$root/DEBIAN/"

# --- control -----------------------------------------------------------------
# dpkg-shlibdeps wants a debian/control to read
mkdir "$work/debian"
printf 'Source: imnetflow\n\nPackage: %s\nArchitecture: any\n' "$pkg" > "$work/debian/control"
# -w0: rsyslog's own symbols are unresolved in a module, by design
shlibs=$(cd "$work" && dpkg-shlibdeps -O --warnings=0 "root$moddir/imnetflow.so" "root$moddir/nf-dailyfile" | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || die "dpkg-shlibdeps found no library dependencies"
depends="rsyslog (>= $upstream), rsyslog (<< $upstream.~), adduser, $shlibs"
rm -rf "$work/debian"

# Installed-Size as dpkg-gencontrol counts it: KiB per file, rounded up, 1 per directory
size=$(cd "$root" && find . -path ./DEBIAN -prune -o \( -type f -printf '%s\n' \) -o \( -type d -printf '1024\n' \) |
	awk '{ s += int(($1 + 1023) / 1024) } END { print s }')
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@INSTALLED_SIZE@|$size|" \
    -e "s|@DEPENDS@|$depends|" -e "s|@RSYSLOG_VERSION@|$built_against|" "$deb/control.in" > "$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"

# reproducible: every mtime is the changelog's date
SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -l "$deb/changelog" -S Timestamp)
export SOURCE_DATE_EPOCH
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$outdir"
out=$outdir/${pkg}_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$out" > /dev/null
echo "mkdeb: built $out (Depends: $depends)"

# --- lintian -----------------------------------------------------------------
LINTIAN=${LINTIAN:-lintian}
[ "$LINTIAN" = : ] && { echo "mkdeb: lintian skipped (LINTIAN=:)"; exit 0; }
command -v "$LINTIAN" > /dev/null || die "lintian not found: install it (contrib/install-deps.sh) or make deb LINTIAN=:"
echo "mkdeb: $LINTIAN --fail-on error,warning --display-info --pedantic $out"
"$LINTIAN" --fail-on error,warning --display-info --pedantic "$out" ||
	die "lintian failed on $out"
echo "mkdeb: lintian passed"
