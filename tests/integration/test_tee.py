"""tee: every datagram the input accepts is copied, unchanged, to each
target collector over UDP, without ever holding up the input.

- two local targets receive byte-identical datagrams of corpus captures
  (NetFlow v5, IPFIX, sFlow) sent from three exporter addresses; per target
  received + "dropped" == sent, and the collector writes exactly the records
  it writes without tee;
- a full-rate run (100k datagrams, bounded in time, two receiving threads)
  prints the rate; per target received + dropped == what the input
  received;
- a target that refuses (no listener: ICMP port unreachable, ECONNREFUSED)
  stalls nothing: every record still arrives, the other target still gets
  every datagram, and its forwarded + dropped == sent with dropped > 0;
- only what the input accepts is copied: not datagrams from outside
  allowedExporters nor of a protocol outside protocols; malformed ones are;
- tee.spoof="on": the target sees each datagram from the exporter's own
  address and port, with a correct UDP checksum (checked on a raw socket),
  over IPv4 and IPv6; a packet over the MTU, and an exporter of the other
  family, are dropped and counted; without CAP_NET_RAW, an error naming
  tee.spoof;
- a transport="tcp" input copies each IPFIX message it takes from a
  connection as one UDP datagram, byte-identical, with tee.spoof from the
  connection's own address and port, and decodes the same records as
  without tee;
- configuration errors name "tee" or "tee.spoof".
"""
import collections
import os
import socket
import struct
import subprocess
import threading
import time

from harness import RSYSLOGD, Rsyslog, capture_datagrams, check, fail, log, syntax_check

CAPTURES = ["ls-netflow-5-valid-01", "ls-ipfix-openbsd-pflow", "tcpdump-sflow-print-v6"]
EXPORTERS = ["127.0.0.5", "127.0.0.6", "127.0.0.7"]
SO_RCVBUFFORCE = 33
BIG_BUFFER = 256 * 1024 * 1024


def corpus_payloads():
    out = []
    for capture in CAPTURES:
        out += [p for p, _ in capture_datagrams(capture)]
    return out


