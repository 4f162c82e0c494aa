#!/usr/bin/env python3
"""soak.py - rsyslog.conf.example under a long steady load (make soak).

rsyslogd runs the shipped example (daily files by nf-dailyfile, its queues)
while contrib/nfgen sends from many exporters (127.1.x.y) at a steady rate
for --minutes. Every --phase-seconds the generator is restarted with another
shape, so that exporters restart (their sequence numbers start again, their
templates are sent anew) and templates churn (ids redefined with other
fields: -U on and off, 2/4/8 templates, v9 and IPFIX in turn). After each
phase the day's file is moved away, rsyslogd gets SIGHUP, and the moved
file's lines are counted and the file removed (a day of it would not fit).

It prints, per phase, what was sent, written and dropped, and rsyslogd's
RSS every 10 s; at the end the RSS at the phases' ends (the queues drained:
what rsyslogd keeps) after warm-up (--warmup-minutes) must not grow: the
mean of the second half of them within 5% of the first half's. Then a shorter run (--valgrind-minutes) of the
same under valgrind, at a rate valgrind keeps up with, must end with no
error and no definite leak. Exit status 0 when both hold.

Usage: contrib/soak.py [--minutes 30] [--rate 15000] [--exporters 1000]
       [--phase-seconds 60] [--warmup-minutes 5] [--valgrind-minutes 4]
       [--valgrind-rate 300]
Environment: NFGEN, IMNETFLOW_MODULE, NF_DAILYFILE (set by make soak).
Traffic goes to 127.0.0.1 only.

Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
from harness import Rsyslog, example_config, rss_kb  # noqa: E402

NFGEN = os.environ.get("NFGEN", "contrib/nfgen")
SUPPRESSIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration",
                            "valgrind.supp")
# generator shapes, in turn: protocol and template options
SHAPES = [("v9", ["-T", "4"]), ("v9", ["-T", "4", "-U"]), ("ipfix", ["-T", "8", "-U"]),
          ("v9", ["-T", "2"]), ("ipfix", ["-T", "2"]), ("v9", ["-T", "8", "-U"])]


def log(*args):
    print(*args, flush=True)


def sum_counter(r, prefix, key):
    return sum(int(v.get(key, 0)) for v in r.counters(prefix).values())


def rotate(r, outdir):
    """Moves the day's files away, HUP, counts their lines, removes them."""
    moved = []
    for name in os.listdir(outdir) if os.path.isdir(outdir) else []:
        if name.endswith(".log"):
            os.rename(os.path.join(outdir, name), os.path.join(outdir, name + ".old"))
            moved.append(os.path.join(outdir, name + ".old"))
    r.proc.send_signal(signal.SIGHUP)
    time.sleep(1)  # nf-dailyfile closes at its next line
    lines = 0
    for path in moved:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                lines += block.count(b"\n")
        os.unlink(path)
    return lines


