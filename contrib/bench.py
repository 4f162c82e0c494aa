#!/usr/bin/env python3
"""bench.py - how fast imnetflow is, measured against rsyslog's own ceiling.

Run by `make bench` (which builds contrib/nfgen and contrib/bench-decode).
In one run it measures, on this machine:

1. the decoder alone (contrib/bench-decode): records per second on one
   core, no syscalls, for v5, v9, IPFIX and sFlow;
2. end to end, for each output mode: rsyslogd -n with an input writing one
   line per flow through omfile, fed by contrib/nfgen on loopback at rising
   rates. Modes: rsyslog's own imudp with one plain syslog line per message
   (the reference; and again with lines as long as the JSON lines, which
   shows what writing that many bytes costs rsyslog itself), imnetflow format="json" and format="kv" (the line is
   written into msg), format="json" with ecs="on" and all the enrichment
   ECS shows (community_id, internalNetworks, GeoIP City and ASN: the test
   databases in tests/data/geoip, which know none of nfgen's addresses, so
   the lookups are measured, not geo objects in the line), imnetflow structured (the $!netflow tree, written as
   JSON lines); and the structured tree again with threads="2" and two main
   queue workers, rsyslogd free to use both CPUs (the generator's too), fed
   by four exporter addresses. For each: the highest loss-free rate (every record sent is
   a line in the file, as the omfile action's impstats counter says, checked
   against the file, which is emptied after each step, its lines counted;
   10-second steps from 55% of the saturated rate, up
   while loss-free (a lossy step is run once more in a fresh rsyslogd, and
   the ladder stops only when it loses again) or down until loss-free, then
   twice halving the gap between the highest loss-free and the lowest lossy
   rate (each such step in a fresh rsyslogd, a loss confirmed in another),
   with a 4 MB socket buffer and a 100,000-message main queue, so that
   buffers cannot hide a deficit; the module's exporter summaries and
   health events are off, so that every line is a flow), rsyslogd's CPU seconds per million flows
   at that rate, its peak RSS, and the ratio to the imudp reference; then
   rsyslogd's CPU a flow with ECS and enrichment beside plain format="json"
   (issue 17 asks for at most 1.33 times), at the loss-free rate and
   saturated;
3. IPFIX over one TCP connection (transport="tcp", format="json"): TCP's
   flow control holds the sender back to what rsyslogd takes, so this is
   a rate with nothing lost, and rsyslogd's CPU a flow beside UDP's;
4. module state for many exporters: 10,000 exporters (127.1.x.y) with 10
   templates each, and the memory that takes (impstats memory.bytes and
   the growth of rsyslogd's RSS).

The generator is pinned to CPU 0 and rsyslogd to CPU 1 when the machine
has two or more. rsyslogd's files go to /dev/shm when it is a tmpfs
(--output-dir to choose): the JSON modes write 300 MB/s and more, and on a
disk the kernel's writeback of that (and its throttling of the writer)
would be measured along with rsyslogd, against imudp's short lines, which
write a ninth of it. Figures are printed, never asserted. Every load is bounded
in records and seconds and goes to 127.0.0.1 only.

Usage: contrib/bench.py [--quick] [--step-seconds S] [--refine N] [--modes a,b] [--skip-memory]
       [--skip-decoder] [--skip-stream] [--rsyslogd-env NAME=VALUE] [--output-dir DIR]
Environment: NFGEN, BENCH_DECODE, IMNETFLOW_MODULE (set by make bench), RSYSLOGD.

Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
"""
import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

NFGEN = os.environ.get("NFGEN", "contrib/nfgen")
BENCH_DECODE = os.environ.get("BENCH_DECODE", "contrib/bench-decode")
MODULE = os.environ.get("IMNETFLOW_MODULE", ".libs/imnetflow.so")
RSYSLOGD = os.environ.get("RSYSLOGD") or shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
RSYSLOGD_ENV = {}  # --rsyslogd-env: added to rsyslogd's environment (an allocator, say)
OUTPUT_DIR = None  # --output-dir: where each rsyslogd's directory (its files) is made
CLK_TCK = os.sysconf("SC_CLK_TCK")
TWO_CORES = (os.cpu_count() or 1) >= 2
LONG_LINE = 820  # datagram bytes: a syslog header and a message of ~780 bytes

