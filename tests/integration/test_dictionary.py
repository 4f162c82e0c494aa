"""module(dictionary="file"): elements the built-in dictionary lacks get
their names and types from the user's file; without it they are emitted
raw, never dropped."""
import os
import struct

from harness import Rsyslog, check, log


def ipfix():
    tmpl_fields = struct.pack("!HHI", 0x8000 | 7, 4, 99999) + struct.pack("!HH", 8, 4)
    tset = struct.pack("!HHHH", 2, 8 + len(tmpl_fields), 300, 2) + tmpl_fields
    dset = struct.pack("!HH", 300, 12) + struct.pack("!I", 4242) + bytes([10, 0, 0, 7])
    body = tset + dset
    return struct.pack("!HHIII", 10, 16 + len(body), 1795870712, 0, 1) + body


def run(module_params):
    with Rsyslog(module_params=module_params) as r:
        r.send([ipfix()])
        got = r.wait_records(1)
    check(len(got) == 1, "no record (%s)" % module_params)
    return got[0]["data"]["netflow"]


raw = run("")
check(raw.get("ie99999_7") == "00001092", "unknown element not emitted raw: %r" % raw)
d = os.path.join(os.environ.get("TMPDIR", "/tmp"), "imnetflow-dict-%d.tsv" % os.getpid())
with open(d, "w") as f:
    f.write("pen\tid\tname\ttype\n99999\t7\tsessionCount\tunsigned32\n")
try:
    named = run('dictionary="%s"' % d)
finally:
    os.unlink(d)
log("without dictionary: ie99999_7=%r; with it: %r" % (raw.get("ie99999_7"), named.get("sessioncount")))
check(named.get("sessioncount") == 4242, "dictionary element not applied: %r" % named)
check(named.get("source_ipv4_address") == "10.0.0.7", "built-in element lost: %r" % named)
log("PASS")
