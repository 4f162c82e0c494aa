"""The receiving threads' seccomp filter (module parameter sandbox).

The test build of the module (tests/selftest/, IMN_SANDBOX_SELFTEST) has a
receiving thread that reads a datagram starting with
"imnetflow-sandbox-selftest" try open, socket and execve, and log what it
got. With the default sandbox="errno" all three fail with EPERM, are
counted (impstats sandbox.refused) and logged, and the thread goes on
decoding; only the receiving threads (imnetflow:rx<k>) are filtered (/proc:
Seccomp 2), no other rsyslogd thread (rsyslog's input thread in:imnetflow,
which runs the outbox, queue workers, impstats: 0). rsyslogd stops cleanly.
sandbox="off": the calls go through (execve of a path that does not exist:
ENOENT) and no thread is filtered. sandbox="kill": rsyslogd dies of SIGSYS.
threads="2": both receiving threads are filtered. transport="tcp": the
stream thread (imnetflow:tcp0) is filtered too, with the three calls its
connections need besides (accept4, recvfrom, close), and refuses open,
socket and execve alike."""
import os
import signal
import socket
import struct
import time

import harness
from harness import Rsyslog, check, fail, log, v5_datagram

SELFTEST = os.environ.get("IMNETFLOW_SELFTEST_MODULE", "")
if not SELFTEST or not os.path.exists(SELFTEST):
    fail("the sandbox test build of the module is missing (IMNETFLOW_SELFTEST_MODULE=%r): "
         "make check builds it (tests/selftest/imnetflow.la)" % SELFTEST)
harness.MODULE = SELFTEST
MAGIC = b"imnetflow-sandbox-selftest"
FLOW = {"src": "10.0.0.1", "dst": "10.0.0.2", "sport": 1, "dport": 2, "proto": 17}


def threads(pid):
    """{tid: (name, Seccomp mode)} of every thread of pid."""
    result = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                name = f.read().strip()
            with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
                mode = [int(l.split()[1]) for l in f if l.startswith("Seccomp:")][0]
        except (OSError, IndexError):
            continue  # a thread that ended meanwhile
        result[tid] = (name, mode)
    return result


def wait_line(r, text, timeout=10):
    """The first line of rsyslog's own messages (on stderr with -n) that holds text."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for line in r.read_stderr().split("\n"):
            if text in line:
                return line.strip()
        time.sleep(0.1)
    fail("waited %d s for %r in rsyslog's messages: %s" % (timeout, text, r.read_stderr()))


def receiving(ts):
    return {t: m for t, (n, m) in ts.items() if n.startswith("imnetflow:rx")}


def run(mode, nthreads):
    params = 'threads="%d"' % nthreads + ('' if mode is None else ' sandbox="%s"' % mode)
    r = Rsyslog(module_params=params)
    try:
        r.start()
        time.sleep(0.5)  # the receiving threads are set up
        ts = threads(r.proc.pid)
        recv = receiving(ts)
        log("sandbox=%s threads=%d: %s" % (mode, nthreads, sorted(ts.values())))
        check(len(recv) == nthreads, "%d receiving threads, expected %d: %s" % (len(recv), nthreads, ts))
        filtered = mode in (None, "errno", "kill")
        for tid, (name, m) in ts.items():
            want = 2 if filtered and name.startswith("imnetflow:rx") else 0
            check(m == want, "thread %s (%s) has Seccomp %d, expected %d" % (tid, name, m, want))
        if mode == "kill":
            r.send([MAGIC])
            try:
                r.proc.wait(10)
            except Exception:
                fail("rsyslogd still runs after a forbidden system call with sandbox=\"kill\"")
            check(r.proc.returncode == -signal.SIGSYS,
                  "rsyslogd ended with %s, expected SIGSYS" % r.proc.returncode)
            return
        r.send([MAGIC])
        line = wait_line(r, "sandbox selftest:")
        log(line)
        if filtered:
            check("open EPERM, socket EPERM, execve EPERM" in line, "not all refused: %s" % line)
            refused = wait_line(r, "sandbox refused")
            log(refused)
            check("3 system call(s)" in refused, "refusals not counted as 3: %s" % refused)
            r.wait_counter("sandbox.refused", 3)
        else:
            check("open allowed, socket allowed, execve ENOENT" in line, "sandbox=off refused: %s" % line)
        # the thread still decodes, and its messages still reach the output
        r.send([v5_datagram([FLOW])])
        got = r.wait_records(1)
        check(got[0]["data"]["netflow"]["source_ipv4_address"] == "10.0.0.1", "record %r" % got[0])
        if filtered:
            time.sleep(1.5)  # a counter update
            total = sum(int(c.get("sandbox.refused", 0)) for c in r.counters().values())
            check(total == 3, "sandbox.refused is %d after a normal datagram, expected 3" % total)
        # queue workers started meanwhile are not filtered either
        for tid, (name, m) in threads(r.proc.pid).items():
            if not name.startswith("imnetflow:rx"):
                check(m == 0, "thread %s (%s) is filtered" % (tid, name))
        r.stop()
        check(r.proc.returncode == 0, "rsyslogd ended with %s: %s" % (r.proc.returncode, r.read_stderr()))
    finally:
        r.cleanup()


def ipfix_message():
    """Template 256 (IPv4 source, destination) and one record of it."""
    tset = struct.pack("!HHHHHHHH", 2, 16, 256, 2, 8, 4, 12, 4)
    dset = struct.pack("!HH4s4s", 256, 12, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    return struct.pack("!HHIII", 10, 16 + len(tset) + len(dset), int(time.time()), 0, 1) + tset + dset


def run_stream():
    r = Rsyslog(inputs='port="0" transport="tcp"')
    try:
        r.start()
        time.sleep(0.5)
        ts = threads(r.proc.pid)
        stream = [m for t, (n, m) in ts.items() if n.startswith("imnetflow:tcp")]
        log("transport=tcp: %s" % sorted(ts.values()))
        check(stream == [2], "stream threads' Seccomp modes %s, expected [2]" % stream)
        with socket.create_connection(("127.0.0.1", r.port)) as s:
            s.sendall(MAGIC)
            line = wait_line(r, "sandbox selftest:")
        log(line)
        check("open EPERM, socket EPERM, execve EPERM" in line, "not all refused: %s" % line)
        r.wait_counter("sandbox.refused", 3)
        with socket.create_connection(("127.0.0.1", r.port)) as s:
            s.sendall(ipfix_message())
            got = r.wait_records(1)
        check(got[0]["data"]["netflow"]["source_ipv4_address"] == "10.0.0.1", "record %r" % got[0])
        time.sleep(1.5)
        total = sum(int(c.get("sandbox.refused", 0)) for c in r.counters().values())
        check(total == 3, "sandbox.refused is %d after serving a connection, expected 3" % total)
        r.stop()
        check(r.proc.returncode == 0, "rsyslogd ended with %s: %s" % (r.proc.returncode, r.read_stderr()))
    finally:
        r.cleanup()


run(None, 1)        # the default: errno
run("errno", 2)
run("off", 1)
run("kill", 1)
run_stream()
log("PASS")
