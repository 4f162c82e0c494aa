"""The Debian package: `make deb` builds rsyslog-imnetflow_<version>_<arch>.deb
from this built tree; its Depends admits the installed rsyslog and rejects
the neighbouring upstream versions; `dpkg -i` puts imnetflow.so into
rsyslog's module directory and the docs under /usr/share/doc; rsyslogd loads
the module by name (`rsyslogd -N1`, then a real rsyslogd that receives a
NetFlow v5 datagram on loopback and writes it to a file); `dpkg --purge`
removes every file again.

The machine is left as it was found: an imnetflow.so in the module directory
that no package owns (`make install`, the quick start) is set aside and put
back, and an installed rsyslog-imnetflow is rebuilt into a .deb from its
files first and reinstalled at the end. Every other test loads the module by
its build-tree path, so installing and removing the package does not disturb
them. Needs root and dpkg; skips without them.
"""
import glob
import grp
import os
import pwd
import shutil
import subprocess
import tempfile
import time

from harness import (MODULE, Rsyslog, check, fail, log, require_module, run_example_unprivileged, skip, syntax_check,
                     v5_datagram)

PKG = "rsyslog-imnetflow"


def run(args, **kw):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def must(args, what, **kw):
    p = run(args, **kw)
    check(p.returncode == 0, "%s failed (%d): %s\n%s" % (what, p.returncode, " ".join(args), p.stdout))
    return p.stdout


def status(pkg):
    """dpkg's status of a package ("install ok installed"), or "" when unknown."""
    p = run(["dpkg-query", "-W", "-f=${Status}", pkg])
    return p.stdout.strip() if p.returncode == 0 else ""


def installed(pkg):
    return status(pkg).endswith(" installed")


def owner(path):
    return run(["dpkg-query", "-S", path]).returncode == 0


def repack_installed(pkg, dest):
    """A .deb of the installed package, rebuilt from its files and its status
    entry (as dpkg-repack would), so that it can be reinstalled afterwards."""
    root = os.path.join(dest, "root")
    os.makedirs(os.path.join(root, "DEBIAN"))
    for path in must(["dpkg-query", "-L", pkg], "dpkg-query -L").splitlines():
        if os.path.isfile(path) and not os.path.islink(path):
            os.makedirs(os.path.dirname(root + path), exist_ok=True)
            shutil.copy2(path, root + path)
        elif os.path.isdir(path):
            os.makedirs(root + path, exist_ok=True)
    fields = must(["dpkg-query", "-s", pkg], "dpkg-query -s")
    with open(os.path.join(root, "DEBIAN", "control"), "w") as f:
        f.write("".join(line + "\n" for line in fields.splitlines()
                        if line and not line.startswith(("Status:", "Config-Version:"))))
    for script in ("preinst", "postinst", "prerm", "postrm", "conffiles"):
        src = "/var/lib/dpkg/info/%s.%s" % (pkg, script)
        if os.path.exists(src):
            shutil.copy2(src, os.path.join(root, "DEBIAN", script))
    out = os.path.join(dest, "saved.deb")
    must(["dpkg-deb", "--root-owner-group", "--build", root, out], "dpkg-deb (saving the installed package)")
    return out


def neighbours(upstream):
    """Upstream versions next to `upstream`: each component one up and one
    down, a fourth component, a pre-release."""
    epoch, _, plain = upstream.rpartition(":")
    prefix = epoch + ":" if epoch else ""
    parts = plain.split(".")
    out = [plain + ".1", plain + "~rc1"]
    for i, p in enumerate(parts):
        if p.isdigit():
            for n in (int(p) + 1, int(p) - 1):
                if n >= 0:
                    out.append(".".join(parts[:i] + [str(n)] + ["0"] * (len(parts) - i - 1)))
    return [prefix + v for v in out]


def admits(depends, pkg, version):
    """Whether every relation on pkg in a Depends field holds for version."""
    ops = {"<<": "lt", "<=": "le", "=": "eq", ">=": "ge", ">>": "gt"}
    found = False
    for rel in depends.split(","):
        rel = rel.strip()
        name, _, rest = rel.partition(" ")
        if name != pkg:
            continue
        found = True
        if not rest:
            continue
        op, bound = rest.strip("()").split()
        if subprocess.run(["dpkg", "--compare-versions", version, ops[op], bound]).returncode != 0:
            return False
    check(found, "Depends names no %s: %s" % (pkg, depends))
    return True


