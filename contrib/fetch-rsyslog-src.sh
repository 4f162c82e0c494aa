#!/bin/sh
# fetch-rsyslog-src.sh - get rsyslog's source headers for the installed rsyslogd.
#
# rsyslog ships no development headers, so a module is built against the
# source of the very same upstream version as the rsyslogd that loads it.
# This script downloads the matching Debian source package with a private apt
# configuration (the system's apt sources are read, never changed), unpacks it
# and runs rsyslog's own configure in a separate build directory to obtain
# config.h. The result is cached; a second run does nothing.
#
# Usage: contrib/fetch-rsyslog-src.sh [CACHE_DIR]
# Prints two lines: "src=DIR" and "build=DIR", for configure's
# --with-rsyslog-src and --with-rsyslog-build.
#
# Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
set -eu

die() { echo "fetch-rsyslog-src: $*" >&2; exit 1; }

command -v rsyslogd >/dev/null 2>&1 || die "rsyslogd is not installed"
version=$(rsyslogd -v 2>/dev/null | awk 'NR == 1 { print $2 }')
[ -n "$version" ] || die "cannot read the version of rsyslogd"

cache=${1:-${IMNETFLOW_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/imnetflow}}
top="$cache/rsyslog-$version"
src="$top/src"
build="$top/build"

if [ -f "$build/.configured" ] && [ -f "$src/runtime/msg.h" ]; then
	echo "src=$src"
	echo "build=$build"
	exit 0
fi

mkdir -p "$top"
apt="$top/apt"
rm -rf "$apt" "$src" "$build"
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d" "$top/download"

# deb-src twins of the system's deb sources, in a private directory
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
	[ -f "$f" ] || continue
	sed -n 's/^[[:space:]]*deb[[:space:]]\+/deb-src /p' "$f"
done > "$apt/sources.list.d/system-src.list"
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	sed 's/^Types:.*/Types: deb-src/' "$f" > "$apt/sources.list.d/$(basename "$f")"
done

aptopts="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$apt/sources.list.d \
-o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt/cache -o APT::Sandbox::User=root \
-o Acquire::Languages=none"
# shellcheck disable=SC2086
apt-get -q $aptopts update >&2 || die "apt-get update with the private configuration failed"

# every Debian revision of the same upstream version, newest first
# shellcheck disable=SC2086
candidates=$(apt-cache $aptopts showsrc rsyslog 2>/dev/null |
	awk '/^Version:/ { print $2 }' | grep -E "^([0-9]+:)?$version-" | sort -rV | uniq)
[ -n "$candidates" ] || die "no source package of rsyslog $version is available"

fetched=
for v in $candidates; do
	# shellcheck disable=SC2086
	if (cd "$top/download" && apt-get -q $aptopts source --download-only "rsyslog=$v" >&2); then
		fetched=$v
		break
	fi
	echo "fetch-rsyslog-src: rsyslog=$v not downloadable, trying the next" >&2
done
[ -n "$fetched" ] || die "none of the source packages of rsyslog $version could be downloaded"

dsc=$(ls "$top"/download/rsyslog_*.dsc | head -n 1)
if command -v dpkg-source >/dev/null 2>&1; then
	dpkg-source -x --no-check "$dsc" "$src" >&2
else
	mkdir -p "$src"
	tar -xzf "$top"/download/rsyslog_*.orig.tar.gz -C "$src" --strip-components=1
fi
[ -f "$src/runtime/msg.h" ] || die "unpacked source lacks runtime/msg.h"

# config.h from rsyslog's own configure. --disable-debug matters: a debug
# config.h changes the layout of smsg_t and would corrupt memory silently.
mkdir -p "$build"
(cd "$build" && "$src/configure" --disable-debug --disable-libgcrypt \
	--disable-generate-man-pages --disable-fmhttp --disable-liblogging-stdlog \
	--disable-uuid --disable-libsystemd --disable-klog >configure.log 2>&1) ||
	die "rsyslog's configure failed, see $build/configure.log"
grep -q '^#define NDEBUG 1' "$build/config.h" || die "config.h does not define NDEBUG"
grep -q '^#define DEBUG 1' "$build/config.h" && die "config.h defines DEBUG"
grep -q "^#define VERSION \"$version\"" "$build/config.h" || die "config.h is not version $version"
echo "$fetched" > "$build/.configured"

echo "src=$src"
echo "build=$build"