class Target:
    """A UDP socket on loopback that collects what arrives, in a thread."""

    def __init__(self, family=socket.AF_INET, address="127.0.0.1"):
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, BIG_BUFFER)
        self.sock.bind((address, 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.got = []  # (payload, source address)
        self.stopped = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stopped:
            try:
                self.got.append(self.sock.recvfrom(65535))
            except socket.timeout:
                continue

    def close(self):
        self.stopped = True
        self.thread.join(5)
        self.sock.close()


def socket_drops(port):
    """What the kernel dropped for a full receive buffer of this test's
    UDP socket on 127.0.0.1:port (/proc/net/udp, column drops)."""
    with open("/proc/net/udp") as f:
        for line in f.read().split("\n")[1:]:
            cols = line.split()
            if len(cols) > 12 and cols[1] == "0100007F:%04X" % port:
                return int(cols[-1])
    fail("socket 127.0.0.1:%d not in /proc/net/udp" % port)


def refused_port():
    """A loopback UDP port with no listener."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def send_from_exporters(r, payloads, reps, pace=True):
    """Each exporter sends payloads reps times, in turn; returns
    {exporter address: source port} and how many were sent."""
    socks = []
    for addr in EXPORTERS:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((addr, 0))
        socks.append(s)
    sent = 0
    try:
        for _ in range(reps):
            for s in socks:
                for p in payloads:
                    s.sendto(p, ("127.0.0.1", r.port))
                    sent += 1
                    if pace and sent % 64 == 0:
                        time.sleep(0.002)
        return {s.getsockname()[0]: s.getsockname()[1] for s in socks}, sent
    finally:
        for s in socks:
            s.close()


def tee_counters(r, target_port):
    name = "imnetflow tee(127.0.0.1:%d)" % target_port
    return r.counters().get(name, {})


def wait_tee_total(r, target_port, total, timeout=20):
    """Waits until forwarded + dropped of a target reach total; returns them."""
    deadline = time.time() + timeout
    while True:
        c = tee_counters(r, target_port)
        fwd, dropped = int(c.get("forwarded", 0)), int(c.get("dropped", 0))
        if fwd + dropped >= total:
            return fwd, dropped
        if time.time() >= deadline:
            fail("tee target %d: forwarded %d + dropped %d did not reach %d in %ds" %
                 (target_port, fwd, dropped, total, timeout))
        time.sleep(0.1)


def wait_target(t, n, timeout=20):
    deadline = time.time() + timeout
    while len(t.got) < n and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # nothing more than n may come
    return len(t.got)


def listener_counter(r, key):
    return sum(int(c.get(key, 0)) for name, c in r.counters().items() if " tee(" not in name)


INPUT = 'port="0" rcvbufSize="64m" format="json"'


def baseline_records(payloads, reps):
    with Rsyslog(inputs=INPUT) as r:
        _, sent = send_from_exporters(r, payloads, reps)
        r.wait_counter("datagrams.received", sent)
        records = len(r.wait_quiet())
        check(listener_counter(r, "datagrams.dropped") == 0, "baseline: the kernel dropped datagrams")
    return sent, records


def test_copies(payloads):
    """Returns the records of one round of payloads from every exporter."""
    reps = 20
    sent, want_records = baseline_records(payloads, reps)
    log("baseline without tee: %d datagrams -> %d records" % (sent, want_records))
    check(want_records > 0, "baseline wrote no records")
    targets = [Target(), Target()]
    try:
        tee = ", ".join('"127.0.0.1:%d"' % t.port for t in targets)
        with Rsyslog(inputs=INPUT + " tee=[%s]" % tee) as r:
            _, sent2 = send_from_exporters(r, payloads, reps)
            check(sent2 == sent, "sent %d, baseline %d" % (sent2, sent))
            r.wait_counter("datagrams.received", sent)
            records = r.wait_records(want_records, timeout=30)
            records = r.records_after(1.0)
            check(len(records) == want_records, "with tee %d records, without %d" % (len(records), want_records))
            check(listener_counter(r, "datagrams.dropped") == 0, "the kernel dropped datagrams to the input")
            check(sandbox_refused(r) == 0, "the sandbox refused calls")
            want = collections.Counter(payloads * (reps * len(EXPORTERS)))
            for t in targets:
                fwd, dropped = wait_tee_total(r, t.port, sent)
                got = wait_target(t, fwd)
                log("target %d: received %d, forwarded %d, dropped %d of %d" % (t.port, got, fwd, dropped, sent))
                check(got + dropped == sent, "target %d: received %d + dropped %d != sent %d" %
                      (t.port, got, dropped, sent))
                check(got == fwd, "target %d: received %d, forwarded %d" % (t.port, got, fwd))
                check(all(src[0] == "127.0.0.1" for _, src in t.got), "a copy not from the collector")
                if dropped == 0:
                    check(collections.Counter(p for p, _ in t.got) == want,
                          "target %d: the copies differ from the datagrams sent" % t.port)
                else:
                    extra = collections.Counter(p for p, _ in t.got) - want
                    check(not extra, "target %d: %d copies that were never sent" % (t.port, sum(extra.values())))
    finally:
        for t in targets:
            t.close()
    return want_records // reps


def test_only_accepted():
    """Datagrams the input refuses (allowedExporters, protocols) are not
    copied; the accepted ones are, malformed or not."""
    netflow = [p for p, _ in capture_datagrams("ls-netflow-5-valid-01")]
    sflow = [p for p, _ in capture_datagrams("tcpdump-sflow-print-v6")]
    malformed = [p for p, _ in capture_datagrams("ls-netflow-5-invalid-01")]
    target = Target()
    try:
        inputs = (INPUT + ' allowedExporters=["127.0.0.5", "127.0.0.6"] protocols=["netflow"] '
                  'tee=["127.0.0.1:%d"]' % target.port)
        with Rsyslog(inputs=inputs) as r:
            _, sent = send_from_exporters(r, netflow + sflow + malformed, 1)
            r.wait_counter("datagrams.received", sent)
            want = collections.Counter((netflow + malformed) * 2)  # two allowed exporters, no sFlow
            fwd, dropped = wait_tee_total(r, target.port, sum(want.values()))
            got = wait_target(target, fwd)
            disallowed = listener_counter(r, "disallowed")
            unaccepted = listener_counter(r, "datagrams.unaccepted")
            log("allowed and accepted: forwarded %d, dropped %d, received %d; disallowed %d, unaccepted %d" %
                (fwd, dropped, got, disallowed, unaccepted))
            check(disallowed == len(netflow + sflow + malformed) and unaccepted == 2 * len(sflow),
                  "disallowed %d, unaccepted %d" % (disallowed, unaccepted))
            check(fwd == sum(want.values()) and dropped == 0, "forwarded %d, dropped %d, want %d" %
                  (fwd, dropped, sum(want.values())))
            check(collections.Counter(p for p, _ in target.got) == want, "copied other datagrams than accepted")
    finally:
        target.close()


def test_full_rate(payloads):
    n_target = 100000
    reps = n_target // (len(payloads) * len(EXPORTERS)) + 1
    targets = [Target(), Target()]
    try:
        tee = ", ".join('"127.0.0.1:%d"' % t.port for t in targets)
        # two receiving threads share the targets' sockets
        with Rsyslog(inputs=INPUT + ' batchSize="256" tee=[%s]' % tee, module_params='threads="2"') as r:
            t0 = time.time()
            _, sent = send_from_exporters(r, payloads, reps, pace=False)
            elapsed = time.time() - t0
            check(elapsed < 120, "sending took %.0fs" % elapsed)
            log("sent %d datagrams in %.2fs: %.0f datagrams/s" % (sent, elapsed, sent / elapsed))
            deadline = time.time() + 60
            while True:
                received = listener_counter(r, "datagrams.received")
                kdropped = listener_counter(r, "datagrams.dropped")
                if received + kdropped >= sent or time.time() > deadline:
                    break
                time.sleep(0.2)
            log("input: received %d, kernel dropped %d" % (received, kdropped))
            check(received + kdropped == sent, "input received %d + dropped %d != sent %d" %
                  (received, kdropped, sent))
            for t in targets:
                fwd, dropped = wait_tee_total(r, t.port, received, timeout=60)
                got = wait_target(t, fwd, timeout=60)
                lagged = socket_drops(t.port)  # this test's own receiver too slow: not the module's loss
                log("target %d: received %d, forwarded %d, dropped %d (%.0f datagrams/s); the test's socket "
                    "dropped %d" % (t.port, got, fwd, dropped, got / elapsed, lagged))
                check(fwd + dropped == received, "target %d: forwarded %d + dropped %d != input received %d" %
                      (t.port, fwd, dropped, received))
                check(got + lagged == fwd, "target %d: received %d + its socket dropped %d != forwarded %d" %
                      (t.port, got, lagged, fwd))
    finally:
        for t in targets:
            t.close()


def sandbox_refused(r):
    return sum(int(c.get("sandbox.refused", 0)) for c in r.counters().values())


def test_refusing_target(payloads, records_per_rep):
    reps = 10
    live = Target()
    dead = refused_port()
    try:
        with Rsyslog(inputs=INPUT + ' tee=["127.0.0.1:%d", "127.0.0.1:%d"]' % (dead, live.port)) as r:
            _, sent = send_from_exporters(r, payloads, reps)
            r.wait_counter("datagrams.received", sent)
            fwd, dropped = wait_tee_total(r, dead, sent)
            log("refusing target: forwarded %d, dropped %d of %d" % (fwd, dropped, sent))
            check(fwd + dropped == sent, "refusing target: forwarded %d + dropped %d != %d" % (fwd, dropped, sent))
            check(dropped > 0, "refusing target: nothing counted as dropped")
            lfwd, ldropped = wait_tee_total(r, live.port, sent)
            got = wait_target(live, lfwd)
            check(got + ldropped == sent, "live target: received %d + dropped %d != %d" % (got, ldropped, sent))
            records = r.records_after(1.0) if len(r.lines()) >= records_per_rep * reps else r.wait_quiet()
            log("records with a refusing target: %d" % len(records))
            check(len(records) == records_per_rep * reps, "with a refusing target %d records, want %d" %
                  (len(records), records_per_rep * reps))
            check(sandbox_refused(r) == 0, "the sandbox refused calls")
    finally:
        live.close()


def checksum_ok(pseudo_header, udp):
    """Whether a UDP packet's checksum holds over its pseudo-header."""
    data = pseudo_header + udp
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s == 0xffff


def udp_checksum_ok(src, dst, udp):
    return checksum_ok(socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 17, len(udp)), udp)


def test_spoof(payloads):
    target = Target()
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)  # sees every UDP packet
    raw.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, BIG_BUFFER)
    raw.settimeout(0.2)
    try:
        with Rsyslog(inputs=INPUT + ' tee=["127.0.0.1:%d"] tee.spoof="on"' % target.port) as r:
            sources, sent = send_from_exporters(r, payloads, 2)
            fwd, dropped = wait_tee_total(r, target.port, sent)
            got = wait_target(target, fwd)
            log("spoofed: received %d, forwarded %d, dropped %d of %d; exporters %s" %
                (got, fwd, dropped, sent, sorted(sources.items())))
            check(dropped == 0 and got == sent, "spoofed: received %d, dropped %d of %d" % (got, dropped, sent))
            by_source = collections.Counter(src for _, src in target.got)
            want = {(a, p): sent // len(EXPORTERS) for a, p in sources.items()}
            check(dict(by_source) == want, "spoofed sources %s, want %s" % (dict(by_source), want))
            check(collections.Counter(p for p, _ in target.got) ==
                  collections.Counter(payloads * (2 * len(EXPORTERS))), "spoofed copies differ")
            checked = 0
            deadline = time.time() + 10
            while checked < sent and time.time() < deadline:
                try:
                    pkt = raw.recv(65535)
                except socket.timeout:
                    continue
                ihl = (pkt[0] & 15) * 4
                src, dst = socket.inet_ntoa(pkt[12:16]), socket.inet_ntoa(pkt[16:20])
                udp = pkt[ihl:]
                if struct.unpack("!H", udp[2:4])[0] != target.port:
                    continue
                check(udp_checksum_ok(src, dst, udp), "bad UDP checksum from %s" % src)
                checked += 1
            log("UDP checksums verified: %d" % checked)
            check(checked == sent, "saw %d spoofed packets of %d on the raw socket" % (checked, sent))
            check(sandbox_refused(r) == 0, "the sandbox refused calls")
    finally:
        raw.close()
        target.close()


def udp6_checksum_ok(src, dst, udp):
    return checksum_ok(socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst) +
                       struct.pack("!IxxxB", len(udp), 17), udp)


