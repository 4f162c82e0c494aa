"""A real exporter: softflowd (NetFlow v1 and v5) reads traffic.pcap and
exports to imnetflow in a real rsyslogd; every IPv4 conversation of
traffic.truth.tsv arrives with its packet and octet counts, once per
direction."""
from harness import (Rsyslog, check, compare_flows, log, record_flows, run_softflowd,
                     truth_flows)

want = truth_flows(ip_versions=(4,))
expected_records = len(want)
for version in ("1", "5"):
    with Rsyslog() as r:
        run_softflowd(["-v", version], r.port, r.dir)
        got = r.wait_records(expected_records)
        check(r.wait_counter("submitted", expected_records) == expected_records,
              "v%s: submitted counter %s" % (version, r.counters()))
        counters = r.counters()
    log("softflowd -v %s: %d records, truth has %d IPv4 flows" % (version, len(got), expected_records))
    check(len(got) == expected_records, "v%s: %d records, expected %d" % (version, len(got), expected_records))
    check(all(g["data"]["netflow"]["exporter"]["version"] == int(version) for g in got),
          "v%s: wrong exporter.version" % version)
    malformed = sum(int(c.get("datagrams.malformed", 0)) for c in counters.values())
    check(malformed == 0, "v%s: %d malformed datagrams" % (version, malformed))
    compare_flows(want, record_flows(got), "softflowd -v " + version)
log("PASS")
