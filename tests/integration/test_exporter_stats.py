"""exporterStats="on": an impstats object per exporter counts its
datagrams, records, templates, sequence gaps and malformed datagrams;
beyond exporterStats.max exporters the rest share "imnetflow(exporter other)"."""
import struct
import time

from harness import Rsyslog, check, log, v5_datagram


def flows(n, first=0):
    return [{"src": "10.0.0.%d" % (first + i + 1), "dst": "192.0.2.1", "sport": 1000 + first + i} for i in range(n)]


def v9_with_template(seq):
    """A v9 datagram with template 256 (IPv4 source, destination) and one record."""
    tmpl = struct.pack("!HHHHHH", 256, 2, 8, 4, 12, 4)
    tset = struct.pack("!HH", 0, 4 + len(tmpl)) + tmpl
    data = bytes([10, 1, 1, 1, 192, 0, 2, 9])
    dset = struct.pack("!HH", 256, 4 + len(data)) + data
    return struct.pack("!HHIIII", 9, 2, 1000, 1795870712, seq, 0) + tset + dset


with Rsyslog(module_params='exporterStats="on" exporterStats.max="2"') as r:
    # 127.0.0.2: two v5 datagrams, 5 flows missing between them (v5 counts
    # flows: 3 came, the next starts at 8), one malformed
    r.send([v5_datagram(flows(3), seq=0), v5_datagram(flows(2, 3), seq=8), b"\x00\x05\x00"],
           addr="127.0.0.2", dst_addr="127.0.0.1", pace=0.05)
    # 127.0.0.3: v9 with a template, twice, packets 1 and 2 of 0..3 missing
    r.send([v9_with_template(0), v9_with_template(3)], addr="127.0.0.3", dst_addr="127.0.0.1", pace=0.05)
    # 127.0.0.4 and 127.0.0.5: beyond the cap of 2
    r.send([v5_datagram(flows(1))], addr="127.0.0.4", dst_addr="127.0.0.1", pace=0.05)
    r.send([v5_datagram(flows(2))], addr="127.0.0.5", dst_addr="127.0.0.1", pace=0.05)
    r.wait_records(10)
    r.wait_counter("records.decoded", 10)
    want = {
        "imnetflow(exporter 127.0.0.2)": {"datagrams": 3, "records": 5, "sequence.missing": 5,
                                          "datagrams.malformed": 1, "templates": 0},
        "imnetflow(exporter 127.0.0.3)": {"datagrams": 2, "records": 2, "templates": 2, "sequence.missing": 2},
        "imnetflow(exporter other)": {"datagrams": 2, "records": 3},
    }
    got = {}
    for _ in range(50):
        got = r.counters("imnetflow(exporter")
        if all(all(int(got.get(n, {}).get(k, -1)) == v for k, v in c.items()) for n, c in want.items()):
            break
        time.sleep(0.2)
    for name, counters in sorted(got.items()):
        log(name, {k: v for k, v in counters.items() if k not in ("name", "origin")})
    for name, counters in want.items():
        check(name in got, "no impstats object %s (have %s)" % (name, sorted(got)))
        for k, v in counters.items():
            check(int(got[name].get(k, -1)) == v, "%s %s = %s, expected %d" % (name, k, got[name].get(k), v))
    check(len(got) == 3, "exporterStats.max not kept: %s" % sorted(got))
log("PASS")
