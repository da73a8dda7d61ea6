"""Shared pieces of the perf/e2e scenarios: processes, results, outputs."""

import glob
import json
import os
import re
import signal
import statistics
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("VSW_BUILD", os.path.join(ROOT, "build"))
VSWD = os.path.join(BUILD, "app", "vswd", "vswd")
PKTGEN = os.path.join(BUILD, "app", "vsw-pktgen", "vsw-pktgen")
TESTPMD = "dpdk-testpmd"
OVS_VSWITCHD = "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk"
OVS_SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"


def start(cmd, log, env=None):
    """A child in its own session, stdin a pipe (testpmd waits on it)."""
    return subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True, env=env)


def stop(proc, timeout=10):
    """SIGINT, then SIGKILL after timeout; by PID only."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def wait_path(path, timeout):
    end = time.time() + timeout
    while not os.path.exists(path):
        if time.time() > end:
            raise RuntimeError("%s did not appear within %ss" % (path, timeout))
        time.sleep(0.1)


def vswd_cmd(tmp, app, lcores=("-l", "0,1")):
    """vswd on cores 0 (control) and 1 (its PMD), control socket in tmp."""
    return [VSWD, *lcores, "--main-lcore", "0", "--no-pci", "--file-prefix", "perf-vsw",
            "--", "--ctl", os.path.join(tmp, "vswd.ctl")] + list(app)


def vswd_cycles(log_path):
    """The PMD's busy cycles per packet vswd printed at exit (the busiest
    PMD's when there are several)."""
    with open(log_path, errors="replace") as f:
        vals = [float(x) for x in re.findall(r"cycles_per_packet=([\d.]+)", f.read())]
    return max(vals) if vals else None


def remove_leftovers(prefixes):
    """Hugepage files and run dirs a killed DPDK process leaves."""
    for p in prefixes:
        for f in glob.glob("/dev/hugepages/%smap_*" % p):
            try:
                os.unlink(f)
            except OSError:
                pass


def run_line(scenario, r):
    cpp = r.get("cycles_per_packet")
    return ("round %d %s %-11s %5d B %7.2f Mpps %6.2f Gbit/s loss %.4f%% p50 %s ns%s"
            % (r["round"], scenario, r["backend"], r["size"], r["mpps"], r["gbps"],
               100 * r["loss_ratio"], r["lat_p50_ns"],
               "  %.0f cycles/pkt" % cpp if cpp else ""))


def summarize(results, kinds):
    """{(kind, size): median record} over the rounds."""
    out = {}
    for size in sorted({r["size"] for r in results}):
        for k in kinds:
            runs = [r for r in results if r["backend"] == k and r["size"] == size]
            if not runs:
                continue
            def med(key):
                vals = [r[key] for r in runs if r.get(key) is not None]
                return statistics.median(vals) if vals else None

            losses = [r["loss_ratio"] for r in runs if r.get("loss_ratio") is not None]
            out[(k, size)] = {
                "mpps": med("mpps"), "gbps": med("gbps"),
                "loss_ratio": max(losses) if losses else None,
                "lat_p50_ns": med("lat_p50_ns"),
                "cycles_per_packet": med("cycles_per_packet"),
            }
    return out


def markdown(title, summary, kinds):
    sizes = sorted({s for _, s in summary})
    lines = ["%s (Mpps received, median of rounds; in brackets: back-end cycles "
             "per packet)" % title, "",
             "| back-end | " + " | ".join("%d B" % s for s in sizes) + " |",
             "|---|" + "---|" * len(sizes)]
    for k in kinds:
        cells = []
        for s in sizes:
            v = summary.get((k, s))
            if v is None:
                cells.append("—")
                continue
            c = " (%.0f)" % v["cycles_per_packet"] if v["cycles_per_packet"] else ""
            cells.append("%.2f%s" % (v["mpps"], c))
        lines.append("| %s | %s |" % (k, " | ".join(cells)))
    return "\n".join(lines) + "\n"


def plot(path, title, summary, kinds):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted({s for _, s in summary})
    width = 0.8 / max(len(kinds), 1)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for i, k in enumerate(kinds):
        xs = [j + i * width for j in range(len(sizes))]
        ys = [summary.get((k, s), {}).get("mpps", 0) for s in sizes]
        ax.bar(xs, ys, width, label=k)
    ax.set_xticks([j + width * (len(kinds) - 1) / 2 for j in range(len(sizes))])
    ax.set_xticklabels(["%d B" % s for s in sizes])
    ax.set_ylabel("Mpps received")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_outputs(outdir, scenario, title, results, kinds, args):
    os.makedirs(outdir, exist_ok=True)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    summary = summarize(results, kinds)
    base = os.path.join(outdir, scenario)
    with open(base + ".json", "w") as f:
        json.dump({"scenario": scenario, "date": stamp, "args": args, "runs": results,
                   "summary": [dict(backend=k, size=s, **v) for (k, s), v in summary.items()]},
                  f, indent=1)
    md = "%s, %s\n\n%s" % (scenario, stamp, markdown(title, summary, kinds))
    with open(base + ".md", "w") as f:
        f.write(md)
    plot(base + ".png", title, summary, kinds)
    print("\n" + md)
    print("wrote %s.json, .md, .png" % base)


