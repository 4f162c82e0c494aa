#!/usr/bin/env python3
"""fuzz-seeds.py - turn the corpus captures into seeds for fuzz_decode.

Usage: contrib/fuzz-seeds.py CORPUS_DIR OUT_DIR
Each capture becomes one seed: its datagrams in order, each as
[exporter (1 byte)][length (2 bytes)][payload], the format of
tests/fuzz/fuzz_decode.c.

Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
"""
import csv
import os
import struct
import sys


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
        sources, seed = {}, b""
        for row in rows:
            exporter = sources.setdefault((row["src"], row["sport"]), len(sources)) & 3
            with open(os.path.join(d, "%04d.bin" % int(row["n"])), "rb") as f:
                payload = f.read()[:65535]
            seed += struct.pack("!BH", exporter, len(payload)) + payload
        with open(os.path.join(out, cid), "wb") as f:
            f.write(seed)


if __name__ == "__main__":
    main()
