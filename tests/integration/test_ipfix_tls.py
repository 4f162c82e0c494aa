"""IPFIX over TLS (transport="tls" on rsyslog's gtls netstream driver),
against a real rsyslogd; the test makes its certificates with openssl: a
CA, the collector's certificate (localhost, 127.0.0.1), an exporter's
(exporter.test), one of the same name from another CA, one of the right CA
with another name (stranger.test), and an expired one (exporter.test).

1. Every single-exporter IPFIX capture of the corpus, sent over TLS (one
   connection per capture) and the same datagrams over UDP beside it:
   the records of each capture are the same, field for field, apart from
   the exporter's address and port.
2. A connection with the other CA's certificate is closed by the
   collector and yields no record, while a good connection opened before
   it keeps working across it; so are one with the wrong name
   (authMode x509/name, permittedPeer exporter.test), one with an expired
   certificate and a plain TCP client that sends IPFIX without TLS. Each
   is counted in handshakes.failed (exactly 4); an input with
   permitExpiredCerts="on" takes the expired one; an x509/certvalid
   input accepts the
   wrong name (the name check refused it, not the CA); an x509/fingerprint
   input takes the certificate whose SHA-1 fingerprint it lists and
   refuses another of the same CA.
3. Configuration: TLS parameters on a UDP input, an unknown authMode,
   x509/name without permittedPeer, an unreadable key are errors naming
   the parameter; a driver that cannot load is an error naming
   streamDriver.name."""
import collections
import json
import os
import shutil
import socket
import ssl
import struct
import subprocess
import tempfile
import time

from harness import (RSYSLOGD, Rsyslog, capture_datagrams, check, fail, log, manifest, rsyslog_module,
                     rsyslogd_knows, syntax_check)

# both are installed by contrib/install-deps.sh: their absence is a setup defect
if not rsyslog_module("lmnsd_gtls"):
    fail("rsyslog's gtls driver is not installed (contrib/install-deps.sh installs rsyslog-gnutls)")
if not shutil.which("openssl"):
    fail("openssl is not installed (contrib/install-deps.sh installs it)")

CLOSE_TIMEOUT = 10  # seconds the collector has to close a refused connection

# rsyslog 8.2102 (RHEL 9) takes the CA, certificate and key only as global()
# defaults (imnetflow then warns that its parameters are ignored)
TLS_FILES_PER_INPUT = rsyslogd_knows('module(load="imtcp")\n'
                                     'input(type="imtcp" port="0" streamDriver.CAFile="/dev/null")\n')


def tls_files(certs, prefix="streamDriver."):
    return ('%sCAFile="%s/ca.pem" %sCertFile="%s/server.pem" %sKeyFile="%s/server-key.pem"'
            % (prefix, certs, prefix, certs, prefix, certs))


def make_certs(d):
    """CA, other CA, and the certificates the docstring names."""
    def run(*args):
        subprocess.run(["openssl"] + list(args), check=True, capture_output=True, cwd=d, timeout=60)

    for ca, cn in (("ca", "imnetflow test CA"), ("other-ca", "another CA")):
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + cn,
            "-keyout", ca + "-key.pem", "-out", ca + ".pem")
    for name, cn, san, ca, days in (("server", "localhost", "DNS:localhost,IP:127.0.0.1", "ca", "2"),
                                    ("client", "exporter.test", "DNS:exporter.test", "ca", "2"),
                                    ("rogue", "exporter.test", "DNS:exporter.test", "other-ca", "2"),
                                    ("stranger", "stranger.test", "DNS:stranger.test", "ca", "2"),
                                    ("expired", "exporter.test", "DNS:exporter.test", "ca", "-1")):
        run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + cn, "-keyout", name + "-key.pem",
            "-out", name + ".csr")
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write("subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n" % san)
        run("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + "-key.pem",
            "-CAcreateserial", "-days", days, "-extfile", name + ".ext", "-out", name + ".pem")


def fingerprint(certs, who):
    """who's certificate's SHA-1 fingerprint as permittedPeer takes it."""
    out = subprocess.run(["openssl", "x509", "-in", os.path.join(certs, who + ".pem"), "-noout", "-fingerprint",
                          "-sha1"], check=True, capture_output=True, text=True, timeout=60).stdout
    return "SHA1:" + out.strip().split("=", 1)[1].upper()


