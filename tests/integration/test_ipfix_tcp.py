"""IPFIX over TCP (RFC 7011 §10.4) against a real rsyslogd: transport="tcp".

- real exporters' captures (softflowd live, ipfixcol2's example, YAF,
  MikroTik) sent over TCP give exactly the records they give over UDP, sent
  whole, split at odd byte boundaries, or a message a send;
- two connections from one address with the same template id and different
  layouts: each connection's data is decoded with its own template;
- garbage connections (random bytes, a bad version, a length below 16, a
  message cut by the close) beside good ones: the good ones' records all
  arrive, each garbage connection is counted in sessions.malformed, one log
  line (rate-limited), rsyslogd alive;
- maxSessions: the connection over the cap is closed at once and counted;
- sessionTimeout: an idle connection is closed and counted, a busy one not;
- templates are withdrawn when their connection closes: a new connection
  from the same address and port gets nothing decoded without a template;
- NetFlow v9 over TCP is refused (its header has no length to frame it):
  the connection is closed and counted;
- allowedExporters: a connection from outside is closed at once and
  counted in disallowed;
- enrichment (the module's networks file) applies to stream records too;
- IPv6: a connection over ::1 is served, its exporter address is ::1.
"""
import collections
import json
import os
import random
import socket
import struct
import threading
import time

from harness import Rsyslog, capture_datagrams, check, log, manifest, v9_datagram, v9_data_set, v9_template_set

NOW = 1795870712
CAPTURES = ["live-sf-v10", "ipfixcol2-example-flows", "ls-ipfix-yaf-basic-with-applabel",
            "ls-ipfix-mikrotik-routeros-6-39-2"]
ODD_CHUNKS = [1, 3, 7, 13, 17, 31, 101, 257, 1021, 2]


def ipfix(seq, *sets, domain=1):
    body = b"".join(sets)
    return struct.pack("!HHIII", 10, 16 + len(body), NOW, seq, domain) + body


def template_set(tid, fields):
    body = struct.pack("!HH", tid, len(fields)) + b"".join(struct.pack("!HH", ie, n) for ie, n in fields)
    return struct.pack("!HH", 2, 4 + len(body)) + body


def data_set(tid, data):
    return struct.pack("!HH", tid, 4 + len(data)) + data


def connect(port, src_port=0, linger0=False):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if linger0:  # close sends a reset: no TIME_WAIT, the port can be used again at once
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.bind(("127.0.0.1", src_port))
    s.connect(("127.0.0.1", port))
    s.settimeout(10)
    return s


def send_odd(s, payload):
    """payload in pieces of odd sizes, each its own segment."""
    off, i = 0, 0
    while off < len(payload):
        n = ODD_CHUNKS[i % len(ODD_CHUNKS)]
        s.sendall(payload[off:off + n])
        off += n
        i += 1
        if i % 8 == 0:
            time.sleep(0.001)


def closed_by_peer(s, timeout=10):
    """True when the collector closes s within timeout seconds."""
    s.settimeout(timeout)
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def counter(r, obj_suffix, key):
    return sum(int(c.get(key, 0)) for name, c in r.counters().items() if name.endswith(obj_suffix))


def wait_exact(r, key, value, timeout=10):
    """The summed counter key reaches value, and is still value a moment later."""
    r.wait_counter(key, value, timeout)
    time.sleep(1.2)
    total = sum(int(c.get(key, 0)) for c in r.counters().values())
    check(total == value, "%s is %d, expected %d" % (key, total, value))


def netflow_view(rec):
    """A record without what differs between transports: the exporter's address and port."""
    nf = json.loads(json.dumps(rec["data"]["netflow"]))
    nf["exporter"].pop("address", None)
    nf["exporter"].pop("port", None)
    return json.dumps(nf, sort_keys=True)


def log_lines(r, text):
    """rsyslogd's error lines (on its standard error, and in its log file) that hold text."""
    return [line for line in r.logged().splitlines() if text in line]




# --- 1. a real exporter's capture: over TCP exactly as over UDP ------------------
rows = {m["id"]: m for m in manifest()}
captures = {c: [p for p, _ in capture_datagrams(c)] for c in CAPTURES}
for c, msgs in captures.items():
    # over TCP a message is framed by its header's length: the capture's must be exact
    check(all(struct.unpack("!HH", p[:4]) == (10, len(p)) for p in msgs), "%s: header length != datagram" % c)
expected = {c: int(rows[c]["records_structural"]) for c in CAPTURES}
modes = ["whole", "odd", "message"]
total = sum(expected.values())
nmsgs = sum(len(m) for m in captures.values())

