"""Templates survive a restart: learned by one rsyslogd, saved in its
workDirectory at shutdown, restored by the next one, so that data-only
datagrams decode at once (Cisco re-sends templates only every 30 minutes).
With template.persist="off" the same data must wait."""
import os
import shutil
import struct
import tempfile

from harness import Rsyslog, check, log

NOW = 1795870712


def v9(seq, sets):
    return struct.pack("!HHIIII", 9, 1, 60000, NOW, seq, 42) + sets


def template_set():
    fields = [(8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (2, 4), (1, 4)]
    body = struct.pack("!HH", 256, len(fields)) + b"".join(struct.pack("!HH", *f) for f in fields)
    return struct.pack("!HH", 0, 4 + len(body)) + body


def data_set(n):
    body = b"".join(struct.pack("!4s4sHHBII", bytes([10, 0, 0, i]), bytes([10, 0, 1, 1]), 1000 + i, 80, 6,
                                3, 180) for i in range(n))
    return struct.pack("!HH", 256, 4 + len(body)) + body


def run(workdir, datagrams, expect, module_params=""):
    with Rsyslog(workdir=workdir, module_params=module_params) as r:
        r.send(datagrams, src_port=23456)
        got = r.wait_records(expect, timeout=5 if expect == 0 else 20)
        pending = r.wait_counter("pending.buffered", 1, timeout=3) if expect == 0 else None
    return got, pending


workdir = tempfile.mkdtemp(prefix="imnetflow-work-")
try:
    got, _ = run(workdir, [v9(1, template_set())], 0)
    check(os.path.exists(os.path.join(workdir, "imnetflow-templates.dat")), "no template file written")
    got, _ = run(workdir, [v9(2, data_set(5))], 5)
    log("after restart: %d records from a data-only datagram" % len(got))
    check(len(got) == 5, "data after restart: %d records, expected 5" % len(got))
    check(got[0]["data"]["netflow"]["exporter"]["source_id"] == 42, "source id %r" % got[0])
    # without persistence the template is unknown after the restart
    shutil.rmtree(workdir)
    run(workdir, [v9(1, template_set())], 0, module_params='template.persist="off"')
    check(not os.path.exists(os.path.join(workdir, "imnetflow-templates.dat")), "file written with persist off")
    got, pending = run(workdir, [v9(2, data_set(5))], 0, module_params='template.persist="off"')
    check(len(got) == 0 and pending == 1, "without persistence: %d records, %s pending" % (len(got), pending))
finally:
    shutil.rmtree(workdir, ignore_errors=True)
log("PASS")
