"""Hostile input: thousands of malformed datagrams, interleaved with valid
ones, leave rsyslogd running; every valid flow lands, the malformed counter
equals the number of bad datagrams sent, the error log is rate-limited, and
shutdown is prompt."""
import os
import random
import struct
import time

from harness import Rsyslog, check, log

VALID = 100          # valid v5 datagrams of 10 records each
BAD_PER_KIND = 3000  # of each kind of malformed datagram: 24,000 in all


def v5(count, seq, real_count=None):
    real_count = count if real_count is None else real_count
    head = struct.pack("!HHIIIIBBH", 5, count, 50000, 1795870712, 0, seq, 0, 0, 0)
    body = b"".join(struct.pack("!4s4s4sHHIIIIHHBBBBHHBBH", bytes([10, 9, seq % 256, i]),
                                bytes([192, 0, 2, 9]), bytes(4), 1, 2, 1, 60, 49000, 49500,
                                2000 + i, 53, 0, 0, 17, 0, 0, 0, 0, 0, 0)
                    for i in range(real_count))
    return head + body


rng = random.Random(2026)
bad_kinds = {
    "empty": lambda: b"",
    "one byte": lambda: b"\x05",
    "short v5 header": lambda: v5(0, 1)[: rng.randrange(2, 24)],
    "short v1 header": lambda: struct.pack("!HH", 1, 0) + bytes(rng.randrange(0, 12)),
    "v5 count beyond datagram": lambda: v5(rng.randrange(2, 0xffff), 2, real_count=1),
    "v7 truncated record": lambda: struct.pack("!HHIIIII", 7, 1, 0, 0, 0, 0, 0) + bytes(51),
    "unknown version": lambda: struct.pack("!H", rng.choice([0x0002, 0x0003, 0x0008, 0xffff]))
    + bytes(rng.randrange(0, 200)),
    # random bytes, but never a version the module decodes
    "garbage": lambda: b"\xff" + bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 1400))),
}

bad = [(k, f()) for k, f in bad_kinds.items() for _ in range(BAD_PER_KIND)]
rng.shuffle(bad)
valid = [v5(10, s) for s in range(VALID)]
stream = list(bad)
for i, d in enumerate(valid):  # spread the valid datagrams through the flood
    stream.insert((i * len(stream)) // VALID, ("valid", d))

with Rsyslog(inputs='port="0" rcvbufSize="16m"') as r:
    t0 = time.time()
    r.send([d for _, d in stream])
    rate = len(stream) / (time.time() - t0)
    got = r.wait_records(VALID * 10)
    malformed = r.wait_counter("datagrams.malformed", len(bad))
    received = r.wait_counter("datagrams.received", len(stream))
    failed = sum(int(c.get("records.failed", -1)) for c in r.counters().values() if "datagrams.received" in c)
    check(r.alive(), "rsyslogd died under malformed input")
    shutdown = r.stop()
    # internal messages reach stderr (rsyslogd -n) and the default ruleset
    text = r.read_stderr()
    if os.path.exists(os.path.join(r.dir, "other.log")):
        with open(os.path.join(r.dir, "other.log")) as f:
            text += f.read()
    errors = [line for line in text.split("\n") if "malformed datagram" in line]
log("sent %d malformed + %d valid datagrams at %d datagrams/s; received %d, malformed %d, records %d, "
    "error lines %d, shutdown %.2fs" % (len(bad), VALID, rate, received, malformed, len(got), len(errors),
                                        shutdown))
check(received == len(stream), "received counter %d, sent %d" % (received, len(stream)))
check(malformed == len(bad), "malformed counter %d, sent %d bad datagrams" % (malformed, len(bad)))
check(len(got) == VALID * 10, "%d valid records landed, expected %d" % (len(got), VALID * 10))
check(1 <= len(errors) <= 2, "error log not rate-limited: %d lines" % len(errors))
check(failed == 0, "records.failed is %d: every valid record should have been submitted" % failed)
check(shutdown < 3.0, "shutdown took %.2fs" % shutdown)
log("PASS")
