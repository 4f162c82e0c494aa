"""rsyslogd binds a privileged port (< 1024) as root, then drops to an
unprivileged user (global(privdrop.user.name=...)); flows still arrive."""
import os
import pwd
import socket
import struct

from harness import Rsyslog, check, log, rsyslogd_knows, skip

if os.geteuid() != 0:
    skip("needs root to bind a privileged port and drop privileges")
try:
    user = pwd.getpwnam("nobody")
except KeyError:
    skip("no user 'nobody'")


def free_privileged_port():
    for port in range(900, 1024):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    skip("no free privileged UDP port on 127.0.0.1")


def uid_of(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Uid:"):
                return [int(x) for x in line.split()[1:]]
    return None


port = free_privileged_port()
privdrop = {"globals_": 'privdrop.user.name="nobody" privdrop.group.name="nogroup"'}
if not rsyslogd_knows("global(%s)\n" % privdrop["globals_"]):
    # rsyslog 8.2102 (RHEL 9) has only the legacy directives
    log("this rsyslogd has no global(privdrop.*): $PrivDropToUser")
    privdrop = {"extra": "$PrivDropToUser nobody\n$PrivDropToGroup nogroup\n"}
r = Rsyslog(inputs='port="%d"' % port, **privdrop)
for d in (r.dir, r.work):
    os.chmod(d, 0o777)
try:
    r.start()
    check(r.port == port, "bound port %s, configured %d" % (r.port, port))
    datagram = struct.pack("!HHIIIIBBH", 5, 1, 1000, 1795870712, 0, 1, 0, 0, 0) + struct.pack(
        "!4s4s4sHHIIIIHHBBBBHHBBH", bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]), bytes(4),
        0, 0, 1, 40, 900, 950, 1, 2, 0, 0, 17, 0, 0, 0, 0, 0, 0)
    r.send([datagram])
    got = r.wait_records(1)
    uids = uid_of(r.proc.pid)
    log("port %d, rsyslogd uids %s, records %d" % (port, uids, len(got)))
    check(uids is not None and all(u == user.pw_uid for u in uids),
          "rsyslogd runs as uids %s, expected %d" % (uids, user.pw_uid))
    check(len(got) == 1, "no flow arrived after the privilege drop: %s" % r.read_stderr())
    check(got[0]["data"]["netflow"]["source_ipv4_address"] == "10.0.0.1", "record %r" % got[0])
finally:
    r.cleanup()
log("PASS")
