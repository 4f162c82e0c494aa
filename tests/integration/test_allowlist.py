"""allowedExporters: only senders in the listed addresses and CIDR ranges
are decoded; the rest are dropped and counted in "disallowed"."""
import struct

from harness import Rsyslog, check, log, syntax_check


def v5(host):
    return struct.pack("!HHIIIIBBH", 5, 1, 1000, 1795870712, 0, 1, 0, 0, 0) + struct.pack(
        "!4s4s4sHHIIIIHHBBBBHHBBH", bytes([10, 0, 0, host]), bytes([10, 0, 0, 99]), bytes(4),
        0, 0, 1, 40, 900, 950, 1, 2, 0, 0, 17, 0, 0, 0, 0, 0, 0)


senders = {"127.0.0.2": True, "127.0.1.7": True, "127.0.1.200": True, "127.0.0.3": False, "127.0.2.1": False}
with Rsyslog(inputs='port="0" allowedExporters=["127.0.0.2", "127.0.1.0/24", "2001:db8::/32"]') as r:
    for i, addr in enumerate(senders):
        r.send([v5(i + 1)], addr=addr, dst_addr="127.0.0.1")
    allowed = sum(senders.values())
    got = r.wait_records(allowed)
    disallowed = r.wait_counter("disallowed", len(senders) - allowed)
    r.wait_quiet(seconds=1.0, timeout=5)
    got = r.records()
hosts = sorted(g["data"]["netflow"]["exporter"]["address"] for g in got)
log("accepted from %s; disallowed counter %s" % (hosts, disallowed))
check(hosts == sorted(a for a, ok in senders.items() if ok), "accepted senders %s" % hosts)
check(disallowed == len(senders) - allowed, "disallowed counter %s" % disallowed)

for bad in ('"127.0.0.0/33"', '"2001:db8::/129"', '"example.net"', '"10.0.0.1/"'):
    rc, out = syntax_check('module(load="@MODULE@")\ninput(type="imnetflow" port="1" allowedExporters=[%s])\n' % bad)
    check(rc != 0 and "allowedExporters" in out, "%s accepted:\n%s" % (bad, out))
log("PASS")