def test_spoof_ipv6(payloads):
    """IPv6: spoofed copies from the exporter's address and port with a
    correct checksum; a datagram whose packet exceeds the loopback MTU
    (65,536) is dropped and counted; an IPv4 exporter cannot be spoofed
    to an IPv6 target: dropped and counted."""
    target = Target(socket.AF_INET6, "::1")
    raw = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_UDP)
    raw.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, BIG_BUFFER)
    raw.settimeout(0.2)
    extra = ('input(type="imnetflow" address="::1" port="0" listenPortFileName="@DIR@/port" format="json" '
             'rcvbufSize="64m" tee=["[::1]:%d"] tee.spoof="on")\n' % target.port)
    oversize = struct.pack("!HH", 5, 1) + bytes(65500 - 4)  # a NetFlow v5 header, then nothing valid
    try:
        with Rsyslog(default_input=False, extra=extra) as r:
            with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
                s.bind(("::1", 0))
                for p in payloads:
                    s.sendto(p, ("::1", r.port))
                s.sendto(oversize, ("::1", r.port))
                source = s.getsockname()[:2]
            sent = len(payloads) + 1
            name = "imnetflow tee([::1]:%d)" % target.port
            deadline = time.time() + 20
            while True:
                c = r.counters().get(name, {})
                fwd, dropped = int(c.get("forwarded", 0)), int(c.get("dropped", 0))
                if fwd + dropped >= sent or time.time() > deadline:
                    break
                time.sleep(0.1)
            got = wait_target(target, fwd)
            log("IPv6 spoofed: received %d, forwarded %d, dropped %d of %d from %s" %
                (got, fwd, dropped, sent, source))
            check(fwd == len(payloads) and dropped == 1 and got == fwd,
                  "IPv6 spoofed: forwarded %d, dropped %d, received %d; want %d, 1, %d" %
                  (fwd, dropped, got, len(payloads), len(payloads)))
            check(all(src[:2] == source for _, src in target.got), "IPv6 copies not from %s" % (source,))
            check(collections.Counter(p for p, _ in target.got) == collections.Counter(payloads),
                  "IPv6 spoofed copies differ")
            checked = 0
            deadline = time.time() + 10
            while checked < fwd and time.time() < deadline:
                try:
                    udp, src = raw.recvfrom(65535)
                except socket.timeout:
                    continue
                if struct.unpack("!H", udp[2:4])[0] != target.port:
                    continue
                check(udp6_checksum_ok(src[0], "::1", udp), "bad UDP checksum from %s" % src[0])
                checked += 1
            check(checked == fwd, "saw %d spoofed IPv6 packets of %d" % (checked, fwd))
            check(sandbox_refused(r) == 0, "the sandbox refused calls")
        with Rsyslog(inputs=INPUT + ' tee=["[::1]:%d"] tee.spoof="on"' % target.port) as r:
            _, sent = send_from_exporters(r, payloads, 1)
            name = "imnetflow tee([::1]:%d)" % target.port
            r.wait_counter("dropped", sent)
            c = r.counters().get(name, {})
            log("IPv4 exporters to a spoofed IPv6 target: %s" % c)
            check(int(c.get("dropped", -1)) == sent and int(c.get("forwarded", -1)) == 0,
                  "IPv4 exporters, spoofed IPv6 target: %s, sent %d" % (c, sent))
    finally:
        raw.close()
        target.close()


