"""Every NetFlow v9 and IPFIX capture of the corpus through a real
rsyslogd: each capture yields exactly the manifest's structural record count
(flows plus options records), templates are kept apart per exporter, and no
datagram of a valid capture is counted as malformed.

All captures are replayed into one rsyslogd; each capture's exporters get
loopback addresses of their own, so template ids that several captures use
cannot collide, as they would not between real exporters."""
import collections

from harness import Rsyslog, capture_datagrams, check, log, manifest

captures = [m for m in manifest() if m["protocol"] in ("9", "10")]
check(captures, "the manifest lists no v9/IPFIX capture")


def exporter_address(capture_index, source_index):
    return "127.%d.%d.%d" % (10 + source_index, capture_index // 250, capture_index % 250 + 1)


plan = []       # (address, source port, payload)
expected = {}   # capture id -> records
owner = {}      # exporter address -> capture id
for i, cap in enumerate(captures):
    sources = {}
    for payload, row in capture_datagrams(cap["id"]):
        src = (row["src"], row["sport"])
        j = sources.setdefault(src, len(sources))
        addr = exporter_address(i, j)
        owner[addr] = cap["id"]
        plan.append((addr, int(row["sport"]), payload))
    expected[cap["id"]] = int(cap["records_structural"])

total = sum(expected.values())
with Rsyslog(inputs='port="0" rcvbufSize="16m"') as r:
    for addr, sport, payload in plan:
        r.send([payload], src_port=sport, addr=addr, dst_addr="127.0.0.1", pace=0.002)
    got = r.wait_records(total, timeout=60)
    r.wait_counter("records.decoded", total)
    # template-state counters reach impstats within a second or two
    r.wait_counter("templates.added", 1)
    r.wait_counter("pending.buffered", 1)
    counters = r.counters()
    check(r.alive(), "rsyslogd died")
    received = sum(int(c.get("datagrams.received", 0)) for c in counters.values())
    check(received == len(plan), "%d of %d datagrams received" % (received, len(plan)))

per_capture = collections.Counter(owner.get(g["data"]["netflow"]["exporter"]["address"], "?") for g in got)
bad = []
for cid, want in expected.items():
    mark = "" if per_capture[cid] == want else "   <-- MISMATCH"
    log("%-70s %5d records (manifest %d)%s" % (cid, per_capture[cid], want, mark))
    if per_capture[cid] != want:
        bad.append(cid)
malformed = sum(int(c.get("datagrams.malformed", 0)) for c in counters.values())
session = counters.get("imnetflow(templates)", {})
missing = sum(int(c.get("sequence.missing", 0)) for c in counters.values())
log("template counters %s; sequence.missing %d" % (session, missing))
# the corpus has templates, data ahead of its template (ipt_NETFLOW, NetScaler)
# and sequence gaps (captures cut out of longer streams)
check(int(session.get("templates.added", 0)) > 0, "templates.added not counted")
check(int(session.get("pending.buffered", 0)) > 0, "pending.buffered not counted")
check(missing > 0, "sequence gaps not counted")
log("total %d records from %d captures (%d datagrams), malformed datagrams %d"
    % (len(got), len(captures), len(plan), malformed))
check(not bad, "record counts differ for %s" % ", ".join(bad))
# RFC 6313: YAF's subTemplateMultiList becomes an array of objects
yaf = [g["data"]["netflow"] for g in got
       if owner.get(g["data"]["netflow"]["exporter"]["address"]) == "ls-ipfix-yaf-basic-with-applabel"]
lists = [nf["sub_template_multi_list"] for nf in yaf if "sub_template_multi_list" in nf]
log("YAF lists: %s" % lists[:2])
check(lists and all(isinstance(x, list) for x in lists), "YAF subTemplateMultiList not decoded: %s" % lists)
check(any(isinstance(o, dict) and "source_mac_address" in o for x in lists for o in x),
      "YAF subTemplateMultiList records lack their fields: %s" % lists)
check(len(got) == total, "%d records in all, expected %d" % (len(got), total))
log("PASS")
