#!/usr/bin/env python3
"""gen-ie-table.py - generate imnetflow/nf_ie_table.c from the IE dictionaries.

Usage: contrib/gen-ie-table.py DICT_DIR [-o imnetflow/nf_ie_table.c] [-H imnetflow/nf_ie_iana.h]
                               [-L imnetflow/nf_ie_local.h]
(`make ie-table` runs it on contrib/dictionaries; `make check` fails when the
committed output differs from what it makes.)

DICT_DIR holds tab-separated dictionaries (see its README.md; the project's
are in contrib/dictionaries, with their origins and licences): the IANA IPFIX
registry (iana-ipfix.tsv, PEN 0), RFC 5103 reverse elements
(reverse-29305.tsv), vendor enterprise elements (<vendor>-<pen>.tsv,
pen-12326.tsv) and NetFlow v9 field types above 127 (netflow-v9-cisco.tsv).

Names become lowercase snake_case, as Filebeat's netflow input spells IANA
names: "IPv4"/"IPv6" are one word, a word starts at every lower-case or
digit to upper-case change and before the last capital of a run of capitals
followed by a lower-case letter (postNATSourceIPv4Address ->
post_nat_source_ipv4_address, ingressVRFID -> ingress_vrfid). "VRFname"
is vrf + name and "MCast" one word, as Filebeat spells them (vrf_name,
post_mcast_packet_delta_count; the rule would give vr_fname, post_m_cast_...).

The decoder's own elements (local-4294967295.tsv: NetFlow v7 fields, v9
option scopes, names joined from options records, sFlow fields and
counters) are in the table too, under PEN 4294967295, which no exporter
uses; their names are the output's and are never renamed.

Names are unique across both tables. IANA names win, then the decoder's
own (a clash with one of them is an error); a vendor element whose
name is taken is prefixed with its vendor tag (the file name without the
PEN: ntop_, cert_, ...), and if still taken suffixed with _<id>. v9 field
types keep their name when it is free, else get the prefix v9_.

With -H it also writes the IANA elements as an X-macro list, X(NAME, id,
position in nf_ie_table, type), from which nf_ie.h makes their id, position
and type constants, so that a decoder adding a field of a fixed element
needs no lookup; with -L the same for the decoder's own elements.

Output is deterministic: the same input gives byte-identical output.

Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
"""
import csv
import glob
import os
import re
import sys

TYPES = {
    "octetArray": "NF_T_OCTETS", "unsigned8": "NF_T_U8", "unsigned16": "NF_T_U16",
    "unsigned32": "NF_T_U32", "unsigned64": "NF_T_U64", "unsigned": "NF_T_U64",
    "signed8": "NF_T_I8", "signed16": "NF_T_I16", "signed32": "NF_T_I32", "signed64": "NF_T_I64",
    "float32": "NF_T_F32", "float64": "NF_T_F64", "boolean": "NF_T_BOOL",
    "macAddress": "NF_T_MAC", "string": "NF_T_STRING",
    "dateTimeSeconds": "NF_T_DT_SEC", "dateTimeMilliseconds": "NF_T_DT_MILLI",
    "dateTimeMicroseconds": "NF_T_DT_MICRO", "dateTimeNanoseconds": "NF_T_DT_NANO",
    "ipv4Address": "NF_T_IPV4", "ipv6Address": "NF_T_IPV6",
    "basicList": "NF_T_BASIC_LIST", "subTemplateList": "NF_T_SUBTEMPLATE_LIST",
    "subTemplateMultiList": "NF_T_SUBTEMPLATE_MULTILIST",
    # no native representation: shown raw
    "unsigned256": "NF_T_OCTETS", "": "NF_T_OCTETS",
}
SEMANTICS = {
    "": "NF_S_DEFAULT", "default": "NF_S_DEFAULT", "quantity": "NF_S_QUANTITY",
    "totalCounter": "NF_S_TOTAL_COUNTER", "deltaCounter": "NF_S_DELTA_COUNTER",
    "identifier": "NF_S_IDENTIFIER", "flags": "NF_S_FLAGS", "list": "NF_S_LIST",
    "snmpCounter": "NF_S_SNMP_COUNTER", "snmpGauge": "NF_S_SNMP_GAUGE",
}


