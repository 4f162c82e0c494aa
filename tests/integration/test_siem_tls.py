"""From collector to SIEM, as rsyslog.conf.example configures it: flows land
in the daily file and, over TLS through a throttled disk-assisted queue, at
a SIEM (a second real rsyslogd with imtcp and the gtls driver; the test
makes its CA and certificate with openssl).

1. 300 flows reach both the daily file and the SIEM.
2. The SIEM is stopped; 600 more flows land in the daily file at once (the
   input never waits for the SIEM); the SIEM is restarted on the same port
   and every one of the 900 flows arrives.
3. The SIEM never receives faster than the throttle (dequeueBatchSize per
   dequeueSlowdown): no one-second window holds more than the limit.
4. Overload with the SIEM down and a small queue without disk: the discard
   policy drops, the input still does not wait, and impstats counts every
   dropped flow."""
import collections
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

from harness import RSYSLOGD, Rsyslog, check, fail, log, rsyslog_module, rsyslogd_knows

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "..", "rsyslog.conf.example")
THROTTLE_BATCH, THROTTLE_US = 20, 50000          # at most 400 flows/s to the SIEM
LIMIT_PER_SECOND = THROTTLE_BATCH * 1000000 // THROTTLE_US

# both are installed by contrib/install-deps.sh: their absence is a setup defect
if not rsyslog_module("lmnsd_gtls"):
    fail("rsyslog's gtls driver is not installed (contrib/install-deps.sh installs rsyslog-gnutls)")
if not shutil.which("openssl"):
    fail("openssl is not installed (contrib/install-deps.sh installs it)")

# rsyslog 8.2102 (RHEL 9) takes the CA, certificate and key files only as
# global() defaults, not as parameters of an action or an input
TLS_FILES_PER_CONNECTION = rsyslogd_knows(
    'action(type="omfwd" target="127.0.0.1" protocol="tcp" streamDriver.CAFile="/dev/null")\n')


def tls_params(d, prefix, name=None):
    """The CA file, and the certificate and key of name, as parameters."""
    files = [("CAFile", "ca.pem")] + ([("CertFile", name + ".pem"), ("KeyFile", name + "-key.pem")] if name else [])
    return " ".join('%s%s="%s"' % (prefix, k, os.path.join(d, f)) for k, f in files)


def collector(certs):
    """The collector's Rsyslog; where rsyslog has no per-action CA file, the
    CA is the global default."""
    return Rsyslog(default_input=False, globals_="" if TLS_FILES_PER_CONNECTION
                   else tls_params(certs, "DefaultNetstreamDriver"))


def make_certs(d):
    """A CA and a server certificate for the name siem.test."""
    def run(*args):
        subprocess.run(["openssl"] + list(args), check=True, capture_output=True, cwd=d)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=imnetflow test CA",
        "-keyout", "ca-key.pem", "-out", "ca.pem")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=siem.test", "-keyout", "siem-key.pem",
        "-out", "siem.csr")
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:siem.test\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", "siem.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
        "-days", "2", "-extfile", "ext.cnf", "-out", "siem.pem")


def free_port():
    """A free TCP port below the kernel's ephemeral range: the SIEM is
    stopped and started again on it, and meanwhile no socket the kernel
    numbers itself (an outgoing connection, a port="0" listener) can take
    it."""
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        low = int(f.read().split()[0])
    rng = random.Random(os.getpid())
    for _ in range(200):
        port = rng.randrange(max(1024, low - 12000), low)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    fail("no free TCP port below %d" % low)