# (label, input kind, generator protocol, output template, threads)
MODES = {
    "imudp": ("rsyslog imudp, plain line (reference)", "imudp", "syslog", "line", 1),
    # the same reference with lines as long as format=json's v9 lines (~780
    # bytes): what rsyslog itself does when it writes as many bytes
    "imudp-long": ("rsyslog imudp, plain line as long as a JSON line", "imudp", "syslog-long", "line", 1),
    "json-v9": ("imnetflow format=json, v9", "json", "v9", "line", 1),
    "json-ipfix": ("imnetflow format=json, IPFIX", "json", "ipfix", "line", 1),
    # the same line with the ECS objects and everything they can show
    "json-ecs-v9": ("imnetflow format=json, ecs, community_id, internalNetworks, GeoIP, ASN, v9", "json", "v9",
                    "line", 1),
    "kv-v9": ("imnetflow format=kv, v9", "kv", "v9", "line", 1),
    "tree-v9": ("imnetflow structured ($!netflow -> JSON), v9", "structured", "v9", "tree", 1),
    "tree-ipfix": ("imnetflow structured ($!netflow -> JSON), IPFIX", "structured", "ipfix", "tree", 1),
    # rsyslogd on both CPUs (the generator's too): threads="2" and two main
    # queue workers, four exporter addresses for the kernel to spread
    "tree-v9-2t": ("imnetflow structured, v9, threads=2, rsyslogd on both CPUs", "structured", "v9", "tree", 2),
    "tree-ipfix-2t": ("imnetflow structured, IPFIX, threads=2, rsyslogd on both CPUs", "structured", "ipfix",
                      "tree", 2),
}
EXPORTERS_2T = 4
GEOIP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "geoip")
# (module parameters, input parameters) of the modes that need some
PARAMS = {
    "json-ecs-v9": ('geoip.city="%s" geoip.asn="%s"' % (os.path.join(GEOIP, "GeoIP2-City-Test.mmdb"),
                                                       os.path.join(GEOIP, "GeoLite2-ASN-Test.mmdb")),
                    'ecs="on" internalNetworks=["10.0.0.0/8"]'),
}
# the pair compared for issue 17: ECS with enrichment against plain JSON
ECS_PAIR = ("json-v9", "json-ecs-v9")


def log(*args):
    print(*args, flush=True)


