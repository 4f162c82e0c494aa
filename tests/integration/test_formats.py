"""format="json" and format="kv" carry the same record as the structured
$!netflow tree, field for field, for every capture of the corpus (NetFlow
v1/v5/v9, IPFIX with RFC 6313 lists and strings, sFlow).

One rsyslogd has three inputs; each capture is replayed to each input from
exporter addresses of its own (so that template state cannot leak from one
input's exporters to another's). The tree's records, the JSON lines parsed
from msg, and the key=value lines parsed back must be the same multiset.
A pre-rendered message carries no $! tree."""
import collections
import json
import re

from harness import Rsyslog, capture_datagrams, check, log, manifest

INPUTS = ("tree", "json", "kv")
captures = [m for m in manifest() if m["protocol"] in ("1", "5", "9", "10", "sflow5", "sflow5/5")]
check(captures, "the manifest lists no capture")

KV = re.compile(r'([a-z0-9_]+)=("(?:[^"\\]|\\.)*"|\S*)')


def kv_record(line):
    """A key=value line back as a dict: quoted values are JSON strings, and
    a JSON array inside one (an RFC 6313 list) is parsed too."""
    out = {}
    for key, value in KV.findall(line):
        if value.startswith('"'):
            value = json.loads(value)
            if value.startswith("["):
                try:
                    value = json.loads(value)
                except ValueError:
                    pass
        out[key] = value
    return out


def as_text(v):
    """The key=value spelling of a tree value."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, dict)):
        return v
    if isinstance(v, float):
        return "%.17g" % v  # the C spelling
    return str(v)


def canonical(rec, kv=False, tree=False):
    """A record without what differs per input (exporter address and port).
    The tree's strings are C strings: a NUL inside one is U+2400 there,
    \\u0000 in the lines (docs/fields.md, "Times")."""
    rec = dict(rec)
    exporter = {}
    for key in list(rec):
        if key.startswith("exporter_"):
            exporter[key[len("exporter_"):]] = rec.pop(key)
    exporter.update(rec.pop("exporter", {}))
    exporter.pop("address", None)
    exporter.pop("port", None)
    if kv:
        rec = {k: as_text(v) for k, v in rec.items()}
        exporter = {k: as_text(v) for k, v in exporter.items()}
    rec["exporter"] = exporter
    text = json.dumps(rec, sort_keys=True)
    return text.replace("\\u2400", "\\u0000") if tree else text


extra = ""
for name in ("json", "kv"):
    extra += ('input(type="imnetflow" address="127.0.0.1" port="0" name="%s" format="%s" '
              'rcvbufSize="16m" listenPortFileName="@DIR@/port-%s")\n' % (name, name, name))

with Rsyslog(inputs='port="0" name="tree" rcvbufSize="16m"', extra=extra) as r:
    ports = {"tree": r.port}
    for name in ("json", "kv"):  # each input writes its file after the first one's
        ports[name] = r.wait_port(r.dir + "/port-" + name)
    sent = 0
    for i, cap in enumerate(captures):
        datagrams = capture_datagrams(cap["id"])
        for k, name in enumerate(INPUTS):
            sources = {}
            r.port = ports[name]
            for payload, row in datagrams:
                j = sources.setdefault((row["src"], row["sport"]), len(sources))
                addr = "127.%d.%d.%d" % (20 + 3 * j + k, i // 250, i % 250 + 1)
                r.send([payload], src_port=int(row["sport"]), addr=addr, dst_addr="127.0.0.1", pace=0.001)
                sent += 1
    got = r.wait_quiet(seconds=2, timeout=120)
    check(r.alive(), "rsyslogd died")

by_input = collections.defaultdict(list)
for g in got:
    by_input[g["inputname"]].append(g)
log("records: %s (from %d datagrams)" % ({k: len(v) for k, v in by_input.items()}, sent))
check(len(by_input["tree"]) > 9000, "too few structured records: %d" % len(by_input["tree"]))

tree = collections.Counter(canonical(g["data"]["netflow"], tree=True) for g in by_input["tree"])
tree_kv = collections.Counter(canonical(g["data"]["netflow"], kv=True, tree=True) for g in by_input["tree"])
for name in ("json", "kv"):
    recs = by_input[name]
    check(all(g["data"] == {} for g in recs), "format=%s messages carry a $! tree" % name)
    if name == "json":
        mine = collections.Counter(canonical(json.loads(g["msg"])) for g in recs)
        want = tree
    else:
        mine = collections.Counter(canonical(kv_record(g["msg"]), kv=True) for g in recs)
        want = tree_kv
    missing, extra_ = want - mine, mine - want
    for a, b in list(zip(missing, extra_))[:2]:
        a, b = json.loads(a), json.loads(b)
        log("%s differs: %s" % (name, {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}))
    check(not missing and not extra_, "format=%s differs from the tree in %d records"
          % (name, sum(missing.values())))
    log("format=%s: %d records, identical to the tree" % (name, len(recs)))
sample = json.loads(by_input["json"][0]["msg"])
log("a JSON line: %s" % json.dumps(sample)[:300])
log("a kv line: %s" % by_input["kv"][0]["msg"][:300])
log("PASS")