def check_depends(deb):
    depends = must(["dpkg-deb", "-f", deb, "Depends"], "dpkg-deb -f").strip()
    log("Depends:", depends)
    have = status("rsyslog") and must(["dpkg-query", "-W", "-f=${Version}", "rsyslog"], "dpkg-query").strip()
    check(have, "Debian's rsyslog package is not installed")
    upstream = have.rsplit("-", 1)[0]
    good = [have, upstream, upstream + "-1", upstream + "-99+deb99u9", upstream + "-1~bpo12+1",
            upstream + "+dfsg-1"]
    for v in good:
        check(admits(depends, "rsyslog", v), "Depends rejects rsyslog %s: %s" % (v, depends))
    for v in neighbours(upstream):
        for full in (v, v + "-1"):
            check(not admits(depends, "rsyslog", full), "Depends admits rsyslog %s: %s" % (full, depends))
    log("Depends admits", ", ".join(good), "and rejects", ", ".join(neighbours(upstream)))


def build(outdir):
    """make deb into outdir, from the built tree that holds MODULE."""
    builddir = os.path.dirname(os.path.dirname(MODULE))
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    t0 = time.time()
    out = must(["make", "-C", builddir, "deb", "DEB_OUTDIR=" + outdir], "make deb", env=env)
    log(out[out.find("mkdeb:"):].rstrip())
    debs = glob.glob(os.path.join(outdir, PKG + "_*.deb"))
    check(len(debs) == 1, "make deb left %r in %s" % (debs, outdir))
    deb = debs[0]
    name = "%s_%s_%s.deb" % (PKG, must(["dpkg-deb", "-f", deb, "Version"], "dpkg-deb").strip(),
                             must(["dpkg", "--print-architecture"], "dpkg").strip())
    check(os.path.basename(deb) == name, "package named %s, want %s" % (os.path.basename(deb), name))
    log("make deb: %s in %.1fs" % (name, time.time() - t0))
    return deb


def check_installed(moddir):
    files = must(["dpkg-query", "-L", PKG], "dpkg-query -L").splitlines()
    doc = "/usr/share/doc/" + PKG
    want = [moddir + "/imnetflow.so", doc + "/copyright", doc + "/changelog.Debian.gz",
            doc + "/examples/rsyslog.conf.example"]
    for path in want:
        check(path in files and os.path.isfile(path), "%s is not installed by the package: %s" % (path, files))
    for name in ("README.md", "SECURITY.md", "deployment.md"):
        check(doc + "/" + name in files or doc + "/" + name + ".gz" in files, "%s missing from %s" % (name, doc))
    return [f for f in files if os.path.isfile(f)]


def run_installed(moddir):
    """-N1 and a real rsyslogd, both loading the module by name."""
    rc, out = syntax_check('module(load="imnetflow")\n'
                           'input(type="imnetflow" port="2055" address="127.0.0.1")\n'
                           'action(type="omfile" file="@DIR@/out")\n')
    check(rc == 0, "rsyslogd -N1 with module(load=\"imnetflow\") failed:\n" + out)
    log("rsyslogd -N1: module loaded by name, configuration valid")
    r = Rsyslog()
    try:
        with open(r.conf) as f:
            text = f.read()
        by_path = 'module(load="%s"' % MODULE
        check(by_path in text, "harness configuration changed shape")
        with open(r.conf, "w") as f:
            f.write(text.replace(by_path, 'module(load="imnetflow"'))
        r.start()
        with open("/proc/%d/maps" % r.proc.pid) as f:
            maps = f.read()
        check(moddir + "/imnetflow.so" in maps, "rsyslogd did not map %s/imnetflow.so" % moddir)
        check(MODULE not in maps, "rsyslogd mapped the build tree's module")
        r.send([v5_datagram([{"src": "10.9.8.7", "dst": "192.0.2.99", "sport": 4321, "dport": 443}])])
        recs = r.wait_records(1)
        check(len(recs) == 1, "want one record, got %d: %s" % (len(recs), r.read_stderr()))
        flow = recs[0]["data"]["netflow"]
        check(flow["source_ipv4_address"] == "10.9.8.7" and flow["destination_ipv4_address"] == "192.0.2.99"
              and flow["destination_transport_port"] == 443 and flow["exporter"]["version"] == 5,
              "wrong record: %s" % recs[0])
        log("rsyslogd with the installed module wrote:", recs[0]["msg"][:100])
    finally:
        r.cleanup()