def test_spoof_without_cap_net_raw():
    """Without CAP_NET_RAW the raw socket cannot be opened: an error naming
    tee.spoof, and the input does not run (no listener)."""
    r = Rsyslog(inputs='port="0" tee=["127.0.0.1:9"] tee.spoof="on"',
                wrapper=["setpriv", "--bounding-set", "-net_raw", "--inh-caps", "-net_raw"])
    try:
        with open(r.stderr, "w") as errf:  # r.start would wait for the port
            r.proc = subprocess.Popen(r.wrapper + [RSYSLOGD, "-n", "-f", r.conf, "-i", r.pidfile],
                                      stdin=subprocess.DEVNULL, stdout=errf, stderr=subprocess.STDOUT)
        deadline = time.time() + 15
        while "tee.spoof" not in r.read_stderr() and time.time() < deadline:
            time.sleep(0.1)
        out = r.read_stderr()
        log("without CAP_NET_RAW: %s" % out.strip().replace("\n", " | "))
        check("tee.spoof" in out and "CAP_NET_RAW" in out, "no error naming tee.spoof:\n" + out)
        check(not os.path.exists(r.portfile), "the input started without its raw socket")
    finally:
        r.cleanup()


STREAM_CAPTURE = "live-sf-v10"  # softflowd: 28 IPFIX messages, 770 records


