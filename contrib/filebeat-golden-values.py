#!/usr/bin/env python3
"""filebeat-golden-values.py - extract the netflow.* values of Filebeat's
netflow goldens into tests/data/filebeat-netflow-values.tsv.

Usage: contrib/filebeat-golden-values.py GOLDEN_DIR [GOLDEN_DIR...] > tests/data/filebeat-netflow-values.tsv

GOLDEN_DIR holds elastic/beats' x-pack/filebeat/input/netflow/testdata/golden/
*.golden.json (Elastic License: the files are not copied into this
project; only the values they record, which are facts about the captures,
are kept, in this project's own format). A later directory's file of the
same name replaces an earlier one's.

Each golden is Filebeat's decode of one of the Logstash netflow codec's test
captures, which are in our corpus as tests/data/corpus/captures/ls-*; GOLDENS
maps the file names to the capture ids. Goldens of captures that are not in
the corpus, or that need a Filebeat setting (include_flowset_id), are
skipped and listed on stderr.

Output: tab-separated, a header line, then one line per value:
capture, record (the event's index in the golden, from 0), field (the path
under netflow, dotted), value (JSON); and per golden one line
capture, "events", "", the number of events (0 for a golden that has none). netflow.exporter (the datagram's
header as Filebeat reports it, with the test's made-up sender address) and
netflow.type are left out: imnetflow puts those in the message's exporter
and type members, outside the record the core renders.

Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
"""
import glob
import json
import os
import sys

