"""Every NetFlow v1/v5/v7 capture of the corpus, replayed through a real
rsyslogd: the record count is the manifest's, and every field has the value
Wireshark decoded (the oracle). Invalid captures yield no record and count as
malformed datagrams."""
from harness import Rsyslog, capture_datagrams, check, log, manifest, oracle

# Wireshark field -> (our field, how to turn Wireshark's text into our value)
def integer(text):
    return int(text, 0)


def uptime_ms(text):
    return round(float(text) * 1000)


FIELDS = {
    "cflow.srcaddr": ("source_ipv4_address", str),
    "cflow.dstaddr": ("destination_ipv4_address", str),
    "cflow.nexthop": ("ip_next_hop_ipv4_address", str),
    "cflow.inputint": ("ingress_interface", integer),
    "cflow.outputint": ("egress_interface", integer),
    "cflow.packets": ("packet_delta_count", integer),
    "cflow.octets": ("octet_delta_count", integer),
    "cflow.timestart": ("flow_start_sys_up_time", uptime_ms),
    "cflow.timeend": ("flow_end_sys_up_time", uptime_ms),
    "cflow.srcport": ("source_transport_port", integer),
    "cflow.dstport": ("destination_transport_port", integer),
    "cflow.tcpflags": ("tcp_control_bits", integer),
    "cflow.protocol": ("protocol_identifier", integer),
    "cflow.tos": ("ip_class_of_service", integer),
    "cflow.srcas": ("bgp_source_as_number", integer),
    "cflow.dstas": ("bgp_destination_as_number", integer),
    "cflow.srcmask": ("source_ipv4_prefix_length", integer),
    "cflow.dstmask": ("destination_ipv4_prefix_length", integer),
}


def expected_from_oracle(capture_id):
    rows = []
    for rec in oracle(capture_id):
        if rec.get("kind") != "flow":
            continue
        row = {}
        for ws, (ours, conv) in FIELDS.items():
            if ws in rec["fields"]:
                value = rec["fields"][ws]
                if isinstance(value, list):
                    value = value[0]
                row[ours] = conv(value)
        rows.append(row)
    return rows


def key(row):
    return tuple(sorted(row.items()))


captures = [m for m in manifest() if m["protocol"] in ("1", "5", "7")]
check(captures, "the manifest lists no v1/v5/v7 capture")
total = 0
for cap in captures:
    cid = cap["id"]
    datagrams = capture_datagrams(cid)
    invalid = "invalid" in cid
    want = 0 if invalid else int(cap["records_structural"])
    with Rsyslog() as r:
        r.send([d for d, _ in datagrams])
        if invalid:
            check(r.wait_counter("datagrams.malformed", len(datagrams)) == len(datagrams),
                  "%s: malformed counter is not %d: %s" % (cid, len(datagrams), r.counters()))
        got = r.wait_records(want)
        r.wait_counter("records.decoded", want)
        counters = r.counters()
        check(r.alive(), "%s: rsyslogd died" % cid)
    log("%s: %d datagrams, %d records (manifest %s)" % (cid, len(datagrams), len(got), want))
    check(len(got) == want, "%s: %d records, expected %d" % (cid, len(got), want))
    decoded = sum(int(c.get("records.decoded", 0)) for c in counters.values())
    submitted = sum(int(c.get("submitted", 0)) for c in counters.values())
    check(decoded == want and submitted == want,
          "%s: counters decoded=%d submitted=%d, expected %d" % (cid, decoded, submitted, want))
    if invalid:
        continue
    version = int(cap["protocol"])
    for g in got:
        nf = g["data"]["netflow"]
        check(nf["exporter"]["version"] == version, "%s: exporter.version %r" % (cid, nf["exporter"]))
        check(nf["exporter"]["address"] == "127.0.0.1", "%s: exporter.address %r" % (cid, nf["exporter"]))
        check(g["app_name"] == "netflow" and g["fromhost_ip"] == "127.0.0.1",
              "%s: header properties %r" % (cid, g))
        check(g["msg"].startswith("FLOW v%d src [" % version), "%s: msg %r" % (cid, g["msg"]))
    expected = expected_from_oracle(cid)
    check(len(expected) == want, "%s: oracle has %d flows, manifest %d" % (cid, len(expected), want))
    # datagrams may be reordered by the queue: compare as multisets
    missing = sorted(map(key, expected))
    produced = sorted(key({k: g["data"]["netflow"].get(k) for k in expected[0]}) for g in got)
    if missing != produced:
        for a, b in zip(missing, produced):
            if a != b:
                fail_text = "%s: first difference:\n oracle %s\n ours   %s" % (cid, a, b)
                check(False, fail_text)
    total += len(got)
log("PASS: %d records from %d captures match the Wireshark oracle" % (total, len(captures)))
