#!/bin/sh
# test-rsyslog-versions.sh - the rsyslog version matrix: build imnetflow
# against several rsyslog versions and run its integration tests with each.
#
# rsyslog has no stable module ABI: a module is built against the source of
# the very version of the rsyslogd that loads it. For every source given,
# this script builds that rsyslogd and its modules from the source, builds
# imnetflow against it (a VPATH build of a copy of this checkout, one build
# directory per version), and runs the integration tests with that rsyslogd,
# its modules found through RSYSLOG_MODDIR. Minutes per version: not part of
# .ci/run.
#
# Usage: contrib/test-rsyslog-versions.sh [-w DIR] [-j N] [-r] [-u] SOURCE...
#   SOURCE  one per version: an rsyslog release tarball (rsyslog-8.2504.0.tar.gz)
#           or source tree (a release unpacked, or a git checkout of a release
#           tag; a tree without configure gets autoreconf -fi). Sources are
#           copied, never built in place.
#   -w DIR  working files (default: ${IMNETFLOW_CACHE:-~/.cache/imnetflow}/matrix);
#           DIR/VERSION/ holds rsyslog/ (the build), modules/, imnetflow/, *.log
#   -j N    parallel make jobs (default 2)
#   -r      rebuild rsyslogd even where DIR/VERSION holds a finished build
#   -u      the unit tests too, not only the integration tests (test_deb
#           never: it installs a package for the system's rsyslog)
# Ends with one line per version, e.g.
#   rsyslog 8.2504.0: rsyslogd builds yes, imnetflow builds yes, tests 21 passed, 0 failed, 1 skipped
# and exits 1 when a version did not build or a test failed.
#
# Beyond contrib/install-deps.sh's packages, building rsyslog needs
# libgnutls28-dev (the TLS test uses the gtls driver), and from a source
# without configure (a git tree) autoconf-archive, bison and flex; the script
# says which are missing.
#
# Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
set -eu

die() { echo "test-rsyslog-versions: $*" >&2; exit 2; }
say() { echo "test-rsyslog-versions: $*" >&2; }

work=${IMNETFLOW_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/imnetflow}/matrix
jobs=2
rebuild=no
unit=no
while getopts w:j:ru opt; do
	case $opt in
	w) work=$OPTARG ;;
	j) jobs=$OPTARG ;;
	r) rebuild=yes ;;
	u) unit=yes ;;
	*) sed -n '/^# Usage:/,/^# Ends/p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || die "no rsyslog source given (usage: see the head of $0)"

# --- what building rsyslog needs ------------------------------------------
missing=
for cmd in autoreconf make cc pkg-config python3; do
	command -v "$cmd" >/dev/null 2>&1 || missing="$missing $cmd"
done
pkg-config --exists gnutls 2>/dev/null || missing="$missing libgnutls28-dev"
[ -z "$missing" ] || die "missing:$missing (Debian: apt-get install$missing)"

mkdir -p "$work"
work=$(cd "$work" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)

# --- one copy of this checkout or release, configured for VPATH builds -----
# (an in-tree build in the checkout would make every VPATH build refuse)
snap="$work/imnetflow-src"
rm -rf "$snap"
mkdir -p "$snap"
if [ -e "$top/.git" ]; then
	git -C "$top" ls-files -co --exclude-standard -z |
		tar -cf - -C "$top" --null --no-recursion --ignore-failed-read -T - | tar -xf - -C "$snap"
	commit=$(git -C "$top" rev-parse --short HEAD)
	[ -z "$(git -C "$top" status --porcelain)" ] || commit="$commit+changes"
else # an unpacked release tarball
	[ ! -f "$top/config.status" ] || die "$top is configured in place: make distclean there first"
	cp -a "$top/." "$snap"
	commit=$(sed -n 's/^AC_INIT(\[imnetflow\], *\[\([^]]*\)\].*/\1/p' "$top/configure.ac")
fi
(cd "$snap" && mkdir -p m4 && autoreconf -fi >autoreconf.log 2>&1) || die "autoreconf of imnetflow failed, see $snap/autoreconf.log"

# the rsyslog options: those of a non-debug build with the modules the tests
# load; each is passed only where this version's configure knows it
RSYSLOG_OPTIONS="--disable-debug --enable-impstats --enable-imtcp --enable-gnutls --enable-omprog
--disable-impstats-push --disable-default-tests --disable-generate-man-pages
--disable-liblogging-stdlog --disable-libgcrypt --disable-fmhttp --disable-imjournal
--disable-uuid --disable-libsystemd"

