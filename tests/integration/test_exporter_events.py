"""Summaries and exporter health events reach the message stream: with
summaryInterval, exporterTimeout, exporterEvents and exporterTable.max set
small, exporters that appear, change a template, restart, share an
identity with another sender, fall silent and come back each produce their
event (severity notice), summaries count each exporter's datagrams, flows,
octets and packets, and exporters beyond the table's cap share "other"."""
import struct
import time

from harness import Rsyslog, check, fail, log, v9_data_set, v9_template_set

V9_EXPORT_SEC = 1795870712


def v9(seq, sets, uptime=60000, source_id=42):
    return struct.pack("!HHIIII", 9, 1, uptime, V9_EXPORT_SEC, seq, source_id) + sets


def ipfix(seq, domain, sets=b""):
    return struct.pack("!HHIII", 10, 16 + len(sets), V9_EXPORT_SEC, seq, domain) + sets


def other_template_set():
    """Template 256 again, with another layout: source, destination only."""
    body = struct.pack("!HHHHHH", 256, 2, 8, 4, 12, 4)
    return struct.pack("!HH", 0, 4 + len(body)) + body


def events(r, kind=None, address=None):
    out = []
    for rec in r.records():
        nf = rec["data"].get("netflow", {}) if isinstance(rec["data"], dict) else {}
        if nf.get("type") not in ("exporter", "summary"):
            continue
        if kind is not None and nf.get("event", "summary" if nf["type"] == "summary" else None) != kind:
            continue
        if address is not None and nf["exporter"]["address"] != address:
            continue
        out.append(rec)
    return out


def wait_event(r, kind, address, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = events(r, kind, address)
        if got:
            return got
        time.sleep(0.1)
    fail("no %s event for %s within %d s; events: %s" % (
        kind, address, timeout, [(e["data"]["netflow"].get("event", "summary"), e["data"]["netflow"]["exporter"])
                                 for e in events(r)]))


A, B, C, D, E = "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"
params = 'summaryInterval="2" exporterTimeout="3" exporterEvents="on" exporterTable.max="4"'
with Rsyslog(module_params=params) as r:
    r.send([v9(0, v9_template_set() + v9_data_set(3))], addr=A, dst_addr="127.0.0.1")
    first = wait_event(r, "first_seen", A)
    check(first[0]["severity"] == 5, "first_seen severity %s, expected notice (5)" % first[0]["severity"])
    check(first[0]["hostname"] == A, "event hostname %s" % first[0]["hostname"])

    # the same template id with another layout; then a datagram whose uptime went back
    r.send([v9(1, other_template_set())], addr=A, dst_addr="127.0.0.1")
    changed = wait_event(r, "template_changed", A)[0]["data"]["netflow"]
    check(changed["templates_changed"] == 1, "template_changed: %s" % changed)
    r.send([v9(2, v9_template_set() + v9_data_set(2), uptime=1000)], addr=A, dst_addr="127.0.0.1")
    restarted = wait_event(r, "restarted", A)[0]["data"]["netflow"]
    check(restarted["reason"] == "uptime", "restarted: %s" % restarted)

    # B and C send the same IPFIX observation domain: C is a second sender of B's identity
    r.send([ipfix(0, 7)], addr=B, dst_addr="127.0.0.1")
    wait_event(r, "first_seen", B)
    r.send([ipfix(0, 7)], addr=C, dst_addr="127.0.0.1")
    mismatch = wait_event(r, "identity_mismatch", C)[0]["data"]["netflow"]
    check(mismatch["first_address"] == B and "observation domain 7" in mismatch["identity"],
          "identity_mismatch: %s" % mismatch)

    # E changes its template 25 times: at most 10 events a minute, the rest counted
    layouts = [v9_template_set(), other_template_set()]
    r.send([v9(i, layouts[i % 2]) for i in range(26)], addr=E, dst_addr="127.0.0.1", pace=0.01)
    r.wait_counter("events.suppressed", 6)
    per_minute = {}
    for e in events(r, address=E):
        if e["data"]["netflow"]["type"] != "exporter":
            continue
        minute = e["timegenerated"][:16]
        per_minute[minute] = per_minute.get(minute, 0) + 1
    check(max(per_minute.values()) <= 10, "E's events per minute: %s" % per_minute)

    # D is beyond exporterTable.max="4": no event of its own, counted, summed in "other"
    r.send([v9(0, v9_template_set() + v9_data_set(4), source_id=9)], addr=D, dst_addr="127.0.0.1")
    r.wait_counter("datagrams.untracked", 1)
    other = wait_event(r, "summary", "other")
    check(any(o["data"]["netflow"]["flows"] == 4 for o in other), "other's summaries: %s" %
          [o["data"]["netflow"] for o in other])
    check(not events(r, "first_seen", D), "an exporter beyond the cap got an event")

    # A's summaries add up to what it sent: 3 datagrams, 5 flows of 3 packets and 180 octets
    summaries = wait_event(r, "summary", A)
    deadline = time.time() + 10
    while sum(s["data"]["netflow"]["datagrams"] for s in summaries) < 3 and time.time() < deadline:
        time.sleep(0.2)
        summaries = events(r, "summary", A)
    total = {k: sum(s["data"]["netflow"][k] for s in summaries) for k in ("datagrams", "flows", "packets", "octets")}
    log("A summed over %d summaries:" % len(summaries), total)
    check(total == {"datagrams": 3, "flows": 5, "packets": 15, "octets": 900}, "A's summaries: %s" % total)
    check(all(s["severity"] == 5 for s in summaries), "summary severity")

    # A falls silent (3 s), then comes back
    wait_event(r, "silent", A, timeout=10)
    r.send([v9(3, v9_data_set(1))], addr=A, dst_addr="127.0.0.1")
    back = wait_event(r, "back", A)[0]["data"]["netflow"]
    check(back["silent_seconds"] >= 3, "back: %s" % back)
    check(len(events(r, "first_seen", A)) == 1, "first_seen twice for A")
    r.wait_counter("events", len(events(r)))

# format="json" (ecs="on") and format="kv": the same members in the line
for fmt, ecs in (("json", "on"), ("kv", "off")):
    with Rsyslog(inputs='port="0" format="%s" ecs="%s"' % (fmt, ecs),
                 module_params='summaryInterval="1" exporterEvents="on"') as r:
        r.send([v9(0, v9_template_set() + v9_data_set(2))], addr=A, dst_addr="127.0.0.1")
        deadline = time.time() + 10
        lines = []
        while time.time() < deadline and not any("summary" in m for m in lines):
            time.sleep(0.2)
            lines = [rec["msg"] for rec in r.records()]
        log(fmt, [m for m in lines if "flow" not in m.split("type")[-1][:8]])
        if fmt == "json":
            import json
            objs = [json.loads(m) for m in lines]
            nfs = [o["netflow"] for o in objs]
            first = [n for n in nfs if n.get("type") == "exporter" and n.get("event") == "first_seen"]
            summ = [n for n in nfs if n.get("type") == "summary"]
            check(first and first[0]["exporter"] == {"address": A}, "json first_seen: %s" % nfs)
            check(summ and summ[0]["flows"] == 2 and summ[0]["octets"] == 360, "json summary: %s" % summ)
        else:
            check(any(m.startswith('type=exporter exporter_address="%s" event="first_seen"' % A) for m in lines),
                  "kv first_seen: %s" % lines)
            check(any(m.startswith('type=summary exporter_address="%s" ' % A) and " flows=2 " in m for m in lines),
                  "kv summary: %s" % lines)
log("PASS")
