"""A real exporter over TCP: softflowd 1.1.0 exports traffic.pcap as IPFIX
over TCP (-P tcp) to a transport="tcp" input; every conversation of
traffic.truth.tsv arrives with its packet and octet counts, as the same
export over UDP gives them (test_softflowd_templates), also as RFC 5103
biflows. NetFlow v9 over TCP carries no message length, so the input
refuses it: softflowd's connection is closed and counted, and no record is
made of it."""
import signal

from harness import (Rsyslog, check, compare_flows, log, record_flows, run_softflowd,
                     truth_flows)

want = truth_flows(ip_versions=(4, 6))


def stream_counters(counters):
    """The counters of the input's TCP listener (its impstats object)."""
    tcp = [c for name, c in counters.items() if "(tcp " in name]
    check(len(tcp) == 1, "one tcp listener expected, impstats has %s" % sorted(counters))
    return tcp[0]


for label, args in [("ipfix", ["-v", "10", "-6"]), ("ipfix bidirectional", ["-v", "10", "-6", "-b"])]:
    with Rsyslog(inputs='port="0" transport="tcp"') as r:
        run_softflowd(args + ["-P", "tcp"], r.port, r.dir)
        if "-b" in args:  # one record per conversation and direction pair
            got = r.wait_quiet()
        else:
            got = r.wait_records(len(want), timeout=30)
            r.wait_counter("records.decoded", len(want))
        c = stream_counters(r.counters())
    flows = [g for g in got if g["data"]["netflow"]["type"] == "flow"]
    log("softflowd %s over TCP: %d records (%d flows), truth %d directional flows, %s messages, "
        "sessions opened %s, malformed %s" % (label, len(got), len(flows), len(want),
                                              c.get("datagrams.received"), c.get("sessions.opened"),
                                              c.get("sessions.malformed")))
    check(int(c.get("sessions.opened", 0)) >= 1, "%s: no session opened" % label)
    check(int(c.get("sessions.malformed", 0)) == 0, "%s: malformed messages" % label)
    check(int(c.get("datagrams.malformed", 0)) == 0, "%s: malformed messages" % label)
    compare_flows(want, record_flows(flows), "softflowd over TCP " + label)

with Rsyslog(inputs='port="0" transport="tcp"') as r:
    # the collector closes the connection: softflowd may die writing to it (SIGPIPE)
    run_softflowd(["-v", "9", "-6", "-P", "tcp"], r.port, r.dir, returncodes=(0, -signal.SIGPIPE))
    r.wait_counter("sessions.malformed", 1, timeout=20)
    got = r.wait_quiet()
    c = stream_counters(r.counters())
log("softflowd v9 over TCP: %d records, sessions opened %s, malformed %s"
    % (len(got), c.get("sessions.opened"), c.get("sessions.malformed")))
check(got == [], "v9 over TCP: records were made of it")
check(int(c.get("records.decoded", 0)) == 0, "v9 over TCP: records decoded")
log("PASS")
