#!/bin/sh
# build.sh - configure and build imnetflow in the source tree against the
# rsyslog source that install-deps.sh fetched. Extra arguments go to make.
#
# Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
set -eu
cd "$(dirname "$0")/.."

dirs=$(contrib/install-deps.sh)
src=$(echo "$dirs" | sed -n 's/^src=//p')
build=$(echo "$dirs" | sed -n 's/^build=//p')
[ -x configure ] || { mkdir -p m4 && autoreconf -fi; }
if [ ! -f Makefile ] || ! grep -q -- "$src" config.status 2>/dev/null; then
	./configure --with-rsyslog-src="$src" --with-rsyslog-build="$build"
fi
make -j"$(nproc)" "$@"
