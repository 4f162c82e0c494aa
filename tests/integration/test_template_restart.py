"""Templates survive a restart: learned by one rsyslogd, saved in its
workDirectory at shutdown, restored by the next one, so that data-only
datagrams decode at once (Cisco re-sends templates only every 30 minutes).
With template.persist="off" the same data must wait."""
import os
import shutil
import tempfile

from harness import Rsyslog, check, log, v9_data_set, v9_datagram, v9_template_set


def run(workdir, datagrams, expect, module_params=""):
    with Rsyslog(workdir=workdir, module_params=module_params) as r:
        r.send(datagrams, src_port=23456)
        got = r.wait_records(expect, timeout=5 if expect == 0 else 20)
        pending = r.wait_counter("pending.buffered", 1, timeout=3) if expect == 0 else None
    return got, pending


workdir = tempfile.mkdtemp(prefix="imnetflow-work-")
try:
    got, _ = run(workdir, [v9_datagram(1, v9_template_set())], 0)
    check(os.path.exists(os.path.join(workdir, "imnetflow-templates.dat")), "no template file written")
    got, _ = run(workdir, [v9_datagram(2, v9_data_set(5))], 5)
    log("after restart: %d records from a data-only datagram" % len(got))
    check(len(got) == 5, "data after restart: %d records, expected 5" % len(got))
    check(got[0]["data"]["netflow"]["exporter"]["source_id"] == 42, "source id %r" % got[0])
    # without persistence the template is unknown after the restart
    shutil.rmtree(workdir)
    run(workdir, [v9_datagram(1, v9_template_set())], 0, module_params='template.persist="off"')
    check(not os.path.exists(os.path.join(workdir, "imnetflow-templates.dat")), "file written with persist off")
    got, pending = run(workdir, [v9_datagram(2, v9_data_set(5))], 0, module_params='template.persist="off"')
    check(len(got) == 0 and pending == 1, "without persistence: %d records, %s pending" % (len(got), pending))
finally:
    shutil.rmtree(workdir, ignore_errors=True)
log("PASS")
