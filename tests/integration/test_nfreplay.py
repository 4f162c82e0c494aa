"""contrib/nfreplay: captures written here from corpus datagrams (classic
pcap in both byte orders and time resolutions, pcapng with several
interfaces, an IPFIX file; Ethernet with VLAN/QinQ tags, Linux SLL/SLL2,
raw IP, BSD loopback; IPv4, IPv6, IPv4 fragments) are replayed

- to a socket of this test: every datagram arrives with its payload, from a
  loopback source of its own per original exporter with the original port;
  what is not a flow datagram is skipped and counted;
- into a real rsyslogd: the records are those of sending the same
  datagrams directly from the same sources (every field of every record;
  order-insensitive across exporters);

and the bounds (--count, --max-seconds), pacing (--speed), a truncated
file, a file of no known format and a remote destination are checked.
"""
import collections
import contextlib
import csv
import importlib.machinery
import importlib.util
import io
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import random
import threading
import time

from harness import Rsyslog, capture_datagrams, check, corpus_path, fail, log

NFREPLAY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "contrib", "nfreplay")
TMP = tempfile.mkdtemp(prefix="imnetflow-nfreplay-")
# the first source address of the replays to this test's sockets: another
# run of this test at the same time takes other addresses, and the original
# source ports stay free to bind
BASE = "127.%d.0.1" % (100 + os.getpid() % 150)


# --- writing captures ------------------------------------------------------

