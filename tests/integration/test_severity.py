"""Severity by security value: a firewall deny (IPFIX firewallEvent 3, NSEL
event 3 or an extended deny event) is a warning, a flow touching
watchNetworks (or a network the networks file gives the role "watch") a
notice, any other flow info, summaries and health events notice; each
level set by severity.deny, .watch, .flow, .event."""
import os
import struct

from harness import Rsyslog, check, log, syntax_check, v5_datagram

EXPORT = 1795870712


def ipfix_flows(flows, seq=0):
    """IPFIX template 300 (IPv4 source, destination, firewallEvent) and
    flows of (src, dst, event); event None: the other template, 301,
    without firewallEvent."""
    t300 = struct.pack("!HHHHHHHH", 300, 3, 8, 4, 12, 4, 233, 1)
    t301 = struct.pack("!HHHHHH", 301, 2, 8, 4, 12, 4)
    tset = struct.pack("!HH", 2, 4 + len(t300) + len(t301)) + t300 + t301
    sets = tset
    for src, dst, event in flows:
        body = bytes(map(int, src.split("."))) + bytes(map(int, dst.split(".")))
        if event is not None:
            body += bytes([event])
        sets += struct.pack("!HH", 300 if event is not None else 301, 4 + len(body)) + body
    return struct.pack("!HHIII", 10, 16 + len(sets), EXPORT, seq, 1) + sets


def nsel(src, dst, event, ext):
    """A v9 datagram with NSEL fields: source, destination, NF_F_FW_EVENT
    (40005) and NF_F_FW_EXT_EVENT (33002)."""
    fields = [(8, 4), (12, 4), (40005, 1), (33002, 2)]
    tbody = struct.pack("!HH", 260, len(fields)) + b"".join(struct.pack("!HH", *f) for f in fields)
    tset = struct.pack("!HH", 0, 4 + len(tbody)) + tbody
    data = bytes(map(int, src.split("."))) + bytes(map(int, dst.split("."))) + struct.pack("!BH", event, ext)
    dset = struct.pack("!HH", 260, 4 + len(data)) + data
    return struct.pack("!HHIIII", 9, 2, 60000, EXPORT, 0, 7) + tset + dset


def severity_of(records):
    return {(r["data"]["netflow"]["source_ipv4_address"], r["data"]["netflow"]["destination_ipv4_address"]):
            r["severity"] for r in records if r["data"]["netflow"].get("type") == "flow"}


tmp = "/tmp/imnetflow-severity-%d.csv" % os.getpid()
with open(tmp, "w") as f:
    f.write("198.51.100.0/24,crown-jewels,dc1,watch\n")
try:
    with Rsyslog(inputs='port="0" watchNetworks=["192.0.2.0/24"]', module_params='networks="%s"' % tmp) as r:
        r.send([ipfix_flows([("10.0.0.1", "203.0.113.9", 3),      # IPFIX deny
                             ("10.0.0.2", "203.0.113.9", 1),      # IPFIX created
                             ("10.0.0.3", "192.0.2.7", None),     # watched destination
                             ("10.0.0.4", "203.0.113.9", None)])],  # ordinary
               addr="127.0.0.2", dst_addr="127.0.0.1", pace=0.05)
        r.send([nsel("10.0.0.5", "203.0.113.9", 3, 0), nsel("10.0.0.6", "203.0.113.9", 0, 1001)],
               addr="127.0.0.3", dst_addr="127.0.0.1", pace=0.05)
        r.send([v5_datagram([{"src": "198.51.100.20", "dst": "10.0.0.7"}])], addr="127.0.0.4", dst_addr="127.0.0.1")
        got = severity_of(r.wait_records(7))
        log("severities", got)
        want = {("10.0.0.1", "203.0.113.9"): 4, ("10.0.0.2", "203.0.113.9"): 6, ("10.0.0.3", "192.0.2.7"): 5,
                ("10.0.0.4", "203.0.113.9"): 6, ("10.0.0.5", "203.0.113.9"): 4, ("10.0.0.6", "203.0.113.9"): 4,
                ("198.51.100.20", "10.0.0.7"): 5}
        check(got == want, "severities %s, expected %s" % (got, want))

    # each level configurable; summaries and events take severity.event
    inputs = 'port="0" severity.deny="2" severity.flow="7" severity.event="3"'
    with Rsyslog(inputs=inputs, module_params='summaryInterval="1" exporterEvents="on"') as r:
        r.send([ipfix_flows([("10.0.0.1", "203.0.113.9", 3), ("10.0.0.4", "203.0.113.9", None)])])
        recs = r.wait_records(4)
        got = severity_of(recs)
        check(got == {("10.0.0.1", "203.0.113.9"): 2, ("10.0.0.4", "203.0.113.9"): 7}, "configured: %s" % got)
        events = [x for x in recs if x["data"]["netflow"].get("type") in ("exporter", "summary")]
        check(events and all(x["severity"] == 3 for x in events), "event severities: %s" %
              [(x["data"]["netflow"]["type"], x["severity"]) for x in events])
finally:
    os.unlink(tmp)

rc, out = syntax_check('module(load="@MODULE@")\ninput(type="imnetflow" port="1" severity.deny="8")\n')
check(rc != 0 and "severity.deny 8 out of range" in out, "severity.deny=8 accepted: %s" % out)
rc, out = syntax_check('module(load="@MODULE@")\ninput(type="imnetflow" port="1" watchNetworks=["dmz"])\n')
check(rc != 0 and "watchNetworks: 'dmz'" in out, "watchNetworks=dmz accepted: %s" % out)
log("PASS")
