#!/usr/bin/env python3
"""fuzz-seeds.py - turn the corpus captures into seeds for fuzz_decode.

Usage: contrib/fuzz-seeds.py CORPUS_DIR OUT_DIR
Each capture becomes a few small seeds: windows of consecutive datagrams
of at most SEED_MAX bytes (small inputs keep the fuzzer fast), each
datagram as [exporter (1 byte)][length (2 bytes)][payload], the format of
tests/fuzz/fuzz_decode.c. The first window of a capture holds its
templates; later windows test data whose templates are missing.

The formats the corpus has no capture of are built here from their
specifications, one seed each: NetFlow v6, v8 of every aggregation scheme,
and sFlow samples with the extended flow records 1004-1012 and the
dropped-packet records 1036-1038.

Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
"""
import csv
import os
import struct
import sys

SEED_MAX = 4096       # bytes per seed; longer datagrams are cut to fit
WINDOWS_MAX = 8       # seeds per capture


# record lengths of the v8 aggregation schemes 1-14
V8_RECORD_LEN = {1: 28, 2: 28, 3: 32, 4: 32, 5: 40, 6: 32, 7: 40, 8: 44, 9: 32, 10: 32, 11: 32, 12: 32,
                 13: 40, 14: 40}


def pattern(n, seed):
    return bytes((seed * 17 + 3 * k + 1) & 0xff for k in range(n))


def legacy_header(version, count, tail):
    return struct.pack("!HHIIII", version, count, 3600000, 1795870712, 0, 1) + tail


def xdr_string(text):
    b = text.encode()
    return struct.pack("!I", len(b)) + b + bytes(-len(b) % 4)


def sflow_record(fmt, body):
    return struct.pack("!II", fmt, len(body)) + body


def sflow_datagram():
    ipv4 = struct.pack("!I4s", 1, bytes([10, 1, 1, 1]))
    ipv6 = struct.pack("!I16s", 2, bytes([0x20, 1, 0x0d, 0xb8] + [0] * 11 + [9]))
    extended = [
        sflow_record(1004, struct.pack("!I", 106) + xdr_string("alice") + struct.pack("!I", 106) + xdr_string("bob")),
        sflow_record(1005, struct.pack("!I", 2) + xdr_string("/index.html") + xdr_string("example.com")),
        sflow_record(1006, ipv4 + struct.pack("!IIII", 2, 100 << 12 | 64, 200 << 12 | 256 | 64, 1)
                     + struct.pack("!I", 300 << 12 | 256 | 63)),
        sflow_record(1007, ipv4 + ipv6),
        sflow_record(1008, xdr_string("lsp-a") + struct.pack("!II", 42, 3)),
        sflow_record(1009, xdr_string("vc-1") + struct.pack("!II", 1001, 5)),
        sflow_record(1010, xdr_string("ftn descr") + struct.pack("!I", 24)),
        sflow_record(1011, struct.pack("!I", 16)),
        sflow_record(1012, struct.pack("!III", 2, 0x2064, 0x00c8)),
    ]
    drops = [
        sflow_record(1036, struct.pack("!I", 7)),
        sflow_record(1037, struct.pack("!I", 12) + xdr_string("deny-all") + struct.pack("!I", 1)),
        sflow_record(1038, xdr_string("fib_lookup")),
    ]
    flow = struct.pack("!IIIIIIII", 3, 7, 512, 100000, 0, 7, 8, len(extended)) + b"".join(extended)
    drop = struct.pack("!IIIIIIII", 4, 0, 7, 1, 7, 0, 259, len(drops)) + b"".join(drops)
    head = struct.pack("!II4sIIII", 5, 1, bytes([192, 0, 2, 9]), 0, 77, 123456, 2)
    return head + sflow_record(1, flow) + sflow_record(5, drop)


def built_datagrams():
    """{seed name: [datagram, ...]} of the formats built from their specifications."""
    built = {"built-netflow-v6": [legacy_header(6, 2, struct.pack("!BBH", 1, 2, 0x4064)) + pattern(104, 6)]}
    for agg, n in V8_RECORD_LEN.items():
        built["built-netflow-v8-%d" % agg] = [
            legacy_header(8, 2, struct.pack("!BBBBI", 3, 4, agg, 2, 0)) + pattern(2 * n, agg)]
    built["built-sflow-extended"] = [sflow_datagram()]
    return built


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
    for name, datagrams in built_datagrams().items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(b"".join(struct.pack("!BH", 0, len(d)) + d for d in datagrams))


if __name__ == "__main__":
    main()
