"""rsyslog.conf.example as shipped, flooded: NetFlow v9 (16 fields a
record) at FLOOD_RATE flows/s for 15 s; the default, 90,000, is three times
the example's loss-free rate on the 2-CPU test machine (about 30,000 flows/s,
what nf-dailyfile writes). rsyslogd's peak RSS must stay within 512 MB: the
example bounds its queues in memory (the main queue at 10,000 flows, the
daily action's at 20,000, beyond that its disk spool), at about 9.5 KB a
queued structured flow. What is lost is counted (main Q and daily queue
discarded.full, or the kernel's receive-buffer drops), and every flow handed
to the daily action lands."""
import os
import subprocess
import time

from harness import Rsyslog, check, example_config, log, rss_kb

RATE = int(os.environ.get("FLOOD_RATE", "90000"))
SECONDS = 15
LIMIT_MB = 512
NFGEN = os.environ.get("NFGEN") or os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                "..", "..", "contrib", "nfgen")

r = Rsyslog(default_input=False)
outdir = os.path.join(r.dir, "netflow")
example_config(r, outdir)
try:
    r.start()
    t0 = time.time()
    gen = subprocess.run([NFGEN, "-p", "v9", "-n", str(RATE * SECONDS), "-r", str(RATE), "-t", str(SECONDS + 5),
                          "127.0.0.1", str(r.port)], stdout=subprocess.PIPE, text=True, timeout=SECONDS + 30)
    log("nfgen: " + gen.stdout.strip())
    sent = int(dict(kv.split("=") for kv in gen.stdout.split())["records"])
    rss, peak = rss_kb(r.proc.pid)
    log("after %.1f s: RSS %d MB, peak %d MB" % (time.time() - t0, rss // 1024, peak // 1024))
    # the daily action drains what it was handed (bounded wait)
    deadline = time.time() + 120
    while time.time() < deadline:
        q = r.counters("daily queue")  # the queue and its disk part, "daily queue[DA]"
        if q and all(int(v.get("size", 1)) == 0 for v in q.values()):
            break
        time.sleep(1)
    time.sleep(2)  # the last lines written, the counters current
    rss, peak = rss_kb(r.proc.pid)
    c = r.counters()
    submitted = sum(int(v.get("submitted", 0)) for v in c.values())
    failed = sum(int(v.get("records.failed", 0)) for v in c.values())
    main = r.counters("main Q").get("main Q", {})
    daily = r.counters("daily queue").get("daily queue", {})
    lines = sum(len(r.lines(os.path.join(outdir, f))) for f in os.listdir(outdir)) if os.path.isdir(outdir) else 0
    log("sent %d, submitted %d, records.failed %d, main Q %s, daily queue %s, lines %d, peak RSS %d MB"
        % (sent, submitted, failed, main, daily, lines, peak // 1024))
    check(peak // 1024 <= LIMIT_MB, "peak RSS %d MB above %d MB" % (peak // 1024, LIMIT_MB))
    check(all(int(v.get("size", 1)) == 0 for v in r.counters("daily queue").values()),
          "the daily queue did not drain: %s" % r.counters("daily queue"))
    # every flow handed to the daily action is in a file
    check(lines == int(daily.get("enqueued", -1)) - int(daily.get("discarded.full", 0))
          - int(daily.get("discarded.nf", 0)), "%d lines, daily queue %s" % (lines, daily))
finally:
    r.cleanup()
log("PASS")
