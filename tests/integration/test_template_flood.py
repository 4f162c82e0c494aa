"""A flood of a million distinct templates from many exporters and
observation domains keeps the template state under its configured memory
cap (memory.bytes in impstats), evicts and counts, keeps rsyslogd's RSS
bounded, and valid flows still decode afterwards."""
import struct
import time

from harness import Rsyslog, check, log

TEMPLATES = 1_000_000
PER_DATAGRAM = 100          # template records of 12 bytes: 1,200-byte datagrams
CAP = 8 << 20               # template.maxMemory
EXPORTERS = 16              # source addresses 127.0.3.1-16, each with many domains


def flood_datagram(n, domain):
    records = b"".join(struct.pack("!HHHHHH", 256 + (n * PER_DATAGRAM + i) % 65000, 2, 8, 4, 7, 2)
                       for i in range(PER_DATAGRAM))
    body = struct.pack("!HH", 2, 4 + len(records)) + records
    return struct.pack("!HHIII", 10, 16 + len(body), 1795870712, 0, domain) + body


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


with Rsyslog(inputs='port="0" rcvbufSize="32m"',
             module_params='template.maxMemory="8m" template.maxScopes="4096" template.persist="off"') as r:
    t0 = time.time()
    datagrams = TEMPLATES // PER_DATAGRAM
    for e in range(EXPORTERS):
        batch = [flood_datagram(n, domain=n % 997) for n in range(e, datagrams, EXPORTERS)]
        r.send(batch, addr="127.0.3.%d" % (e + 1), dst_addr="127.0.0.1")
    received = r.wait_counter("datagrams.received", datagrams, timeout=60)
    added = r.wait_counter("templates.added", TEMPLATES * 9 // 10, timeout=30)
    time.sleep(2.5)  # one more impstats round with the final gauges
    stats = r.counters().get("imnetflow(templates)", {})
    rss = rss_kb(r.proc.pid)
    # a valid template and data still decode after the flood
    tmpl = struct.pack("!HHHHHH", 2, 12, 300, 1, 7, 2)
    data = struct.pack("!HHH", 300, 6, 4242)
    body = tmpl + data
    r.send([struct.pack("!HHIII", 10, 16 + len(body), 1795870712, 1, 5) + body], addr="127.0.4.1",
           dst_addr="127.0.0.1")
    got = r.wait_records(1)
log("%d datagrams received of %d in %.1fs; templates added %s, evicted %s, scopes evicted %s; "
    "held %s templates in %s scopes, memory.bytes %s (cap %d); rsyslogd RSS %d KiB"
    % (received, datagrams, time.time() - t0, stats.get("templates.added"), stats.get("templates.evicted"),
       stats.get("scopes.evicted"), stats.get("templates.current"), stats.get("scopes.current"),
       stats.get("memory.bytes"), CAP, rss))
check(received == datagrams, "datagrams lost: %d of %d" % (received, datagrams))
check(int(stats.get("templates.added", 0)) >= TEMPLATES * 9 // 10, "templates not added: %s" % stats)
check(int(stats["memory.bytes"]) <= CAP + (2 << 20), "template state above its cap: %s" % stats["memory.bytes"])
check(int(stats["templates.evicted"]) > 0, "no eviction counted")
check(rss < 256 * 1024, "rsyslogd RSS %d KiB" % rss)
check(any(g["data"]["netflow"].get("source_transport_port") == 4242 for g in got), "no flow after the flood")
log("PASS")