def tls_input(certs, name, portfile, params):
    return ('input(type="imnetflow" name="%s" transport="tls" address="127.0.0.1" port="0" '
            'listenPortFileName="%s" %s %s)\n'
            % (name, portfile, tls_files(certs) if TLS_FILES_PER_INPUT else "", params))


def collector(certs, **kw):
    """An Rsyslog whose TLS inputs find the files where this rsyslog takes them."""
    return Rsyslog(globals_="" if TLS_FILES_PER_INPUT else tls_files(certs, "DefaultNetstreamDriver"), **kw)


def tls_client(certs, port, who, src):
    """A TLS connection from src to the collector with who's certificate."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(os.path.join(certs, "ca.pem"))
    ctx.load_cert_chain(os.path.join(certs, who + ".pem"), os.path.join(certs, who + "-key.pem"))
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(CLOSE_TIMEOUT)
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return ctx.wrap_socket(s, server_hostname="localhost")


def close_tls(conn):
    """Ends a TLS connection as an exporter should: close_notify, then close."""
    try:
        conn.unwrap()
    except (OSError, ssl.SSLError, ValueError):
        pass
    conn.close()


def send_quietly(conn, payloads):
    """Sends what the collector takes; a refused connection may fail midway."""
    try:
        for p in payloads:
            conn.sendall(p)
    except (OSError, ssl.SSLError):
        pass


def send_tls(certs, port, who, src, payloads):
    """payloads over one TLS connection from src with who's certificate, ended cleanly."""
    conn = tls_client(certs, port, who, src)
    for p in payloads:
        conn.sendall(p)
    close_tls(conn)


def expect_refused(conn, payloads, what):
    """Sends payloads on conn, which the collector must close within CLOSE_TIMEOUT."""
    send_quietly(conn, payloads)
    wait_closed_by_peer(conn, what)
    conn.close()


def wait_closed_by_peer(conn, what):
    """The collector closes conn (EOF, reset or a TLS alert) within CLOSE_TIMEOUT."""
    deadline = time.time() + CLOSE_TIMEOUT
    while time.time() < deadline:
        try:
            if conn.recv(4096) == b"":
                return
        except socket.timeout:
            break
        except (OSError, ssl.SSLError):
            return
    fail("the collector did not close the %s connection within %ds" % (what, CLOSE_TIMEOUT))


def reduced(record):
    """A record without what differs between transports: exporter address and
    port, the receiving input and host, the time of receipt (and the time
    reported where it is that: a flow time out of range)."""
    r = json.loads(json.dumps(record))
    if r.get("timereported") == r.get("timegenerated"):
        r.pop("timereported")
    exporter = r.get("data", {}).get("netflow", {}).get("exporter", {})
    exporter.pop("address", None)
    exporter.pop("port", None)
    for k in ("timegenerated", "fromhost", "fromhost_ip", "hostname", "inputname"):
        r.pop(k, None)
    return json.dumps(r, sort_keys=True)


def exporter_of(record):
    return record.get("data", {}).get("netflow", {}).get("exporter", {}).get("address")


def header_length(payload):
    return struct.unpack(">H", payload[2:4])[0]


def single_exporter_captures():
    """The IPFIX captures of one exporter whose datagrams are each one IPFIX
    message as its header's length says (telegraf-issue-14370's header
    counts two bytes less than its set: UDP forgives it, a stream cannot
    frame it)."""
    out = []
    for m in manifest():
        if m["protocol"] != "10" or m["templates_present"] != "yes" or int(m["records_structural"]) == 0:
            continue
        datagrams = capture_datagrams(m["id"])
        if (len({(row["src"], row["sport"]) for _, row in datagrams}) == 1 and
                all(len(p) == header_length(p) for p, _ in datagrams)):
            out.append((m["id"], [p for p, _ in datagrams], int(m["records_structural"])))
    return out


def tls_counter(r, name, key):
    """A counter of input name's TLS object (handshakes) or, summed, of its
    listeners (sessions)."""
    objs = r.counters(name_prefix=name + "(tls")
    return sum(int(o.get(key, 0)) for o in objs.values()) if objs else -1


def wait_tls_counter(r, name, key, value, timeout=10):
    """Waits for the counter to reach value, then for an impstats interval
    more; returns it (a test compares it exactly)."""
    deadline = time.time() + timeout
    while tls_counter(r, name, key) < value and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(1.5)
    return tls_counter(r, name, key)