def pinned(cpu, argv):
    return (["taskset", "-c", str(cpu)] + argv) if TWO_CORES and shutil.which("taskset") else argv


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Collector:
    """rsyslogd -n with one input and one omfile action, on CPU 1 (with
    threads > 1: on every CPU, with that many receiving threads and main
    queue workers)."""

    def __init__(self, kind, template, extra_input="", threads=1, extra_module=""):
        self.dir = tempfile.mkdtemp(prefix="imnetflow-bench-", dir=OUTPUT_DIR)
        self.out = os.path.join(self.dir, "out.log")
        self.stats = os.path.join(self.dir, "stats.log")
        self.port = free_port()
        # nfgen's arguments for this collector: with threads, several exporter
        # addresses for the kernel to spread over the sockets
        self.generator_args = ["-e", str(EXPORTERS_2T)] if threads > 1 else []
        conf = os.path.join(self.dir, "rsyslog.conf")
        work = os.path.join(self.dir, "work")
        os.makedirs(work)
        lines = [
            'global(workDirectory="%s")' % work,
            'main_queue(queue.type="FixedArray" queue.size="100000" queue.dequeueBatchSize="1024"%s)'
            % (' queue.workerThreads="%d"' % threads if threads > 1 else ""),
            'module(load="impstats" interval="1" format="json" log.syslog="off" log.file="%s")' % self.stats,
            'template(name="line" type="string" string="%msg%\\n")',
            'template(name="tree" type="string" string="%$!netflow%\\n")',
        ]
        if kind == "imudp":
            lines += ['module(load="imudp" batchSize="128")',
                      'input(type="imudp" address="127.0.0.1" port="%d" rcvbufSize="4m")' % self.port]
        else:
            fmt = "" if kind == "structured" else ' format="%s"' % kind
            # no exporter summaries or health events: a line a flow, no more
            lines += ['module(load="%s" summaryInterval="0" exporterEvents="off"%s%s)'
                      % (MODULE, ' threads="%d"' % threads if threads > 1 else "",
                         " " + extra_module if extra_module else ""),
                      'input(type="imnetflow" address="127.0.0.1" port="%d" rcvbufSize="4m"%s %s)'
                      % (self.port, fmt, extra_input)]
        lines += ['if $syslogtag != "rsyslogd-pstats:" then {',
                  '  action(type="omfile" name="out" file="%s" template="%s" ioBufferSize="256k")' % (self.out, template),
                  '}']
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        argv = [RSYSLOGD, "-n", "-f", conf, "-i", os.path.join(self.dir, "pid")]
        self.proc = subprocess.Popen(pinned(1, argv) if threads == 1 else argv,
                                     env=dict(os.environ, **RSYSLOGD_ENV),
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(self.dir, "stderr"), "w"))
        self.pid = None
        self.stats_offset = 0
        self.lines = 0
        self.emptied_lines = 0  # lines counted in the file before it was emptied
        deadline = time.time() + 20
        while time.time() < deadline and not os.path.exists(self.stats):
            if self.proc.poll() is not None:
                raise RuntimeError("rsyslogd exited: %s" % open(os.path.join(self.dir, "stderr")).read())
            time.sleep(0.1)
        self.pid = self._rsyslogd_pid()

    def _rsyslogd_pid(self):
        pidfile = os.path.join(self.dir, "pid")
        for _ in range(100):
            if os.path.exists(pidfile):
                with open(pidfile) as f:
                    text = f.read().strip()
                if text:
                    return int(text)
            time.sleep(0.05)
        return self.proc.pid

    def cpu_seconds(self):
        with open("/proc/%d/stat" % self.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def memory_kb(self, key):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        return 0

    def count_lines(self):
        """Lines written so far, as the omfile action counts them (impstats,
        every second): reading the output while rsyslogd writes it would
        cost rsyslogd CPU (page-cache contention, measured: +20-40%)."""
        if os.path.exists(self.stats):
            with open(self.stats, "rb") as f:
                f.seek(self.stats_offset)
                data = f.read()
            end = data.rfind(b"\n") + 1
            self.stats_offset += end
            for line in data[:end].splitlines():
                if b'"name": "out"' not in line and b'"name":"out"' not in line:
                    continue
                try:
                    obj = json.loads(line[line.index(b"{"):])
                except ValueError:
                    continue
                self.lines = obj.get("processed", 0) - obj.get("failed", 0)
        return self.lines

    def _lines_in_file(self):
        n = 0
        if os.path.exists(self.out):
            with open(self.out, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 22), b""):
                    n += chunk.count(b"\n")
        return n

    def file_lines(self):
        """Lines written to the output file, those emptied out included."""
        return self.emptied_lines + self._lines_in_file()

    def empty_output(self):
        """Counts the file's lines and empties it (omfile appends: what it
        writes later lands at the new end). A ladder writes tens of
        gigabytes; emptied after each step, the file stays within a few on
        the disk and in the page cache, where memory reclaim would
        otherwise run inside rsyslogd's writes."""
        self.emptied_lines += self._lines_in_file()
        if os.path.exists(self.out):
            os.truncate(self.out, 0)

    def wait_lines(self, expected, quiet=2.5, limit=60):
        """Waits until expected lines are counted or the count stops growing."""
        last, since = -1, time.time()
        deadline = time.time() + limit
        while time.time() < deadline:
            n = self.count_lines()
            if n >= expected:
                return n
            if n != last:
                last, since = n, time.time()
            elif time.time() - since > quiet:
                return n
            time.sleep(0.2)
        return self.count_lines()

    def stat(self, name, counter):
        """The last impstats value of counter in object name."""
        value = None
        if os.path.exists(self.stats):
            with open(self.stats) as f:
                for line in f:
                    try:
                        obj = json.loads(line[line.index("{"):])
                    except ValueError:
                        continue
                    if obj.get("name") == name and counter in obj:
                        value = obj[counter]
        return value

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def default_output_dir():
    """/dev/shm when it is a writable tmpfs, else None (the temporary directory)."""
    try:
        with open("/proc/mounts") as f:
            shm_is_tmpfs = any(line.split()[1:3] == ["/dev/shm", "tmpfs"] for line in f)
    except OSError:
        return None
    return "/dev/shm" if shm_is_tmpfs and os.access("/dev/shm", os.W_OK) else None


