#!/bin/sh
# create-user.sh - the unprivileged user rsyslogd drops to, and the
# directories it writes (rsyslog.conf.example: global(privdrop.user.name=...)).
#
#   create-user.sh [DIR...]
#
# Creates the system group and user _imnetflow (no login, no home) unless
# they exist, then gives each DIR (created if missing) to them, mode 0750:
# the daily files' directory and rsyslog's workDirectory (queue files, the
# template file). The Debian package does the same in its postinst
# (contrib/debian/postinst); contrib/quickstart.sh and
# tests/integration/test_privdrop.py run this. Run as root.
#
# Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
set -eu
user=_imnetflow

[ "$(id -u)" = 0 ] || { echo "create-user: run as root" >&2; exit 1; }
getent group "$user" > /dev/null || groupadd --system "$user"
getent passwd "$user" > /dev/null ||
	useradd --system --gid "$user" --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin --comment "imnetflow (rsyslogd after privdrop)" "$user"
for d in "$@"; do
	install -d -o "$user" -g "$user" -m 0750 "$d"
	chown "$user:$user" "$d"
	chmod 0750 "$d"
done