IANA_INDEX_LEN = 1024  # NF_IE_IANA_INDEX_LEN in nf_ie.h
LOCAL_PEN = 4294967295  # NF_PEN_LOCAL in nf_ie.h
LOCAL_FILE = "local-%d.tsv" % LOCAL_PEN


def name_len(name):
    """nf_ie_t.name_len: the length, or 0 when it does not fit a byte."""
    return len(name.encode()) if len(name.encode()) < 256 else 0


def snake(name):
    """camelCase, UPPER_CASE or display text -> lowercase snake_case."""
    name = re.sub(r"IPv([46])", r"Ipv\1", name)
    name = name.replace("VRFname", "VrfName").replace("MCast", "Mcast")
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    name = re.sub(r"[^a-z0-9]+", "_", name.lower())
    return name.strip("_")


def type_of(text, where):
    """Some vendor sources put a name or a protocol word where the type
    goes; such elements are shown raw, like untyped ones."""
    if text not in TYPES:
        print("gen-ie-table: %s: type %r shown as octets" % (where, text), file=sys.stderr)
    return TYPES.get(text, "NF_T_OCTETS")


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def main():
    args = sys.argv[1:]
    out = sys.stdout
    header = None
    if "-o" in args:
        i = args.index("-o")
        out = open(args[i + 1], "w", encoding="utf-8")
        del args[i:i + 2]
    if "-H" in args:
        i = args.index("-H")
        header = open(args[i + 1], "w", encoding="utf-8")
        del args[i:i + 2]
    local_header = None
    if "-L" in args:
        i = args.index("-L")
        local_header = open(args[i + 1], "w", encoding="utf-8")
        del args[i:i + 2]
    if len(args) != 1:
        sys.exit(__doc__)
    d = args[0]
    entries = {}   # (pen, id) -> [type, semantics, name]
    taken = {}     # name -> (pen, id)

    def add(pen, eid, name, typ, sem, tag):
        key = (pen, eid)
        if key in entries or not name:
            return
        for candidate in (name, "%s_%s" % (tag, name), "%s_%s_%d" % (tag, name, eid)):
            if candidate not in taken:
                break
        taken[candidate] = key
        entries[key] = [typ, SEMANTICS.get(sem, "NF_S_DEFAULT"), candidate]

    for row in read(os.path.join(d, "iana-ipfix.tsv")):
        add(0, int(row["id"]), snake(row["name"]), type_of(row["type"], "iana %s" % row["id"]),
            row["semantics"], "iana")
    for row in read(os.path.join(d, "reverse-29305.tsv")):
        add(29305, int(row["id"]), "reverse_" + snake(row["forward_name"]),
            type_of(row["type"], "reverse %s" % row["id"]), row["semantics"], "reverse")
    for row in read(os.path.join(d, LOCAL_FILE)):
        name = row["name"]
        if name in taken or snake(name) != name:
            sys.exit("gen-ie-table: the decoder's own element %s is taken or not snake_case" % name)
        add(LOCAL_PEN, int(row["id"]), name, type_of(row["type"], "local %s" % row["id"]), row["semantics"], "local")
    vendor_files = sorted(f for f in glob.glob(os.path.join(d, "*-*.tsv"))
                          if not os.path.basename(f).startswith(("iana-", "reverse-", "netflow-v9-", "local-")))
    for path in vendor_files:
        tag = re.sub(r"-\d+\.tsv$", "", os.path.basename(path)).replace("-", "_")
        for row in read(path):
            add(int(row["pen"]), int(row["id"]), snake(row["name"]),
                type_of(row["type"], "%s %s" % (tag, row["id"])), row["semantics"], tag)

    v9 = {}
    for row in read(os.path.join(d, "netflow-v9-cisco.tsv")):
        if row["vendor"] == "IANA-numbered" or not row["name"]:
            continue  # the IANA row of the same id serves
        fid = int(row["id"])
        name = snake(row["name"])
        if name in taken and taken[name] != ("v9", fid):
            name = "v9_" + name
        if name in taken:
            name = "%s_%d" % (name, fid)
        taken[name] = ("v9", fid)
        v9[fid] = [type_of(row["type"], "v9 %d" % fid), SEMANTICS.get(row["semantics"], "NF_S_DEFAULT"), name]

    # the module adds fields of these elements to JSON objects unchecked
    all_names = [v[2] for v in entries.values()] + [v[2] for v in v9.values()]
    dup = sorted({n for n in all_names if all_names.count(n) > 1 or n in ("type", "exporter")})
    if dup:
        sys.exit("gen-ie-table: names not unique or reserved: %s" % ", ".join(dup[:10]))

    out.write("/* nf_ie_table.c - generated by contrib/gen-ie-table.py from\n"
              " * contrib/dictionaries (IANA IPFIX registry, RFC 5103 reverse elements,\n"
              " * vendor enterprise elements, NetFlow v9 field types). Do not edit.\n */\n"
              '#include "nf_ie.h"\n\nconst nf_ie_t nf_ie_table[] = {\n')
    for (pen, eid) in sorted(entries):
        typ, sem, name = entries[(pen, eid)]
        out.write('\t{%du, %d, %s, %s, "%s", %d},\n' % (pen, eid, typ, sem, name, name_len(name)))
    out.write("};\nconst size_t nf_ie_table_len = sizeof(nf_ie_table) / sizeof(nf_ie_table[0]);\n\n")
    # IANA elements by id without a search: position in nf_ie_table + 1, 0 absent
    keys = sorted(entries)
    out.write("const uint16_t nf_ie_iana_index[NF_IE_IANA_INDEX_LEN] = {\n")
    for i, (pen, eid) in enumerate(keys):
        if pen == 0 and eid < IANA_INDEX_LEN:
            out.write("\t[%d] = %d,\n" % (eid, i + 1))
    out.write("};\n\n")
    out.write("const nf_ie_t nf_ie_v9_table[] = {\n")
    for fid in sorted(v9):
        typ, sem, name = v9[fid]
        out.write('\t{0u, %d, %s, %s, "%s", %d},\n' % (fid, typ, sem, name, name_len(name)))
    out.write("};\nconst size_t nf_ie_v9_table_len = sizeof(nf_ie_v9_table) / sizeof(nf_ie_v9_table[0]);\n")
    if header is not None:
        write_elements_header(header, keys, entries, 0, "NF_IE_IANA", "iana-ipfix.tsv")
    if local_header is not None:
        write_elements_header(local_header, keys, entries, LOCAL_PEN, "NF_IE_LOCAL", LOCAL_FILE)


def write_elements_header(out, keys, entries, pen, macro, source):
    """The elements of pen as an X-macro list macro_ELEMENTS(X), in the
    header file name macro lower-cased (nf_ie_iana.h, nf_ie_local.h)."""
    what = {0: "IANA element", LOCAL_PEN: "element of the decoder's own"}[pen]
    out.write("/* %s.h - generated by contrib/gen-ie-table.py from\n"
              " * contrib/dictionaries/%s. Do not edit.\n"
              " * Every %s as X(NAME, id, position in nf_ie_table, type).\n */\n"
              "#ifndef %s_H\n#define %s_H\n\n#define %s_ELEMENTS(X) \\\n"
              % (macro.lower(), source, what, macro, macro, macro))
    rows = ["\tX(%s, %d, %d, %s)" % (entries[key][2].upper(), key[1], i, entries[key][0])
            for i, key in enumerate(keys) if key[0] == pen]
    out.write(" \\\n".join(rows) + "\n\n#endif /* %s_H */\n" % macro)


if __name__ == "__main__":
    main()