def generate(proto, count, rate, port, extra=()):
    # one message per datagram: bigger sendmmsg batches keep the generator ahead
    batch = ["-b", "256"] if proto.startswith("syslog") else []
    if proto == "syslog-long":
        proto, batch = "syslog", batch + ["-L", str(LONG_LINE)]
    argv = [NFGEN, "-p", proto, "-n", str(count), "-r", str(rate), "-t", "120"] + batch + list(extra) + \
        ["127.0.0.1", str(port)]
    out = subprocess.run(pinned(0, argv), check=True, capture_output=True, text=True).stdout
    return dict(kv.split("=") for kv in out.split())


def probe(col, proto, seconds=2.0):
    """Flows one CPU second of rsyslogd handles when it is saturated: an
    overload for a few seconds, then what arrived over the CPU used."""
    before = col.count_lines()
    cpu0 = col.cpu_seconds()
    generate(proto, int(1500000 * seconds), 1500000, col.port, col.generator_args)
    got = col.wait_lines(10 ** 12, limit=60) - before
    return got / max(col.cpu_seconds() - cpu0, 0.01)


def warm_collector(key):
    """A fresh rsyslogd for mode key that has learned the templates and
    opened its files."""
    label, kind, proto, template, threads = MODES[key]
    module_params, input_params = PARAMS.get(key, ("", ""))
    col = Collector(kind, template, input_params, threads, module_params)
    try:
        generate(proto, 3000, 0, col.port, col.generator_args)
        col.wait_lines(3000)
    except BaseException:
        col.stop()
        raise
    return col


def run_step(col, key, proto, rate, seconds, note=""):
    """Offers rate for seconds; what arrived, at what CPU cost."""
    count = int(rate * seconds)
    before_lines = col.count_lines()
    cpu0 = col.cpu_seconds()
    sent = generate(proto, count, rate, col.port, col.generator_args)
    got = col.wait_lines(before_lines + count) - before_lines
    cpu = col.cpu_seconds() - cpu0
    col.empty_output()
    achieved = int(float(sent["rate"]))
    step = {"count": count, "achieved": achieved, "cpu": cpu, "lossless": got == count,
            "generator_bound": achieved < 0.97 * rate}
    log("  %-10s %9d/s offered %9d/s sent %10d lines of %10d  cpu %.2f s  %s%s"
        % (key, rate, achieved, got, count, cpu,
           "LOSS" if not step["lossless"] else "ok (the generator's limit)" if step["generator_bound"] else "ok",
           " (%s)" % note if note else ""))
    return step


def better(best, step, rate, col):
    """best, or this loss-free step when it reached a higher rate."""
    if not step["lossless"] or (best is not None and step["achieved"] <= best["rate"]):
        return best
    return {"rate": min(rate, step["achieved"]), "cpu_per_million": step["cpu"] / (step["count"] / 1e6),
            "generator_bound": step["generator_bound"], "peak_rss_mb": col.memory_kb("VmHWM") / 1024}