def run(minutes, rate, exporters, phase_seconds, wrapper=None, rss_every=10, rss_limit_mb=2048):
    """One soak; returns (RSS at each phase's end, RSS every rss_every s,
    both as (seconds, kB), totals, the Rsyslog)."""
    # not /tmp/imnetflow-test-*: what cleans up after tests must leave it be
    r = Rsyslog(default_input=False, wrapper=wrapper, prefix="imnetflow-soak-")
    outdir = os.path.join(r.dir, "netflow")
    example_config(r, outdir)
    phases, samples = [], []
    totals = {"sent": 0, "lines": 0}
    try:
        r.start(timeout=120)
        t0 = time.time()
        end = t0 + minutes * 60
        k = 0
        while time.time() < end:
            proto, opts = SHAPES[k % len(SHAPES)]
            seconds = int(min(phase_seconds, max(1, end - time.time())))
            gen = subprocess.Popen([NFGEN, "-p", proto, "-e", str(exporters), "-i", "20", "-r", str(rate),
                                    "-n", str(rate * seconds), "-t", str(seconds + 5)] + opts
                                   + ["127.0.0.1", str(r.port)], stdout=subprocess.PIPE, text=True)
            next_sample = time.time()
            while gen.poll() is None:
                rss = rss_kb(r.proc.pid)[0]
                if rss > rss_limit_mb * 1024:  # the machine is shared: never let it run away
                    gen.kill()
                    r.proc.kill()
                    raise SystemExit("soak: rsyslogd's RSS %d MB passed %d MB: stopped, FAIL"
                                     % (rss // 1024, rss_limit_mb))
                if time.time() >= next_sample:
                    samples.append((round(time.time() - t0), rss))
                    next_sample += rss_every
                time.sleep(0.5)
            out = gen.stdout.read()
            sent = int(dict(kv.split("=") for kv in out.split())["records"])
            time.sleep(2)  # the queues drain
            lines = rotate(r, outdir)
            totals["sent"] += sent
            totals["lines"] += lines
            phases.append((round(time.time() - t0), rss_kb(r.proc.pid)[0]))
            log("phase %2d %-5s %-8s sent %8d written %8d  RSS %d MB  main Q discarded %d, daily queue "
                "discarded %d, sequence.missing %d, resets %d, templates.added %d"
                % (k, proto, " ".join(opts), sent, lines, rss_kb(r.proc.pid)[0] // 1024,
                   sum_counter(r, "main Q", "discarded.full"), sum_counter(r, "daily queue", "discarded.full"),
                   sum_counter(r, "imnetflow(", "sequence.missing"),
                   sum_counter(r, "imnetflow(", "sequence.resets"),
                   sum_counter(r, "imnetflow(templates)", "templates.added")))
            k += 1
        totals["seconds"] = time.time() - t0
        totals["peak"] = rss_kb(r.proc.pid)[1]
        totals["shutdown"] = r.stop(timeout=300)
        totals["returncode"] = r.proc.returncode
        totals["dir"] = r.dir
        return phases, samples, totals, r
    except BaseException:
        r.cleanup()
        raise


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--rate", type=int, default=15000, help="flows/s: half the example's loss-free rate")
    ap.add_argument("--exporters", type=int, default=1000)
    ap.add_argument("--phase-seconds", type=int, default=60)
    ap.add_argument("--warmup-minutes", type=float, default=5)
    ap.add_argument("--valgrind-minutes", type=float, default=4)
    ap.add_argument("--valgrind-rate", type=int, default=300)
    a = ap.parse_args()
    ok = True

    log("soak: %g min at %d flows/s from %d exporters, a new generator shape every %d s"
        % (a.minutes, a.rate, a.exporters, a.phase_seconds))
    phases, samples, totals, r = run(a.minutes, a.rate, a.exporters, a.phase_seconds)
    r.cleanup()
    log("RSS every 10 s (s:MB), flows in flight included: "
        + " ".join("%d:%d" % (s, kb // 1024) for s, kb in samples))
    log("RSS at each phase's end, queues drained (s:MB): "
        + " ".join("%d:%.1f" % (s, kb / 1024) for s, kb in phases))
    # the retained memory: RSS with the queues drained, after warm-up
    after = [kb for s, kb in phases if s >= a.warmup_minutes * 60]
    if len(after) >= 2:
        # flat: no growth from the first half after warm-up to the second
        # (single phases scatter with the heap's fragmentation: shown too)
        half = len(after) // 2
        first, last = sum(after[:half]) / half, sum(after[half:]) / (len(after) - half)
        log("drained RSS after %g min warm-up: min %.1f MB, max %.1f MB (max/min %.3f); mean of the first "
            "half %.1f MB, of the second %.1f MB: %+.1f%% (limit +5%%); peak RSS %.1f MB"
            % (a.warmup_minutes, min(after) / 1024, max(after) / 1024, max(after) / min(after), first / 1024,
               last / 1024, 100.0 * (last / first - 1), totals["peak"] / 1024))
        ok &= last <= first * 1.05
    log("sent %d, written %d (%.4f%%), %.0f s, shutdown %.1f s"
        % (totals["sent"], totals["lines"], 100.0 * totals["lines"] / max(1, totals["sent"]), totals["seconds"],
           totals["shutdown"]))

    if a.valgrind_minutes > 0:
        if not shutil.which("valgrind"):
            log("valgrind not installed: that part skipped")
            return 0 if ok else 1
        vlog_dir = "/tmp"
        vlog = os.path.join(vlog_dir, "imnetflow-soak-valgrind.%d.log" % os.getpid())
        wrapper = ["valgrind", "--error-exitcode=99", "--leak-check=full", "--errors-for-leak-kinds=definite",
                   "--suppressions=" + SUPPRESSIONS, "--log-file=" + vlog]
        log("valgrind: %g min at %d flows/s from %d exporters, a new shape every %d s"
            % (a.valgrind_minutes, a.valgrind_rate, min(a.exporters, 100), min(a.phase_seconds, 30)))
        phases, samples, totals, r = run(a.valgrind_minutes, a.valgrind_rate, min(a.exporters, 100),
                                         min(a.phase_seconds, 30), wrapper=wrapper, rss_every=30)
        r.cleanup()
        with open(vlog) as f:
            report = f.read()
        summary = [line for line in report.split("\n") if "ERROR SUMMARY" in line or "definitely lost" in line]
        log("valgrind: exit %d, sent %d, written %d\n  %s\n  (report: %s)"
            % (totals["returncode"], totals["sent"], totals["lines"], "\n  ".join(summary), vlog))
        ok &= totals["returncode"] == 0 and "ERROR SUMMARY: 0 errors" in report
    log("soak: " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
