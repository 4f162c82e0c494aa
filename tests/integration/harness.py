"""Integration-test harness: a real rsyslogd with the built imnetflow module.

Each test starts `rsyslogd -n` with a configuration of its own in a private
temporary directory, sends export datagrams to a loopback port, and reads the
output files and the impstats counters. Exit codes follow automake: 0 pass,
77 skip, anything else fail.

Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
"""
import csv
import json
import os
import pwd
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

SKIP = 77

MODULE = os.environ.get("IMNETFLOW_MODULE", "")
RSYSLOGD = os.environ.get("RSYSLOGD") or shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
SOFTFLOWD = os.environ.get("SOFTFLOWD") or shutil.which("softflowd") or "/usr/sbin/softflowd"
# rsyslogd reads RSYSLOG_MODDIR itself (its module search path, like -M): an
# rsyslogd of a build tree finds that tree's modules through it
MODDIR = os.environ.get("RSYSLOG_MODDIR") or "/usr/lib/x86_64-linux-gnu/rsyslog"
# the conformance corpus is part of the repository (tests/data/PROVENANCE.md)
CORPUS = os.environ.get("CORPUS_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "data", "corpus")

# One JSON object per message: the header properties a user relies on, and
# the whole $! tree under "data".
TEST_TEMPLATE = (
    'template(name="testjson" type="string" string="{'
    '\\"timereported\\":\\"%timereported:::date-rfc3339%\\",'
    '\\"timegenerated\\":\\"%timegenerated:::date-rfc3339%\\",'
    '\\"hostname\\":\\"%hostname%\\",\\"fromhost\\":\\"%fromhost%\\",'
    '\\"fromhost_ip\\":\\"%fromhost-ip%\\",\\"app_name\\":\\"%app-name%\\",'
    '\\"syslogtag\\":\\"%syslogtag%\\",\\"inputname\\":\\"%inputname%\\",'
    '\\"severity\\":%syslogseverity%,'
    '\\"msg\\":\\"%msg:::json%\\",\\"data\\":%$!%}\\n")\n')


def log(*args):
    print(*args, flush=True)


def fail(message):
    log("FAIL:", message)
    sys.exit(1)


def skip(message):
    log("SKIP:", message)
    sys.exit(SKIP)


def check(condition, message):
    if not condition:
        fail(message)


def require_module():
    if not MODULE or not os.path.exists(MODULE):
        fail("built module not found (IMNETFLOW_MODULE=%r); run make first" % MODULE)


def rsyslog_module(name):
    """The path of one of rsyslog's loadable modules (lmnsd_gtls), or None."""
    for d in MODDIR.split(":"):
        path = os.path.join(d, name + ".so")
        if os.path.exists(path):
            return path
    return None


def corpus_path(*parts):
    """Path inside the conformance corpus; a missing file fails the test (the
    corpus is in the repository, so its absence is a defect, not a skip)."""
    path = os.path.join(CORPUS, *parts)
    check(os.path.exists(path), "conformance corpus file missing: %s" % path)
    return path


def manifest():
    """MANIFEST.tsv rows, keyed by the column names up to their first "("
    (records_structural(flows+options|sflow samples) -> records_structural)."""
    with open(corpus_path("MANIFEST.tsv"), newline="") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    names = [h.split("(")[0] for h in rows[0]]
    return [dict(zip(names, row)) for row in rows[1:] if row]


def capture_datagrams(capture_id):
    """The datagrams of a capture, in order, as (payload, source port)."""
    d = corpus_path("captures", capture_id)
    with open(os.path.join(d, "datagrams.tsv"), newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    out = []
    for row in rows:
        with open(os.path.join(d, "%04d.bin" % int(row["n"])), "rb") as f:
            out.append((f.read(), row))
    return out


def oracle(capture_id):
    path = corpus_path("oracle", capture_id + ".tshark.jsonl")
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def v5_datagram(flows, seq=0, export_sec=None, uptime=100000):
    """A NetFlow v5 datagram. flows: dicts with src, dst (dotted quads) and
    optionally sport, dport, proto, packets, octets, first_ago, last_ago
    (ms before the export)."""
    export_sec = int(time.time()) if export_sec is None else export_sec
    out = struct.pack("!HHIIIIBBH", 5, len(flows), uptime, export_sec, 0, seq, 0, 0, 0)
    for f in flows:
        out += struct.pack("!4s4s4sHHIIIIHHBBBBHHBBH", socket.inet_aton(f["src"]), socket.inet_aton(f["dst"]),
                           bytes(4), 1, 2, f.get("packets", 1), f.get("octets", 64),
                           uptime - f.get("first_ago", 2000), uptime - f.get("last_ago", 1000),
                           f.get("sport", 1024), f.get("dport", 80), 0, 0x10, f.get("proto", 6), 0, 0, 0, 0, 0, 0)
    return out


V9_EXPORT_SEC = 1795870712


def v9_datagram(seq, sets, source_id=42):
    """A v9 datagram (one record count, uptime 60 s) around the given sets."""
    return struct.pack("!HHIIII", 9, 1, 60000, V9_EXPORT_SEC, seq, source_id) + sets


def v9_template_set():
    """Template 256: IPv4 source and destination, ports, protocol, packets, octets."""
    fields = [(8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (2, 4), (1, 4)]
    body = struct.pack("!HH", 256, len(fields)) + b"".join(struct.pack("!HH", *f) for f in fields)
    return struct.pack("!HH", 0, 4 + len(body)) + body


def v9_data_set(n):
    """n records of template 256: 10.0.0.i:1000+i -> 10.0.1.1:80, TCP."""
    body = b"".join(struct.pack("!4s4sHHBII", bytes([10, 0, 0, i]), bytes([10, 0, 1, 1]), 1000 + i, 80, 6,
                                3, 180) for i in range(n))
    return struct.pack("!HH", 256, 4 + len(body)) + body


# Summaries and exporter health events are messages of their own: a test
# that counts flows turns them off unless it asks for them.
QUIET_DEFAULTS = {"summaryinterval": '"0"', "exporterevents": '"off"'}


def quiet_module_params(params):
    """params plus summaryInterval="0" exporterEvents="off" where params do not set them."""
    lower = params.lower()
    return " ".join([params] + ['%s=%s' % (k, v) for k, v in QUIET_DEFAULTS.items() if k + "=" not in lower])


def flow_src(i):
    """The source address of flow i of v9_unique_flows: 10.x.y.z."""
    return "10.%d.%d.%d" % ((i >> 16) & 255, (i >> 8) & 255, i & 255)


def v9_unique_flows(first, count, per_datagram=25, seq=1):
    """v9 data datagrams of template 256 (v9_template_set) for flows first ..
    first+count-1, each with a source address of its own (flow_src),
    per_datagram records each, the export sequence numbered from seq."""
    out = []
    for n, start in enumerate(range(first, first + count, per_datagram)):
        body = b"".join(struct.pack("!4s4sHHBII", bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255]),
                                    bytes([192, 0, 2, 1]), 1024 + i % 50000, 443, 6, 3, 180)
                        for i in range(start, min(first + count, start + per_datagram)))
        out.append(v9_datagram(seq + n, struct.pack("!HH", 256, 4 + len(body)) + body))
    return out


def daily_sources(paths):
    """The source addresses of the whole lines of the example's daily files
    at paths, with how often each is there, and the torn lines."""
    seen, torn = {}, []
    for path in paths:
        if not os.path.exists(path):
            continue
        with open(path, errors="replace") as f:
            for line in f:
                try:
                    src = json.loads(line)["netflow"]["source_ipv4_address"]
                except (ValueError, KeyError, TypeError):
                    torn.append(line[:150] + " ... " + line[-150:])
                    continue
                seen[src] = seen.get(src, 0) + 1
    return seen, torn


class Rsyslog:
    """One rsyslogd -n instance with a generated configuration."""

    def __init__(self, inputs='port="0"', extra="", module_params="", globals_="",
                 default_input=True, wrapper=None, workdir=None, prefix="imnetflow-test-"):
        """inputs: parameters of the test's imnetflow input; extra: more
        configuration (@DIR@ is the test directory); default_input=False
        leaves the input to `extra`, which must then write self.portfile."""
        self.dir = tempfile.mkdtemp(prefix=prefix)
        os.chmod(self.dir, 0o755)
        self.work = workdir or os.path.join(self.dir, "work")
        os.makedirs(self.work, exist_ok=True)
        self.out = os.path.join(self.dir, "out.jsonl")
        self.stats = os.path.join(self.dir, "stats.log")
        self.portfile = os.path.join(self.dir, "port")
        self.conf = os.path.join(self.dir, "rsyslog.conf")
        self.pidfile = os.path.join(self.dir, "rsyslogd.pid")
        self.stderr = os.path.join(self.dir, "rsyslogd.stderr")
        self.proc = None
        self.port = None
        self.wrapper = wrapper or []  # e.g. a valgrind command line
        with open(self.conf, "w") as f:
            f.write('global(workDirectory="%s" %s)\n' % (self.work, globals_))
            f.write('module(load="impstats" interval="1" format="json" log.syslog="off" '
                    'log.file="%s" resetCounters="off")\n' % self.stats)
            f.write('module(load="%s" %s)\n' % (MODULE, quiet_module_params(module_params)))
            f.write(TEST_TEMPLATE)
            if default_input:
                f.write('input(type="imnetflow" address="127.0.0.1" listenPortFileName="%s" %s)\n'
                        % (self.portfile, inputs))
            f.write(extra.replace("@DIR@", self.dir))
            f.write('if $app-name == "netflow" then {\n'
                    '  action(type="omfile" file="%s" template="testjson")\n  stop\n}\n' % self.out)
            f.write('action(type="omfile" file="%s/other.log")\n' % self.dir)

    def start(self, timeout=15):
        require_module()
        errf = open(self.stderr, "w")
        self.proc = subprocess.Popen(
            self.wrapper + [RSYSLOGD, "-n", "-f", self.conf, "-i", self.pidfile],
            stdin=subprocess.DEVNULL, stdout=errf, stderr=subprocess.STDOUT)
        self.port = self.wait_port(self.portfile, timeout)
        return self

    def wait_port(self, portfile, timeout=15):
        """The port a listenPortFileName file names, once rsyslogd wrote it
        (each input writes its own, one after the other)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                fail("rsyslogd exited at start-up (%d): %s" % (self.proc.returncode, self.read_stderr()))
            if os.path.exists(portfile):
                with open(portfile) as f:
                    text = f.read().strip()
                if text:
                    return int(text)
            time.sleep(0.05)
        fail("rsyslogd did not bind within %ds (%s): %s" % (timeout, portfile, self.read_stderr()))

    def read_stderr(self):
        try:
            with open(self.stderr) as f:
                return f.read()
        except OSError:
            return ""

    def logged(self):
        """What rsyslogd said: its standard error and its own messages (other.log)."""
        text = self.read_stderr()
        other = os.path.join(self.dir, "other.log")
        if os.path.exists(other):
            with open(other) as f:
                text += f.read()
        return text

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=30):
        """Stops rsyslogd; returns the seconds shutdown took."""
        if not self.alive():
            return 0.0
        t0 = time.time()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            fail("rsyslogd did not stop within %ds" % timeout)
        return time.time() - t0

    def send(self, payloads, src_port=0, addr="127.0.0.1", pace=0.0, dst_addr=None):
        """Sends each payload as one datagram from addr:src_port (any
        loopback address) to the input, which listens on dst_addr (default:
        addr)."""
        family = socket.AF_INET6 if ":" in addr else socket.AF_INET
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((addr, src_port))
            for i, p in enumerate(payloads):
                s.sendto(p, (dst_addr or addr, self.port))
                if pace:
                    time.sleep(pace)
                elif i % 64 == 63:
                    time.sleep(0.002)  # let the receive buffer drain
            return s.getsockname()[1]

    def lines(self, path=None):
        path = path or self.out
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [line for line in f.read().split("\n") if line]

    def records(self, path=None):
        # a message without a $! tree (format="json"/"kv") renders %$!% as
        # nothing: its "data" is read as {}
        return [json.loads(line[:-len('"data":}')] + '"data":{}}' if line.endswith('"data":}') else line)
                for line in self.lines(path)]

    def wait_records(self, n, timeout=20, path=None):
        """Waits until at least n lines are written; returns them parsed.
        Fails the test when they are not there within timeout seconds."""
        deadline = time.time() + timeout
        while len(self.lines(path)) < n:
            if time.time() >= deadline:
                fail("waited %g s for %d records, %d arrived" % (timeout, n, len(self.lines(path))))
            time.sleep(0.05)
        return self.records(path)

    def records_after(self, seconds, path=None):
        """The records written after seconds more: for a test that expects
        no record (or no more), after what would have brought one."""
        time.sleep(seconds)
        return self.records(path)

    def wait_quiet(self, seconds=1.5, timeout=30, path=None):
        """Waits until no line has been written for `seconds`; returns the
        records (for exporters whose record count is not known ahead)."""
        deadline = time.time() + timeout
        count, since = -1, time.time()
        while time.time() < deadline:
            n = len(self.lines(path))
            if n != count:
                count, since = n, time.time()
            elif n > 0 and time.time() - since >= seconds:
                break
            time.sleep(0.1)
        return self.records(path)

    def counters(self, name_prefix="imnetflow"):
        """The latest impstats values of every object whose name starts with prefix."""
        result = {}
        if not os.path.exists(self.stats):
            return result
        with open(self.stats) as f:
            for line in f:
                start = line.find("{")  # lines start with a time stamp
                if start < 0:
                    continue
                try:
                    obj = json.loads(line[start:])
                except ValueError:
                    continue
                if obj.get("name", "").startswith(name_prefix):
                    result[obj["name"]] = obj
        return result

    def wait_counter(self, key, value, timeout=10):
        """Waits until the summed counter `key` of all imnetflow listeners
        reaches value; returns it. Fails the test when it does not within
        timeout seconds."""
        deadline = time.time() + timeout
        while True:
            total = sum(int(c.get(key, 0)) for c in self.counters().values())
            if total >= value:
                return total
            if time.time() >= deadline:
                fail("waited %g s for %s to reach %d, it is %d" % (timeout, key, value, total))
            time.sleep(0.1)

    def cleanup(self):
        self.stop()
        if os.environ.get("KEEP_TEST_DIRS"):
            log("kept", self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()
        return False


EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "rsyslog.conf.example")


# the daily-file writer: where the example expects it, and the built one
EXAMPLE_DAILYFILE = "/usr/lib/x86_64-linux-gnu/rsyslog/nf-dailyfile"
NF_DAILYFILE = os.environ.get("NF_DAILYFILE") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "contrib", "nf-dailyfile")


def example_text():
    """rsyslog.conf.example as shipped."""
    with open(EXAMPLE) as f:
        return f.read()


def example_config(r, outdir, text=None):
    """The example (or text, a variant of it) made to run in the Rsyslog r:
    the daily files in outdir, r's workDirectory and module, and the input on
    a free loopback port named in r's port file. Appended to r's config."""
    text = example_text() if text is None else text
    text = text.replace("/var/log/netflow", outdir)
    text = text.replace(EXAMPLE_DAILYFILE, NF_DAILYFILE)
    text = re.sub(r"global\(workDirectory=[^)]*\)\n", "", text)
    text = re.sub(r"global\(privdrop[^)]*\)\n", "", text)  # test_privdrop.py runs it unprivileged
    text = text.replace('module(load="imnetflow")\n', "")
    text = text.replace('input(type="imnetflow" port="2055" ruleset="netflow")',
                        'input(type="imnetflow" port="0" address="127.0.0.1" ruleset="netflow" '
                        'listenPortFileName="%s")' % r.portfile)
    check('ruleset="netflow"' in text and "listenPortFileName" in text, "example config changed shape")
    with open(r.conf, "a") as f:
        f.write(text)
    return text


def mount_tmpfs(path, size):
    """Mounts a tmpfs of size (e.g. "2m") on path (created); the caller
    unmounts it with umount(path) in a finally."""
    os.makedirs(path, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0755" % size, "tmpfs", path], check=True)


def resize_tmpfs(path, size):
    subprocess.run(["mount", "-o", "remount,size=%s" % size, path], check=True)


def umount(path):
    subprocess.run(["umount", "-l", path], check=False)


def rss_kb(pid):
    """Resident and peak resident memory of a process, in kB."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out.get("VmRSS", 0), out.get("VmHWM", 0)


def syntax_check(conf_text):
    """Runs rsyslogd -N1 on a configuration; returns (exit code, output)."""
    require_module()
    d = tempfile.mkdtemp(prefix="imnetflow-cnf-")
    try:
        conf = os.path.join(d, "rsyslog.conf")
        with open(conf, "w") as f:
            f.write(conf_text.replace("@MODULE@", MODULE).replace("@DIR@", d))
        p = subprocess.run([RSYSLOGD, "-N1", "-f", conf], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=60)
        return p.returncode, p.stdout
    finally:
        shutil.rmtree(d, ignore_errors=True)


def rsyslogd_knows(conf_text):
    """Whether this rsyslogd knows every parameter of a configuration
    snippet (older versions lack some: "parameter ... not known")."""
    _, out = syntax_check(conf_text + 'action(type="omfile" file="@DIR@/out")\n')
    return "not known" not in out


PROTOCOLS = {"tcp": 6, "udp": 17, "icmp": 1, "ipv6-icmp": 58, "icmp6": 58}


def flow_key(proto, src, sport, dst, dport):
    """Conversation direction key; ICMP flows are keyed without ports
    (exporters put the ICMP type and code into the port fields)."""
    if proto in (1, 58):
        return (proto, src, dst)
    return (proto, src, sport, dst, dport)


def truth_flows(ip_versions=(4,)):
    """traffic.truth.tsv as {direction key: [packets, octets]}, both directions."""
    flows = {}
    with open(corpus_path("traffic.truth.tsv"), newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if int(row["ipver"]) not in ip_versions:
                continue
            proto = PROTOCOLS[row["proto"]]
            if proto == 1 and int(row["ipver"]) == 6:
                proto = 58  # the truth file says icmp for ICMPv6 too
            c, s = row["client"], row["server"]
            cp, sp = int(row["cport"]), int(row["sport"])
            for key, pk, by in ((flow_key(proto, c, cp, s, sp), "pkts_c2s", "bytes_c2s"),
                                (flow_key(proto, s, sp, c, cp), "pkts_s2c", "bytes_s2c")):
                if int(row[pk]) == 0:
                    continue
                acc = flows.setdefault(key, [0, 0])
                acc[0] += int(row[pk])
                acc[1] += int(row[by])
    return flows


def record_flows(records):
    """Our output records as {direction key: [packets, octets]}."""
    flows = {}
    for rec in records:
        nf = rec["data"]["netflow"]
        src = nf.get("source_ipv4_address") or nf.get("source_ipv6_address")
        dst = nf.get("destination_ipv4_address") or nf.get("destination_ipv6_address")
        key = flow_key(nf.get("protocol_identifier"), src, nf.get("source_transport_port"),
                       dst, nf.get("destination_transport_port"))
        acc = flows.setdefault(key, [0, 0])
        acc[0] += nf.get("packet_delta_count", 0)
        acc[1] += nf.get("octet_delta_count", 0)
        if nf.get("reverse_packet_delta_count"):  # RFC 5103 biflow: the other direction
            rkey = flow_key(nf.get("protocol_identifier"), dst, nf.get("destination_transport_port"),
                            src, nf.get("source_transport_port"))
            acc = flows.setdefault(rkey, [0, 0])
            acc[0] += nf["reverse_packet_delta_count"]
            acc[1] += nf.get("reverse_octet_delta_count", 0)
    return flows


def compare_flows(want, got, label):
    """Fails with the first differences between two flow tables."""
    problems = []
    for key in sorted(set(want) | set(got), key=str):
        if want.get(key) != got.get(key):
            problems.append("%s: truth %s, collector %s" % (key, want.get(key), got.get(key)))
    if problems:
        fail("%s: %d of %d flows differ, e.g.\n  %s" % (label, len(problems), len(want),
                                                          "\n  ".join(problems[:10])))


def run_softflowd(args, port, workdir, timeout=120, returncodes=(0,)):
    """Runs softflowd over traffic.pcap, exporting to 127.0.0.1:port;
    returncodes: its exit codes taken as success."""
    pcap = corpus_path("traffic.pcap")
    if not os.path.exists(SOFTFLOWD):
        fail("softflowd not installed (%s)" % SOFTFLOWD)
    cmd = [SOFTFLOWD, "-d", "-r", pcap, "-n", "127.0.0.1:%d" % port,
           "-p", os.path.join(workdir, "softflowd.pid"),
           # no control socket: when reading a file, softflowd 1.1.0 tests
           # poll results it never polled for and may block in accept()
           "-c", "none"]
    cmd += args
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=timeout)
    check(p.returncode in returncodes, "softflowd %s failed (%d): %s" % (" ".join(args), p.returncode, p.stdout))
    return p.stdout


CREATE_USER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "contrib", "create-user.sh")


