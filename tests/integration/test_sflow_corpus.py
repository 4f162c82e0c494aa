"""sFlow v5 on the same input as NetFlow: every sFlow capture of the corpus
(malformed ones, and one that mixes NetFlow v5 and sFlow datagrams on one
port, included) through a real rsyslogd; flow and counter
samples match the manifest's count, each a message of its own type, and
the addresses, ports and protocols of flow samples are Wireshark's."""
import collections

from harness import Rsyslog, capture_datagrams, check, log, manifest, oracle

captures = [m for m in manifest() if "sflow" in m["id"]]
check(captures, "the manifest lists no sFlow capture")

WS = {  # Wireshark field of the sampled packet -> ours
    "ip.src": "source_ipv4_address", "ip.dst": "destination_ipv4_address",
    "ipv6.src": "source_ipv6_address", "ipv6.dst": "destination_ipv6_address",
    "ip.proto": "protocol_identifier", "tcp.srcport": "source_transport_port",
    "tcp.dstport": "destination_transport_port", "udp.srcport": "source_transport_port",
    "udp.dstport": "destination_transport_port",
    "sflow.flow_sample.sampling_rate": "sampling_interval",
}

total_flow_checks = 0
for i, cap in enumerate(captures):
    cid = cap["id"]
    addr = "127.20.%d.%d" % (i // 250, i % 250 + 1)
    with Rsyslog(inputs='port="0"') as r:
        r.send([d for d, _ in capture_datagrams(cid)], addr=addr, dst_addr="127.0.0.1", pace=0.002)
        got = r.wait_quiet(seconds=1.0, timeout=10) if int(cap["records_structural"]) else r.wait_quiet(1.0, 3)
        counters = r.counters()
        check(r.alive(), "%s: rsyslogd died" % cid)
    kinds = collections.Counter(g["data"]["netflow"]["type"] for g in got)
    malformed = sum(int(c.get("datagrams.malformed", 0)) for c in counters.values())
    log("%s: %s, malformed datagrams %d (manifest: %s samples)" % (cid, dict(kinds), malformed,
                                                                   cap["records_structural"]))
    check(kinds["flow"] + kinds["counters"] == int(cap["records_structural"]),
          "%s: %d flow+counter samples, manifest %s" % (cid, kinds["flow"] + kinds["counters"],
                                                        cap["records_structural"]))
    protocols = collections.Counter(g["data"]["netflow"]["exporter"]["protocol"] for g in got)
    if cid == "tcpdump-sflow-print-v6":  # an agent's 25 consecutive datagrams
        missing = sum(int(c.get("sequence.missing", 0)) for c in counters.values())
        check(missing == 0, "%s: %d datagrams counted missing in a gapless stream" % (cid, missing))
        with Rsyslog(inputs='port="0"') as r2:
            r2.send([d for n, (d, _) in enumerate(capture_datagrams(cid)) if n != 4], pace=0.002)
            missing = r2.wait_counter("sequence.missing", 1)
        log("  without its 5th datagram: sequence.missing %s" % missing)
        check(missing == 1, "%s: one datagram left out, sequence.missing %s" % (cid, missing))
    if cap["protocol"] == "sflow5/5":
        # a mixed stream: NetFlow v5 and sFlow v5 datagrams on one port
        check(protocols["sflow"] > 0 and protocols["netflow"] > 0, "%s: mixed stream %s" % (cid, protocols))
    else:
        check(set(protocols) <= {"sflow"}, "%s: protocols %s" % (cid, protocols))
    if "structural-errors" in cap["features"]:
        check(malformed >= 1, "%s: the malformed datagram was not counted" % cid)
    else:
        check(malformed == 0, "%s: %d datagrams counted malformed" % (cid, malformed))
    if "drop notification" in cap["vendor/exporter"]:
        check(kinds["discard"] == 1, "%s: discarded-packet sample not decoded: %s" % (cid, dict(kinds)))
    # every flow sample Wireshark decodes is among ours with the same values
    ours = [g["data"]["netflow"] for g in got if g["data"]["netflow"]["type"] == "flow"]
    for rec in oracle(cid):
        f = rec["fields"]
        if "sflow.flow_sample.sampling_rate" not in f:
            continue
        want = {}
        for ws, name in WS.items():
            if ws in f:
                v = f[ws][0] if isinstance(f[ws], list) else f[ws]
                want[name] = int(v) if v.isdigit() else v
        match = [nf for nf in ours if all(nf.get(k) == v for k, v in want.items())]
        check(match, "%s: no sample matches Wireshark's %s" % (cid, want))
        total_flow_checks += 1
log("%d flow samples matched Wireshark" % total_flow_checks)

# protocols= restricts what an input accepts; the rest is counted
mixed = [d for d, _ in capture_datagrams("tcpdump-sflow-multiple-counter-30-pdus")]
for accepted, want_protocol, dropped in (('"sflow"', "sflow", 5), ('"netflow"', "netflow", 25)):
    with Rsyslog(inputs='port="0" protocols=[%s]' % accepted) as r:
        r.send(mixed, pace=0.002)
        unaccepted = r.wait_counter("datagrams.unaccepted", dropped)
        got = r.wait_quiet(seconds=1.0, timeout=10)
    protocols = collections.Counter(g["data"]["netflow"]["exporter"]["protocol"] for g in got)
    log("protocols=[%s]: %s, unaccepted datagrams %s" % (accepted, dict(protocols), unaccepted))
    check(set(protocols) == {want_protocol}, "protocols=[%s] let through %s" % (accepted, protocols))
    check(unaccepted == dropped, "unaccepted counter %s, expected %d" % (unaccepted, dropped))
log("PASS")
