"""NetFlow v6 and v8 end to end: a real rsyslogd receives one v6 datagram
and one v8 datagram of each of the 14 aggregation schemes, built here from
Cisco's export formats, and every record arrives with each field under its
name and with its value; the v8 scheme, engine and flow count are in each
record, and nothing is malformed."""
import ipaddress
import struct

from harness import Rsyslog, check, log

UPTIME = 3600000
EXPORT_SEC = 1795870712

# the fields of each layout, in wire order: (output name, bytes); None is padding
COUNTS = [("delta_flow_count", 4), ("packet_delta_count", 4), ("octet_delta_count", 4),
          ("flow_start_sys_up_time", 4), ("flow_end_sys_up_time", 4)]
CAT6K_COUNTS = COUNTS[1:]
CAT6K_TAIL = [("netflow_v8_extra_packets", 4), ("ipv4_router_sc", 4)]
SRC_PFX = [("source_ipv4_prefix", 4)]
DST_PFX = [("destination_ipv4_prefix", 4)]
IO = [("ingress_interface", 2), ("egress_interface", 2)]
AS = [("bgp_source_as_number", 2), ("bgp_destination_as_number", 2)]
MASKS = [("destination_ipv4_prefix_length", 1), ("source_ipv4_prefix_length", 1)]
PORTS = [("source_transport_port", 2), ("destination_transport_port", 2)]
V8 = {
    1: COUNTS + AS + IO,
    2: COUNTS + [("protocol_identifier", 1), (None, 3)] + PORTS,
    3: COUNTS + SRC_PFX + [("source_ipv4_prefix_length", 1), (None, 1), ("bgp_source_as_number", 2),
                           ("ingress_interface", 2), (None, 2)],
    4: COUNTS + DST_PFX + [("destination_ipv4_prefix_length", 1), (None, 1), ("bgp_destination_as_number", 2),
                           ("egress_interface", 2), (None, 2)],
    5: COUNTS + SRC_PFX + DST_PFX + MASKS + [(None, 2)] + AS + IO,
    6: [("destination_ipv4_address", 4)] + CAT6K_COUNTS
    + [("egress_interface", 2), ("ip_class_of_service", 1), ("post_ip_class_of_service", 1)] + CAT6K_TAIL,
    7: [("destination_ipv4_address", 4), ("source_ipv4_address", 4)] + CAT6K_COUNTS
    + [("egress_interface", 2), ("ingress_interface", 2), ("ip_class_of_service", 1),
       ("post_ip_class_of_service", 1), (None, 2)] + CAT6K_TAIL,
    8: [("destination_ipv4_address", 4), ("source_ipv4_address", 4), ("destination_transport_port", 2),
        ("source_transport_port", 2)] + CAT6K_COUNTS
    + [("egress_interface", 2), ("ingress_interface", 2), ("ip_class_of_service", 1), ("protocol_identifier", 1),
       ("post_ip_class_of_service", 1), (None, 1)] + CAT6K_TAIL,
    9: COUNTS + AS + IO + [("ip_class_of_service", 1), (None, 3)],
    10: COUNTS + [("protocol_identifier", 1), ("ip_class_of_service", 1), (None, 2)] + PORTS + IO,
    11: COUNTS + SRC_PFX + [("source_ipv4_prefix_length", 1), ("ip_class_of_service", 1),
                            ("bgp_source_as_number", 2), ("ingress_interface", 2), (None, 2)],
    12: COUNTS + DST_PFX + [("destination_ipv4_prefix_length", 1), ("ip_class_of_service", 1),
                            ("bgp_destination_as_number", 2), ("egress_interface", 2), (None, 2)],
    13: COUNTS + SRC_PFX + DST_PFX + MASKS + [("ip_class_of_service", 1), (None, 1)] + AS + IO,
    14: COUNTS + SRC_PFX + DST_PFX + MASKS + [("ip_class_of_service", 1), ("protocol_identifier", 1)]
    + PORTS + IO,
}
V8_LENGTHS = {1: 28, 2: 28, 3: 32, 4: 32, 5: 40, 6: 32, 7: 40, 8: 44, 9: 32, 10: 32, 11: 32, 12: 32, 13: 40, 14: 40}
V6 = ([("source_ipv4_address", 4), ("destination_ipv4_address", 4), ("ip_next_hop_ipv4_address", 4)] + IO
      + [("packet_delta_count", 4), ("octet_delta_count", 4), ("flow_start_sys_up_time", 4),
         ("flow_end_sys_up_time", 4)] + PORTS
      + [(None, 1), ("tcp_control_bits", 1), ("protocol_identifier", 1), ("ip_class_of_service", 1)] + AS
      + [("source_ipv4_prefix_length", 1), ("destination_ipv4_prefix_length", 1),
         ("netflow_v6_input_encapsulation_size", 1), ("netflow_v6_output_encapsulation_size", 1),
         ("netflow_v6_peer_next_hop", 4)])
