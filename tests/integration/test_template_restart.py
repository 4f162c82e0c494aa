"""Templates survive a restart: learned by one rsyslogd, saved in its
workDirectory at shutdown, restored by the next one, so that data-only
datagrams decode at once (Cisco re-sends templates only every 30 minutes).
With template.persist="off" the same data must wait."""
import os
import shutil
import tempfile

from harness import Rsyslog, check, log, v9_data_set, v9_datagram, v9_template_set


def run(workdir, datagrams, expect, module_params="", pending=0):
    """The records of datagrams sent to a fresh rsyslogd: expect of them, or
    none; pending: data sets that must be kept waiting for their template."""
    with Rsyslog(workdir=workdir, module_params=module_params) as r:
        r.send(datagrams, src_port=23456)
        if pending:
            r.wait_counter("pending.buffered", pending, timeout=3)
        return r.wait_records(expect) if expect else r.records_after(2)


workdir = tempfile.mkdtemp(prefix="imnetflow-work-")
try:
    run(workdir, [v9_datagram(1, v9_template_set())], 0)
    check(os.path.exists(os.path.join(workdir, "imnetflow-templates.dat")), "no template file written")
    got = run(workdir, [v9_datagram(2, v9_data_set(5))], 5)
    log("after restart: %d records from a data-only datagram" % len(got))
    check(len(got) == 5, "data after restart: %d records, expected 5" % len(got))
    check(got[0]["data"]["netflow"]["exporter"]["source_id"] == 42, "source id %r" % got[0])
    # without persistence the template is unknown after the restart
    shutil.rmtree(workdir)
    run(workdir, [v9_datagram(1, v9_template_set())], 0, module_params='template.persist="off"')
    check(not os.path.exists(os.path.join(workdir, "imnetflow-templates.dat")), "file written with persist off")
    got = run(workdir, [v9_datagram(2, v9_data_set(5))], 0, module_params='template.persist="off"', pending=1)
    check(len(got) == 0, "without persistence: %d records" % len(got))
finally:
    shutil.rmtree(workdir, ignore_errors=True)
log("PASS")
