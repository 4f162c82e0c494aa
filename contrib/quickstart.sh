#!/bin/sh
# quickstart.sh - install, build and run a collector on UDP 2055.
#
# Installs the dependencies, builds and installs imnetflow into rsyslog's
# module directory, then runs rsyslogd in the foreground with
# rsyslog.conf.example, writing one dated file per day under ./quickstart/netflow.
# As the example says, rsyslogd drops to the user _imnetflow once port 2055
# is bound: contrib/create-user.sh creates it and gives it the output and
# work directories. Where that user cannot reach ./quickstart (a checkout
# under /root), /var/tmp/imnetflow-quickstart is used instead.
# Stop it with Ctrl-C.
#
# Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

contrib/build.sh
make install

out="$top/quickstart"
mkdir -p "$out"
contrib/create-user.sh "$out/netflow" "$out/work"
if ! runuser -u _imnetflow -- test -w "$out/netflow"; then
	out=/var/tmp/imnetflow-quickstart
	mkdir -p "$out"
	contrib/create-user.sh "$out/netflow" "$out/work"
fi
# the daily-file writer, installed beside the module
moddir=$(sed -n 's/^moddir = //p' Makefile)
sed -e "s|/var/log/netflow|$out/netflow|g" \
    -e "s|/var/spool/rsyslog|$out/work|g" \
    -e "s|/usr/lib/x86_64-linux-gnu/rsyslog/nf-dailyfile|$moddir/nf-dailyfile|" rsyslog.conf.example > "$out/rsyslog.conf"
rsyslogd -N1 -f "$out/rsyslog.conf"
echo "imnetflow listens on UDP port 2055; flows go to $out/netflow/<year>-<month>-<day>.log"
echo "rsyslogd runs as the user _imnetflow once the port is bound"
echo "try: softflowd -d -r <file.pcap> -n 127.0.0.1:2055 -v 5 -c none"
exec rsyslogd -n -f "$out/rsyslog.conf" -i "$out/work/rsyslogd.pid"
