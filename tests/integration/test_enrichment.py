"""Enrichment at decode time, on every output path: internalNetworks gives
each endpoint's locality, flow.locality and network.direction; the
networks file names networks (and sites); MaxMind's test databases give
geo and AS. Checked in the $!netflow tree (plain names), ECS, and the JSON
line; a HUP re-reads the networks file, and a broken one on HUP keeps the
old; a missing database at start-up is named and the input runs without
it."""
import json
import os
import signal
import time

from harness import CORPUS, Rsyslog, check, fail, log, v5_datagram

GEOIP = os.path.join(os.path.dirname(CORPUS), "geoip")
FLOWS = [{"src": "10.1.1.1", "dst": "81.2.69.160", "sport": 40000, "dport": 443},   # out to London
         {"src": "1.128.0.1", "dst": "10.2.2.2", "sport": 5353, "dport": 53, "proto": 17}]  # in from AS1221


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def logged(r):
    """What rsyslogd said: its stderr and its own messages (other.log)."""
    return r.logged()


def by_src(records):
    return {r["data"]["netflow"]["source_ipv4_address"]: r for r in records}


def check_tree(rec_out, rec_in, net_name):
    out, inn = rec_out["data"], rec_in["data"]
    nf = out["netflow"]
    want = {"source_locality": "internal", "destination_locality": "external", "flow_locality": "external",
            "source_network_name": net_name, "source_network_site": "hq", "source_network_role": "watch",
            "source_network_tags": "pci,lab", "destination_country_iso_code": "GB",
            "destination_country_name": "United Kingdom", "destination_city_name": "London",
            "destination_continent_code": "EU", "destination_region_iso_code": "ENG"}
    for k, v in want.items():
        check(nf.get(k) == v, "outbound flow %s = %r, expected %r" % (k, nf.get(k), v))
    check(abs(nf["destination_latitude"] - 51.5142) < 1e-6, "latitude %r" % nf.get("destination_latitude"))
    check("source_country_iso_code" not in nf, "a private address got a country: %s" % nf)
    check(out["destination"]["geo"]["country_iso_code"] == "GB" and
          abs(out["destination"]["geo"]["location"]["lon"] + 0.0931) < 1e-6, "ECS geo: %s" % out["destination"])
    check(out["source"]["locality"] == "internal" and out["source"]["geo"]["name"] == "hq", "ECS source: %s"
          % out["source"])
    check(out["network"]["direction"] == "outbound" and out["flow"]["locality"] == "external",
          "ECS direction: %s %s" % (out["network"], out.get("flow")))
    nf = inn["netflow"]
    check(nf.get("source_as_number") == 1221 and nf.get("source_as_organization") == "Telstra Pty Ltd",
          "inbound AS: %s" % nf)
    check(inn["source"]["as"] == {"number": 1221, "organization": {"name": "Telstra Pty Ltd"}},
          "ECS as: %s" % inn["source"])
    check(inn["network"]["direction"] == "inbound", "inbound direction: %s" % inn["network"])
    check("geo" not in inn["destination"], "10.2.2.2 got geo: %s" % inn["destination"])


tmp = "/tmp/imnetflow-enrich-%d.csv" % os.getpid()
write(tmp, "# networks\n10.0.0.0/8,corp\n10.1.0.0/16,office,hq,watch,pci|lab\n")
module = 'networks="%s" geoip.city="%s/GeoIP2-City-Test.mmdb" geoip.asn="%s/GeoLite2-ASN-Test.mmdb"' % (
    tmp, GEOIP, GEOIP)
inputs = 'port="0" ecs="on" internalNetworks=["10.0.0.0/8", "192.168.0.0/16"]'
try:
    with Rsyslog(inputs=inputs, module_params=module) as r:
        r.send([v5_datagram(FLOWS)])
        recs = by_src(r.wait_records(2))
        check_tree(recs["10.1.1.1"], recs["1.128.0.1"], "office")

        # HUP: the networks file is read again
        write(tmp, "10.1.0.0/16,office2,hq,watch,pci|lab\n")
        r.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 15
        while time.time() < deadline:
            r.send([v5_datagram(FLOWS[:1])])
            time.sleep(0.3)
            names = [x["data"]["netflow"].get("source_network_name") for x in r.records()]
            if "office2" in names:
                break
        else:
            fail("the networks file was not re-read on HUP: %s" % names[-3:])
        # HUP with a broken file: the old data stays, the error is logged with file and line
        write(tmp, "10.1.0.0/16,office3\nnot-a-prefix,x\n")
        r.proc.send_signal(signal.SIGHUP)
        time.sleep(1.0)
        before = len(r.lines())
        r.send([v5_datagram(FLOWS[:1])])
        last = r.wait_records(before + 1)[-1]["data"]["netflow"]
        check(last.get("source_network_name") == "office2", "a broken file replaced the networks: %s" % last)
        deadline = time.time() + 10
        while ":2: expected CIDR,name" not in logged(r):
            if time.time() > deadline:
                fail("the broken networks file was not reported with its line")
            time.sleep(0.2)

    # format="json": the same in the line
    write(tmp, "10.1.0.0/16,office,hq,watch,pci|lab\n")
    with Rsyslog(inputs=inputs + ' format="json"', module_params=module) as r:
        r.send([v5_datagram(FLOWS)])
        lines = [json.loads(x["msg"]) for x in r.wait_records(2)]
        recs = by_src([{"data": x} for x in lines])
        check_tree(recs["10.1.1.1"], recs["1.128.0.1"], "office")

    # the sampling map and the interface file, for exporters that state neither
    maps = tmp + ".sampling"
    names = tmp + ".ifnames"
    write(maps, "127.0.0.1,0,100\n")
    write(names, "127.0.0.1,1,ge-0/0/1,uplink\n127.0.0.1,2,ge-0/0/2\n")
    try:
        with Rsyslog(inputs='port="0" renormalize="on"',
                     module_params='sampling="%s" interfaceNames="%s"' % (maps, names)) as r:
            r.send([v5_datagram(FLOWS[:1])])
            nf = r.wait_records(1)[0]["data"]["netflow"]
            check(nf.get("sampling_interval") == 100 and nf.get("octet_delta_count") == 6400,
                  "sampling map not applied: %s" % nf)
            check(nf.get("ingress_interface_name") == "ge-0/0/1" and
                  nf.get("ingress_interface_description") == "uplink" and
                  nf.get("egress_interface_name") == "ge-0/0/2", "interface names: %s" % nf)
    finally:
        os.unlink(maps)
        os.unlink(names)

    # a database that is missing or corrupt: named at start-up, the input runs without it
    bad = 'geoip.city="%s/missing.mmdb" geoip.asn="%s/GeoIP2-City-Test-Invalid-Node-Count.mmdb"' % (GEOIP, GEOIP)
    with Rsyslog(inputs='port="0"', module_params=bad) as r:
        r.send([v5_datagram(FLOWS)])
        recs = r.wait_records(2)
        check(all("destination_country_iso_code" not in x["data"]["netflow"] for x in recs), "geo without a db")
        text = logged(r)
        check("missing.mmdb (geoip.city)" in text and "Invalid-Node-Count.mmdb (geoip.asn)" in text,
              "start-up errors do not name the databases: %s" % text[-600:])
finally:
    os.unlink(tmp)
log("PASS")