def run_unprivileged():
    """The package made the user the example drops to, and gave it
    /var/log/netflow and /var/spool/rsyslog; the installed example runs
    with the installed module as that user."""
    try:
        user = pwd.getpwnam("_imnetflow")
    except KeyError:
        fail("the package did not create the user _imnetflow")
    check(grp.getgrgid(user.pw_gid).gr_name == "_imnetflow", "the user's group is not _imnetflow")
    for d in ("/var/log/netflow", "/var/spool/rsyslog"):
        st = os.stat(d)
        check(st.st_uid == user.pw_uid, "%s is owned by uid %d, not _imnetflow" % (d, st.st_uid))
    run_example_unprivileged("/usr/share/doc/%s/examples/rsyslog.conf.example" % PKG, "imnetflow",
                             create_user=False)


def main():
    if os.geteuid() != 0:
        skip("installing a package with dpkg -i needs root")
    for tool in ("dpkg", "dpkg-deb", "dpkg-query", "dpkg-architecture", "make"):
        if not shutil.which(tool):
            skip("%s not found: this machine cannot build or install Debian packages" % tool)
    require_module()
    t0 = time.time()
    moddir = "/usr/lib/%s/rsyslog" % must(["dpkg-architecture", "-qDEB_HOST_MULTIARCH"], "dpkg-architecture").strip()
    tmp = tempfile.mkdtemp(prefix="imnetflow-deb-")
    saved_deb = saved_so = None
    so = moddir + "/imnetflow.so"
    try:
        deb = build(os.path.join(tmp, "out"))
        check_depends(deb)
        for line in must(["dpkg-deb", "-c", deb], "dpkg-deb -c").splitlines():
            log("  " + line)

        # the machine's state: an installed package, or an unowned make install
        if installed(PKG):
            saved_deb = repack_installed(PKG, os.path.join(tmp, "saved"))
            log("%s is installed: saved as %s, reinstalled at the end" % (PKG, saved_deb))
        elif os.path.exists(so) and not owner(so):
            saved_so = os.path.join(tmp, "imnetflow.so.unowned")
            shutil.copy2(so, saved_so)
            log("%s (make install) set aside, put back at the end" % so)

        log(must(["dpkg", "-i", deb], "dpkg -i").rstrip())
        check(installed(PKG), "dpkg -i left %s as %r" % (PKG, status(PKG)))
        files = check_installed(moddir)
        run_installed(moddir)
        run_unprivileged()

        log(must(["dpkg", "--purge", PKG], "dpkg --purge").rstrip())
        check(status(PKG) in ("", "unknown ok not-installed"), "after --purge: %r" % status(PKG))
        left = [f for f in files if os.path.exists(f)]
        check(not left, "dpkg --purge left %s" % left)
        check(not os.path.exists("/usr/share/doc/" + PKG), "dpkg --purge left /usr/share/doc/" + PKG)
        log("dpkg --purge removed all %d files" % len(files))
        st = os.stat("/var/spool/rsyslog")
        check((st.st_uid, st.st_mode & 0o777) == (0, 0o700), "dpkg --purge left /var/spool/rsyslog to uid %d, mode %o"
              % (st.st_uid, st.st_mode & 0o777))
    finally:
        if status(PKG) not in ("", "unknown ok not-installed") and not saved_deb:
            run(["dpkg", "--purge", PKG])
        if saved_deb:
            p = run(["dpkg", "-i", saved_deb])
            if p.returncode != 0:
                fail("could not reinstall the saved %s (%s): %s" % (PKG, saved_deb, p.stdout))
        elif saved_so and not os.path.exists(so):
            shutil.copy2(saved_so, so)
        shutil.rmtree(tmp, ignore_errors=True)
    log("PASS (%.1fs)" % (time.time() - t0))


main()
