"""The output formats of rsyslog.conf.example that SIEMs parse, as shipped:
CEF (ArcSight), LEEF 2.0 (QRadar), flowd's FLOW line, and the JSON object
with Filebeat's field names; then ecs="on" (Elastic Common Schema objects)
in the tree and in format="json" lines. For an IPv4 NetFlow v5 flow and an
IPv6 IPFIX flow, every value is checked against what was sent."""
import calendar
import datetime
import ipaddress
import json
import os
import re
import struct
import time

from harness import Rsyslog, check, log

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "..", "rsyslog.conf.example")
EXPORT = calendar.timegm((2026, 11, 28, 12, 0, 0))


def v5_datagram():
    uptime = 100000
    head = struct.pack("!HHIIIIBBH", 5, 1, uptime, EXPORT, 0, 1, 0, 0, 0)
    rec = struct.pack("!4s4s4sHHIIIIHHBBBBHHBBH", bytes([10, 0, 0, 1]), bytes([192, 0, 2, 7]), bytes(4), 1, 2,
                      9, 984, uptime - 5000, uptime - 2000, 52534, 3306, 0, 0x1b, 6, 0, 0, 0, 0, 0, 0)
    return head + rec


def nsel_datagram():
    """A Cisco ASA (NSEL) flow: no delta counts, initiator/responder octets
    and packets (231/232, 298/299), the source translated (40001, 40003)."""
    fields = [(8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (231, 4), (232, 4), (298, 4), (299, 4), (40001, 4),
              (40003, 2)]
    tbody = struct.pack("!HH", 261, len(fields)) + b"".join(struct.pack("!HH", *f) for f in fields)
    data = (bytes([10, 0, 0, 9]) + bytes([198, 51, 100, 20]) + struct.pack("!HHBIIII", 40000, 443, 6, 1500, 64000,
                                                                          12, 50)
            + bytes([203, 0, 113, 5]) + struct.pack("!H", 61000))
    sets = struct.pack("!HH", 0, 4 + len(tbody)) + tbody + struct.pack("!HH", 261, 4 + len(data)) + data
    return struct.pack("!HHIIII", 9, 2, 100000, EXPORT, 1, 3) + sets


def ipfix_datagram():
    """One IPv6 flow: template 256 (addresses, ports, protocol, counts, end ms)."""
    fields = [(27, 16), (28, 16), (7, 2), (11, 2), (4, 1), (1, 8), (2, 8), (153, 8)]
    tmpl = struct.pack("!HH", 256, len(fields)) + b"".join(struct.pack("!HH", i, n) for i, n in fields)
    tset = struct.pack("!HH", 2, 4 + len(tmpl)) + tmpl
    data = (bytes.fromhex("20010db8000000000000000000000001") + bytes.fromhex("20010db8000000000000000000000002")
            + struct.pack("!HHBQQQ", 443, 61000, 17, 123456, 321, (EXPORT - 1) * 1000 + 250))
    dset = struct.pack("!HH", 256, 4 + len(data)) + data
    body = tset + dset
    return struct.pack("!HHIII", 10, 16 + len(body), EXPORT, 1, 7) + body


with open(EXAMPLE) as f:
    example = f.read()
templates = re.findall(r'^template\(name="netflow-(?:cef|leef|flowd|json)".*?"\)\n', example, re.M | re.S)
siem_vars = re.search(r'^ruleset\(name="netflow-siem-vars"\) \{\n.*?^\}\n', example, re.M | re.S)
check(len(templates) == 4 and siem_vars, "example formats changed shape: %d templates, vars %s"
      % (len(templates), bool(siem_vars)))

r = Rsyslog(default_input=False)
outs = {name: os.path.join(r.dir, name + ".log") for name in ("cef", "leef", "flowd", "json")}
with open(r.conf, "a") as f:
    f.write("".join(templates))
    f.write(siem_vars.group(0))
    f.write('input(type="imnetflow" port="0" address="127.0.0.1" ruleset="fmt" ecs="on" listenPortFileName="%s")\n'
            % r.portfile)
    f.write('ruleset(name="fmt") {\n  call netflow-siem-vars\n')
    for name, path in outs.items():
        f.write('  action(type="omfile" file="%s" template="netflow-%s")\n' % (path, name))
    f.write("}\n")
with r:
    r.send([v5_datagram(), ipfix_datagram(), nsel_datagram()], pace=0.05)
    deadline = time.time() + 15
    while time.time() < deadline and not all(len(r.lines(p)) >= 3 for p in outs.values()):
        time.sleep(0.1)
    lines = {name: r.lines(p) for name, p in outs.items()}
log("\n".join("%s: %s" % (k, v) for k, v in lines.items()))
check(all(len(v) == 3 for v in lines.values()), "expected 3 lines per format: %s" % lines)

# an ASA flow shows its bytes both ways, and its translation
cef = dict(kv.split("=", 1) for kv in "|".join(lines["cef"][2].split("|")[7:]).split(" "))
check(cef["out"] == "1500" and cef["in"] == "64000" and cef["cnt"] == "12"
      and cef["sourceTranslatedAddress"] == "203.0.113.5" and cef["sourceTranslatedPort"] == "61000"
      and cef["cs1"].startswith("1:") and lines["cef"][2].split("|")[6] == "4", "CEF of an ASA flow %r" % cef)
leef = dict(kv.split("=", 1) for kv in lines["leef"][2].split("|", 6)[6].split("^"))
check(leef["srcBytes"] == "1500" and leef["dstBytes"] == "64000" and leef["srcPackets"] == "12"
      and leef["dstPackets"] == "50" and leef["srcPostNAT"] == "203.0.113.5" and leef["srcPostNATPort"] == "61000"
      and leef["communityId"] == cef["cs1"], "LEEF of an ASA flow %r" % leef)
check(" rpackets 50 roctets 64000 natsrc [203.0.113.5]:61000 " in lines["flowd"][2], "flowd line of an ASA flow %r"
      % lines["flowd"][2])

want = [  # src, sport, dst, dport, proto, octets, packets, end (epoch ms)
    ("10.0.0.1", 52534, "192.0.2.7", 3306, 6, 984, 9, (EXPORT - 2) * 1000),
    ("2001:db8::1", 443, "2001:db8::2", 61000, 17, 123456, 321, (EXPORT - 1) * 1000 + 250),
]

# CEF: 7 header fields, then key=value pairs
for line, (src, sport, dst, dport, proto, octets, packets, end) in zip(lines["cef"], want):
    head = line.split("|")
    check(head[:7] == ["CEF:0", "imnetflow", "imnetflow", "1", "flow", "NetFlow flow", "4"], "CEF header %r" % line)
    ext = dict(kv.split("=", 1) for kv in "|".join(head[7:]).split(" "))
    check(ext["src"] == src and ext["dst"] == dst and ext["spt"] == str(sport) and ext["dpt"] == str(dport)
          and ext["proto"] == str(proto) and ext["out"] == str(octets) and ext["cnt"] == str(packets)
          and ext["dvc"] == "127.0.0.1", "CEF values %r" % ext)
    check(ext["end"] == str(end // 1000 * 1000), "CEF end %s, flow ended %d" % (ext["end"], end))

# LEEF 2.0: 6 header fields, the 6th the delimiter
for line, (src, sport, dst, dport, proto, octets, packets, end) in zip(lines["leef"], want):
    head = line.split("|", 6)
    check(head[:6] == ["LEEF:2.0", "imnetflow", "imnetflow", "1", "flow", "^"], "LEEF header %r" % line)
    attrs = dict(kv.split("=", 1) for kv in head[6].split("^"))
    check(attrs["src"] == src and attrs["dst"] == dst and attrs["srcPort"] == str(sport)
          and attrs["dstPort"] == str(dport) and attrs["proto"] == str(proto) and attrs["srcBytes"] == str(octets)
          and attrs["srcPackets"] == str(packets) and attrs["identSrc"] == "127.0.0.1", "LEEF values %r" % attrs)
    dev = datetime.datetime.fromisoformat(attrs["devTime"])
    check(abs(dev.timestamp() * 1000 - end) < 1, "LEEF devTime %s, flow ended %d" % (attrs["devTime"], end))

# flowd's line
check(lines["flowd"][0].startswith("FLOW v5 src [10.0.0.1]:52534 dst [192.0.2.7]:3306 proto 6 tcpflags 1b tos 00 "
                                   "packets 9 octets 984 start 2026-11-28T11:59:55.000Z end 2026-11-28T11:59:58.000Z"),
      "flowd line %r" % lines["flowd"][0])
check(lines["flowd"][1].startswith("FLOW v10 src [2001:db8::1]:443 dst [2001:db8::2]:61000 proto 17"),
      "flowd line %r" % lines["flowd"][1])
check(all(x.endswith(" agent [127.0.0.1]") for x in lines["flowd"]), "flowd agent %r" % lines["flowd"])

# JSON with Filebeat's names
nf = [json.loads(x)["netflow"] for x in lines["json"]]
check(nf[0]["source_ipv4_address"] == "10.0.0.1" and nf[0]["octet_delta_count"] == 984
      and nf[1]["source_ipv6_address"] == "2001:db8::1" and nf[1]["flow_end_milliseconds"] ==
      "2026-11-28T11:59:59.250Z", "JSON %r" % nf)
# ecs="on": Elastic Common Schema objects beside "netflow", in the tree and
# in format="json" lines alike
r = Rsyslog(default_input=False)
outs = {"tree": os.path.join(r.dir, "tree.log"), "json": os.path.join(r.dir, "line.log")}
with open(r.conf, "a") as f:
    f.write('template(name="tree" type="string" string="%$!%\\n")\n')
    f.write('template(name="line" type="string" string="%msg%\\n")\n')
    f.write('input(type="imnetflow" port="0" address="127.0.0.1" ecs="on" ruleset="tree" '
            'listenPortFileName="%s")\n' % r.portfile)
    f.write('input(type="imnetflow" port="0" address="127.0.0.1" ecs="on" format="json" ruleset="line" '
            'listenPortFileName="%s-json")\n' % r.portfile)
    f.write('ruleset(name="tree") { action(type="omfile" file="%s" template="tree") }\n' % outs["tree"])
    f.write('ruleset(name="line") { action(type="omfile" file="%s" template="line") }\n' % outs["json"])
with r:
    json_port = r.wait_port(r.portfile + "-json")
    r.send([v5_datagram(), ipfix_datagram()], pace=0.05)
    tree_port, r.port = r.port, json_port
    r.send([v5_datagram(), ipfix_datagram()], pace=0.05)
    r.port = tree_port
    deadline = time.time() + 15
    while time.time() < deadline and not all(len(r.lines(p)) >= 2 for p in outs.values()):
        time.sleep(0.1)
    docs = {name: [json.loads(x) for x in r.lines(p)] for name, p in outs.items()}
for name, recs in docs.items():
    check(len(recs) == 2, "ecs %s: %d documents" % (name, len(recs)))
    for doc, (src, sport, dst, dport, proto, octets, packets, end) in zip(recs, want):
        log("ecs %s: %s" % (name, {k: doc[k] for k in doc if k != "netflow"}))
        # the flow's counts are the source's (no reverse counters here)
        check(doc["source"] == {"ip": src, "port": sport, "bytes": octets, "packets": packets}
              and doc["destination"] == {"ip": dst, "port": dport}, "ECS endpoints %r" % doc)
        net = doc["network"]
        check(net["iana_number"] == str(proto) and net["transport"] == {6: "tcp", 17: "udp"}[proto]
              and net["bytes"] == octets and net["packets"] == packets
              and net["type"] == ("ipv6" if ":" in src else "ipv4"), "ECS network %r" % net)
        ev = doc["event"]
        check(ev["kind"] == "event" and ev["category"] == ["network"] and
              datetime.datetime.fromisoformat(ev["end"].replace("Z", "+00:00")).timestamp() * 1000 == end,
              "ECS event %r" % ev)
        check(doc["observer"]["ip"] == "127.0.0.1", "ECS observer %r" % doc["observer"])
        check(doc["related"] == {"ip": sorted({src, dst}, key=ipaddress.ip_address)}, "ECS related %r" % doc)
        check(net["community_id"].startswith("1:") and len(net["community_id"]) == 30, "ECS community_id %r" % net)
        check(doc["netflow"]["protocol_identifier"] == proto, "netflow beside ECS %r" % doc["netflow"])
# the tree and the line carry the same ECS objects, member for member
ecs = {name: [{k: v for k, v in doc.items() if k != "netflow"} for doc in recs] for name, recs in docs.items()}
check(ecs["tree"] == ecs["json"], "ECS differs between tree and line:\n%r\n%r" % (ecs["tree"], ecs["json"]))
log("PASS")
