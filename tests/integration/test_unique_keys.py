"""Every name in a record is one key: an IPFIX flow carrying NetGauze's
element 3746/8 (its own "ingress interface name") from an exporter that
also sent an interface-name options record renders the joined name and the
vendor element under two names, in format="json" lines and in the tree.
Until the decoder's own elements joined the registry, the line held
"ingress_interface_name" twice."""
import json
import struct

from harness import Rsyslog, check, fail, log

EXPORT = 1795870712


def varlen(text):
    b = text.encode()
    return struct.pack("!B", len(b)) + b


def ipfix_message(seq, sets):
    body = b"".join(struct.pack("!HH", set_id, 4 + len(content)) + content for set_id, content in sets)
    return struct.pack("!HHIII", 10, 16 + len(body), EXPORT, seq, 1) + body


# options template 300: scope ingressInterface, then interfaceName
options_template = struct.pack("!HHH", 300, 2, 1) + struct.pack("!HHHH", 10, 4, 82, 65535)
options_data = struct.pack("!I", 3) + varlen("eth0")
# template 301: ingressInterface, sourceIPv4Address, NetGauze 3746/8 (a string)
flow_template = (struct.pack("!HH", 301, 3) + struct.pack("!HHHH", 10, 4, 8, 4)
                 + struct.pack("!HHI", 0x8000 | 8, 65535, 3746))
flow_data = struct.pack("!I4s", 3, bytes([10, 0, 0, 7])) + varlen("ng0")
datagrams = [ipfix_message(0, [(3, options_template), (300, options_data)]),
             ipfix_message(1, [(2, flow_template), (301, flow_data)])]


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        fail("keys repeated in one object: %s" % dup)
    return dict(pairs)


for inputs in ('port="0" format="json"', 'port="0"'):
    with Rsyslog(inputs=inputs) as r:
        r.send(datagrams, pace=0.05)
        records = r.wait_records(2)  # the options record, then the flow
    check(len(records) == 2, "%s: %d records" % (inputs, len(records)))
    if "format" in inputs:
        docs = [json.loads(rec["msg"], object_pairs_hook=no_duplicates) for rec in records]
    else:
        docs = [rec["data"]["netflow"] for rec in records]
    check([d.get("type") for d in docs] == ["options", "flow"], "%s: %r" % (inputs, docs))
    nf = docs[1]
    log("%s: %s" % (inputs, {k: v for k, v in nf.items() if "interface" in k}))
    check(nf.get("ingress_interface") == 3, "ingress_interface: %r" % nf)
    check(nf.get("ingress_interface_name") == "eth0", "joined name: %r" % nf)
    check(nf.get("netgauze_ingress_interface_name") == "ng0", "NetGauze's element: %r" % nf)
log("PASS")