def send_over_tcp(r, payloads, source="127.0.0.5"):
    """The payloads, one after the other, over one TCP connection from
    source; returns the connection's (address, port)."""
    with socket.create_connection(("127.0.0.1", r.port), source_address=(source, 0), timeout=10) as s:
        s.sendall(b"".join(payloads))
        return s.getsockname()


def test_stream_input():
    payloads = [p for p, _ in capture_datagrams(STREAM_CAPTURE)]
    tcp_input = 'port="0" transport="tcp" format="json"'
    with Rsyslog(inputs=tcp_input) as r:
        send_over_tcp(r, payloads)
        r.wait_counter("datagrams.received", len(payloads))
        want = len(r.wait_quiet())
    for spoof in (False, True):
        target = Target()
        try:
            extra = ' tee=["127.0.0.1:%d"]%s' % (target.port, ' tee.spoof="on"' if spoof else "")
            with Rsyslog(inputs=tcp_input + extra) as r:
                source = send_over_tcp(r, payloads)
                r.wait_counter("datagrams.received", len(payloads))
                fwd, dropped = wait_tee_total(r, target.port, len(payloads))
                received = wait_target(target, fwd)
                got = len(r.wait_quiet())
                refused = sandbox_refused(r)
            log("tcp input%s: %d messages, target received %d (forwarded %d, dropped %d); records %d, "
                "without tee %d" % (" with tee.spoof" if spoof else "", len(payloads), received, fwd, dropped,
                                    got, want))
            check(fwd == len(payloads) and dropped == 0 and received == len(payloads),
                  "tcp input: forwarded %d, dropped %d, received %d of %d" %
                  (fwd, dropped, received, len(payloads)))
            check([p for p, _ in target.got] == payloads, "tcp input: the copies differ from the messages")
            sources = set(src for _, src in target.got)
            if spoof:
                check(sources == {source}, "tcp input, spoofed: sources %s, want %s" % (sources, source))
            else:
                check(all(a == "127.0.0.1" for a, _ in sources), "tcp input: copies from %s" % sources)
            check(got == want and want > 0, "tcp input: %d records with tee, %d without" % (got, want))
            check(refused == 0, "tcp input: the sandbox refused calls")
        finally:
            target.close()


