"""Every record of every corpus capture, as the core decodes and renders it
(JSON line, key=value line, ECS, summary; counts plain and renormalised),
and the decoder's return code and counts for every datagram, are what
tests/data/corpus-render.tsv records: a digest per capture and output.

A change of the core that changes any field of any record, or a counter,
fails here. Where the change is on purpose, look at what changed
(tests/unit/render_corpus [-r] tests/data/corpus/captures CAPTURE, before
and after, and diff), then record the new digests:
    python3 tests/integration/test_corpus_render.py --update
(with RENDER_CORPUS pointing at the built tool) and say why in the commit."""
import collections
import csv
import hashlib
import os
import subprocess
import sys

from harness import CORPUS, check, fail, log

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "..", "data", "corpus-render.tsv")
TOOL = os.environ.get("RENDER_CORPUS") or os.path.join(HERE, "..", "unit", "render_corpus")
OUTPUTS = ("rc", "json", "kv", "ecs", "summary")
COLUMNS = ["capture", "renormalize", "records"] + list(OUTPUTS)


def digests(renormalize):
    """{capture: {output: sha256 prefix, "records": n}} from the tool."""
    cmd = [TOOL] + (["-r"] if renormalize else []) + [os.path.join(CORPUS, "captures")]
    run = subprocess.run(cmd, capture_output=True)
    check(run.returncode == 0, "%s failed: %s" % (" ".join(cmd), run.stderr.decode(errors="replace")))
    hashes = collections.defaultdict(lambda: {o: hashlib.sha256() for o in OUTPUTS})
    records = collections.Counter()
    for line in run.stdout.splitlines(keepends=True):
        capture, _, output, _ = line.split(b"\t", 3)
        hashes[capture.decode()][output.decode()].update(line)
        records[capture.decode()] += output == b"json"
    return {c: dict({o: h.hexdigest()[:16] for o, h in outs.items()}, records=str(records[c]))
            for c, outs in hashes.items()}


def current():
    rows = []
    for renormalize in (0, 1):
        for capture, d in sorted(digests(renormalize).items()):
            rows.append(dict(d, capture=capture, renormalize=str(renormalize)))
    return rows


check(os.path.exists(TOOL), "render_corpus not built (%s): run make check" % TOOL)
now = current()
if sys.argv[1:] == ["--update"]:
    with open(TABLE, "w", newline="") as f:
        w = csv.DictWriter(f, COLUMNS, delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(now)
    log("wrote %s: %d rows" % (TABLE, len(now)))
    sys.exit(0)

with open(TABLE, newline="") as f:
    want = list(csv.DictReader(f, delimiter="\t"))
key = lambda r: (r["capture"], r["renormalize"])
want_by, now_by = {key(r): r for r in want}, {key(r): r for r in now}
check(set(want_by) == set(now_by), "captures differ from the table: missing %s, new %s"
      % (sorted(set(want_by) - set(now_by)), sorted(set(now_by) - set(want_by))))
changed = ["%s renormalize=%s: %s" % (k[0], k[1], ", ".join(c for c in COLUMNS[2:] if want_by[k][c] != now_by[k][c]))
           for k in sorted(want_by) if want_by[k] != now_by[k]]
records = sum(int(r["records"]) for r in now if r["renormalize"] == "0")
log("%d captures, %d records, each in %d outputs, plain and renormalised" % (len(now) // 2, records, len(OUTPUTS) - 1))
if changed:
    fail("%d capture outputs changed (see this file's docstring):\n  %s" % (len(changed), "\n  ".join(changed)))
check(records > 10000, "only %d records decoded from the corpus" % records)
log("PASS")