class Netns:
    """A network namespace holding one end of a veth pair (the other end,
    `outer`, stays in the root namespace for a switch's af_packet port).
    Offloads that would hand af_packet frames over the MTU are off, and
    IPv6 (its own chatter) too."""

    def __init__(self, tag):
        self.name = "vswperf" + tag
        self.inner, self.outer = "vpi" + tag, "vpo" + tag

    def run(self, *argv, inside=False):
        cmd = (["ip", "netns", "exec", self.name] if inside else []) + list(argv)
        subprocess.run(cmd, check=True, timeout=20, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)

    def create(self):
        self.delete()
        self.run("ip", "netns", "add", self.name)
        self.run("ip", "link", "add", self.outer, "type", "veth", "peer", "name", self.inner)
        self.run("ip", "link", "set", self.inner, "netns", self.name)
        self.run("sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=1" % self.outer)
        self.run("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", inside=True)
        for dev, inside in ((self.outer, False), (self.inner, True)):
            self.run("ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off",
                     "tx", "off", inside=inside)
            self.run("ip", "link", "set", dev, "up", inside=inside)
        return self

    def delete(self):
        subprocess.run(["ip", "netns", "del", self.name], stderr=subprocess.DEVNULL)
        subprocess.run(["ip", "link", "del", self.outer], stderr=subprocess.DEVNULL)

    def argv(self, cmd):
        return ["ip", "netns", "exec", self.name] + list(cmd)


