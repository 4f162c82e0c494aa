"""Documentation and code stay together: every parameter the module
accepts (its declarative tables, INPUT_PARAMS and MODULE_PARAMS in
imnetflow/imnetflow.c) has a row in docs/configuration.md and every row
there is a parameter the module accepts; every impstats counter the
module creates (the counter lists in imnetflow/imn.h) is named in
docs/statistics.md; the docs a user reads name no path of the project's
development set-up (../shared)."""
import os
import re

from harness import check, log

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def read(*parts):
    with open(os.path.join(ROOT, *parts)) as f:
        return f.read()


def code_params(source, macro):
    block = source[source.index("#define %s(X)" % macro):]
    block = block[:block.index("\n\n")]
    return set(re.findall(r'X\("([^"]+)", eCmdHdlr', block))


def doc_params(text, heading):
    part = text[text.index("## " + heading):]
    nxt = part.find("\n## ", 3)
    part = part if nxt < 0 else part[:nxt]
    return {m.lower() for m in re.findall(r"^\| `([^`]+)` \|", part, flags=re.M)}


source = read("imnetflow", "imnetflow.c")
config = read("docs", "configuration.md")
for macro, heading in (("MODULE_PARAMS", "Module parameters"), ("INPUT_PARAMS", "Input parameters")):
    in_code, in_doc = code_params(source, macro), doc_params(config, heading)
    check(in_code, "no parameters read from %s" % macro)
    check(not in_code - in_doc, "%s not documented in configuration.md: %s" % (heading, sorted(in_code - in_doc)))
    check(not in_doc - in_code, "configuration.md documents %s the module does not accept: %s"
          % (heading, sorted(in_doc - in_code)))
    log(heading, len(in_code), "parameters, all documented")

header = read("imnetflow", "imn.h")
stats = read("docs", "statistics.md")
counters = set()
for macro in ("LISTENER_COUNTERS", "STREAM_COUNTERS", "SESSION_COUNTERS", "SESSION_GAUGES", "EXPORTER_COUNTERS",
              "TEE_COUNTERS", "TLS_COUNTERS"):
    block = header[header.index("#define %s(X)" % macro):]
    block = block[:block.index("\n\n")]
    counters |= set(re.findall(r'X\(\w+, "([^"]+)"', block))
check(len(counters) > 30, "too few counters read from imn.h: %d" % len(counters))
missing = sorted(c for c in counters if "`%s`" % c not in stats)
check(not missing, "counters not in statistics.md: %s" % missing)
log(len(counters), "counters, all in statistics.md")

for name in ["README.md", "SECURITY.md"] + ["docs/" + f for f in os.listdir(os.path.join(ROOT, "docs"))]:
    check("../shared" not in read(name), "%s names ../shared, a path no user has" % name)
log("PASS")