def test_config_errors():
    base = 'module(load="@MODULE@")\ninput(type="imnetflow" port="1" %s)\naction(type="omfile" file="@DIR@/out")\n'
    for inputs, needle in [('tee=["127.0.0.1"]', "tee"), ('tee=["127.0.0.1:0"]', "tee"),
                           ('tee=["127.0.0.1:70000"]', "tee"), ('tee=["::1:2055"]', "tee"),
                           ('tee=["[::1:2055"]', "tee"), ('tee=["no-such-host.invalid:2055"]', "tee"),
                           ('tee.spoof="on"', "tee.spoof")]:
        rc, out = syntax_check(base % inputs)
        log("-N1 with", inputs, "->", rc)
        check(rc != 0, "accepted %s:\n%s" % (inputs, out))
        check(needle in out, "no message naming %s for %s:\n%s" % (needle, inputs, out))
    rc, out = syntax_check(base % 'tee=["127.0.0.1:2055", "[::1]:2055", "localhost:9995"] tee.spoof="on"')
    check(rc == 0, "valid tee rejected:\n" + out)
    rc, out = syntax_check(base % 'transport="tcp" tee=["127.0.0.1:2055"]')
    check(rc == 0, "tee on a tcp input rejected:\n" + out)


def main():
    payloads = corpus_payloads()
    log("%d corpus datagrams from %s" % (len(payloads), ", ".join(CAPTURES)))
    test_config_errors()
    records_per_rep = test_copies(payloads)
    test_refusing_target(payloads, records_per_rep)
    test_only_accepted()
    test_spoof(payloads)
    test_spoof_ipv6(payloads)
    test_spoof_without_cap_net_raw()
    test_stream_input()
    test_full_rate(payloads)
    log("PASS")


if __name__ == "__main__":
    main()
