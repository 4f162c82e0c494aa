"""rsyslogd with imnetflow under valgrind: valid, malformed and corpus
datagrams, then shutdown, with no invalid memory access and no leak that
valgrind can attribute to the module; with one receiving thread (and the
ECS objects in the tree) and with two; and an input with transport="tcp"
(connections, framing, closes, templates forgotten). Without the
receiving threads' sandbox, which valgrind cannot run."""
import os
import shutil
import socket

from harness import Rsyslog, capture_datagrams, check, fail, log

if not shutil.which("valgrind"):
    fail("valgrind is not installed (contrib/install-deps.sh installs it)")

# one false report of valgrind's own, explained in the file
SUPPRESSIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "valgrind.supp")


def under_valgrind(module_params, inputs):
    # valgrind cannot run a thread under a seccomp filter (it does not
    # implement the seccomp system call, and it makes each thread's system
    # calls itself): test_sandbox.py covers the filter
    r = Rsyslog(module_params=module_params + ' sandbox="off"', inputs=inputs)
    r.vlog = os.path.join(r.dir, "valgrind.log")
    r.wrapper = ["valgrind", "--error-exitcode=99", "--leak-check=full",
                 "--errors-for-leak-kinds=definite", "--suppressions=" + SUPPRESSIONS,
                 "--log-file=" + r.vlog]
    return r


def stop_and_check(r, label):
    """Stops rsyslogd and fails on any error valgrind reported."""
    seconds = r.stop(timeout=60)
    with open(r.vlog) as f:
        report = f.read()
    summary = [line for line in report.split("\n") if "ERROR SUMMARY" in line or "definitely lost" in line]
    log("valgrind (%s): exit %d, shutdown %.1fs\n  %s" % (label, r.proc.returncode, seconds, "\n  ".join(summary)))
    check(r.proc.returncode != 99, "valgrind reported errors:\n" + report[-6000:])
    check("imnetflow" not in report or "ERROR SUMMARY: 0 errors" in report,
          "valgrind report names imnetflow:\n" + report[-6000:])


def run(module_params, inputs='port="0"'):
    r = under_valgrind(module_params, inputs)
    try:
        r.start(timeout=60)
        datagrams = [d for d, _ in capture_datagrams("ls-netflow-5-valid-01")]
        datagrams += [d for d, _ in capture_datagrams("live-sf-v1")]
        datagrams += [d for d, _ in capture_datagrams("ls-netflow-5-invalid-01")]
        datagrams += [b"", b"\x00\x05", b"\x00\x07" + bytes(30), b"\xff" * 100]
        r.send(datagrams, pace=0.001)
        got = r.wait_records(30 + 596, timeout=60)
        check(len(got) == 30 + 596, "%d records under valgrind (%s)" % (len(got), module_params))
        stop_and_check(r, module_params or "defaults")
    finally:
        r.cleanup()


def run_stream():
    """transport="tcp": connections served, framed, closed (by the exporter,
    for garbage, at shutdown) and their templates forgotten."""
    r = under_valgrind("", 'port="0" transport="tcp"')
    try:
        r.start(timeout=60)
        messages = b"".join(d for d, _ in capture_datagrams("live-sf-v10"))
        with socket.create_connection(("127.0.0.1", r.port)) as s:
            s.sendall(messages)
        with socket.create_connection(("127.0.0.1", r.port)) as s:
            for off in range(0, len(messages), 997):
                s.sendall(messages[off:off + 997])
        with socket.create_connection(("127.0.0.1", r.port)) as s:
            s.sendall(b"\x00\x09" + bytes(40))                      # NetFlow v9: closed
        left_open = socket.create_connection(("127.0.0.1", r.port))
        left_open.sendall(messages[:1000])  # part of the first message, closed at shutdown
        got = r.wait_records(2 * 770, timeout=60)
        check(len(got) == 2 * 770, "%d records over TCP under valgrind" % len(got))
        stop_and_check(r, 'transport="tcp"')
        left_open.close()
    finally:
        r.cleanup()


run("", inputs='port="0" ecs="on"')  # the ECS objects built into the tree too
run('threads="2"')  # a second receiving thread started, stopped and freed
run("", inputs='port="0" tee=["127.0.0.1:9", "localhost:9"]')  # tee: copies, a refusing target
run("", inputs='port="0" tee=["127.0.0.1:9"] tee.spoof="on"')  # tee.spoof: headers built
run_stream()
log("PASS")
