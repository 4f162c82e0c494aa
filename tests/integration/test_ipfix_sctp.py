"""IPFIX over SCTP (RFC 7011 §10.2, one-to-one sockets) against a real
rsyslogd: transport="sctp" shares the stream layer with tcp.

Where the kernel has SCTP: a real exporter's capture (softflowd) sent over
one association, whole and split at odd boundaries, gives exactly the
manifest's records, and a message with a bad version closes that
association alone. Where it has not (socket() fails with
EPROTONOSUPPORT, as in containers without the sctp module), what the
collector must do there is tested instead: rsyslogd says so at start-up
naming transport="sctp", stays up, and its other (UDP) input still decodes;
the test then ends, saying that SCTP transfer was not exercised on this
kernel. Any other socket error fails."""
import errno
import os
import socket
import struct
import time

from harness import Rsyslog, capture_datagrams, check, log, manifest

IPPROTO_SCTP = getattr(socket, "IPPROTO_SCTP", 132)
CAPTURE = "live-sf-v10"


def kernel_sctp():
    """None when the kernel makes SCTP sockets, else the errno."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_SCTP).close()
        return None
    except OSError as e:
        return e.errno


missing = kernel_sctp()
if missing is not None:
    check(missing in (errno.EPROTONOSUPPORT, errno.ESOCKTNOSUPPORT, errno.EAFNOSUPPORT),
          "SCTP socket failed for another reason than a kernel without SCTP: %s" % os.strerror(missing))
    # the start-up error names the transport; a UDP input writes the port file
    extra = ('input(type="imnetflow" transport="sctp" address="127.0.0.1" port="0" '
             'listenPortFileName="@DIR@/port.sctp")\n')
    udp = [p for p, _ in capture_datagrams(CAPTURE)]
    udp_expected = int({m["id"]: m for m in manifest()}[CAPTURE]["records_structural"])
    with Rsyslog(extra=extra) as r:
        deadline = time.time() + 10
        while 'transport="sctp"' not in r.logged() and time.time() < deadline:
            time.sleep(0.1)
        text = r.logged()
        r.send(udp, pace=0.002)
        udp_got = len(r.wait_records(udp_expected, timeout=30))
        alive = r.alive()
    lines = [line for line in text.splitlines() if 'transport="sctp"' in line]
    log("start-up error: %s" % lines[:1])
    check(lines and "cannot make sctp sockets" in lines[0], "no start-up error naming transport=\"sctp\"")
    check(alive, "rsyslogd died")
    check(udp_got == udp_expected, "the UDP input beside it decoded %d records, want %d" % (udp_got, udp_expected))
    log("this kernel has no SCTP (socket: %s): the start-up error and the UDP input beside it were "
        "checked (%d records); SCTP transfer was not exercised" % (os.strerror(missing), udp_got))
    log("PASS")
    raise SystemExit(0)

expected = int({m["id"]: m for m in manifest()}[CAPTURE]["records_structural"])
msgs = [p for p, _ in capture_datagrams(CAPTURE)]
with Rsyslog(inputs='port="0" transport="sctp"') as r:
    streams = []
    for split in (None, 7):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_SCTP)
        s.connect(("127.0.0.1", r.port))
        data = b"".join(msgs)
        if split is None:
            s.sendall(data)
        else:
            for off in range(0, len(data), split):
                s.sendall(data[off:off + split])
        streams.append(s)
    bad = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_SCTP)
    bad.connect(("127.0.0.1", r.port))
    bad.sendall(struct.pack("!HHIII", 5, 24, 0, 0, 0) + bytes(8))
    got = r.wait_records(2 * expected, timeout=30)
    r.wait_counter("sessions.malformed", 1)
    for s in streams + [bad]:
        s.close()
    time.sleep(1.5)
    n = len(r.lines())
    malformed = sum(int(c.get("sessions.malformed", 0)) for c in r.counters().values())
log("sctp: %d records (expected %d), sessions.malformed %d" % (n, 2 * expected, malformed))
check(n == 2 * expected, "%d records over SCTP, expected %d" % (n, 2 * expected))
check(malformed == 1, "sessions.malformed %d, expected 1" % malformed)