def check_config_errors(certs):
    base = 'module(load="@MODULE@")\n'
    out_action = 'action(type="omfile" file="@DIR@/out")\n'
    files = tls_files(certs)
    cases = [
        ('port="1" streamDriver.authMode="anon"', "streamDriver.authMode"),
        ('port="1" transport="tcp" permittedPeer=["x"]', "permittedPeer"),
        ('port="1" transport="tls" %s streamDriver.authMode="x509/cn" permittedPeer=["x"]' % files,
         "streamDriver.authMode"),
        ('port="1" transport="tls" %s' % files, "permittedPeer"),
        ('port="1" transport="tls" %s permittedPeer=["x"] streamDriver.mode="0"' % files, "streamDriver.mode"),
        ('port="1" transport="tls" permittedPeer=["x"] streamDriver.CertFile="%s/server.pem" '
         'streamDriver.KeyFile="%s/missing-key.pem"' % (certs, certs), "streamDriver.KeyFile"),
        ('port="1" transport="tls" %s permittedPeer=["x"] streamDriver.permitExpiredCerts="maybe"' % files,
         "streamDriver.permitExpiredCerts"),
    ]
    for params, needle in cases:
        rc, out = syntax_check(base + 'input(type="imnetflow" %s)\n' % params + out_action)
        check(rc != 0, "rsyslogd -N1 accepted %s:\n%s" % (params, out))
        check(needle.lower() in out.lower(), "no message naming %s for %s:\n%s" % (needle, params, out))
    rc, out = syntax_check(base + 'input(type="imnetflow" port="1" transport="tls" %s permittedPeer=["x"] '
                           'streamDriver.authMode="x509/name" streamDriver.permitExpiredCerts="off")\n'
                           % files + out_action)
    check(rc == 0, "a valid TLS input was rejected:\n" + out)
    log("config errors: %d cases, each naming its parameter" % len(cases))

    # a driver that cannot load: found when the input starts
    r = collector(certs, default_input=False, extra=tls_input(certs, "nodrv", "@DIR@/port", 'permittedPeer=["x"] '
                                                     'streamDriver.name="nosuch"'))
    try:
        r.proc = subprocess.Popen([RSYSLOGD, "-n", "-f", r.conf, "-i", r.pidfile], stdin=subprocess.DEVNULL,
                                  stdout=open(r.stderr, "w"), stderr=subprocess.STDOUT)
        deadline = time.time() + 15
        while 'streamDriver.name="nosuch"' not in r.read_stderr() and time.time() < deadline:
            time.sleep(0.1)
        check('streamDriver.name="nosuch"' in r.read_stderr(),
              "no error naming streamDriver.name for a driver that cannot load:\n" + r.read_stderr())
    finally:
        r.cleanup()
    log("a driver that cannot load: reported, naming streamDriver.name")


def main():
    certs = tempfile.mkdtemp(prefix="imnetflow-tls-certs-")
    try:
        make_certs(certs)
        check_config_errors(certs)
        run(certs)
    finally:
        shutil.rmtree(certs, ignore_errors=True)
    log("PASS")


