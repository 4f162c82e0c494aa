"""rsyslog.conf.example as shipped: flows land one JSON object per line in a
file named by the receive date, and, with the flow-date template, in a file
named by the flow's own end time (timereported)."""
import datetime
import os
import re
import struct
import time

from harness import Rsyslog, check, log

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "..", "rsyslog.conf.example")


def v5_datagram(export_sec, count=3):
    """A NetFlow v5 datagram whose flows end 1 s before export_sec."""
    uptime = 100000
    head = struct.pack("!HHIIIIBBH", 5, count, uptime, export_sec, 0, 7, 0, 0, 0)
    recs = b""
    for i in range(count):
        recs += struct.pack("!4s4s4sHHIIIIHHBBBBHHBBH", bytes([10, 0, 0, i + 1]),
                            bytes([192, 0, 2, 1]), bytes(4), 1, 2, 3, 300, uptime - 5000,
                            uptime - 1000, 1024 + i, 80, 0, 0x1b, 6, 0, 0, 0, 0, 0, 0)
    return head + recs


def example_config(outdir, flow_date):
    with open(EXAMPLE) as f:
        text = f.read()
    if flow_date:  # switch to the commented flow-date template
        text = re.sub(r'template\(name="netflow-daily-file" type="string"\n\s+string="[^"]*"\)\n', "", text)
        text = text.replace('# template(name="netflow-daily-file"', 'template(name="netflow-daily-file"')
        text = text.replace('#          string="/var/log/netflow/%timereported',
                            '          string="/var/log/netflow/%timereported')
    text = text.replace("/var/log/netflow", outdir)
    text = re.sub(r"global\(workDirectory=[^)]*\)\n", "", text)
    text = re.sub(r"global\(privdrop[^)]*\)\n", "", text)  # test_privdrop.py runs it unprivileged
    text = text.replace('module(load="imnetflow")\n', "")
    return text


def run(flow_date):
    r = Rsyslog(default_input=False)
    outdir = os.path.join(r.dir, "netflow")
    text = example_config(outdir, flow_date)
    # a free loopback port instead of 2055, reported in the harness's port file
    text = text.replace('input(type="imnetflow" port="2055" ruleset="netflow")',
                        'input(type="imnetflow" port="0" address="127.0.0.1" ruleset="netflow" '
                        'listenPortFileName="%s")' % r.portfile)
    check('ruleset="netflow"' in text and 'listenPortFileName' in text, "example config changed shape")
    with open(r.conf, "a") as f:
        f.write(text)
    r.start()
    try:
        flow_day = datetime.date(2026, 1, 15)
        export = int(datetime.datetime(2026, 1, 15, 12, 0, 0, tzinfo=datetime.timezone.utc).timestamp())
        today = time.strftime("%Y-%m-%d")
        r.send([v5_datagram(export)])
        name = flow_day.isoformat() if flow_date else today
        path = os.path.join(outdir, name + ".log")
        deadline = time.time() + 30
        while time.time() < deadline and len(r.lines(path)) < 3:
            time.sleep(0.1)
        lines = r.lines(path)
        log("flow_date=%s: files %s" % (flow_date, sorted(os.listdir(outdir)) if os.path.isdir(outdir) else None))
        if not flow_date and not lines:  # the date may have changed meanwhile
            alt = os.path.join(outdir, time.strftime("%Y-%m-%d") + ".log")
            lines = r.lines(alt)
        if len(lines) != 3:  # what rsyslogd said, and whether the datagram arrived
            log("rsyslogd stderr:\n" + r.read_stderr()[-3000:])
            log("impstats: %s" % r.counters())
        check(len(lines) == 3, "expected 3 lines in %s, got %d" % (path, len(lines)))
        recs = r.records(path if os.path.exists(path) else alt)
        for i, rec in enumerate(sorted(recs, key=lambda x: x["netflow"]["source_transport_port"])):
            nf = rec["netflow"]
            check(nf["source_ipv4_address"] == "10.0.0.%d" % (i + 1), "record %r" % nf)
            check(nf["flow_end_milliseconds"] == "2026-01-15T11:59:59.000Z", "flow end %r" % nf)
            check(nf["exporter"]["version"] == 5, "exporter %r" % nf["exporter"])
        check(oct(os.stat(path).st_mode & 0o777) == oct(0o640), "file mode %o" % os.stat(path).st_mode)
    finally:
        r.cleanup()


run(flow_date=False)
run(flow_date=True)
log("PASS")
