"""rsyslogd HUP while flows arrive, with rsyslog.conf.example as shipped: the
way logrotate (or a move of the day's file) works. The day's file is moved
away, then rsyslogd gets SIGHUP (which omprog passes on to nf-dailyfile,
hup.signal="HUP"): the lines after it go to a new file at the old path.
Three times, while 20,000 flows arrive at about 5,000 a second. The
template is sent once, before: data after each HUP must decode (templates
kept). Every flow must be in one of the files, once, in a whole line."""
import os
import signal
import threading
import time

from harness import (Rsyslog, check, daily_sources, example_config, fail, flow_src, log, v9_datagram,
                     v9_template_set, v9_unique_flows)

FLOWS = 20000
PER_DATAGRAM = 25
HUPS = 3

r = Rsyslog(default_input=False)
outdir = os.path.join(r.dir, "netflow")
example_config(r, outdir)
try:
    r.start()
    r.send([v9_datagram(0, v9_template_set())])
    r.wait_counter("templates.added", 1, timeout=10)  # nowhere else: imnetflow(templates)
    sender = threading.Thread(target=r.send, args=(v9_unique_flows(0, FLOWS, PER_DATAGRAM),),
                              kwargs={"pace": PER_DATAGRAM / 5000.0})
    t0 = time.time()
    sender.start()
    moved = []
    for k in range(HUPS):
        time.sleep(1.0)
        files = [f for f in os.listdir(outdir) if f.endswith(".log")] if os.path.isdir(outdir) else []
        check(len(files) == 1, "before HUP %d: daily files %s" % (k + 1, files))
        rotated = os.path.join(outdir, "%s.%d" % (files[0], k + 1))
        os.rename(os.path.join(outdir, files[0]), rotated)
        moved.append(rotated)
        r.proc.send_signal(signal.SIGHUP)
        log("%.1f s: moved the day's file to %s, HUP" % (time.time() - t0, os.path.basename(rotated)))
    sender.join(60)
    check(not sender.is_alive(), "the sender did not finish")
    log("sent %d flows in %.1f s" % (FLOWS, time.time() - t0))
    deadline = time.time() + 60
    while True:
        paths = [os.path.join(outdir, f) for f in os.listdir(outdir)]
        seen, torn = daily_sources(paths)
        if len(seen) >= FLOWS:
            break
        if time.time() > deadline:
            fail("60 s after sending, %d of %d flows landed (files %s); counters %s"
                 % (len(seen), FLOWS, sorted(os.listdir(outdir)), r.counters()))
        time.sleep(0.5)
    time.sleep(2)  # nothing more arrives
    paths = [os.path.join(outdir, f) for f in os.listdir(outdir)]
    seen, torn = daily_sources(paths)
    per_file = {os.path.basename(p): len(daily_sources([p])[0]) for p in paths}
    dups = sum(n - 1 for n in seen.values())
    log("flows per file %s; %d duplicates, torn %s" % (per_file, dups, torn))
    check(set(seen) == {flow_src(i) for i in range(FLOWS)} and dups == 0 and not torn,
          "flows differ from those sent: %d, %d duplicates, torn %s" % (len(seen), dups, torn))
    # each moved file got lines, and after each HUP the old path again
    check(all(per_file.get(os.path.basename(m), 0) > 0 for m in moved) and len(per_file) == HUPS + 1
          and all(n > 0 for n in per_file.values()), "files after the HUPs: %s" % per_file)
    c = r.counters()
    templates = c.get("imnetflow(templates)", {})
    check(int(templates.get("templates.added", 0)) == 1 and int(templates.get("pending.buffered", 0)) == 0,
          "template state after the HUPs: %s" % templates)
    missing = sum(int(v.get("sequence.missing", 0)) for v in c.values())
    check(missing == 0, "sequence.missing %d" % missing)
finally:
    r.cleanup()
log("PASS")