class Siem:
    """A second rsyslogd: imtcp with TLS, every message's text with its
    receive time into one file."""

    def __init__(self, d, port):
        self.d, self.port = d, port
        self.out = os.path.join(d, "siem.log")
        self.conf = os.path.join(d, "siem.conf")
        os.makedirs(os.path.join(d, "siem-work"), exist_ok=True)
        with open(self.conf, "w") as f:
            tls = tls_params(d, "streamDriver." if TLS_FILES_PER_CONNECTION else "DefaultNetstreamDriver", "siem")
            f.write('global(workDirectory="%s/siem-work" %s)\n' % (d, "" if TLS_FILES_PER_CONNECTION else tls))
            f.write('module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" '
                    'streamDriver.authMode="anon")\n')
            f.write('input(type="imtcp" address="127.0.0.1" port="%d" %s)\n'
                    % (port, tls if TLS_FILES_PER_CONNECTION else ""))
            f.write('template(name="received" type="string" '
                    'string="%timegenerated:::date-unixtimestamp% %timegenerated:::date-rfc3339% %msg%\\n")\n')
            f.write('action(type="omfile" file="%s" template="received")\n' % self.out)
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([RSYSLOGD, "-n", "-f", self.conf, "-i", os.path.join(self.d, "siem.pid")],
                                     stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.d, "siem.err"), "a"))
        deadline = time.time() + 15
        while time.time() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            check(self.proc.poll() is None, "SIEM rsyslogd exited: %s" % open(os.path.join(self.d, "siem.err")).read())
            time.sleep(0.1)
        fail("SIEM did not listen")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)

    def flows(self):
        """(receive time, (source address, source port)) of every flow received."""
        out = []
        if os.path.exists(self.out):
            with open(self.out) as f:
                for line in f:
                    m = re.search(r'^\S+ (\S+) .*"source_ipv4_address": "([0-9.]+)".*"source_transport_port": (\d+)',
                                  line)
                    if m:
                        out.append((m.group(1), (m.group(2), int(m.group(3)))))
        return out


def v5_batch(first, count):
    """v5 datagrams of 30 flows; flow i comes from 10.<i>:<port> (unique)."""
    out, uptime, now = [], 100000, int(time.time())
    for start in range(first, first + count, 30):
        n = min(30, first + count - start)
        head = struct.pack("!HHIIIIBBH", 5, n, uptime, now, 0, start, 0, 0, 0)
        recs = b""
        for i in range(start, start + n):
            recs += struct.pack("!4s4s4sHHIIIIHHBBBBHHBBH", bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255]),
                                bytes([192, 0, 2, 1]), bytes(4), 1, 2, 3, 300, uptime - 5000, uptime - 1000,
                                1024 + i % 50000, 443, 0, 0x1b, 6, 0, 0, 0, 0, 0, 0)
        out.append(head + recs)
    return out


def flow_keys(first, count):
    return {("10.%d.%d.%d" % ((i >> 16) & 255, (i >> 8) & 255, i & 255), 1024 + i % 50000)
            for i in range(first, first + count)}


def collector_config(r, outdir, certs, siem_port, overload=False):
    with open(EXAMPLE) as f:
        text = f.read()
    block = re.search(r"# SIEM-BEGIN\n(.*?)\n\s*# SIEM-END", text, re.S)
    check(block, "rsyslog.conf.example has no SIEM block")
    siem = re.sub(r"^(\s*)# ?", r"\1", block.group(1), flags=re.M)
    siem = siem.replace('target="siem.example.net" port="6514"', 'target="127.0.0.1" port="%d"' % siem_port)
    siem = siem.replace('StreamDriverPermittedPeers="siem.example.net"', 'StreamDriverPermittedPeers="siem.test"')
    siem = siem.replace("/etc/rsyslog.d/siem-ca.pem", os.path.join(certs, "ca.pem"))
    if not TLS_FILES_PER_CONNECTION:
        siem = re.sub(r'\n\s*streamDriver.CAFile="[^"]*"', "", siem)
    siem = re.sub(r'queue.dequeueBatchSize="\d+" queue.dequeueSlowdown="\d+"',
                  'queue.dequeueBatchSize="%d" queue.dequeueSlowdown="%d"' % (THROTTLE_BATCH, THROTTLE_US), siem)
    siem = siem.replace('action.resumeInterval="5"', 'action.resumeInterval="1"')
    if overload:  # a small queue in memory only, discarding above its mark
        siem = re.sub(r'queue.filename="[^"]*" queue.maxDiskSpace="[^"]*" queue.saveOnShutdown="on"', "", siem)
        siem = siem.replace('queue.size="100000"', 'queue.size="200"')
        siem = siem.replace('queue.discardMark="95000" queue.discardSeverity="7"',
                            'queue.discardMark="100" queue.discardSeverity="0"')
    check("SIEM-BEGIN" in text and 'queue.timeoutEnqueue="0"' in siem, "example's SIEM block changed shape")
    text = text[:block.start()] + siem + text[block.end():]
    text = text.replace("/var/log/netflow", outdir)
    text = re.sub(r"global\(workDirectory=[^)]*\)\n", "", text)
    text = re.sub(r"global\(privdrop[^)]*\)\n", "", text)  # test_privdrop.py runs it unprivileged
    text = text.replace('module(load="imnetflow")\n', "")
    text = text.replace('input(type="imnetflow" port="2055" ruleset="netflow")',
                        'input(type="imnetflow" port="0" address="127.0.0.1" ruleset="netflow" '
                        'listenPortFileName="%s")' % r.portfile)
    with open(r.conf, "a") as f:
        f.write(text)