GOLDENS = {
    "IPFIX": "ls-ipfix",
    "IPFIX-Barracuda-extended-uniflow-template-256": "ls-ipfix-barracuda-extended-uniflow-template-256",
    "IPFIX-Barracuda-firewall": "ls-ipfix-barracuda-firewall",
    "IPFIX-Mikrotik-RouterOS-6.39.2": "ls-ipfix-mikrotik-routeros-6-39-2",
    "IPFIX-Netscaler-with-variable-length-fields": "ls-ipfix-netscaler-with-variable-length-fields",
    "IPFIX-Netscaler-with-variable-length-fields-missing-templates":
        "ls-ipfix-netscaler-with-variable-length-fields-missing-templates",
    "IPFIX-Nokia-BRAS": "ls-ipfix-nokia-bras",
    "IPFIX-OpenBSD-pflow": "ls-ipfix-openbsd-pflow",
    "IPFIX-Procera": "ls-ipfix-procera",
    "IPFIX-VMware-virtual-distributed-switch": "ls-ipfix-vmware-virtual-distributed-switch",
    "IPFIX-YAF-basic-with-applabel": "ls-ipfix-yaf-basic-with-applabel",
    "IPFIX-options-template-from-Juniper-MX240-JunOS-15.1-R6-S3":
        "ls-ipfix-options-template-from-juniper-mx240-junos-15-1-r6-s3",
    "IPFIX-vIPtela-with-VPN-id": "ls-ipfix-viptela-with-vpn-id",
    "Netflow-9-Cisco-1941-K9-release-15.1": "ls-netflow-9-cisco-1941-k9-release-15-1",
    "Netflow-9-Cisco-ASA": "ls-netflow-9-cisco-asa",
    "Netflow-9-Cisco-ASA-2": "ls-netflow-9-cisco-asa-2",
    "Netflow-9-Cisco-ASR-9000-series-options-template-256":
        "ls-netflow-9-cisco-asr-9000-series-options-template-256",
    "Netflow-9-Cisco-ASR-9000-series-template-260": "ls-netflow-9-cisco-asr-9000-series-template-260",
    "Netflow-9-Cisco-ASR1001--X": "ls-netflow-9-cisco-asr1001-x",
    "Netflow-9-Cisco-NBAR-flowset-262": "ls-netflow-9-cisco-nbar-flowset-262",
    "Netflow-9-Cisco-NBAR-options-template-260": "ls-netflow-9-cisco-nbar-options-template-260",
    "Netflow-9-Cisco-WLC": "ls-netflow-9-cisco-wlc",
    "Netflow-9-Cisco-WLC-8500-release-8.2": "ls-netflow-9-cisco-wlc-8500-release-8-2",
    "Netflow-9-Fortigate-FortiOS-5.2.1": "ls-netflow-9-fortigate-fortios-5-2-1",
    "Netflow-9-Fortigate-FortiOS-54x-appid": "ls-netflow-9-fortigate-fortios-54x-appid",
    "Netflow-9-H3C": "ls-netflow-9-h3c",
    "Netflow-9-H3C-Netstream-with-varstring": "ls-netflow-9-h3c-netstream-with-varstring",
    "Netflow-9-Huawei-Netstream": "ls-netflow-9-huawei-netstream",
    "Netflow-9-IE150-IE151": "ls-netflow-9-ie150-ie151",
    "Netflow-9-Palo-Alto-1-flowset-in-large-zero-filled-packet":
        "ls-netflow-9-palo-alto-1-flowset-in-large-zero-filled-packet",
    "Netflow-9-Palo-Alto-PAN--OS-with-app--id": "ls-netflow-9-palo-alto-pan-os-with-app-id",
    "Netflow-9-Streamcore": "ls-netflow-9-streamcore",
    "Netflow-9-Ubiquiti-Edgerouter-with-MPLS-labels": "ls-netflow-9-ubiquiti-edgerouter-with-mpls-labels",
    "Netflow-9-field-layer2segmentid": "ls-netflow-9-field-layer2segmentid",
    "Netflow-9-invalid-01": "ls-netflow-9-invalid-01",
    "Netflow-9-ipt_netflow-reduced-size-encoding": "ls-netflow-9-ipt-netflow-reduced-size-encoding",
    "Netflow-9-macaddress": "ls-netflow-9-macaddress",
    "Netflow-9-multiple-netflow-exporters": "ls-netflow-9-multiple-netflow-exporters",
    "Netflow-9-nprobe-DPI-L7": "ls-netflow-9-nprobe-dpi-l7",
    "Netflow-9-options-template-with-scope-fields": "ls-netflow-9-options-template-with-scope-fields",
    "Netflow-9-template-with-0-length-fields": "ls-netflow-9-template-with-0-length-fields",
    "Netflow-9-valid-01": "ls-netflow-9-valid-01",
    "Netflow9-Juniper-SRX-options-template-with-0-scope-field-length":
        "ls-netflow9-juniper-srx-options-template-with-0-scope-field-length",
}
LEFT_OUT = ("exporter", "type")


def flatten(obj, prefix=""):
    for key in sorted(obj):
        value = obj[key]
        if isinstance(value, dict):
            yield from flatten(value, prefix + key + ".")
        else:
            yield prefix + key, value


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    files = {}
    for d in sys.argv[1:]:
        for path in glob.glob(os.path.join(d, "*.golden.json")):
            files[os.path.basename(path)[:-len(".golden.json")]] = path
    rows = []
    for name, path in sorted(files.items()):
        capture = GOLDENS.get(name)
        if capture is None:
            print("skipped (no corpus capture or a setting of its own): %s" % name, file=sys.stderr)
            continue
        with open(path, encoding="utf-8") as f:
            events = json.load(f).get("events") or []
        rows.append((capture, -1, "", str(len(events))))
        for i, event in enumerate(events):
            netflow = dict(event.get("Fields", {}).get("netflow", {}))
            for key in LEFT_OUT:
                netflow.pop(key, None)
            for field, value in flatten(netflow):
                rows.append((capture, i, field, json.dumps(value, ensure_ascii=False, sort_keys=True)))
    sys.stdout.write("capture\trecord\tfield\tvalue\n")
    for capture, i, field, value in sorted(rows, key=lambda r: (r[0], r[1], r[2])):
        sys.stdout.write("%s\t%s\t%s\t%s\n" % (capture, "events" if i < 0 else i, field, value))


if __name__ == "__main__":
    main()
