#!/usr/bin/python3
"""VM-to-VM throughput: two guest ports switched by the back-end.

One vsw-pktgen process owns both guests' virtio-user ports and polls them
on core 0, each port sending its own flows to the other (both directions,
every frame checked: loss, reordering, duplicates, latency). The back-end
polls on core 1. Back-ends, interleaved A B C D A B C D in one invocation
so the ratios hold on a noisy machine:

  vsw         vswd --port vm1=vhost-user:... --port vm2=... --xconnect vm1,vm2
  dpdk-vhost  dpdk-testpmd, two net_vhost ports (rte_vhost), io forwarding
  ovs-normal  Open vSwitch 3.1 with DPDK, dpdkvhostuserclient ports, NORMAL
  ovs-flows   the same with in_port=vm1,actions=vm2 (and back) port flows

Open vSwitch is started privately (own db, run dir and DPDK file prefix)
and stopped by PID. Each run: --warmup seconds, then --seconds at full
rate; the figure is what the guests received (Mpps, both directions
summed). Writes JSON, a markdown table and a PNG plot (matplotlib).

With --search LOSS each run is vsw-pktgen's binary search for the highest
rate losing at most that fraction (0: the no-drop rate), trials of
--seconds each.

Usage: perf/e2e/vm2vm.py [--seconds 6] [--rounds 2] [--sizes 64,512,1518]
       [--backends vsw,dpdk-vhost,ovs-normal,ovs-flows] [--search LOSS]
       [--out DIR]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import perflib  # noqa: E402

BACKENDS = ("vsw", "dpdk-vhost", "ovs-normal", "ovs-flows")


def backend_start(kind, tmp, socks):
    log = open(os.path.join(tmp, "backend.log"), "w")
    if kind == "vsw":
        return perflib.start([perflib.VSWD, "-l", "0,1", "--main-lcore", "0", "--no-pci",
                              "--file-prefix", "perf-vsw", "--",
                              "--port", "vm1=vhost-user:path=%s,server=0" % socks["vm1"],
                              "--port", "vm2=vhost-user:path=%s,server=0" % socks["vm2"],
                              "--xconnect", "vm1,vm2"], log)
    if kind == "dpdk-vhost":
        return perflib.start([perflib.TESTPMD, "-l", "0,1", "--main-lcore", "0", "--no-pci",
                              "--file-prefix", "perf-be",
                              "--vdev", "net_vhost0,iface=%s,queues=1,client=1" % socks["vm1"],
                              "--vdev", "net_vhost1,iface=%s,queues=1,client=1" % socks["vm2"],
                              "--", "--forward-mode=io", "--nb-cores=1", "--auto-start"], log)
    flows = [("vm1", "vm2"), ("vm2", "vm1")] if kind == "ovs-flows" else None
    return perflib.Ovs(tmp, flows).start(socks)


def backend_stop(kind, be, tmp):
    """Stop; return the back-end's cycles per packet if it tells."""
    if kind.startswith("ovs"):
        cpp = be.cycles_per_packet()
        be.stop()
        return cpp
    perflib.stop(be)
    if kind == "vsw":
        return perflib.vswd_cycles(os.path.join(tmp, "backend.log"))
    return None


def run_once(kind, size, seconds, warmup, search=None):
    tmp = tempfile.mkdtemp(prefix="vsw-perf-")
    socks = {p: os.path.join(tmp, p + ".sock") for p in ("vm1", "vm2")}
    out = os.path.join(tmp, "pktgen.json")
    # The guests listen (virtio-user server=1); every back-end connects, as
    # OVS's dpdkvhostuserclient ports must.
    gen = perflib.start(
        [perflib.PKTGEN, "-l", "0", "--no-pci",
         "--file-prefix", "perf-fe", "--single-file-segments",
         "--vdev", "net_virtio_user0,path=%s,server=1,queues=1,mrg_rxbuf=1" % socks["vm1"],
         "--vdev", "net_virtio_user1,path=%s,server=1,queues=1,mrg_rxbuf=1" % socks["vm2"],
         "--", "--port", "0,1", "--size", str(size), "--flows", "16",
         "--duration", str(seconds), "--warmup", str(warmup), "--json", out] +
        (["--search", "--loss", str(search), "--trial", str(seconds)]
         if search is not None else []),
        open(os.path.join(tmp, "pktgen.log"), "w"))
    time.sleep(1)
    be = backend_start(kind, tmp, socks)
    try:
        rc = gen.wait(seconds * (20 if search is not None else 1) + warmup + 60)
    except subprocess.TimeoutExpired:
        perflib.stop(gen)
        rc = -1
    cpp = backend_stop(kind, be, tmp)
    perflib.remove_leftovers(["perf-fe", "perf-vsw", "perf-be", "perf-ovs"])
    if rc != 0 or not os.path.exists(out):
        raise RuntimeError("%s %d B: vsw-pktgen failed (rc %s): see %s" % (kind, size, rc, tmp))
    with open(out) as f:
        r = json.load(f)["result"]
    shutil.rmtree(tmp, ignore_errors=True)
    return {"backend": kind, "size": size, "mpps": r["rx_pps"] / 1e6,
            "gbps": r["rx_gbps"], "loss_ratio": r["loss_ratio"],
            "lat_p50_ns": r["latency_ns"]["p50"], "lat_p99_ns": r["latency_ns"]["p99"],
            "cycles_per_packet": cpp}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=6)
    ap.add_argument("--warmup", type=float, default=2)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--sizes", default="64,512,1518")
    ap.add_argument("--backends", default=",".join(BACKENDS))
    ap.add_argument("--out", default=os.path.join(perflib.ROOT, "perf", "results"))
    ap.add_argument("--search", type=float, metavar="LOSS",
                    help="report the highest rate losing at most this fraction"
                         " (0: no-drop rate, RFC 2544 binary search with"
                         " --seconds trials) instead of the full-rate figure")
    a = ap.parse_args()
    kinds = [k for k in a.backends.split(",") if k]
    bad = [k for k in kinds if k not in BACKENDS]
    if bad:
        ap.error("unknown back-end(s) %s; known: %s" % (bad, ", ".join(BACKENDS)))
    if any(k.startswith("ovs") for k in kinds) and not os.access(perflib.OVS_VSWITCHD, os.X_OK):
        ap.error("%s missing: apt-get install openvswitch-switch-dpdk"
                 % perflib.OVS_VSWITCHD)
    results = []
    for size in [int(s) for s in a.sizes.split(",")]:
        for r in range(a.rounds):
            for kind in kinds:
                res = run_once(kind, size, a.seconds, a.warmup, a.search)
                res["round"] = r
                results.append(res)
                print(perflib.run_line("vm2vm", res), flush=True)
    name = "vm2vm" if a.search is None else "vm2vm-search"
    title = "VM-to-VM through the back-end (both directions)"
    if a.search is not None:
        title += ", highest rate with loss <= %g" % a.search
    perflib.write_outputs(a.out, name, title, results, kinds, vars(a))


if __name__ == "__main__":
    main()