def wait(what, predicate, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def daily_lines(outdir):
    n = 0
    if os.path.isdir(outdir):
        for name in os.listdir(outdir):
            with open(os.path.join(outdir, name)) as f:
                n += sum(1 for _ in f)
    return n


certs = tempfile.mkdtemp(prefix="imnetflow-siem-")
try:
    make_certs(certs)
    port = free_port()
    siem = Siem(certs, port)
    siem.start()

    # --- 1-3: delivery, outage, throttle ---------------------------------
    r = collector(certs)
    outdir = os.path.join(r.dir, "netflow")
    collector_config(r, outdir, certs, port)
    r.start()
    try:
        r.send(v5_batch(0, 300), pace=0.01)
        check(wait("daily", lambda: daily_lines(outdir) >= 300, 20), "daily file: %d of 300" % daily_lines(outdir))
        check(wait("siem", lambda: len(siem.flows()) >= 300, 30), "SIEM: %d of 300 flows" % len(siem.flows()))
        log("phase 1: 300 flows in the daily file and at the SIEM")

        siem.stop()
        t0 = time.time()
        r.send(v5_batch(300, 600), pace=0.01)
        check(wait("daily", lambda: daily_lines(outdir) >= 900, 20),
              "daily file while the SIEM is down: %d of 900" % daily_lines(outdir))
        log("phase 2: SIEM down; 600 more flows in the daily file after %.1f s" % (time.time() - t0))
        time.sleep(3)
        siem.start()
        check(wait("siem", lambda: flow_keys(0, 900) <= {k for _, k in siem.flows()}, 60),
              "after the outage the SIEM has %d of 900 distinct flows"
              % len(flow_keys(0, 900) & {k for _, k in siem.flows()}))
        got = siem.flows()
        dup = len(got) - len({k for _, k in got})
        log("phase 2: every one of 900 flows reached the SIEM (%d received twice on reconnect)" % dup)

        per_second = collections.Counter(t.split(".")[0] for t, _ in got)
        busiest = max(per_second.values())
        log("phase 3: SIEM receive rate: busiest second %d flows, throttle %d/s" % (busiest, LIMIT_PER_SECOND))
        # one batch may straddle a second boundary
        check(busiest <= LIMIT_PER_SECOND + THROTTLE_BATCH,
              "the SIEM received %d flows in one second, throttle is %d/s" % (busiest, LIMIT_PER_SECOND))
        check(r.alive(), "collector died")
    finally:
        r.cleanup()

    # --- 4: overload, small queue, SIEM down: counted discards -------------
    siem.stop()
    r = collector(certs)
    outdir = os.path.join(r.dir, "netflow")
    collector_config(r, outdir, certs, port, overload=True)
    r.start()
    try:
        t0 = time.time()
        r.send(v5_batch(0, 1200), pace=0.002)
        check(wait("daily", lambda: daily_lines(outdir) >= 1200, 20),
              "daily file under overload: %d of 1200 (the input waited?)" % daily_lines(outdir))
        log("phase 4: 1200 flows in the daily file after %.1f s with the SIEM down" % (time.time() - t0))
        def queue_counters():
            return r.counters("siem queue").get("siem queue", {})
        check(wait("stats", lambda: int(queue_counters().get("enqueued", 0)) +
                   int(queue_counters().get("discarded.nf", 0)) + int(queue_counters().get("discarded.full", 0))
                   >= 1200, 15), "impstats of the SIEM queue: %s" % queue_counters())
        q = queue_counters()
        discarded = int(q.get("discarded.nf", 0)) + int(q.get("discarded.full", 0))
        log("phase 4: SIEM queue %s" % {k: q.get(k) for k in ("enqueued", "size", "maxqsize", "discarded.nf",
                                                               "discarded.full")})
        # every flow offered to the queue is counted; beyond the discard mark
        # (100) all were dropped, except the batch the worker holds while
        # it waits for the SIEM
        check(int(q.get("enqueued", 0)) == 1200, "the SIEM queue was offered %s of 1200" % q.get("enqueued"))
        check(1200 - 100 - THROTTLE_BATCH <= discarded <= 1200 - 100,
              "discarded %d, expected 1200 minus the 100 below the mark (minus one batch): %s" % (discarded, q))
    finally:
        r.cleanup()
finally:
    siem.stop()
    shutil.rmtree(certs, ignore_errors=True)
log("PASS")