extra = ('input(type="imnetflow" name="imnetflow-tcp" transport="tcp" address="127.0.0.1" port="0" '
         'listenPortFileName="@DIR@/port")\n'
         'input(type="imnetflow" name="imnetflow-udp" address="127.0.0.1" port="0" rcvbufSize="16m" '
         'listenPortFileName="@DIR@/port.udp")\n')
r = Rsyslog(default_input=False, extra=extra)
with r:
    udp_port = r.wait_port(r.portfile + ".udp")
    owner = {}
    for i, (c, msgs) in enumerate(captures.items()):
        addr = "127.0.0.%d" % (10 + i)
        owner[("udp", addr)] = c
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind((addr, 0))
            for p in msgs:
                u.sendto(p, ("127.0.0.1", udp_port))
                time.sleep(0.002)
        for mode in modes:
            s = connect(r.port)
            owner[("tcp", s.getsockname()[1])] = (c, mode)
            if mode == "whole":
                s.sendall(b"".join(msgs))
            elif mode == "odd":
                send_odd(s, b"".join(msgs))
            else:
                for p in msgs:
                    s.sendall(p)
            s.close()
    got = r.wait_records(4 * total, timeout=90)
    wait_exact(r, "sessions.closed", len(CAPTURES) * len(modes))
    counters = r.counters()
    tcp = counters["imnetflow-tcp(tcp 127.0.0.1/%d)" % r.port]
    time.sleep(1)
    check(len(r.lines()) == 4 * total, "%d records, expected %d" % (len(r.lines()), 4 * total))
    check(r.alive(), "rsyslogd died")

views = collections.defaultdict(collections.Counter)
for g in got:
    ex = g["data"]["netflow"]["exporter"]
    key = owner.get(("udp", ex["address"])) if g["inputname"] == "imnetflow-udp" else owner.get(("tcp", ex["port"]))
    views[key][netflow_view(g)] += 1
for c in CAPTURES:
    n = sum(views[c].values())
    log("%-40s udp %d records (manifest %d)" % (c, n, expected[c]))
    check(n == expected[c], "%s over UDP: %d records, manifest says %d" % (c, n, expected[c]))
    for mode in modes:
        v = views[(c, mode)]
        log("%-40s tcp %-8s %d records, same as udp: %s" % (c, mode, sum(v.values()), v == views[c]))
        check(v == views[c], "%s over TCP (%s): %d records differ from UDP's" % (c, mode, sum(v.values())))
log("tcp listener: %s" % {k: v for k, v in tcp.items() if k.startswith(("sessions", "datagrams", "records"))})
check(int(tcp["datagrams.received"]) == len(modes) * nmsgs,
      "%s messages counted, expected %d" % (tcp["datagrams.received"], len(modes) * nmsgs))
check(int(tcp["sessions.opened"]) == 12 and int(tcp["sessions.malformed"]) == 0, "sessions: %s" % tcp)
check(int(tcp["datagrams.malformed"]) == 0, "malformed messages: %s" % tcp["datagrams.malformed"])
check(int(counters["imnetflow(templates)"]["sandbox.refused"]) == 0, "the stream thread's sandbox refused calls")

# --- 2. two connections, one template id, two layouts --------------------------
LAYOUT_A = [(4, 1), (7, 2), (11, 2)]   # protocol, source port, destination port
LAYOUT_B = [(11, 2), (7, 2), (4, 1)]   # the same, the other way round
DATA = bytes([6, 0x04, 0x57, 0x08, 0xAE])
with Rsyslog(inputs='port="0" transport="tcp"') as r:
    a, b = connect(r.port), connect(r.port)
    a.sendall(ipfix(0, template_set(256, LAYOUT_A)))
    b.sendall(ipfix(0, template_set(256, LAYOUT_B)))
    time.sleep(0.3)
    a.sendall(ipfix(0, data_set(256, DATA)))
    b.sendall(ipfix(0, data_set(256, DATA)))
    got = r.wait_records(2)
    ports = {a.getsockname()[1]: "a", b.getsockname()[1]: "b"}
    a.close()
    b.close()
    decoded = {ports[g["data"]["netflow"]["exporter"]["port"]]:
               (g["data"]["netflow"]["protocol_identifier"], g["data"]["netflow"]["source_transport_port"],
                g["data"]["netflow"]["destination_transport_port"]) for g in got}
log("same template id, two connections: %s" % decoded)
check(decoded == {"a": (6, 1111, 2222), "b": (174, 22280, 1540)}, "decoded with the wrong template: %s" % decoded)

