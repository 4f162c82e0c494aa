#!/bin/sh
# install-deps.sh - install what building and testing imnetflow needs (Debian 12).
#
# Installs the Debian packages (only those missing; apt-get update runs only
# when something is missing), then fetches and configures rsyslog's source
# of the installed version (contrib/fetch-rsyslog-src.sh, cached).
#
# Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
set -eu

PACKAGES="rsyslog build-essential autoconf automake libtool pkg-config dpkg-dev
libestr-dev libfastjson-dev zlib1g-dev libcmocka-dev libmaxminddb-dev python3 softflowd pmacct valgrind
rsyslog-gnutls openssl
clang libclang-rt-14-dev afl++
lintian
libseccomp-dev"

missing=
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
if [ -n "$missing" ]; then
	[ "$(id -u)" = 0 ] || { echo "install-deps: run as root to install:$missing" >&2; exit 1; }
	echo "install-deps: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >&2
fi

"$(dirname "$0")/fetch-rsyslog-src.sh"
