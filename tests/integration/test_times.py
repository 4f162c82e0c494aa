"""Absolute flow times only where the export determines them: replayed
through a real rsyslogd with timeReported="flowEnd", a Fortigate v9 flow
whose uptime stamps lie beyond the header's uptime gets no derived times,
is counted in times.implausible, and keeps the receive time as its syslog
timestamp; a Mikrotik IPFIX flow with uptime stamps and no system init time
gets none either, its raw stamps kept; a v5 flow's derived times are there
and become the timestamp."""
import time
from datetime import datetime, timezone

from harness import Rsyslog, capture_datagrams, check, log, v5_datagram


def age(rec):
    t = datetime.fromisoformat(rec["timereported"].replace("Z", "+00:00"))
    return time.time() - t.timestamp()


with Rsyslog(inputs='port="0" timeReported="flowEnd"') as r:
    forti = [p for p, _ in capture_datagrams("ls-netflow-9-fortigate-fortios-5-2-1")]
    r.send(forti, pace=0.05)
    recs = r.wait_records(2)
    flow = [x for x in recs if x["data"]["netflow"]["type"] == "flow"]
    check(len(flow) == 1, "fortigate flows: %d" % len(flow))
    nf = flow[0]["data"]["netflow"]
    check("flow_start_milliseconds" not in nf and "flow_end_milliseconds" not in nf,
          "derived times beyond the export emitted: %s" % nf)
    check(nf["flow_start_sys_up_time"] == 621761700, "raw uptime stamp lost: %s" % nf)
    check(abs(age(flow[0])) < 120, "timereported %s is not the receive time" % flow[0]["timereported"])
    r.wait_counter("times.implausible", 2)

    mikrotik = [p for p, _ in capture_datagrams("ls-ipfix-mikrotik-routeros-6-39-2")]
    r.send(mikrotik, pace=0.02)
    recs = r.wait_quiet()
    ipfix = [x for x in recs if x["data"]["netflow"].get("exporter", {}).get("version") == 10
             and x["data"]["netflow"]["type"] == "flow"]
    check(ipfix, "no Mikrotik flows")
    for x in ipfix:
        nf = x["data"]["netflow"]
        check("flow_end_milliseconds" not in nf and "flow_end_sys_up_time" in nf, "Mikrotik times: %s" % nf)
        check(abs(age(x)) < 120, "Mikrotik timereported %s" % x["timereported"])

    export = int(time.time()) - 3600
    before = len(r.lines())
    r.send([v5_datagram([{"src": "10.0.0.1", "dst": "192.0.2.1"}], export_sec=export)])
    v5 = r.wait_records(before + 1)[-1]
    nf = v5["data"]["netflow"]
    check("flow_end_milliseconds" in nf, "v5 flow without derived end: %s" % nf)
    check(abs(age(v5) - 3601) < 5, "v5 timereported %s is not the flow end" % v5["timereported"])
log("PASS")
