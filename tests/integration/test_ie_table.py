"""The committed information-element table is what contrib/gen-ie-table.py
makes from the committed dictionaries (contrib/dictionaries): no hand edit of
the generated files, and no dictionary change without regenerating them
(`make ie-table`)."""
import os
import subprocess
import sys
import tempfile

from harness import check, log

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
GENERATED = {"-o": "imnetflow/nf_ie_table.c", "-H": "imnetflow/nf_ie_iana.h", "-L": "imnetflow/nf_ie_local.h"}

with tempfile.TemporaryDirectory() as tmp:
    cmd = [sys.executable, os.path.join(TOP, "contrib", "gen-ie-table.py"), os.path.join(TOP, "contrib", "dictionaries")]
    for flag, path in GENERATED.items():
        cmd += [flag, os.path.join(tmp, os.path.basename(path))]
    run = subprocess.run(cmd, capture_output=True, text=True)
    check(run.returncode == 0, "generator failed: %s" % run.stderr)
    for path in GENERATED.values():
        with open(os.path.join(TOP, path), encoding="utf-8") as f:
            committed = f.read()
        with open(os.path.join(tmp, os.path.basename(path)), encoding="utf-8") as f:
            made = f.read()
        check(made == committed, "%s is not what the generator makes from contrib/dictionaries: run make ie-table" % path)
        log("%s: %d lines, as generated" % (path, committed.count("\n")))
log("PASS")
