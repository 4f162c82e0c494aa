#!/usr/bin/env python3
"""fuzz-seeds.py - turn the corpus captures into seeds for fuzz_decode.

Usage: contrib/fuzz-seeds.py CORPUS_DIR OUT_DIR
Each capture becomes a few small seeds: windows of consecutive datagrams
of at most SEED_MAX bytes (small inputs keep the fuzzer fast), each
datagram as [exporter (1 byte)][length (2 bytes)][payload], the format of
tests/fuzz/fuzz_decode.c. The first window of a capture holds its
templates; later windows test data whose templates are missing.

Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
"""
import csv
import os
import struct
import sys

SEED_MAX = 4096       # bytes per seed; longer datagrams are cut to fit
WINDOWS_MAX = 8       # seeds per capture


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    corpus, out = sys.argv[1:]
    os.makedirs(out, exist_ok=True)
    captures = os.path.join(corpus, "captures")
    for cid in sorted(os.listdir(captures)):
        d = os.path.join(captures, cid)
        with open(os.path.join(d, "datagrams.tsv"), newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        sources, seeds, seed = {}, [], b""
        for row in rows:
            exporter = sources.setdefault((row["src"], row["sport"]), len(sources)) & 3
            with open(os.path.join(d, "%04d.bin" % int(row["n"])), "rb") as f:
                payload = f.read()[:SEED_MAX - 3]
            item = struct.pack("!BH", exporter, len(payload)) + payload
            if seed and len(seed) + len(item) > SEED_MAX:
                seeds.append(seed)
                seed = b""
            seed += item
        seeds.append(seed)
        for i, seed in enumerate(seeds[:WINDOWS_MAX]):
            with open(os.path.join(out, "%s-%d" % (cid, i)), "wb") as f:
                f.write(seed)


if __name__ == "__main__":
    main()
