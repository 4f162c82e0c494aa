"""rsyslog.conf.example as shipped, with the daily files' volume full: a
small tmpfs takes the first flows and fills; the rest wait in the daily
action's queue (in memory, then spooled to workDirectory, another volume)
while the input goes on; when the volume is grown, every flow lands, once,
in a whole line (nf-dailyfile cuts off what a failed write left, and rsyslog
offers the refused flow again)."""
import os
import time

from harness import (Rsyslog, check, daily_sources, example_config, fail, flow_src, log, mount_tmpfs,
                     resize_tmpfs, umount, v9_datagram, v9_template_set, v9_unique_flows)

FLOWS = 40000
PER_DATAGRAM = 25


def scan(path):
    return daily_sources([path])


def queue(r, name):
    return r.counters(name).get(name, {})


r = Rsyslog(default_input=False)
outdir = os.path.join(r.dir, "netflow")
mount_tmpfs(outdir, "2m")
try:
    example_config(r, outdir)
    r.start()
    t0 = time.time()
    r.send([v9_datagram(0, v9_template_set())] + v9_unique_flows(0, FLOWS, PER_DATAGRAM), pace=0.002)  # ~12,000 flows/s, below any loss-free rate
    log("sent %d flows in %.1f s" % (FLOWS, time.time() - t0))
    # the input is not held up by the full disk: every flow is submitted
    r.wait_counter("submitted", FLOWS, timeout=60)
    files = os.listdir(outdir)
    check(len(files) == 1, "daily files %s (the date changed during the test?)" % files)
    path = os.path.join(outdir, files[0])
    st = os.statvfs(outdir)
    check(st.f_bavail * st.f_frsize < 64 * 1024, "the tmpfs is not full: %d bytes free"
          % (st.f_bavail * st.f_frsize))
    time.sleep(3)  # the waiting flows stay queued, and spill to the spool
    seen, torn = scan(path)
    daily = queue(r, "daily queue")
    spool = [f for f in os.listdir(r.work) if f.startswith("netflow-daily")]
    log("disk full: %d flows in the file, torn lines %s; daily queue %s; %d spool files"
        % (len(seen), torn, daily, len(spool)))
    spooled = int(queue(r, "daily queue[DA]").get("size", 0))
    spool_bytes = sum(os.path.getsize(os.path.join(r.work, f)) for f in spool)
    log("spool: %d bytes for %d flows (%d bytes each)" % (spool_bytes, spooled, spool_bytes // max(spooled, 1)))
    check(len(seen) < FLOWS // 2, "the small volume took %d flows" % len(seen))
    check(spool, "nothing spooled to workDirectory while the disk was full")

    resize_tmpfs(outdir, "256m")
    t1 = time.time()
    deadline = t1 + 90
    while True:
        seen, torn = scan(path)
        if len(seen) == FLOWS:
            break
        if time.time() > deadline:
            missing = sorted({flow_src(i) for i in range(FLOWS)} - set(seen))
            fail("90 s after the volume grew, %d of %d flows landed (missing %s); torn lines %s; daily queue %s"
                 % (len(seen), FLOWS, missing[:5], torn, queue(r, "daily queue")))
        time.sleep(0.5)
    log("volume grown: all %d flows landed within %.1f s" % (FLOWS, time.time() - t1))
    time.sleep(2)  # nothing more arrives
    seen, torn = scan(path)
    dups = sum(n - 1 for n in seen.values())
    log("final: %d flows, %d duplicated lines, torn lines %s" % (len(seen), dups, torn))
    check(set(seen) == {flow_src(i) for i in range(FLOWS)}, "flows differ from those sent")
    check(dups == 0 and not torn, "%d duplicates, torn lines %s" % (dups, torn))
    daily, main = queue(r, "daily queue"), queue(r, "main Q")
    log("daily queue %s\nmain Q %s" % (daily, main))
    check(int(daily.get("discarded.full", 0)) == 0 and int(main.get("discarded.full", 0)) == 0,
          "queues discarded flows")
finally:
    r.stop()
    umount(outdir)
    r.cleanup()
log("PASS")
