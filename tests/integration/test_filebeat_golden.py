"""Every netflow.* value Filebeat's netflow goldens give for a capture of our
corpus is what the core renders for the same record, name and value, but
for the differences ACCEPTED lists with their reasons.

The values are in tests/data/filebeat-netflow-values.tsv (capture, record:
the event's index in Filebeat's golden, field, value as JSON; a line
`capture events <n>` per golden), extracted from elastic/beats' goldens by
contrib/filebeat-golden-values.py (tests/data/PROVENANCE.md says from
where). Record i of a golden is compared with the capture's record i as
tests/unit/render_corpus prints it (its JSON line, in datagram order).

Normalised before comparing: Filebeat writes octet arrays base64, we write
them hex; a base64 value equal to our hex value's octets is equal, and so is
an ASA ACL id Filebeat writes as dash-joined hex words. Filebeat
puts an options record's fields under netflow.options and netflow.scope, we
put them in the record itself: options.X and scope.X are compared with our
X. Times are compared as instants to the nanosecond (Filebeat drops a zero
fraction: 12:17:37Z is our 12:17:37.000Z). Nothing else is normalised.

A difference fails unless an ACCEPTED entry (capture, field, reason; fnmatch
patterns) covers it; an entry that covers nothing fails too, so the list
stays what it says. Run with -v to see every difference, accepted or not."""
import base64
import binascii
import collections
import csv
import fnmatch
import json
import os
import re
import subprocess
import sys

from harness import CORPUS, check, fail, log

HERE = os.path.dirname(os.path.abspath(__file__))
VALUES = os.path.join(HERE, "..", "data", "filebeat-netflow-values.tsv")
TOOL = os.environ.get("RENDER_CORPUS") or os.path.join(HERE, "..", "unit", "render_corpus")
MICROSECONDS = ("RFC 7011 6.1.9: a dateTimeMicroseconds' lowest 11 fraction bits are not significant; "
                "we show microseconds, Filebeat the NTP fraction to the nanosecond")

# Filebeat's name -> ours, where Filebeat's is wrong (docs/fields.md, "Field names
# and Filebeat"): the value is compared under our name.
RENAMED = {
    # NetFlow v9 option scope type 1 is System (RFC 3954 6.1), not IANA 1
    "scope.octet_delta_count": "scope_system",
    # YAF's initialTCPFlags & co. (CERT PEN 6871 14, 15, 16398, 16399)
    "initial_tcfp_lags": "initial_tcp_flags",
    "union_tcfp_lags": "union_tcp_flags",
    "reverse_initial_tpcf_lags": "reverse_initial_tcp_flags",
    "reverse_union_tpcf_lags": "reverse_union_tcp_flags",
}

# (capture pattern, field pattern, reason): the differences on purpose.
ACCEPTED = [
    ("*", "netscaler_unknown*",
     "Filebeat names undefined NetScaler elements with Logstash's placeholder names; "
     "imnetflow names no element it has no definition of"),
    ("ls-ipfix-netscaler-with-variable-length-fields", "flow_*_microseconds", MICROSECONDS),
    ("ls-ipfix-netscaler-with-variable-length-fields", "netscaler_http_res_forw_[fl]b",
     "the same dateTimeMicroseconds, another form: we show the time it holds (1900-01-01T01:06:36.115280Z, "
     "an NTP stamp 3996 s after the NTP epoch; 0 is the epoch itself), Filebeat the 64-bit number"),
]


def our_records(capture):
    """The capture's records, each a flat {dotted name: value}, in order."""
    run = subprocess.run([TOOL, os.path.join(CORPUS, "captures"), capture], capture_output=True)
    check(run.returncode == 0, "render_corpus %s failed: %s" % (capture, run.stderr.decode(errors="replace")))
    records = []
    for line in run.stdout.decode().splitlines():
        parts = line.split("\t", 3)
        if len(parts) == 4 and parts[2] == "json":
            members = parts[3].rsplit(" type=", 1)[0]
            records.append(dict(flatten(json.loads("{" + members + "}"))))
    return records


