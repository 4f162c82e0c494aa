"""threads="2": every address is bound twice (SO_REUSEPORT) and the kernel
gives all datagrams of an exporter address to the same receiving thread,
whatever their source port, so that each thread holds the templates of
its exporters. Four exporters (127.0.0.2-5) send a template from one source
port and data from three others: every record decodes, both threads read
(127.0.0.2 and .4 are thread 0's, .3 and .5 thread 1's: the address modulo
2), and the template state's impstats sum the threads. Templates saved by
two threads are restored by one thread, and then by two again (each
exporter's templates go to its thread); a worker's file that is no longer
used is removed. The same for an IPv6 exporter (::1)."""
import os
import shutil
import tempfile
import time

from harness import Rsyslog, check, log, v9_data_set, v9_datagram, v9_template_set

EXPORTERS = ["127.0.0.%d" % i for i in range(2, 6)]
DATA_PORTS = 3
RECORDS = 3


def send_data(r, first_port):
    """Data-only datagrams from every exporter, each from DATA_PORTS ports."""
    for i, addr in enumerate(EXPORTERS):
        for p in range(DATA_PORTS):
            r.send([v9_datagram(10 + p, v9_data_set(RECORDS))], addr=addr, dst_addr="127.0.0.1",
                   src_port=first_port + 10 * i + p)


def by_exporter(records):
    counts = {}
    for rec in records:
        a = rec["fromhost_ip"]
        counts[a] = counts.get(a, 0) + 1
    return counts


WANT = len(EXPORTERS) * DATA_PORTS * RECORDS
workdir = tempfile.mkdtemp(prefix="imnetflow-work-")
try:
    with Rsyslog(workdir=workdir, module_params='threads="2"') as r:
        for addr in EXPORTERS:
            r.send([v9_datagram(1, v9_template_set())], addr=addr, dst_addr="127.0.0.1", src_port=23456)
        send_data(r, 24000)
        got = r.wait_records(WANT)
        log("threads=2: %d records, by exporter %s" % (len(got), by_exporter(got)))
        check(len(got) == WANT, "%d records, expected %d (data on another port than its template "
              "reached a thread without the template?)" % (len(got), WANT))
        r.wait_counter("datagrams.received", len(EXPORTERS) * (1 + DATA_PORTS))
        listeners = r.counters("imnetflow(127.0.0.1/")
        received = {name: int(c["datagrams.received"]) for name, c in listeners.items()}
        log("datagrams by listener: %s" % received)
        check(len(received) == 2 and all(name.endswith(("thread 0)", "thread 1)")) for name in received),
              "expected one impstats object per thread: %s" % sorted(received))
        check(sorted(received.values()) == [8, 8], "each thread reads two exporters' 8 datagrams: %s" % received)
        for _ in range(30):
            templates = r.counters("imnetflow(templates)").get("imnetflow(templates)", {})
            if int(templates.get("templates.current", 0)) == len(EXPORTERS):
                break
            time.sleep(0.2)  # impstats writes once a second
        check(int(templates.get("templates.current", -1)) == len(EXPORTERS),
              "templates.current should sum both threads: %s" % templates)
    files = sorted(f for f in os.listdir(workdir) if f.startswith("imnetflow-templates"))
    log("files after threads=2: %s" % files)
    check(files == ["imnetflow-templates.dat", "imnetflow-templates.dat.1"], "template files: %s" % files)

    with Rsyslog(workdir=workdir) as r:  # one thread: both files restored, .1 removed
        send_data(r, 25000)
        got = r.wait_records(WANT)
        check(len(got) == WANT, "threads=1 after threads=2: %d records, expected %d" % (len(got), WANT))
    files = sorted(f for f in os.listdir(workdir) if f.startswith("imnetflow-templates"))
    check(files == ["imnetflow-templates.dat"], "after threads=1: %s" % files)

    with Rsyslog(workdir=workdir, module_params='threads="2"') as r:  # routed to the exporters' threads
        send_data(r, 26000)
        got = r.wait_records(WANT)
        log("threads=2 after threads=1: %d records, by exporter %s" % (len(got), by_exporter(got)))
        check(len(got) == WANT, "threads=2 after threads=1: %d records, expected %d" % (len(got), WANT))
finally:
    shutil.rmtree(workdir, ignore_errors=True)

# IPv6: ::1 is thread (0 ^ 0 ^ 0 ^ 1) % 2 = 1, as the kernel chooses (the BPF
# program's IPv6 branch) and as the restore does (exporterWorker): data
# alone after a restart decodes only if the two agree.
V6_INPUT = 'input(type="imnetflow" address="::1" port="0" listenPortFileName="@DIR@/port")\n'
workdir = tempfile.mkdtemp(prefix="imnetflow-work-")
try:
    with Rsyslog(workdir=workdir, module_params='threads="2"', default_input=False, extra=V6_INPUT) as r:
        r.send([v9_datagram(1, v9_template_set()), v9_datagram(2, v9_data_set(RECORDS))], addr="::1", pace=0.05)
        got = r.wait_records(RECORDS)
        check(len(got) == RECORDS, "IPv6: %d records, expected %d" % (len(got), RECORDS))
        r.wait_counter("datagrams.received", 2)
        received = {name: int(c["datagrams.received"]) for name, c in r.counters("imnetflow(::1/").items()}
        log("IPv6, datagrams by listener: %s" % received)
        check(sorted((name[-9:], n) for name, n in received.items()) == [("thread 0)", 0), ("thread 1)", 2)],
              "::1 should reach thread 1 only: %s" % received)
    with Rsyslog(workdir=workdir, module_params='threads="2"', default_input=False, extra=V6_INPUT) as r:
        r.send([v9_datagram(3, v9_data_set(RECORDS))], addr="::1", src_port=24999)
        got = r.wait_records(RECORDS)
        check(len(got) == RECORDS, "IPv6 after restart: %d records, expected %d" % (len(got), RECORDS))
finally:
    shutil.rmtree(workdir, ignore_errors=True)
log("PASS")