def ipv4(src, dst, proto, payload, ident=1, frag=0):
    total = 20 + len(payload)
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, ident, frag, 64, proto, 0,
                       socket.inet_aton(src), socket.inet_aton(dst)) + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def udp4(src, dst, sport, dport, payload, fragment=0, ident=7):
    """IPv4 packets of one UDP datagram: one, or fragments of at most
    `fragment` bytes of IP payload (a multiple of 8), sent last to first."""
    data = udp(sport, dport, payload)
    if not fragment or len(data) <= fragment:
        return [ipv4(src, dst, 17, data)]
    pieces = [data[i:i + fragment] for i in range(0, len(data), fragment)]
    out = [ipv4(src, dst, 17, p, ident, (i * fragment // 8) | (0x2000 if i < len(pieces) - 1 else 0))
           for i, p in enumerate(pieces)]
    return out[::-1]


def udp6(src, dst, sport, dport, payload, fragment=0, ident=7):
    """IPv6 packets of one UDP datagram: one, or with fragment headers (at
    most `fragment` bytes of fragmentable part each), sent first to last."""
    data = udp(sport, dport, payload)

    def header(next_header, length):
        return struct.pack("!IHBB16s16s", 6 << 28, length, next_header, 64, socket.inet_pton(socket.AF_INET6, src),
                           socket.inet_pton(socket.AF_INET6, dst))
    if not fragment or len(data) <= fragment:
        return [header(17, len(data)) + data]
    return [header(44, 8 + len(data[i:i + fragment])) + struct.pack("!BxHI", 17, i | (i + fragment < len(data)), ident)
            + data[i:i + fragment] for i in range(0, len(data), fragment)]


def ethertype(packet):
    return 0x86DD if packet[0] >> 4 == 6 else 0x0800


def ether(packet, vlans=()):
    tags = b"".join(struct.pack("!HH", tpid, vid) for tpid, vid in vlans)
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01" + tags + struct.pack("!H", ethertype(packet)) + packet


def sll(packet):
    return struct.pack("!HHH8sH", 0, 1, 6, b"\x02\x00\x00\x00\x00\x01\x00\x00", ethertype(packet)) + packet


def sll2(packet):
    return struct.pack("!HHIHBB8s", ethertype(packet), 0, 2, 1, 0, 6, b"\x02\x00\x00\x00\x00\x01\x00\x00") + packet


def null(packet, order="<"):  # BSD loopback: AF_INET 2, AF_INET6 30 (macOS), host byte order
    return struct.pack(order + "I", 30 if packet[0] >> 4 == 6 else 2) + packet


LINKS = {"ether": (1, ether), "vlan": (1, lambda p: ether(p, [(0x8100, 10)])),
         "qinq": (1, lambda p: ether(p, [(0x88A8, 100), (0x8100, 10)])),
         "sll": (113, sll), "sll2": (276, sll2), "raw": (101, lambda p: p), "ipv4": (228, lambda p: p),
         "null": (0, null), "null-be": (0, lambda p: null(p, ">"))}


def write_pcap(path, frames, linktype, order="<", nano=False):
    """frames: (time, frame) in order."""
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    with open(path, "wb") as f:
        f.write(struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, 262144, linktype))
        for ts, frame in frames:
            sec = int(ts)
            frac = round((ts - sec) * (1e9 if nano else 1e6))
            f.write(struct.pack(order + "IIII", sec, frac, len(frame), len(frame)) + frame)


def pcapng_block(order, btype, body):
    body += bytes(-len(body) % 4)
    return struct.pack(order + "II", btype, len(body) + 12) + body + struct.pack(order + "I", len(body) + 12)


def write_pcapng(path, linktypes, packets, order="<", nano_iface=None, simple=False):
    """linktypes: one interface each (interface nano_iface with time stamps in
    ns); packets: (interface, time, frame); simple: interface 0's packets as
    simple packet blocks (no time stamp)."""
    out = pcapng_block(order, 0x0A0D0D0A, struct.pack(order + "IHHq", 0x1A2B3C4D, 1, 0, -1))
    for i, lt in enumerate(linktypes):
        opts = b""
        if i == nano_iface:
            opts = struct.pack(order + "HHB3x", 9, 1, 9) + struct.pack(order + "HH", 0, 0)
        out += pcapng_block(order, 1, struct.pack(order + "HHI", lt, 0, 262144) + opts)
    # a block that carries no packet is passed over
    out += pcapng_block(order, 4, struct.pack(order + "HH", 0, 0))
    for iface, ts, frame in packets:
        if simple and iface == 0:
            out += pcapng_block(order, 3, struct.pack(order + "I", len(frame)) + frame)
            continue
        units = round(ts * (1e9 if iface == nano_iface else 1e6))
        out += pcapng_block(order, 6, struct.pack(order + "IIIII", iface, units >> 32, units & 0xFFFFFFFF,
                                                  len(frame), len(frame)) + frame)
    with open(path, "wb") as f:
        f.write(out)


# --- the flows: corpus datagrams with their exporters -----------------------

def exporter_stream(capture_id, src=None, link="ether", t0=1700000000.0):
    """[(time, source address, source port, destination port, payload, link)]
    of a capture; src replaces the original source address; link names the
    framing of its packets (LINKS)."""
    return [(t0 + i * 0.001, src or row["src"], int(row["sport"]), int(row["dport"]), payload, link)
            for i, (payload, row) in enumerate(capture_datagrams(capture_id))]


def interleave(*streams):
    """Round robin over the streams, each in its order, times renumbered."""
    out, queues = [], [list(s) for s in streams]
    while any(queues):
        for q in queues:
            if q:
                out.append(q.pop(0))
    return [(1700000000.0 + i * 0.001,) + d[1:] for i, d in enumerate(out)]


def packets_of(d, fragment=0):
    _, src, sport, dport, payload, _ = d
    ident = int(d[0] * 1000) & 0xFFFF
    if ":" in src:
        return udp6(src, "2001:db8::2", sport, dport, payload, fragment, ident)
    return udp4(src, "192.0.2.2", sport, dport, payload, fragment, ident)


# --- running nfreplay --------------------------------------------------------

def nfreplay(*args, timeout=60):
    p = subprocess.run([sys.executable, NFREPLAY] + [str(a) for a in args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def summary(out):
    """({"sent": n, ..., "elapsed": seconds}, {original exporter: (mapped
    address, port, sent)})."""
    counts, mapping = {}, {}
    for line in out.splitlines():
        m = re.match(r"exporter (.+) -> (\S+):(\d+) sent (\d+)$", line)
        if m:
            mapping[m.group(1)] = (m.group(2).strip("[]"), int(m.group(3)), int(m.group(4)))
            continue
        m = re.search(r" after ([0-9.]+) s$", line)
        if m:
            counts["elapsed"] = float(m.group(1))
            continue
        m = re.match(r"(.+) (\d+)$", line)
        if m:
            counts[m.group(1)] = int(m.group(2))
    return counts, mapping


def shown(addr, port):
    return "[%s]:%d" % (addr, port) if ":" in addr else "%s:%d" % (addr, port)


class Receiver:
    """A UDP socket of this test (on 127.0.0.1), read by a thread."""

    def __init__(self, address="127.0.0.1"):
        self.sock = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        with contextlib.suppress(OSError):  # beyond net.core.rmem_max, where allowed
            self.sock.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_RCVBUFFORCE", 33), 8 << 20)
        self.sock.bind((address, 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.got = []
        self.running = True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while self.running:
            try:
                data, addr = self.sock.recvfrom(70000)
            except socket.timeout:
                continue
            self.got.append((addr[:2], data))

    def wait(self, n, timeout=10):
        deadline = time.time() + timeout
        while len(self.got) < n and time.time() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)  # anything beyond n
        return list(self.got)

    def close(self):
        self.running = False
        self.thread.join(5)
        self.sock.close()


def replay_to_receiver(path, expected, label, *extra):
    """Replays path to a Receiver; checks that each expected datagram (the
    datagrams of exporter_stream) arrived, in order per exporter, from a
    source of its own (BASE, and on) keeping the original port. Returns the
    summary."""
    rx = Receiver()
    try:
        rc, out, err = nfreplay("--speed", "0", "--source-base", BASE, *extra, path, "127.0.0.1", rx.port)
        check(rc == 0, "%s: nfreplay exit %d: %s%s" % (label, rc, out, err))
        got = rx.wait(len(expected))
    finally:
        rx.close()
    counts, mapping = summary(out)
    check(counts.get("sent") == len(expected) and len(got) == len(expected),
          "%s: %d datagrams expected, nfreplay sent %s, %d arrived\n%s" % (label, len(expected),
                                                                          counts.get("sent"), len(got), out))
    want = collections.defaultdict(list)
    for _, src, sport, _, payload, _ in expected:
        want[shown(src, sport)].append(payload)
    check(set(mapping) == set(want), "%s: exporters %s, expected %s" % (label, sorted(mapping), sorted(want)))
    sources = {(a, p) for a, p, _ in mapping.values()}
    check(len(sources) == len(mapping) and len({a for a, _ in sources}) == len(mapping),
          "%s: exporters share a source: %s" % (label, mapping))
    check(list(mapping.values())[0][0] == BASE, "%s: the first exporter not from %s: %s" % (label, BASE, mapping))
    for orig, (addr, port, n) in mapping.items():
        check(addr.startswith("127.") and addr != "127.0.0.1", "%s: %s sent from %s" % (label, orig, addr))
        check(port == int(orig.rsplit(":", 1)[1]), "%s: %s lost its source port (%d)" % (label, orig, port))
        arrived = [d for a, d in got if a == (addr, port)]
        check(arrived == want[orig], "%s: %s: %d datagrams arrived from %s:%d, %d expected, or not the same"
              % (label, orig, len(arrived), addr, port, len(want[orig])))
        check(n == len(want[orig]), "%s: summary says %d sent for %s" % (label, n, orig))
    log("%s: %d datagrams of %d exporters arrived as sent" % (label, len(got), len(mapping)))
    return counts


def canonical(records, exporters, label):
    """The records' data trees as a multiset, the exporter's address and port
    replaced by the original exporter they stand for (exporters: {(address,
    port): original exporter})."""
    out = collections.Counter()
    for r in records:
        data = json.loads(json.dumps(r["data"]))
        e = data["netflow"]["exporter"]
        key = (e.pop("address"), e.pop("port"))
        check(key in exporters, "%s: a record from %s:%d, no exporter of ours" % (label, key[0], key[1]))
        e["original"] = exporters[key]
        out[json.dumps(data, sort_keys=True)] += 1
    return out


def compare_with_direct(path, streams_by_exporter, label, extra=(), limit=None):
    """Records of nfreplay into rsyslogd == records of sending the same
    datagrams (the first `limit`, with --count) directly, each exporter from
    an address of this test's own (127.30.0.x, the original port), the
    exporter address and port aside. streams_by_exporter: {original
    exporter: [payload...]}. nfreplay's sources must be distinct addresses:
    were they not, exporters would share templates and decode otherwise."""
    with Rsyslog(inputs='port="0" rcvbufSize="8m"') as r:
        rc, out, err = nfreplay("--speed", "0", *(list(extra) + [path, "127.0.0.1", r.port]))
        check(rc == 0, "%s: nfreplay exit %d: %s%s" % (label, rc, out, err))
        counts, mapping = summary(out)
        replayed = r.wait_quiet(seconds=1.0, timeout=30)
        check(r.alive(), "%s: rsyslogd died" % label)
    check(set(mapping) == set(streams_by_exporter),
          "%s: exporters %s, expected %s" % (label, sorted(mapping), sorted(streams_by_exporter)))
    addresses = {a for a, _, _ in mapping.values()}
    check(len(addresses) == len(mapping) and all(a.startswith("127.") and a != "127.0.0.1" for a in addresses),
          "%s: exporters not from loopback addresses of their own: %s" % (label, mapping))
    want_sent = limit or sum(map(len, streams_by_exporter.values()))
    check(sum(n for _, _, n in mapping.values()) == want_sent == counts.get("sent"),
          "%s: %d datagrams should have been sent\n%s" % (label, want_sent, out))
    direct_exporters = {}
    with Rsyslog(inputs='port="0" rcvbufSize="8m"') as r:
        for i, (orig, payloads) in enumerate(streams_by_exporter.items()):
            addr = "127.30.%d.%d" % (i // 250, i % 250 + 1)
            port = int(orig.rsplit(":", 1)[1]) if ":" in orig else 0
            port = r.send(payloads[:mapping[orig][2]], src_port=port, addr=addr, dst_addr="127.0.0.1",
                          pace=0.001)
            direct_exporters[(addr, port)] = orig
        direct = r.wait_records(len(replayed), timeout=30) if replayed else []
        direct = r.records_after(0.5)
    check(direct, "%s: sending the datagrams directly gave no record" % label)
    want = canonical(direct, direct_exporters, label)
    got = canonical(replayed, {(a, p): orig for orig, (a, p, _) in mapping.items()}, label)
    if want != got:
        missing, more = list((want - got).elements()), list((got - want).elements())
        fail("%s: %d records direct, %d replayed; %d only direct, %d only replayed, e.g.\n  direct   %s\n"
             "  replayed %s\n%s" % (label, len(direct), len(replayed), len(missing), len(more),
                                     missing[:1], more[:1], out))
    log("%s: %d records from %d exporters, as sent directly" % (label, len(replayed), len(mapping)))
    return counts


def fuzz(seeds, rounds):
    """nfreplay in this process on mutated files: every one ends with exit
    status 0 or 2, none with an exception."""
    loader = importlib.machinery.SourceFileLoader("nfreplay", NFREPLAY)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("nfreplay", loader))
    loader.exec_module(module)
    rnd = random.Random(20)
    path = os.path.join(TMP, "mutated")
    statuses = collections.Counter()
    for i in range(rounds):
        data = bytearray(rnd.choice(seeds))
        for _ in range(rnd.randint(1, 8)):
            pos = rnd.randrange(len(data) + 1)
            op = rnd.random()
            if op < 0.6 and pos < len(data):
                data[pos] = rnd.randrange(256)
            elif op < 0.8:
                del data[pos:pos + rnd.randint(1, 64)]
            else:
                data[pos:pos] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 16)))
        with open(path, "wb") as f:
            f.write(data)
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                status = module.main(["--speed", "0", "--max-seconds", "5", path, "127.0.0.1", "9"])
        except SystemExit as e:
            status = e.code
        except Exception as e:  # pylint: disable=broad-except
            fail("nfreplay raised %r on a mutated file (round %d, kept as %s)" % (e, i, path))
        check(status in (0, 2), "nfreplay exit %s on a mutated file (round %d)" % (status, i))
        statuses[status] += 1
    log("%d mutated captures: exit status %s, no exception" % (rounds, dict(statuses)))


def by_exporter(stream):
    out = collections.OrderedDict()
    for _, src, sport, _, payload, _ in stream:
        out.setdefault(shown(src, sport), []).append(payload)
    return out


try:
    rc, out, _ = nfreplay("--help")
    check(rc == 0 and "--allow-remote" in out and "pcapng" in out, "nfreplay --help: %d %s" % (rc, out))

    # several exporters: three v9 exporters, two of them (behind VLAN tags)
    # with templates of the same ids and source id (0) but other fields,
    # interleaved so that each one's data would decode with the other's
    # templates were they not kept apart; nine sFlow agents (QinQ); IPFIX
    # over IPv6
    v9a = exporter_stream("ls-netflow-9-multiple-netflow-exporters")
    v9b = exporter_stream("ls-netflow-9-cisco-asa", src="192.0.2.77", link="vlan")
    v9c = exporter_stream("ls-netflow-9-cisco-asa-2", src="192.0.2.78", link="vlan")
    sflow = exporter_stream("tcpdump-sflow-multiple-counter-30-pdus", link="qinq")
    ipfix6 = exporter_stream("telegraf-ipfix-example", src="2001:db8::5")
    mixed = interleave(v9a, v9b, v9c, sflow, ipfix6)
    frames = [(d[0], LINKS[d[5]][1](p)) for d in mixed for p in packets_of(d)]
    # not flow export: TCP, UDP to another port (with --port), a runt, ARP
    noise = [(1700000000.5, ether(ipv4("192.0.2.9", "192.0.2.2", 6, bytes(20)))),
             (1700000000.6, ether(udp4("192.0.2.9", "192.0.2.2", 5353, 53, b"dns?")[0])),
             (1700000000.7, b"\x00" * 10),
             (1700000000.8, b"\x02" * 12 + b"\x08\x06" + bytes(28))]
    mixed_pcap = os.path.join(TMP, "mixed.pcap")
    write_pcap(mixed_pcap, frames + noise, 1)
    counts = replay_to_receiver(mixed_pcap, mixed, "pcap, Ethernet/VLAN/QinQ, IPv4+IPv6",
                                "--port", "2055,4739,6343")
    check(counts.get("skipped: not UDP") == 1 and counts.get("skipped: not IP") == 1
          and counts.get("skipped: destination port not in --port") == 1
          and counts.get("skipped: too short (Ethernet)") == 1,
          "the TCP packet, ARP, the runt and the DNS datagram are not counted as skipped: %s" % counts)

    # every other link type and file variant carries the same datagrams
    sflow_only = sflow
    variants = []
    for name, (linktype, wrap) in LINKS.items():
        for order, nano in (("<", False), (">", True)):
            path = os.path.join(TMP, "sflow-%s-%s.pcap" % (name, "be-ns" if nano else "le-us"))
            write_pcap(path, [(d[0], wrap(p)) for d in sflow_only for p in packets_of(d)], linktype, order, nano)
            variants.append((path, "pcap %s %s" % (name, "big-endian ns" if nano else "little-endian us")))
    for order in ("<", ">"):
        path = os.path.join(TMP, "sflow-%s.pcapng" % ("le" if order == "<" else "be"))
        # interface 0 Ethernet (simple packet blocks), 1 SLL2 in ns, 2 raw IPv4
        pkts = [(i % 3, d[0], LINKS[("ether", "sll2", "raw")[i % 3]][1](p))
                for i, d in enumerate(sflow_only) for p in packets_of(d)]
        write_pcapng(path, [1, 276, 101], pkts, order, nano_iface=1, simple=True)
        variants.append((path, "pcapng %s, Ethernet (simple packets), SLL2 (ns), raw" %
                         ("little-endian" if order == "<" else "big-endian")))
    v6 = exporter_stream("tcpdump-sflow-print-v6")
    path = os.path.join(TMP, "sflow-v6-null.pcap")
    write_pcap(path, [(d[0], null(p)) for d in v6 for p in packets_of(d)], 0)
    for path_, label in variants:
        replay_to_receiver(path_, sflow_only, label)
    replay_to_receiver(path, v6, "pcap BSD loopback, IPv6 exporter")

    # a capture of ordinary traffic: every UDP packet of its truth table
    with open(corpus_path("traffic.truth.tsv"), newline="") as f:
        udp_packets = sum(int(r["pkts_c2s"]) + int(r["pkts_s2c"]) for r in csv.DictReader(f, delimiter="\t")
                          if r["proto"] == "udp")
    rx = Receiver()
    try:
        rc, out, err = nfreplay("--speed", "0", corpus_path("traffic.pcap"), "127.0.0.1", rx.port)
        got = rx.wait(udp_packets)
    finally:
        rx.close()
    check(rc == 0 and summary(out)[0].get("sent") == udp_packets == len(got),
          "traffic.pcap: %d UDP packets in the truth table, %d arrived, exit %d\n%s%s"
          % (udp_packets, len(got), rc, out[:1000], err))
    log("traffic.pcap: its %d UDP packets arrived" % udp_packets)

    # fragments, reassembled: IPFIX over IPv4 (a 3472-byte datagram among
    # others) and over IPv6 (fragment headers), datagrams over 1024 bytes
    # in fragments
    big = exporter_stream("ipfixcol2-example-flows", src="198.51.100.3")
    check(max(len(d[4]) for d in big) > 3000, "the IPFIX capture has no datagram to fragment")
    fragmented = interleave(big, exporter_stream("telegraf-ipfix-example", src="2001:db8::9"))
    frag_ng = os.path.join(TMP, "ipfix-fragments.pcapng")
    write_pcapng(frag_ng, [113], [(0, d[0], sll(p)) for d in fragmented for p in packets_of(d, fragment=1024)],
                 ">", nano_iface=0)
    counts = replay_to_receiver(frag_ng, fragmented, "pcapng SLL, IPv4 and IPv6 fragments")
    want = sum(len(d[4]) + 8 > 1024 for d in fragmented)
    check(counts.get("reassembled datagrams") == want, "%d datagrams to reassemble: %s" % (want, counts))
    # a fragment missing: that datagram is skipped and counted, the others go
    missing = [(d[0], sll(p)) for d in big for p in packets_of(d, fragment=1480)]
    first_big = next(i for i, d in enumerate(big) if len(d[4]) + 8 > 1480)
    drop_at = sum(len(packets_of(d, 1480)) for d in big[:first_big])  # its last fragment (written first)
    frag_pcap = os.path.join(TMP, "ipfix-fragment-missing.pcap")
    write_pcap(frag_pcap, missing[:drop_at] + missing[drop_at + 1:], 113)
    counts = replay_to_receiver(frag_pcap, big[:first_big] + big[first_big + 1:], "a fragment missing")
    check(counts.get("fragments never completed") == 1, "the incomplete datagram is not counted: %s" % counts)

    # an IPFIX file (RFC 5655): one exporter
    ipfix_file = os.path.join(TMP, "flows.ipfix")
    with open(ipfix_file, "wb") as f:
        f.write(b"".join(d[4] for d in big))

    # malformed input of every kind is skipped or ends the replay, cleanly
    small = big[:4]
    frag_seed = os.path.join(TMP, "fragments-seed.pcapng")
    write_pcapng(frag_seed, [113, 1], [(i % 2, d[0], (sll, ether)[i % 2](p))
                                       for i, d in enumerate(small) for p in packets_of(d, fragment=512)])
    seeds = [b"".join(d[4] for d in small)]
    for p in (mixed_pcap, variants[-1][0], path, frag_seed):
        with open(p, "rb") as f:
            seeds.append(f.read())
    fuzz(seeds, 400)

    # --- into rsyslogd: the same records as sending the datagrams directly --
    compare_with_direct(mixed_pcap, by_exporter(mixed), "pcap of 13 exporters into rsyslogd",
                        extra=("--port", "2055,4739,6343"))
    compare_with_direct(frag_ng, by_exporter(fragmented), "pcapng with fragments into rsyslogd")
    compare_with_direct(ipfix_file, {"IPFIX file": [d[4] for d in big]}, "IPFIX file into rsyslogd")
    # --count: the first N datagrams, no more
    v5 = exporter_stream("live-sf-v5", src="192.0.2.5")
    v5_pcap = os.path.join(TMP, "v5.pcap")
    write_pcap(v5_pcap, [(d[0], ether(p)) for d in v5 for p in packets_of(d)], 1)
    counts = compare_with_direct(v5_pcap, by_exporter(v5), "--count 4 into rsyslogd", extra=("--count", "4"),
                                 limit=4)
    check(counts.get("sent") == 4, "--count 4: %s" % counts)

    # --- pacing and the time bound ------------------------------------------
    paced = [(1700000000.0 + 0.3 * i,) + v5[i][1:] for i in range(5)]
    paced_pcap = os.path.join(TMP, "paced.pcap")
    write_pcap(paced_pcap, [(d[0], ether(p)) for d in paced for p in packets_of(d)], 1)
    for speed, low, high in (("1", 1.19, 3.0), ("10", 0.11, 0.6)):
        took = replay_to_receiver(paced_pcap, paced, "--speed %s" % speed, "--speed", speed)["elapsed"]
        log("--speed %s: %.2f s for gaps of 1.2 s" % (speed, took))
        check(low <= took <= high, "--speed %s took %.2f s, not within %g..%g" % (speed, took, low, high))
    slow = paced[:2] + [(1700000100.0,) + paced[2][1:]]  # 100 s later
    slow_pcap = os.path.join(TMP, "slow.pcap")
    write_pcap(slow_pcap, [(d[0], ether(p)) for d in slow for p in packets_of(d)], 1)
    t0 = time.time()
    rc, out, err = nfreplay("--speed", "1", "--max-seconds", "1.5", slow_pcap, "127.0.0.1", 9, timeout=30)
    took = time.time() - t0
    check(rc == 0 and "after --max-seconds 1.5" in out and summary(out)[0].get("sent") == 2,
          "--max-seconds 1.5: exit %d\n%s%s" % (rc, out, err))
    check(took < 10, "--max-seconds 1.5 ran %.1f s" % took)
    log("--max-seconds 1.5, the third datagram due at 100 s: stopped after %.2f s, 2 of 3 sent" % took)
    rc, out, err = nfreplay("--speed", "1", "--max-seconds", "0.5", paced_pcap, "127.0.0.1", 9, timeout=30)
    took = summary(out)[0].get("elapsed", 99)
    check(rc == 0 and summary(out)[0].get("sent") == 2 and 0.3 <= took < 1.5,
          "--max-seconds 0.5 over gaps of 0.3 s: exit %d\n%s%s" % (rc, out, err))

    # --- malformed input and refused destinations --------------------------
    with open(mixed_pcap, "rb") as f:
        data = f.read()
    cut = os.path.join(TMP, "cut.pcap")
    first_two = 24 + sum(16 + len(fr) for _, fr in frames[:2])
    with open(cut, "wb") as f:
        f.write(data[:first_two + 16 + 5])  # two whole packets, then a header and 5 bytes of the third
    rx = Receiver()
    try:
        rc, out, err = nfreplay("--speed", "0", cut, "127.0.0.1", rx.port)
        got = rx.wait(2, timeout=5)
    finally:
        rx.close()
    check(rc == 2 and "truncated" in err and len(got) == 2 and summary(out)[0].get("sent") == 2,
          "truncated pcap: exit %d, %d arrived\n%s%s" % (rc, len(got), out, err))
    log("truncated pcap: exit 2, %r" % err.strip())
    ng = open(frag_ng, "rb").read()
    with open(cut, "wb") as f:
        f.write(ng[:-3])
    rc, out, err = nfreplay("--speed", "0", cut, "127.0.0.1", 9)
    check(rc == 2 and "truncated" in err, "truncated pcapng: exit %d %s%s" % (rc, out, err))
    with open(cut, "wb") as f:
        f.write(open(ipfix_file, "rb").read()[:-1])
    rc, out, err = nfreplay("--speed", "0", cut, "127.0.0.1", 9)
    check(rc == 2 and "truncated" in err and summary(out)[0].get("sent") == len(big) - 1,
          "truncated IPFIX file: exit %d %s%s" % (rc, out, err))
    with open(cut, "wb") as f:
        f.write(b"this is not a capture\n")
    rc, out, err = nfreplay(cut, "127.0.0.1", 9)
    check(rc == 2 and "not a pcap" in err, "a text file: exit %d %s%s" % (rc, out, err))
    for host in ("192.0.2.1", "2001:db8::1"):
        rc, out, err = nfreplay("--speed", "0", mixed_pcap, host, 2055)
        check(rc == 2 and "not a loopback" in err and "sent" not in out,
              "destination %s: exit %d %s%s" % (host, rc, out, err))
    for base in ("10.0.0.1", "127.0.0.1", "127.1.0.255"):
        rc, out, err = nfreplay("--source-base", base, mixed_pcap, "127.0.0.1", 9)
        check(rc == 2 and "--source-base" in err and not out, "--source-base %s: exit %d %s%s" % (base, rc, out, err))
    log("truncated files exit 2; a text file, remote destinations and sources outside 127.X.Y.Z are refused")

    # to ::1 and, with --allow-remote, to an address of this host that is not
    # loopback: one source address, the exporters apart by their ports
    targets = ["::1"]
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # no datagram: finds the address a route would use
        if not probe.getsockname()[0].startswith("127."):
            targets.append(probe.getsockname()[0])
    for host in targets:
        try:
            rx = Receiver(host)
        except OSError as e:
            log("%s: no socket (%s), not tried" % (host, e))
            continue
        try:
            remote = [] if host == "::1" else ["--allow-remote"]
            rc, out, err = nfreplay("--speed", "0", *(remote + [mixed_pcap, host, rx.port]))
            got = rx.wait(len(mixed) + 1, timeout=5)
        finally:
            rx.close()
        sources = {a[0] for a, _ in got}
        ports = {a[1] for a, _ in got}
        check(rc == 0 and len(got) == len(mixed) + 1 and len(sources) == 1 and len(ports) == 14
              and len(summary(out)[1]) == 14,
              "to %s: exit %d, %d datagrams from %s, ports %s\n%s%s" % (host, rc, len(got), sources, ports, out, err))
        log("to %s%s: %d datagrams from %s, %d exporters by port" % (host, " (--allow-remote)" if remote else "",
                                                                     len(got), sources.pop(), len(ports)))
finally:
    shutil.rmtree(TMP, ignore_errors=True)
log("PASS")