class Ovs:
    """ovsdb-server + ovs-vswitchd-dpdk in a private directory."""

    def __init__(self, tmp, flows=None):
        """flows: [(in_port, out_port)] port flows replacing NORMAL
        (out_port "in_port" sends back where it came from), or None."""
        self.d = tmp
        self.flows = flows
        self.db = "unix:%s/db.sock" % tmp
        self.env = dict(os.environ, OVS_RUNDIR=tmp, OVS_DBDIR=tmp, OVS_LOGDIR=tmp,
                        OVS_SYSCONFDIR=tmp)
        self.procs = []

    def run(self, *argv):
        subprocess.run(list(argv), env=self.env, check=True, timeout=30,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def vsctl(self, *args):
        self.run("ovs-vsctl", "--db=" + self.db, "--timeout=20", *args)

    def start(self, socks, dpdk_ports=None):
        """socks: {port: vhost-user socket} (dpdkvhostuserclient ports);
        dpdk_ports: {port: devargs} (type=dpdk, e.g. net_af_packet)."""
        self.run("ovsdb-tool", "create", "%s/conf.db" % self.d, OVS_SCHEMA)
        log = open(os.path.join(self.d, "ovsdb.log"), "w")
        self.procs.append(start(
            ["ovsdb-server", "%s/conf.db" % self.d, "--remote=punix:%s/db.sock" % self.d,
             "--pidfile"], log, env=self.env))
        wait_path("%s/db.sock" % self.d, 10)
        self.vsctl("--no-wait", "init")
        self.vsctl("--no-wait", "set", "Open_vSwitch", ".",
                   "other_config:dpdk-init=true", "other_config:dpdk-socket-mem=512",
                   "other_config:dpdk-socket-limit=512", "other_config:pmd-cpu-mask=0x2",
                   "other_config:dpdk-lcore-mask=0x1",
                   'other_config:dpdk-extra="--no-pci --file-prefix=perf-ovs"')
        log = open(os.path.join(self.d, "vswitchd.log"), "w")
        self.procs.append(start(
            [OVS_VSWITCHD, self.db, "--pidfile=%s/ovs-vswitchd.pid" % self.d,
             "--unixctl=%s/vswitchd.ctl" % self.d], log, env=self.env))
        self.vsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev")
        # Port flows go in before the ports (by their requested OpenFlow
        # numbers): a guest's first burst must not meet NORMAL instead.
        dpdk_ports = dpdk_ports or {}
        ofport = {name: i + 1 for i, name in enumerate(list(socks) + list(dpdk_ports))}
        if self.flows:
            for a, b in self.flows:
                out = "in_port" if b == "in_port" else "output:%d" % ofport[b]
                self.run("ovs-ofctl", "add-flow", "br0",
                         "priority=100,in_port=%d,actions=%s" % (ofport[a], out))
            self.run("ovs-ofctl", "--strict", "del-flows", "br0", "priority=0")
        for name, sock in socks.items():
            self.vsctl("add-port", "br0", name, "--", "set", "Interface", name,
                       "type=dpdkvhostuserclient", "options:vhost-server-path=%s" % sock,
                       "ofport_request=%d" % ofport[name])
        for name, devargs in dpdk_ports.items():
            self.vsctl("add-port", "br0", name, "--", "set", "Interface", name,
                       "type=dpdk", "options:dpdk-devargs=%s" % devargs,
                       "ofport_request=%d" % ofport[name])
        return self

    def cycles_per_packet(self):
        try:
            out = subprocess.run(["ovs-appctl", "-t", "%s/vswitchd.ctl" % self.d,
                                  "dpif-netdev/pmd-stats-show"], env=self.env,
                                 capture_output=True, text=True, timeout=20).stdout
        except subprocess.TimeoutExpired:
            return None
        for line in out.splitlines():
            if "avg processing cycles per packet" in line:
                return float(line.split(":")[1].split()[0])
        return None

    def stop(self):
        for p in reversed(self.procs):
            stop(p)


# --------------------------------------------------------------------------
# vsw-pktgen scenarios (vm2vm, vm2ns): the guests' generator owns ports 0
# and 1 and sends each flow to the other port's (--dst-mac peer).

def stop_backend(kind, be, tmp):
    """Stop a back-end; return its cycles per packet if it tells."""
    if kind.startswith("ovs"):
        cpp = be.cycles_per_packet()
        be.stop()
        return cpp
    stop(be)
    if kind.startswith("vsw"):
        return vswd_cycles(os.path.join(tmp, "backend.log"))
    return None


def pktgen_trial(kind, size, a, tmp, gen_argv, start_backend):
    """One run: vsw-pktgen (gen_argv: its command up to its options), then
    the back-end (start_backend() -> handle for stop_backend); the
    generator's figures and the back-end's cycles per packet."""
    out = os.path.join(tmp, "pktgen.json")
    gen = start(list(gen_argv) +
                ["--", "--port", "0,1", "--size", str(size), "--flows", "16",
                 "--dst-mac", "peer", "--duration", str(a.seconds), "--warmup",
                 str(a.warmup), "--json", out] +
                (["--search", "--loss", str(a.search), "--trial", str(a.seconds)]
                 if a.search is not None else []),
                open(os.path.join(tmp, "pktgen.log"), "w"))
    time.sleep(1)   # the guests listen first; every back-end connects
    be = start_backend()
    try:
        rc = gen.wait(a.seconds * (20 if a.search is not None else 1) + a.warmup + 60)
    except subprocess.TimeoutExpired:
        stop(gen)
        rc = -1
    cpp = stop_backend(kind, be, tmp)
    remove_leftovers(["perf-fe", "perf-vsw", "perf-be", "perf-ovs"])
    if rc != 0 or not os.path.exists(out):
        raise RuntimeError("%s %d B: vsw-pktgen failed (rc %s): see %s" % (kind, size, rc, tmp))
    with open(out) as f:
        r = json.load(f)["result"]
    return {"backend": kind, "size": size, "mpps": r["rx_pps"] / 1e6,
            "gbps": r["rx_gbps"], "loss_ratio": r["loss_ratio"],
            "lat_p50_ns": r["latency_ns"]["p50"], "lat_p99_ns": r["latency_ns"]["p99"],
            "cycles_per_packet": cpp}


def pktgen_main(doc, scenario, title, backends, run_once):
    """Options, A B C A B C rounds per size, outputs. run_once(kind, size,
    args) -> record."""
    import argparse

    ap = argparse.ArgumentParser(description=doc,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=6)
    ap.add_argument("--warmup", type=float, default=2)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--sizes", default="64,512,1518")
    ap.add_argument("--backends", default=",".join(backends))
    ap.add_argument("--out", default=os.path.join(ROOT, "perf", "results"))
    ap.add_argument("--search", type=float, metavar="LOSS",
                    help="report the highest rate losing at most this fraction"
                         " (0: no-drop rate, RFC 2544 binary search with"
                         " --seconds trials) instead of the full-rate figure")
    a = ap.parse_args()
    kinds = [k for k in a.backends.split(",") if k]
    bad = [k for k in kinds if k not in backends]
    if bad:
        ap.error("unknown back-end(s) %s; known: %s" % (bad, ", ".join(backends)))
    if any(k.startswith("ovs") for k in kinds) and not os.access(OVS_VSWITCHD, os.X_OK):
        ap.error("%s missing: apt-get install openvswitch-switch-dpdk" % OVS_VSWITCHD)
    results = []
    for size in [int(s) for s in a.sizes.split(",")]:
        for r in range(a.rounds):
            for kind in kinds:
                res = run_once(kind, size, a)
                res["round"] = r
                results.append(res)
                print(run_line(scenario, res), flush=True)
    if a.search is not None:
        scenario += "-search"
        title += ", highest rate with loss <= %g" % a.search
    write_outputs(a.out, scenario, title, results, kinds, vars(a))