def confirmed_step(col, key, rate, args, note=""):
    """run_step, a loss run once more in a fresh rsyslogd before it counts:
    one stall of this shared machine longer than the socket buffer covers is
    not the collector's limit. Returns the step and the collector to go on
    with."""
    label, kind, proto, template, threads = MODES[key]
    step = run_step(col, key, proto, rate, args.step_seconds, note)
    if not step["lossless"]:
        col.stop()
        col = warm_collector(key)
        step = run_step(col, key, proto, rate, args.step_seconds, note + ", again" if note else "again")
    return step, col


def measure_mode(key, args):
    label, kind, proto, template, threads = MODES[key]
    # The saturation probe and every step after a lossy one run in a fresh
    # rsyslogd: an overload fills the main queue and leaves rsyslogd's heap
    # grown and scattered, and the steps after it measure that degraded
    # state, not the rate (a ladder that began with a loss at 557,000
    # flows/s stayed lossy down to 325,000, where an upward ladder in
    # another run had been loss-free up to 418,000).
    col = warm_collector(key)
    try:
        per_cpu = probe(col, proto)
    finally:
        col.stop()
    best = None
    col = warm_collector(key)
    try:
        start = max(args.start, int(per_cpu * 0.55 * threads / 1000) * 1000)  # threads: CPUs it may use
        log("  %-10s saturated: %d flows per CPU second; ladder from %d/s" % (key, per_cpu, start))
        rate, direction, steps = start, 0, 0
        lossless_below, lossy_above = None, None  # where the ladder turns
        while steps < args.steps and args.start <= rate <= args.max_rate:
            steps += 1
            if direction >= 0:  # a loss on the way up is confirmed before the ladder stops
                step, col = confirmed_step(col, key, rate, args)
            else:
                step = run_step(col, key, proto, rate, args.step_seconds)
            best = better(best, step, rate, col)
            if step["lossless"]:
                lossless_below = rate
            else:
                lossy_above = rate
            # up while loss-free, down until loss-free; stop where it turns
            if direction == 0:
                direction = 1 if step["lossless"] else -1
            if (direction > 0 and (not step["lossless"] or step["generator_bound"])) or \
                    (direction < 0 and step["lossless"]):
                break
            rate = int(rate * args.factor) if direction > 0 else int(rate / args.factor)
            if not step["lossless"]:
                col.stop()
                col = warm_collector(key)
        # the ladder's steps are a factor apart: halve the gap where it turned
        for _ in range(args.refine):
            if best is None or best["generator_bound"] or lossless_below is None or lossy_above is None \
                    or lossy_above - lossless_below < 2000:
                break
            col.stop()  # after a lossy step, and so that every step starts alike
            col = warm_collector(key)
            rate = (lossless_below + lossy_above) // 2
            step, col = confirmed_step(col, key, rate, args, "refining")
            best = better(best, step, rate, col)
            if step["lossless"]:
                lossless_below = rate
            else:
                lossy_above = rate
        if best is not None:
            best["saturated_per_cpu"] = per_cpu
        in_file = col.file_lines()
        if in_file != col.count_lines():
            log("  %-10s the file has %d lines, the action counted %d" % (key, in_file, col.count_lines()))
    finally:
        col.stop()
    return best


