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


def main():
    args = sys.argv[1:]
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
        recv = [t for t in os.listdir("/proc/%d/task" % pid)
                if open("/proc/%d/task/%s/comm" % (pid, t)).read().startswith("imnetflow:rx")]
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
