"""Stop and start under load, with rsyslog.conf.example as shipped: 30,000 v9
flows at about 5,000 a second from one exporter, the template sent once,
before; rsyslogd is stopped (SIGTERM) and started again while they arrive.
The second rsyslogd restores the template and the stream's sequence number
from workDirectory: the first data after the restart decodes at once
(nothing pending), and the only flows lost are those sent while no
rsyslogd read the port, exactly what sequence.missing counts (v9 counts
export packets: 25 flows each here). Every flow either instance received
lands once, in a whole line (what the first still had queued, its daily
queue saves at shutdown and the second writes)."""
import os
import socket
import threading
import time

from harness import (Rsyslog, check, daily_sources, example_config, fail, flow_src, log, v9_datagram,
                     v9_template_set, v9_unique_flows)

FLOWS = 30000
PER_DATAGRAM = 25
RATE = 5000


def send_all(r, datagrams, done):
    """Sends to whatever port r listens on now; what goes to a closed port
    is lost (that is the down window)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        for d in datagrams:
            try:
                s.sendto(d, ("127.0.0.1", r.port))
            except OSError:  # ECONNREFUSED reported for an earlier datagram
                pass
            time.sleep(PER_DATAGRAM / RATE)
    done.set()


r = Rsyslog(default_input=False)
outdir = os.path.join(r.dir, "netflow")
example_config(r, outdir)
try:
    r.start()
    r.send([v9_datagram(0, v9_template_set())], src_port=0)
    r.wait_counter("templates.added", 1, timeout=10)
    done = threading.Event()
    sender = threading.Thread(target=send_all, args=(r, v9_unique_flows(0, FLOWS, PER_DATAGRAM, seq=1), done))
    t0 = time.time()
    sender.start()
    time.sleep(2.0)
    took = r.stop()
    os.unlink(r.portfile)
    r.start()
    log("%.1f s: stopped (%.2f s) and started again" % (time.time() - t0, took))
    sender.join(60)
    check(done.is_set(), "the sender did not finish")
    deadline = time.time() + 60
    count, since = -1, time.time()
    while time.time() - since < 3:  # until no line has come for 3 s
        if time.time() > deadline:
            fail("the daily file still grows after 60 s")
        n = len(daily_sources([os.path.join(outdir, f) for f in os.listdir(outdir)])[0])
        if n != count:
            count, since = n, time.time()
        time.sleep(0.5)
    seen, torn = daily_sources([os.path.join(outdir, f) for f in os.listdir(outdir)])
    dups = sum(n - 1 for n in seen.values())
    c = r.counters()  # the second rsyslogd's (impstats counts from its start)
    listener = [v for k, v in c.items() if k != "imnetflow(templates)" and "submitted" in v]
    templates = c.get("imnetflow(templates)", {})
    missing = sum(int(v.get("sequence.missing", 0)) for v in listener)
    resets = sum(int(v.get("sequence.resets", 0)) for v in listener)
    lost = sorted(i for i in range(FLOWS) if flow_src(i) not in seen)
    log("%d of %d flows landed, %d lost (flows %s..%s), %d duplicates, torn %s; after the restart: "
        "sequence.missing %d (x %d = %d flows), sequence.resets %d, templates %s"
        % (len(seen), FLOWS, len(lost), lost[0] if lost else "-", lost[-1] if lost else "-", dups, torn,
           missing, PER_DATAGRAM, missing * PER_DATAGRAM, resets, templates))
    check(dups == 0 and not torn, "%d duplicates, torn %s" % (dups, torn))
    check(int(templates.get("pending.buffered", -1)) == 0, "data waited for its template after the restart")
    check(lost and len(lost) == missing * PER_DATAGRAM and resets == 0,
          "%d flows lost, sequence.missing %d (x %d)" % (len(lost), missing, PER_DATAGRAM))
    # the loss is one window: consecutive datagrams
    check(lost == list(range(lost[0], lost[0] + len(lost))), "the lost flows are not one window")
finally:
    r.cleanup()
log("PASS")