def decoder_bench(seconds):
    log("Decoder alone (contrib/bench-decode, one core, no syscalls):")
    tmp = tempfile.mkdtemp(prefix="imnetflow-bench-")
    try:
        for proto, per in (("v5", 30), ("v9", 30), ("ipfix", 30), ("sflow", 10)):
            path = os.path.join(tmp, proto + ".bin")
            subprocess.run([NFGEN, "-p", proto, "-n", "300000", "-R", str(per), "-w", path],
                           check=True, capture_output=True)
            for flags, what in (([], "decode"), (["-j"], "decode+JSON"), (["-e"], "decode+JSON+ECS")):
                out = subprocess.run(pinned(1, [BENCH_DECODE, "-s", str(seconds)] + flags + [path]),
                                     check=True, capture_output=True, text=True).stdout
                fields = dict(kv.split("=") for kv in out.split()[:4])
                log("  %-6s %-15s %12s records/s  %6s ns/record"
                    % (proto, what, "{:,}".format(int(float(fields["records_per_second"]))),
                       fields["ns_per_record"]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def ipfix_stream(records):
    """nfgen's IPFIX messages for records, one after the other (a TCP stream)."""
    tmp = tempfile.mkdtemp(prefix="imnetflow-bench-")
    try:
        path = os.path.join(tmp, "ipfix.bin")
        subprocess.run([NFGEN, "-p", "ipfix", "-n", str(records), "-w", path], check=True, capture_output=True)
        with open(path, "rb") as f:
            data = f.read()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    stream, off = bytearray(), 0
    while off + 3 <= len(data):  # [exporter][length, 2 bytes][message]
        length = data[off + 1] << 8 | data[off + 2]
        stream += data[off + 3:off + 3 + length]
        off += 3 + length
    return bytes(stream)


def stream_bench(records):
    log("IPFIX over one TCP connection (transport=\"tcp\", format=json), %s records:" % "{:,}".format(records))
    stream = ipfix_stream(records)
    col = Collector("json", "line", 'transport="tcp"')
    try:
        cpu0, t0 = col.cpu_seconds(), time.time()
        affinity = os.sched_getaffinity(0)
        if TWO_CORES:
            os.sched_setaffinity(0, {0})  # the sender beside rsyslogd's CPU 1
        try:
            with socket.create_connection(("127.0.0.1", col.port), timeout=120) as s:
                s.sendall(stream)
        finally:
            os.sched_setaffinity(0, affinity)
        sent = time.time() - t0
        n = col.wait_lines(records, limit=120)
        # impstats counts lines once a second: the time is up to a second long
        elapsed, cpu = time.time() - t0, col.cpu_seconds() - cpu0
        log("  %s of %s records written; sent in %.1f s, written within %.1f s: at least %s flows/s; "
            "rsyslogd %.2f CPU s per million flows"
            % ("{:,}".format(n), "{:,}".format(records), sent, elapsed, "{:,}".format(int(n / elapsed)),
               cpu * 1e6 / max(n, 1)))
    finally:
        col.stop()


def memory_bench(exporters, templates, unique):
    log("Module state: %d exporters x %d templates (IPFIX, one datagram of templates each), %s:"
        % (exporters, templates, "every exporter's templates its own" if unique
           else "the same templates for all (one model)"))
    col = Collector("structured", "tree", 'templateScope="address"')
    try:
        generate("ipfix", 100, 0, col.port)
        col.wait_lines(100)
        time.sleep(1.5)
        rss0 = col.memory_kb("VmRSS")
        # paced: every exporter's templates must arrive
        generate("ipfix", exporters, 10000, col.port, ["-e", str(exporters), "-T", str(templates), "-R", "1",
                                                        "-b", "16"] + (["-U"] if unique else []))
        col.wait_lines(100 + exporters, limit=120)
        time.sleep(2.5)  # one impstats interval
        rss1 = col.memory_kb("VmRSS")
        scopes = col.stat("imnetflow(templates)", "scopes.current")
        current = col.stat("imnetflow(templates)", "templates.current")
        mem = col.stat("imnetflow(templates)", "memory.bytes")
        log("  scopes %s, templates %s, memory.bytes %.1f MB, rsyslogd RSS grew by %.1f MB"
            % (scopes, current, (mem or 0) / 1e6, (rss1 - rss0) / 1024))
    finally:
        col.stop()


def ecs_cost(results):
    """rsyslogd's CPU a flow with ECS and enrichment against plain
    format="json", measured in this run: at the loss-free rate (the table's
    CPU s per million, which is microseconds a flow) and saturated (the
    probe before the ladder). Printed, not asserted."""
    plain, ecs = (results.get(k) for k in ECS_PAIR)
    if not plain or not ecs:
        return
    log("\nCPU a flow, %s against %s (issue 17: at most 1.33 times):" % (MODES[ECS_PAIR[1]][0], MODES[ECS_PAIR[0]][0]))
    log("  at the loss-free rate: %.2f us against %.2f us, %.2f times"
        % (ecs["cpu_per_million"], plain["cpu_per_million"], ecs["cpu_per_million"] / plain["cpu_per_million"]))
    if plain.get("saturated_per_cpu") and ecs.get("saturated_per_cpu"):
        log("  saturated:             %.2f us against %.2f us, %.2f times"
            % (1e6 / ecs["saturated_per_cpu"], 1e6 / plain["saturated_per_cpu"],
               plain["saturated_per_cpu"] / ecs["saturated_per_cpu"]))


def main():
    global OUTPUT_DIR
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="short steps and a coarse ladder")
    ap.add_argument("--step-seconds", type=float, default=10.0)
    ap.add_argument("--start", type=int, default=20000, help="lowest rate tried")
    ap.add_argument("--factor", type=float, default=1.08)
    ap.add_argument("--steps", type=int, default=14, help="most rates tried per mode")
    ap.add_argument("--refine", type=int, default=2,
                    help="times the gap between the highest loss-free and the lowest lossy rate is halved")
    ap.add_argument("--max-rate", type=int, default=3000000)
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--skip-decoder", action="store_true")
    ap.add_argument("--skip-stream", action="store_true")
    ap.add_argument("--output-dir", default=default_output_dir(),
                    help="where rsyslogd writes (default: /dev/shm when it is a tmpfs, else the temporary directory)")
    ap.add_argument("--rsyslogd-env", action="append", default=[], metavar="NAME=VALUE",
                    help="set in rsyslogd's environment, e.g. LD_PRELOAD=<another malloc>")
    args = ap.parse_args()
    RSYSLOGD_ENV.update(kv.split("=", 1) for kv in args.rsyslogd_env)
    OUTPUT_DIR = args.output_dir
    if args.quick:
        args.step_seconds, args.factor, args.steps, args.refine = 3.0, 1.15, 6, 1
    log("imnetflow benchmark on %s, %d CPUs, %s; rsyslogd %s" % (
        platform.node(), os.cpu_count(), platform.processor() or platform.machine(),
        subprocess.run([RSYSLOGD, "-v"], capture_output=True, text=True).stdout.split("\n")[0]))
    log("generator on CPU 0, rsyslogd on CPU 1 (modes with threads=2: on both)" if TWO_CORES
        else "one CPU: nothing pinned")
    log("rsyslogd writes in %s" % (OUTPUT_DIR or tempfile.gettempdir()))
    if RSYSLOGD_ENV:
        log("rsyslogd's environment adds %s" % " ".join("%s=%s" % kv for kv in RSYSLOGD_ENV.items()))
    if not args.skip_decoder:
        decoder_bench(2 if args.quick else 3)
    results = {}
    log("End to end, loss-free rate (%.1f s steps, rates x%.2f):" % (args.step_seconds, args.factor))
    for key in filter(None, args.modes.split(",")):
        results[key] = measure_mode(key, args)
    ref = (results.get("imudp") or {}).get("rate")
    ref_long = (results.get("imudp-long") or {}).get("rate")

    def ratio(r, base):
        return "%.0f%%" % (100.0 * r / base) if base else "-"

    log("\n| mode | loss-free flows/s | vs imudp | vs imudp, long lines | CPU s per million | flows per CPU s | peak RSS MB |")
    log("|---|---|---|---|---|---|---|")
    for key, r in results.items():
        if r is None:
            log("| %s | below %d | | | | | |" % (MODES[key][0], args.start))
            continue
        log("| %s | %s%s | %s | %s | %.2f | %s | %.0f |" % (
            MODES[key][0], "≥ " if r["generator_bound"] else "", "{:,}".format(r["rate"]),
            ratio(r["rate"], ref), ratio(r["rate"], ref_long), r["cpu_per_million"],
            "{:,}".format(int(1e6 / r["cpu_per_million"])), r["peak_rss_mb"]))
    ecs_cost(results)
    if not args.skip_stream:
        stream_bench(1000000 if args.quick else 3000000)
    if not args.skip_memory:
        memory_bench(10000, 10, False)
        memory_bench(10000, 10, True)


if __name__ == "__main__":
    main()
