#!/usr/bin/env python3
"""sandbox-strace.py - which system calls imnetflow's receiving threads make.

Starts rsyslogd with the built module (threads="2"; inputs with
format="structured" ecs="on", format="json" ecs="on" and format="kv";
impstats, template persistence, summaries and health events on), attaches
strace to the receiving threads only (imnetflow:rx0, imnetflow:rx1), sends
v5, v9, IPFIX and sFlow from contrib/nfgen to every input, waits for a
summary, a template save and silent exporters, stops rsyslogd and prints
strace's table and the sandbox.refused counter. The list in
imnetflow/imn_seccomp.c is what this shows (SECURITY.md has a run).

  IMNETFLOW_MODULE=.libs/imnetflow.so contrib/sandbox-strace.py [errno|off] [--full FILE] [--tee]
  IMNETFLOW_MODULE=.libs/imnetflow.so contrib/sandbox-strace.py --stream [errno|off]

--stream traces the stream thread of a transport="tcp" input instead
(imnetflow:tcp0): three rounds of five connections sending a 68-message
IPFIX capture (one over maxSessions="4", refused), a garbage connection
each round, and an idle one closed by sessionTimeout.

--full writes every call (strace -o FILE) instead of the table, which
also shows calls that do not return (exit). --tee has the first input
copy its datagrams (tee) to a socket of this script, and the second
with tee.spoof="on". Needs root and strace
(apt-get install strace). Copyright 2026 the imnetflow authors. Apache
License 2.0."""
import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from harness import Rsyslog  # noqa: E402

NFGEN = os.environ.get("NFGEN", os.path.join(HERE, "nfgen"))


def thread_ids(pid, prefix):
    return [t for t in os.listdir("/proc/%d/task" % pid)
            if open("/proc/%d/task/%s/comm" % (pid, t)).read().startswith(prefix)]


def stream_main(mode):
    """The stream thread's calls: connections accepted, refused, read, closed, timed out."""
    import socket
    from harness import capture_datagrams
    msgs = b"".join(p for p, _ in capture_datagrams("ipfixcol2-example-flows"))
    r = Rsyslog(inputs='port="0" transport="tcp" maxSessions="4" sessionTimeout="2" ecs="on"',
                module_params='sandbox="%s" summaryInterval="5" exporterEvents="on" exporterTimeout="3"' % mode)
    r.start()
    try:
        time.sleep(1)
        tids = thread_ids(r.proc.pid, "imnetflow:tcp")
        out = os.path.join(r.dir, "strace.txt")
        strace = subprocess.Popen(["strace", "-c", "-o", out] + [a for t in tids for a in ("-p", t)],
                                  stderr=subprocess.DEVNULL)
        time.sleep(1)
        for _ in range(3):
            conns = [socket.create_connection(("127.0.0.1", r.port)) for _ in range(5)]
            for s in conns:
                try:
                    s.sendall(msgs)
                except OSError:
                    pass  # the one over maxSessions
            junk = socket.create_connection(("127.0.0.1", r.port))
            junk.sendall(b"\x00\x05junk" + bytes(20))
            time.sleep(1)
            for s in conns + [junk]:
                s.close()
            time.sleep(0.5)
        idle = socket.create_connection(("127.0.0.1", r.port))
        idle.sendall(msgs[:1000])
        time.sleep(8)  # timed out, a summary, silent exporters
        refused = r.counters().get("imnetflow(templates)", {}).get("sandbox.refused")
        lines = len(r.lines())
        r.stop()
        strace.wait(timeout=30)
        print("stream threads %s; %d messages; sandbox.refused %s" % (tids, lines, refused))
        print(open(out).read())
    finally:
        r.cleanup()


def main():
    args = sys.argv[1:]
    if "--stream" in args:
        args.remove("--stream")
        return stream_main(args[0] if args else "errno")
    full = None
    if "--full" in args:
        full = args[args.index("--full") + 1]
        del args[args.index("--full"):args.index("--full") + 2]
    tee = {"structured": "", "json": "", "kv": ""}
    if "--tee" in args:
        args.remove("--tee")
        target = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # never read: its buffer fills
        target.bind(("127.0.0.1", 0))
        tee["structured"] = 'tee=["127.0.0.1:%d"]' % target.getsockname()[1]
        tee["json"] = tee["structured"] + ' tee.spoof="on"'
    mode = args[0] if args else "errno"
    extra = "".join('input(type="imnetflow" port="0" address="127.0.0.1" format="%s" %s %s '
                    'listenPortFileName="@DIR@/port-%s")\n' % (f, 'ecs="on"' if f == "json" else "", tee[f], f)
                    for f in ("json", "kv"))
    r = Rsyslog(inputs='port="0" format="structured" ecs="on" ' + tee["structured"], extra=extra,
                module_params='threads="2" sandbox="%s" summaryInterval="5" exporterEvents="on" '
                              'exporterTimeout="3"' % mode)
    r.start()
    try:
        ports = [r.port] + [r.wait_port(os.path.join(r.dir, "port-" + f)) for f in ("json", "kv")]
        time.sleep(1)  # rsyslog names its threads once they run
        pid = r.proc.pid
        recv = thread_ids(pid, "imnetflow:rx")
        out = full or os.path.join(r.dir, "strace.txt")
        strace = subprocess.Popen(["strace", "-qq" if full else "-c", "-o", out] +
                                  [a for t in recv for a in ("-p", t)], stderr=subprocess.DEVNULL)
        time.sleep(1)
        gens = [subprocess.Popen([NFGEN, "-p", proto, "-n", "40000", "-r", "4000", "-t", "12", "-e", "20",
                                  "-i", "2", "127.0.0.1", str(port)], stdout=subprocess.DEVNULL)
                for port in ports for proto in ("v5", "v9", "ipfix", "sflow")]
        for g in gens:
            g.wait()
        time.sleep(8)  # exporters go silent, a summary, a template save
        refused = r.counters().get("imnetflow(templates)", {}).get("sandbox.refused")
        lines = len(r.lines())
        r.stop()
        strace.wait(timeout=30)
        print("receiving threads %s; %d messages; sandbox.refused %s" % (recv, lines, refused))
        if not full:
            print(open(out).read())
    finally:
        r.cleanup()


if __name__ == "__main__":
    main()