def run(certs):
    captures = single_exporter_captures()
    check(len(captures) >= 10, "only %d single-exporter IPFIX captures in the corpus" % len(captures))
    total = sum(n for _, _, n in captures)
    extra = (tls_input(certs, "tls", "@DIR@/tls.port", 'streamDriver.authMode="x509/name" '
                       'permittedPeer=["exporter.test"]') +
             tls_input(certs, "tlsvalid", "@DIR@/valid.port", 'streamDriver.authMode="x509/certvalid"') +
             tls_input(certs, "tlsfp", "@DIR@/fp.port", 'streamDriver.authMode="x509/fingerprint" '
                       'permittedPeer=["%s"]' % fingerprint(certs, "client")) +
             tls_input(certs, "tlsexp", "@DIR@/exp.port", 'permittedPeer=["exporter.test"] '
                       'streamDriver.permitExpiredCerts="on"'))
    with collector(certs, inputs='port="0" name="udp" rcvbufSize="8m"', extra=extra) as r:
        tls_port = r.wait_port(os.path.join(r.dir, "tls.port"))
        valid_port = r.wait_port(os.path.join(r.dir, "valid.port"))
        fp_port = r.wait_port(os.path.join(r.dir, "fp.port"))
        exp_port = r.wait_port(os.path.join(r.dir, "exp.port"))

        # 1. each capture over UDP from 127.0.1.k and over TLS from 127.0.2.k
        for k, (cid, payloads, _) in enumerate(captures, start=1):
            r.send(payloads, addr="127.0.1.%d" % k, dst_addr="127.0.0.1", pace=0.002)
            send_tls(certs, tls_port, "client", "127.0.2.%d" % k, payloads)
        got = r.wait_records(2 * total, timeout=60)
        by_exporter = collections.defaultdict(list)
        for g in got:
            by_exporter[exporter_of(g)].append(reduced(g))
        for k, (cid, _, n) in enumerate(captures, start=1):
            udp, tls = by_exporter["127.0.1.%d" % k], by_exporter["127.0.2.%d" % k]
            check(len(udp) == n, "%s over UDP: %d records, want %d" % (cid, len(udp), n))
            check(len(tls) == n, "%s over TLS: %d records, want %d" % (cid, len(tls), n))
            check(sorted(udp) == sorted(tls), "%s: the records over TLS differ from those over UDP" % cid)
        opened = wait_tls_counter(r, "tls", "sessions.opened", len(captures))
        check(opened == len(captures), "sessions.opened is %d, want %d" % (opened, len(captures)))
        log("1. %d captures, %d records each way: TLS records equal UDP records" % (len(captures), total))

        # 2. refusals beside a working connection
        cid, payloads, n = max(captures, key=lambda c: len(c[1]))
        half = len(payloads) // 2
        before = len(r.lines())
        good = tls_client(certs, tls_port, "client", "127.0.3.1")
        for p in payloads[:half]:
            good.sendall(p)
        for who, src, port in (("rogue", "127.0.3.2", tls_port), ("stranger", "127.0.3.3", tls_port),
                               ("expired", "127.0.3.8", tls_port)):
            expect_refused(tls_client(certs, port, who, src), payloads, who)
        plain = socket.create_connection(("127.0.0.1", tls_port), timeout=CLOSE_TIMEOUT,
                                         source_address=("127.0.3.4", 0))
        expect_refused(plain, payloads, "plain TCP")
        for p in payloads[half:]:
            good.sendall(p)
        close_tls(good)
        send_tls(certs, valid_port, "stranger", "127.0.3.5", payloads)
        # x509/fingerprint: the client's certificate, not the stranger's of the same CA
        expect_refused(tls_client(certs, fp_port, "stranger", "127.0.3.6"), payloads, "stranger (fingerprint)")
        send_tls(certs, fp_port, "client", "127.0.3.7", payloads)
        send_tls(certs, exp_port, "expired", "127.0.3.9", payloads)
        got = r.wait_records(before + 4 * n, timeout=30)
        time.sleep(1)  # what a refused connection would have brought
        got = r.records()
        senders = collections.Counter(exporter_of(g) for g in got[before:])
        check(senders == {"127.0.3.1": n, "127.0.3.5": n, "127.0.3.7": n, "127.0.3.9": n},
              "records by exporter after the refusals: %s (want %d from 127.0.3.1, .5, .7 and .9 only)"
              % (dict(senders), n))
        failed = wait_tls_counter(r, "tls", "handshakes.failed", 4)
        check(failed == 4, "handshakes.failed of the x509/name input is %d, want 4" % failed)
        completed = tls_counter(r, "tls", "handshakes.completed")
        check(completed == len(captures) + 1, "handshakes.completed is %d, want %d"
              % (completed, len(captures) + 1))
        check(tls_counter(r, "tlsvalid", "handshakes.completed") == 1, "the certvalid input's connection "
              "was not counted")
        check(tls_counter(r, "tlsfp", "handshakes.completed") == 1 and
              tls_counter(r, "tlsfp", "handshakes.failed") == 1,
              "x509/fingerprint input: handshakes.completed %d, .failed %d, want 1 and 1"
              % (tls_counter(r, "tlsfp", "handshakes.completed"), tls_counter(r, "tlsfp", "handshakes.failed")))
        check(r.alive(), "rsyslogd died")
        log("2. other CA, wrong name, expired certificate and plain TCP refused (handshakes.failed 4), the "
            "good connection beside them delivered all %d records; certvalid accepted the other name; "
            "x509/fingerprint took the client's certificate and refused the stranger's; "
            "permitExpiredCerts=on took the expired one" % n)


main()