# --- 3. garbage connections beside good ones ------------------------------------
good = captures["live-sf-v10"]
with Rsyslog(inputs='port="0" transport="tcp"') as r:
    goods = [connect(r.port) for _ in range(2)]
    senders = [threading.Thread(target=send_odd, args=(s, b"".join(good))) for s in goods]
    for t in senders:
        t.start()
    junk = random.Random(20).randbytes(4096)
    garbage = [
        b"\xff" + junk[1:],                                       # random bytes
        struct.pack("!HHIII", 5, 24, NOW, 0, 0) + bytes(8),        # a version that is not IPFIX
        struct.pack("!HHIII", 10, 8, NOW, 0, 1) + bytes(64),       # a length below the header's 16
        struct.pack("!HHIII", 10, 1000, NOW, 0, 1) + bytes(84),    # 100 of 1000 bytes, then the close
    ]
    refused = []
    for g in garbage:
        s = connect(r.port)
        s.sendall(g)
        if g is garbage[-1]:
            s.close()
        else:
            refused.append(closed_by_peer(s))
            s.close()
    connect(r.port).close()                                        # nothing at all: not malformed
    for t in senders:
        t.join(30)
    got = r.wait_records(2 * 770, timeout=30)
    for s in goods:
        s.close()
    wait_exact(r, "sessions.closed", 2 + len(garbage) + 1)
    malformed = counter(r, "", "sessions.malformed")
    opened = counter(r, "", "sessions.opened")
    lines = log_lines(r, "closed:")
    time.sleep(1)
    n = len(r.lines())
    alive = r.alive()
log("garbage: closed by the collector %s, sessions.malformed %d, opened %d, %d records, log lines %d: %s"
    % (refused, malformed, opened, n, len(lines), lines[:1]))
check(all(refused), "a garbage connection was not closed by the collector: %s" % refused)
check(malformed == len(garbage), "sessions.malformed %d, expected %d" % (malformed, len(garbage)))
check(opened == 2 + len(garbage) + 1, "sessions.opened %d" % opened)
check(n == 2 * 770, "good connections: %d records, expected %d" % (n, 2 * 770))
check(len(lines) == 1 and "version 65" in lines[0], "expected one (rate-limited) log line: %s" % lines)
check(alive, "rsyslogd died")

# --- 4. maxSessions -------------------------------------------------------------
with Rsyslog(inputs='port="0" transport="tcp" maxSessions="3" sessionTimeout="0"') as r:
    conns = [connect(r.port) for _ in range(3)]
    for s in conns:
        s.sendall(ipfix(0, template_set(256, LAYOUT_A)))
    r.wait_counter("sessions.opened", 3)
    over = connect(r.port)
    check(closed_by_peer(over), "the connection over maxSessions was not closed")
    over.close()
    wait_exact(r, "sessions.refused", 1)
    for s in conns:
        s.sendall(ipfix(1, data_set(256, DATA)))
    r.wait_records(3)
    conns[0].close()
    r.wait_counter("sessions.closed", 1)
    again = connect(r.port)                      # below the cap again: accepted
    again.sendall(ipfix(0, template_set(256, LAYOUT_A), data_set(256, DATA)))
    r.wait_records(4)
    wait_exact(r, "sessions.opened", 4)
    refusedCount = counter(r, "", "sessions.refused")
    for s in conns[1:] + [again]:
        s.close()
log("maxSessions=3: 4th refused, sessions.refused %d" % refusedCount)
check(refusedCount == 1, "sessions.refused %d, expected 1" % refusedCount)

# --- 5. sessionTimeout ----------------------------------------------------------
def keep_busy(s, stop, sent):
    """A data message every 0.4 s until stop is set."""
    while not stop.is_set():
        s.sendall(ipfix(len(sent) + 1, data_set(256, DATA)))
        sent.append(time.time())
        stop.wait(0.4)


with Rsyslog(inputs='port="0" transport="tcp" sessionTimeout="2"') as r:
    idle, busy = connect(r.port), connect(r.port)
    busy.sendall(ipfix(0, template_set(256, LAYOUT_A)))
    stop, sent = threading.Event(), []
    sender = threading.Thread(target=keep_busy, args=(busy, stop, sent))
    sender.start()
    t0 = time.time()
    idle.sendall(ipfix(0, template_set(256, LAYOUT_A)))
    closed = closed_by_peer(idle, timeout=6)
    idle_for = time.time() - t0
    time.sleep(2)                                  # the busy one stays open meanwhile
    wait_exact(r, "sessions.timedout", 1)
    stop.set()
    sender.join(10)
    busy.sendall(ipfix(len(sent) + 1, data_set(256, DATA)))  # still open
    n = len(r.wait_records(len(sent) + 1))
    timedout = counter(r, "", "sessions.timedout")
    busy.close()
    idle.close()
log("sessionTimeout=2: idle closed after %.1f s, sessions.timedout %d, the busy connection kept (%d records)"
    % (idle_for, timedout, n))