def free_udp_port(candidates, address="0.0.0.0"):
    """The first of candidates that is free on address, or None."""
    for port in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.bind((address, port))
                return port
            except OSError:
                continue
    return None


def task_ids(pid, tid, key):
    with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
        for line in f:
            if line.startswith(key + ":"):
                return [int(x) for x in line.split()[1:]]
    return []


def run_example_unprivileged(example, module, create_user=True):
    """rsyslog.conf.example (the file example) as a user runs it: as root, on
    port 2055 (or a free one if taken), dropping to _imnetflow. Its paths
    move to a test directory whose output and work directories are the
    user's (contrib/create-user.sh makes user and directories, or with
    create_user=False only the directories, for a user the package made).
    module: what module(load=...) loads. Checks that every thread runs with
    the user's uids and gids, that the receiving thread is sandboxed and
    that a flow reaches the daily file."""
    top = tempfile.mkdtemp(prefix="imnetflow-example-")
    os.chmod(top, 0o755)  # the user must reach its directories
    outdir, workdir = os.path.join(top, "netflow"), os.path.join(top, "work")
    if create_user:
        p = subprocess.run([CREATE_USER, outdir, workdir], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        check(p.returncode == 0, "contrib/create-user.sh failed: %s" % p.stdout)
    user = pwd.getpwnam("_imnetflow")
    for d in (outdir, workdir):
        os.makedirs(d, mode=0o750, exist_ok=True)
        os.chown(d, user.pw_uid, user.pw_gid)
    with open(example) as f:
        text = f.read()
    check('global(privdrop.user.name="_imnetflow" privdrop.group.name="_imnetflow")' in text,
          "rsyslog.conf.example does not drop privileges")
    port = free_udp_port([2055] + list(range(20550, 20600)))
    check(port, "no free UDP port")
    text = text.replace("/var/log/netflow", outdir).replace("/var/spool/rsyslog", workdir)
    if create_user:
        # the build's daily-file writer (the package's is where the example
        # says), copied where the user can run it: omprog starts it after the
        # drop, and the build tree may be below a directory only root enters
        helper = os.path.join(top, "nf-dailyfile")
        shutil.copy(NF_DAILYFILE, helper)
        os.chmod(helper, 0o755)
        text = text.replace(EXAMPLE_DAILYFILE, helper)
    text = text.replace('module(load="imnetflow")', 'module(load="%s")' % module)
    text = text.replace('input(type="imnetflow" port="2055"', 'input(type="imnetflow" port="%d"' % port)
    check(re.search(r'port="%d"' % port, text), "example config changed shape")
    conf = os.path.join(top, "rsyslog.conf")
    with open(conf, "w") as f:
        f.write(text)
    check(subprocess.run([RSYSLOGD, "-N1", "-f", conf], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL).returncode == 0,
          "rsyslogd -N1 rejects the example")
    errf = open(os.path.join(top, "stderr"), "w")
    proc = subprocess.Popen([RSYSLOGD, "-n", "-f", conf, "-i", os.path.join(workdir, "rsyslogd.pid")],
                            stdin=subprocess.DEVNULL, stdout=errf, stderr=subprocess.STDOUT)
    daily = os.path.join(outdir, time.strftime("%Y-%m-%d") + ".log")
    try:
        datagram = v5_datagram([{"src": "10.0.0.7", "dst": "10.0.0.8"}])
        deadline = time.time() + 20
        lines = []  # of the flow; an exporter's first_seen event comes first
        while time.time() < deadline and not lines:
            if proc.poll() is not None:
                fail("rsyslogd with the example exited (%d): %s" % (proc.returncode, open(errf.name).read()))
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.sendto(datagram, ("127.0.0.1", port))
            time.sleep(0.5)
            for d in (daily, os.path.join(outdir, time.strftime("%Y-%m-%d") + ".log")):
                if os.path.exists(d):
                    with open(d) as f:
                        lines = [l for l in f if re.search(r'"source_ipv4_address": ?"10\.0\.0\.7"', l)]
        check(lines, "no flow reached the daily file in 20 s: %s" % open(errf.name).read())
        tids = os.listdir("/proc/%d/task" % proc.pid)
        for tid in tids:
            with open("/proc/%d/task/%s/comm" % (proc.pid, tid)) as f:
                name = f.read().strip()
            uids, gids = task_ids(proc.pid, tid, "Uid"), task_ids(proc.pid, tid, "Gid")
            check(uids and all(u == user.pw_uid for u in uids),
                  "thread %s (%s) runs with uids %s, expected %d" % (tid, name, uids, user.pw_uid))
            check(gids and all(g == user.pw_gid for g in gids),
                  "thread %s (%s) runs with gids %s, expected %d" % (tid, name, gids, user.pw_gid))
            if name.startswith("imnetflow:rx"):
                check(task_ids(proc.pid, tid, "Seccomp") == [2], "the receiving thread is not sandboxed")
        for name in os.listdir(outdir):
            st = os.stat(os.path.join(outdir, name))
            check(st.st_uid == user.pw_uid, "%s is owned by uid %d" % (name, st.st_uid))
        log("example on port %d: %d threads all run as %s (uid %d), flow in %s"
            % (port, len(tids), user.pw_name, user.pw_uid, os.path.basename(daily)))
        proc.terminate()
        proc.wait(30)
        # the receiving threads end inside their sandbox: cleanly
        check(proc.returncode == 0, "rsyslogd ended with %s: %s" % (proc.returncode, open(errf.name).read()))
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            fail("rsyslogd did not stop")
        errf.close()
        if not os.environ.get("KEEP_TEST_DIRS"):
            shutil.rmtree(top, ignore_errors=True)
