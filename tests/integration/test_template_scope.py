"""templateScope: templates are keyed by exporter address and domain
(RFC 7011/3954); "address+port" separates exporters sharing an address;
"domain" lets exporters behind NAT (several addresses) share templates,
while each exporter keeps a stream of its own (sequence numbers, and what
its options records teach)."""
import struct
import time

from harness import Rsyslog, check, log

NOW = 1795870712


def v9(seq, *sets):
    return struct.pack("!HHIIII", 9, len(sets), 60000, NOW, seq, 7) + b"".join(sets)


def template(port_len):
    body = struct.pack("!HHHHHH", 256, 2, 4, 1, 7, port_len)  # protocol, source port
    return struct.pack("!HH", 0, 4 + len(body)) + body


def data(port_len, port):
    body = bytes([17]) + port.to_bytes(port_len, "big")
    body += bytes(-len(body) % 4)
    return struct.pack("!HH", 256, 4 + len(body)) + body


def ports(got):
    return sorted(g["data"]["netflow"].get("source_transport_port") for g in got)


# two exporters on one host (ports 40001, 40002), template 256 of different layouts
with Rsyslog(inputs='port="0" templateScope="address+port"') as r:
    r.send([v9(1, template(2))], src_port=40001)
    r.send([v9(1, template(4))], src_port=40002)
    r.send([v9(2, data(2, 1111))], src_port=40001)
    r.send([v9(2, data(4, 2222))], src_port=40002)
    got = r.wait_records(2)
log("address+port: ports %s" % ports(got))
check(ports(got) == [1111, 2222], "address+port scope: %s" % ports(got))

# with the default (address) scope the second template replaces the first
with Rsyslog(inputs='port="0"') as r:
    r.send([v9(1, template(2))], src_port=40001)
    r.send([v9(1, template(4))], src_port=40002)
    r.send([v9(2, data(4, 3333))], src_port=40001)
    got = r.wait_records(1)
log("address: ports %s" % ports(got))
check(ports(got) == [3333], "address scope: %s" % ports(got))

# behind NAT: the template comes from one address, the data from another
for scope, want in (("domain", [4444]), ("address", [])):
    with Rsyslog(inputs='port="0" templateScope="%s"' % scope) as r:
        r.send([v9(1, template(2))], addr="127.0.0.21", dst_addr="127.0.0.1")
        r.send([v9(2, data(2, 4444))], addr="127.0.0.22", dst_addr="127.0.0.1")
        got = r.wait_records(1) if want else r.records_after(3)
    log("%s: ports %s" % (scope, ports(got)))
    check(ports(got) == want, "%s scope: %s, expected %s" % (scope, ports(got), want))

# shared templates, streams apart: two exporters interleave their own
# sequence numbers; nothing is missing, nothing resets
with Rsyslog(inputs='port="0" templateScope="domain"') as r:
    r.send([v9(1, template(2))], addr="127.0.0.21", dst_addr="127.0.0.1")
    for seq in range(2, 6):
        r.send([v9(seq, data(2, 5000 + seq))], addr="127.0.0.21", dst_addr="127.0.0.1")
        r.send([v9(100 + seq, data(2, 6000 + seq))], addr="127.0.0.22", dst_addr="127.0.0.1")
    got = r.wait_records(8)
    r.wait_counter("datagrams.received", 9)
    time.sleep(2.5)  # one more impstats round
    listeners = [c for c in r.counters().values() if "datagrams.received" in c]
    listener = {k: sum(int(c[k]) for c in listeners) for k in ("sequence.missing", "sequence.resets")}
    state = r.counters().get("imnetflow(templates)", {})
log("domain, two exporters: %d records, %s, streams.current %s, scopes.current %s"
    % (len(got), listener, state.get("streams.current"), state.get("scopes.current")))
check(listener["sequence.missing"] == 0 and listener["sequence.resets"] == 0,
      "one exporter's sequence numbers counted against the other's: %s" % listener)
check(int(state.get("streams.current", 0)) == 2, "streams.current %r, expected 2" % state.get("streams.current"))
check(int(state.get("scopes.current", 0)) == 1, "scopes.current %r, expected 1" % state.get("scopes.current"))
log("PASS")