ADDRESSES = {"source_ipv4_address", "destination_ipv4_address", "ip_next_hop_ipv4_address", "ipv4_router_sc",
             "source_ipv4_prefix", "destination_ipv4_prefix", "netflow_v6_peer_next_hop"}


def value_of(name, size, k):
    """A value for field name of size bytes, the k-th of its record."""
    if name == "flow_start_sys_up_time":
        return UPTIME - 9000
    if name == "flow_end_sys_up_time":
        return UPTIME - 1000
    if name in ADDRESSES:
        return "10.%d.%d.%d" % (k, size, 7 + k)
    return (k * 37 + 11) % (1 << (8 * size))


def record(layout):
    """The record's bytes and the fields the output must show."""
    body, want = b"", {}
    for k, (name, size) in enumerate(layout):
        if name is None:
            body += bytes(size)
            continue
        v = value_of(name, size, k)
        body += ipaddress.IPv4Address(v).packed if name in ADDRESSES else v.to_bytes(size, "big")
        want[name] = v
    return body, want


def v8_datagram(agg):
    body, want = record(V8[agg])
    check(len(body) == V8_LENGTHS[agg], "scheme %d: layout of %d bytes" % (agg, len(body)))
    head = struct.pack("!HHIIIIBBBBI", 8, 1, UPTIME, EXPORT_SEC, 0, 100 + agg, 3, 4, agg, 2, 0)
    want.update(engine_type=3, engine_id=4, netflow_v8_aggregation=agg, netflow_v8_aggregation_version=2)
    return head + body, want


def v6_datagram():
    body, want = record(V6)
    check(len(body) == 52, "v6 layout of %d bytes" % len(body))
    head = struct.pack("!HHIIIIBBH", 6, 1, UPTIME, EXPORT_SEC, 0, 42, 1, 2, 0)
    want.update(engine_type=1, engine_id=2, sampling_algorithm=0, sampling_interval=0)
    return head + body, want


datagrams = [v6_datagram()] + [v8_datagram(agg) for agg in range(1, 15)]
with Rsyslog() as r:
    r.send([d for d, _ in datagrams], pace=0.01)
    got = r.wait_records(len(datagrams))
    r.wait_counter("datagrams.received", len(datagrams))
    malformed = sum(int(c.get("datagrams.malformed", 0)) for c in r.counters().values())
check(malformed == 0, "%d malformed datagrams" % malformed)
check(len(got) == len(datagrams), "%d records for %d datagrams" % (len(got), len(datagrams)))


def key(rec):
    nf = rec["data"]["netflow"]
    return (nf["exporter"]["version"], nf.get("netflow_v8_aggregation", 0))


by_key = {key(g): g["data"]["netflow"] for g in got}
for (datagram, want), label in zip(datagrams, ["v6"] + ["v8 scheme %d" % a for a in range(1, 15)]):
    version = 6 if label == "v6" else 8
    nf = by_key.get((version, want.get("netflow_v8_aggregation", 0)))
    check(nf is not None, "%s: no record" % label)
    for name, v in want.items():
        check(nf.get(name) == v, "%s: %s is %r, expected %r" % (label, name, nf.get(name), v))
    extra = set(nf) - set(want) - {"type", "exporter", "flow_start_milliseconds", "flow_end_milliseconds"}
    check(not extra, "%s: fields not in the format: %s" % (label, sorted(extra)))
    check(nf["flow_end_milliseconds"] == "2026-11-28T12:58:31.000Z",
          "%s: flow end %s" % (label, nf["flow_end_milliseconds"]))
    check(nf["exporter"]["version"] == version, "%s: exporter.version %s" % (label, nf["exporter"]["version"]))
log("v6 and v8 schemes 1-14: %d records, every field as the formats place it" % len(got))
log("PASS")
