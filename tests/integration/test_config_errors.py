"""Configuration errors are reported by `rsyslogd -N1`, and a valid
configuration passes (which also proves every symbol the module needs
resolves in rsyslogd)."""
from harness import check, log, syntax_check

BASE = 'module(load="@MODULE@")\n'


def expect_error(inputs, needle):
    rc, out = syntax_check(BASE + 'input(type="imnetflow" %s)\n' % inputs)
    log("-N1 with", inputs, "->", rc)
    check(rc != 0, "rsyslogd -N1 accepted %s:\n%s" % (inputs, out))
    check(needle.lower() in out.lower(), "no message naming %r for %s:\n%s" % (needle, inputs, out))


rc, out = syntax_check(
    'module(load="@MODULE@" template.timeout="600" template.maxScopes="100" '
    'template.maxPerScope="50" template.maxMemory="8m" pending.maxMemory="1m" '
    'pending.maxPerScope="64k" pending.timeout="30" stream.max="1000" template.persist="off")\n'
    'input(type="imnetflow" port=["2055", "4739"] address="::1" name="nf" '
    'ruleset="flows" rcvbufSize="4m" batchSize="64" ratelimit.interval="5" '
    'ratelimit.burst="100000" listenPortFileName="@DIR@/port" timeReported="received" '
    'templateScope="address+port" emitOptions="off" renormalize="on" protocols=["netflow", "sflow"] format="json" ecs="on")\n'
    'ruleset(name="flows") { action(type="omfile" file="@DIR@/out") }\n')
check(rc == 0, "a valid configuration was rejected:\n" + out)
rc, out = syntax_check('module(load="@MODULE@" template.colour="red")\ninput(type="imnetflow" port="1")\n')
check(rc != 0 and "template.colour" in out, "unknown module parameter accepted:\n" + out)
rc, out = syntax_check('module(load="@MODULE@" dictionary="@DIR@/missing.tsv")\ninput(type="imnetflow" port="1")\n')
check(rc != 0 and "missing.tsv" in out, "missing dictionary accepted:\n" + out)

rc, out = syntax_check('module(load="@MODULE@" stream.max="0")\ninput(type="imnetflow" port="1")\n')
check(rc != 0 and "stream.max" in out, "stream.max=0 accepted:\n" + out)
rc, out = syntax_check('module(load="@MODULE@" threads="65")\ninput(type="imnetflow" port="1")\n')
check(rc != 0 and "threads" in out, "threads=65 accepted:\n" + out)
OUT = 'action(type="omfile" file="@DIR@/out")\n'  # -N1 checks modules' configuration only with an action
rc, out = syntax_check('module(load="@MODULE@" threads="2")\ninput(type="imnetflow" port="1" templateScope="domain")\n' +
                       OUT)
check(rc != 0 and "domain" in out, "threads=2 with templateScope=domain accepted:\n" + out)
rc, out = syntax_check('module(load="@MODULE@" threads="4")\n'
                       'input(type="imnetflow" port="1" templateScope="address+port")\n' + OUT)
check(rc == 0, "threads=4 rejected:\n" + out)
rc, out = syntax_check('module(load="@MODULE@" sandbox="loose")\ninput(type="imnetflow" port="1")\n' + OUT)
check(rc != 0 and "sandbox" in out and '"errno", "kill", "off"' in out, "sandbox=loose accepted:\n" + out)
for mode in ("errno", "kill", "off"):
    rc, out = syntax_check('module(load="@MODULE@" sandbox="%s")\ninput(type="imnetflow" port="1")\n' % mode + OUT)
    check(rc == 0, "sandbox=%s rejected:\n%s" % (mode, out))

expect_error('port="2055" colour="blue"', "colour")
expect_error('address="127.0.0.1"', "port")                  # port is required
expect_error('port="70000"', "invalid port")
expect_error('port="netflow"', "invalid port")
expect_error('port="2055" address="collector.example"', "invalid address")
expect_error('port="2055" timeReported="yesterday"', "timeReported")
expect_error('port="2055" templateScope="exporter"', "templateScope")
expect_error('port="2055" protocols=["netflow", "jflow"]', "protocols")
expect_error('port="2055" batchSize="0"', "batchsize")
expect_error('port="2055" batchSize="5000"', "batchSize")
expect_error('port="2055" format="xml"', "format")
expect_error('port="2055" format="kv" ecs="on"', "ecs")
expect_error('port="4739" transport="quic"', "transport")
expect_error('port="4739" transport="tcp" maxSessions="0"', "maxsessions")
expect_error('port="4739" transport="tcp" maxSessions="70000"', "maxSessions")
expect_error('port="4739" transport="tcp" sessionTimeout="-1"', "sessiontimeout")
for transport in ("udp", "tcp", "sctp", "tls"):
    # tls: its default authMode x509/name needs permittedPeer (test_ipfix_tls.py checks the TLS parameters)
    peers = ' permittedPeer=["exporter.example"]' if transport == "tls" else ""
    rc, out = syntax_check(BASE + 'input(type="imnetflow" port="4739" transport="%s" maxSessions="10" '
                           'sessionTimeout="0"%s)\n' % (transport, peers) + OUT)
    check(rc == 0, "transport=%s rejected:\n%s" % (transport, out))
log("PASS")