# whole seconds, checked once a second: closed 2 to 4 s after its last byte
check(closed and 2 <= idle_for < 4.5, "the idle connection closed %s after %.1f s" % (closed, idle_for))
check(timedout == 1, "sessions.timedout %d, expected 1" % timedout)
check(n == len(sent) + 1, "busy connection: %d records, %d sent" % (n, len(sent) + 1))

# --- 6. templates withdrawn when the connection closes ---------------------------
with Rsyslog(inputs='port="0" transport="tcp"') as r:
    first = connect(r.port, linger0=True)
    port = first.getsockname()[1]
    first.sendall(ipfix(0, template_set(256, LAYOUT_A), template_set(257, LAYOUT_B)))
    first.sendall(ipfix(1, data_set(256, DATA)))
    r.wait_records(1)
    r.wait_counter("templates.current", 2)
    first.close()                                  # a reset: the port is free at once
    wait_exact(r, "templates.withdrawn", 2)
    wait_exact(r, "templates.current", 0)
    second = connect(r.port, src_port=port)        # the same address and port, no template
    second.sendall(ipfix(2, data_set(256, DATA)))
    wait_exact(r, "pending.buffered", 1)
    n = len(r.records_after(2))
    second.close()
log("withdrawn on close: a new connection from port %d gets %d more records" % (port, n - 1))
check(n == 1, "data of a closed connection's template decoded: %d records" % n)

# --- 7. NetFlow v9 over TCP: refused --------------------------------------------
with Rsyslog(inputs='port="0" transport="tcp"') as r:
    s = connect(r.port)
    s.sendall(v9_datagram(1, v9_template_set() + v9_data_set(3)))
    closed = closed_by_peer(s)
    s.close()
    wait_exact(r, "sessions.malformed", 1)
    n = len(r.records_after(1))
    lines = log_lines(r, "NetFlow v9")
log("v9 over TCP: closed %s, %d records, log: %s" % (closed, n, lines[:1]))
check(closed and n == 0 and len(lines) == 1, "v9 over TCP: closed %s, %d records, %d log lines" % (closed, n, len(lines)))

# --- 8. allowedExporters: a connection from outside is closed at once -----------
with Rsyslog(inputs='port="0" transport="tcp" allowedExporters=["127.0.0.2"]') as r:
    outside = connect(r.port)
    closed = closed_by_peer(outside)
    outside.close()
    inside = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    inside.bind(("127.0.0.2", 0))
    inside.connect(("127.0.0.1", r.port))
    inside.sendall(ipfix(0, template_set(256, LAYOUT_A), data_set(256, DATA)))
    r.wait_records(1)
    inside.close()
    wait_exact(r, "disallowed", 1)
    opened = counter(r, "", "sessions.opened")
log("allowedExporters: outside closed %s, sessions.opened %d" % (closed, opened))
check(closed and opened == 1, "allowedExporters over TCP: outside closed %s, opened %d" % (closed, opened))

# --- 9. enrichment: the networks file names a stream record's endpoints -----------
LAYOUT_V4 = [(8, 4), (12, 4)]                  # IPv4 source, destination
nets = "/tmp/imnetflow-tcp-networks-%d.csv" % os.getpid()
with open(nets, "w") as f:
    f.write("10.0.0.0/8,lab\n")
try:
    with Rsyslog(inputs='port="0" transport="tcp"', module_params='networks="%s"' % nets) as r:
        s = connect(r.port)
        s.sendall(ipfix(0, template_set(300, LAYOUT_V4), data_set(300, bytes([10, 0, 0, 1, 192, 0, 2, 1]))))
        got = r.wait_records(1)
        s.close()
finally:
    os.unlink(nets)
name = got[0]["data"]["netflow"].get("source_network_name")
log("enrichment over TCP: source_network_name %r" % name)
check(name == "lab", "networks file not applied to a stream record: %r" % got[0]["data"]["netflow"])

# --- 10. IPv6 --------------------------------------------------------------------
extra = ('input(type="imnetflow" transport="tcp" address="::1" port="0" '
         'listenPortFileName="@DIR@/port")\n')
with Rsyslog(default_input=False, extra=extra) as r:
    with socket.create_connection(("::1", r.port)) as s:
        s.sendall(ipfix(0, template_set(256, LAYOUT_A), data_set(256, DATA)))
        got = r.wait_records(1)
    r.wait_counter("sessions.opened", 1)
    ex = got[0]["data"]["netflow"]["exporter"]
    names = [n for n in r.counters() if "tcp" in n]
log("IPv6: exporter %s, listener %s" % (ex, names))
check(ex["address"] == "::1" and got[0]["data"]["netflow"]["source_transport_port"] == 1111,
      "IPv6 record: %s" % got[0]["data"]["netflow"])
check(names == ["imnetflow(tcp ::1/%d)" % r.port], "listener objects %s" % names)