build_rsyslog() { # $1: source, $2: directory to build in (replaced)
	src=$1 dest=$2
	unpack="$work/unpack.$$"
	rm -rf "$unpack"
	mkdir -p "$unpack"
	if [ -d "$src" ]; then
		tar -cf - -C "$src" --exclude=.git . | tar -xf - -C "$unpack"
	else
		tar -xf "$src" -C "$unpack" || return 1
		inner=$(ls "$unpack")
		[ "$(echo "$inner" | wc -l)" = 1 ] && [ -d "$unpack/$inner" ] || return 1
		mv "$unpack/$inner" "$unpack.d" && rmdir "$unpack" && mv "$unpack.d" "$unpack"
	fi
	rm -rf "$dest"
	mkdir -p "$(dirname "$dest")"
	mv "$unpack" "$dest"
	cd "$dest"
	if [ ! -x configure ]; then
		missing=
		command -v bison >/dev/null 2>&1 || missing="$missing bison"
		command -v flex >/dev/null 2>&1 || missing="$missing flex"
		ls /usr/share/aclocal/ax_*.m4 >/dev/null 2>&1 || missing="$missing autoconf-archive"
		[ -z "$missing" ] || { say "a source without configure needs:$missing (apt-get install$missing)"; return 1; }
		autoreconf -fi >autoreconf.log 2>&1 || { say "autoreconf failed, see $dest/autoreconf.log"; return 1; }
	fi
	help=$(./configure --help)
	opts=
	for o in $RSYSLOG_OPTIONS; do
		feature=${o#--*able-}
		echo "$help" | grep -q -- "able-$feature\\([[:space:]=[]\\|\$\\)" && opts="$opts $o"
	done
	# shellcheck disable=SC2086
	./configure $opts >configure.log 2>&1 || { say "configure failed, see $dest/configure.log"; return 1; }
	grep -q '^#define NDEBUG 1' config.h || { say "$dest/config.h lacks NDEBUG"; return 1; }
	make -j"$jobs" >make.log 2>&1 || { say "make failed, see $dest/make.log"; return 1; }
	[ -x tools/rsyslogd ] || return 1
	touch .matrix-built
}

results=
status=0
for src; do
	case $src in /*) ;; *) src="$PWD/$src" ;; esac
	[ -e "$src" ] || die "$src does not exist"
	# the version, from rsyslog's configure.ac of the source
	if [ -d "$src" ]; then
		version=$(sed -n 's/^AC_INIT(\[rsyslog\], *\[\([^]]*\)\].*/\1/p' "$src/configure.ac")
	else
		version=$(tar -xOf "$src" --wildcards --no-wildcards-match-slash '*/configure.ac' 2>/dev/null |
			sed -n 's/^AC_INIT(\[rsyslog\], *\[\([^]]*\)\].*/\1/p')
	fi
	[ -n "$version" ] || die "$src: no rsyslog version in its configure.ac"
	dir="$work/$version"
	tree="$dir/rsyslog"
	rsyslog_ok=yes imnetflow_ok=no tests="not run"
	t0=$(date +%s)

	if [ "$rebuild" = yes ] || [ ! -f "$tree/.matrix-built" ]; then
		say "$version: building rsyslogd in $tree"
		(build_rsyslog "$src" "$tree") || rsyslog_ok=no
	fi
	if [ "$rsyslog_ok" = yes ]; then
		# every loadable module of the build, in one directory
		rm -rf "$dir/modules"
		mkdir -p "$dir/modules"
		find "$tree" -path '*/.libs/*.so' -exec ln -sf {} "$dir/modules/" \;

		say "$version: building imnetflow in $dir/imnetflow"
		rm -rf "$dir/imnetflow"
		mkdir -p "$dir/imnetflow"
		if (cd "$dir/imnetflow" &&
			RSYSLOGD="$tree/tools/rsyslogd" "$snap/configure" --with-rsyslog-src="$tree" \
				--with-rsyslog-build="$tree" --with-moddir="$dir/modules" >configure.log 2>&1 &&
			make -j"$jobs" >make.log 2>&1); then
			imnetflow_ok=yes
		else
			say "$version: imnetflow did not build, see $dir/imnetflow/{configure,make}.log"
			tail -n 20 "$dir/imnetflow/make.log" >&2 2>/dev/null || true
		fi
	fi
	if [ "$imnetflow_ok" = yes ]; then
		say "$version: testing"
		# the integration tests only (their helpers are check_PROGRAMS), but
		# not test_deb: it packages the module for the system's rsyslog and
		# installs it there
		# shellcheck disable=SC2016 # make expands it
		selected='$(filter-out tests/integration/test_deb.py,$(INTEGRATION_TESTS))'
		[ "$unit" = no ] || selected="\$(UNIT_TESTS) $selected"
		(cd "$dir/imnetflow" && RSYSLOG_MODDIR="$dir/modules" make -j"$jobs" check TESTS="$selected" >check.log 2>&1) || true
		log="$dir/imnetflow/test-suite.log"
		if [ -f "$log" ]; then
			num() { n=$(sed -n "s/^# $1: *//p" "$log" | head -n 1); echo "${n:-0}"; }
			fail=$(( $(num FAIL) + $(num ERROR) + $(num XFAIL) ))
			tests="$(num PASS) passed, $fail failed, $(num SKIP) skipped"
			[ "$fail" = 0 ] || status=1
			# why: a skipped test's reason, a failed test's last words
			for trs in "$dir"/imnetflow/tests/*/*.trs; do
				case $(sed -n 's/^:test-result: //p' "$trs") in
				SKIP) grep -h '^SKIP:' "${trs%.trs}.log" ;;
				FAIL | ERROR | XFAIL) echo "FAIL: $(basename "${trs%.trs}"):"; tail -n 4 "${trs%.trs}.log" ;;
				esac
			done 2>/dev/null | sed "s/^/  $version /" >&2
		else
			tests="did not run, see $dir/imnetflow/check.log"
			status=1
		fi
	else
		status=1
	fi
	line="rsyslog $version: rsyslogd builds $rsyslog_ok, imnetflow builds $imnetflow_ok, tests $tests ($(( $(date +%s) - t0 )) s)"
	say "$line"
	results="$results$line
"
done

echo "imnetflow $commit, $(date -u +%Y-%m-%d):"
printf '%s' "$results"
exit "$status"