def flatten(obj, prefix=""):
    for key, value in obj.items():
        if isinstance(value, dict):
            yield from flatten(value, prefix + key + ".")
        else:
            yield prefix + key, value


ACL_ID = re.compile(r"^[0-9a-f]{8}(-[0-9a-f]{8})+$")
TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$")


def instant(text):
    """An RFC 3339 UTC time as (seconds text, nanoseconds), else None."""
    m = TIME.match(text)
    return (m.group(1), int((m.group(2) or "").ljust(9, "0"))) if m else None


def same(ours, theirs):
    if ours == theirs and type(ours) is type(theirs):
        return True
    if isinstance(ours, str) and isinstance(theirs, str) and instant(ours) and instant(ours) == instant(theirs):
        return True
    if isinstance(ours, (int, float)) and isinstance(theirs, (int, float)) and not isinstance(ours, bool):
        return ours == theirs
    if isinstance(ours, str) and isinstance(theirs, str):
        if ACL_ID.match(theirs):
            return theirs.replace("-", "") == ours
        try:
            return base64.b64decode(theirs, validate=True) == bytes.fromhex(ours)
        except (binascii.Error, ValueError):
            return False
    return False


def our_name(field):
    if field in RENAMED:
        return RENAMED[field]
    head, _, rest = field.partition(".")
    return rest if head in ("options", "scope") and rest else field


def accepted(capture, field):
    for i, (cpat, fpat, _) in enumerate(ACCEPTED):
        if fnmatch.fnmatchcase(capture, cpat) and fnmatch.fnmatchcase(field, fpat):
            return i
    return None


def main():
    verbose = "-v" in sys.argv[1:]
    check(os.path.exists(TOOL), "render_corpus not built (%s): run make check" % TOOL)
    want = collections.defaultdict(lambda: collections.defaultdict(dict))
    events = {}
    with open(VALUES, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row["record"] == "events":
                events[row["capture"]] = int(row["value"])
            else:
                want[row["capture"]][int(row["record"])][row["field"]] = json.loads(row["value"])
    check(set(want) <= set(events), "values without an events line: %s" % sorted(set(want) - set(events)))
    totals = collections.Counter()
    used = collections.Counter()
    failures = []
    for capture in sorted(events):
        check(os.path.isdir(os.path.join(CORPUS, "captures", capture)), "no capture %s in the corpus" % capture)
        ours = our_records(capture)
        totals["captures"] += 1
        totals["records"] += events[capture]
        if len(ours) < events[capture]:
            failures.append("%s: Filebeat has %d records, we %d" % (capture, events[capture], len(ours)))
        for record, fields in sorted(want[capture].items()):
            mine = ours[record] if record < len(ours) else {}
            for field, theirs in sorted(fields.items()):
                totals["values"] += 1
                value = mine.get(our_name(field), KeyError)
                if value is not KeyError and same(value, theirs):
                    totals["equal"] += 1
                    totals["renamed"] += field in RENAMED
                    continue
                what = "%s record %d %s: ours %s, Filebeat %s" % (
                    capture, record, field, "missing" if value is KeyError else json.dumps(value),
                    json.dumps(theirs))
                i = accepted(capture, field)
                if i is None:
                    failures.append(what)
                else:
                    used[i] += 1
                    totals["accepted"] += 1
                    if verbose:
                        log("accepted (%s): %s" % (ACCEPTED[i][2], what))
    for i, (cpat, fpat, reason) in enumerate(ACCEPTED):
        log("accepted %4d  %s %s: %s" % (used[i], cpat, fpat, reason))
        if not used[i]:
            failures.append("accepted difference %s %s no longer occurs: remove it from ACCEPTED" % (cpat, fpat))
    log("%(captures)d captures, %(records)d Filebeat records, %(values)d values compared: "
        "%(equal)d equal (%(renamed)d of them under our name for a wrong one of Filebeat's), "
        "%(accepted)d accepted differences" % totals)
    if failures:
        fail("%d differences from Filebeat's goldens:\n  %s" % (len(failures), "\n  ".join(failures)))
    check(totals["values"] > 0, "no values compared")
    log("PASS")


if __name__ == "__main__":
    main()
