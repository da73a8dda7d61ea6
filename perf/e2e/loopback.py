#!/usr/bin/python3
"""Loopback throughput: one virtio-user guest port reflected by the back-end.

The shape of DPDK DTS "virtio-user loopback": a dpdk-testpmd front-end
(net_virtio_user, mac forwarding, started with tx_first) on one core, the
back-end polling on the other. Back-ends, interleaved A B A B in one
invocation so ratios hold on a noisy machine:

  vsw         vswd --port vm=vhost-user:... --xconnect vm,vm
  dpdk-vhost  dpdk-testpmd --vdev net_vhost0 (rte_vhost), io forwarding
  ovs-flows   Open vSwitch 3.1 with DPDK, one dpdkvhostuserclient port and
              the flow in_port=vm,actions=in_port (NORMAL never sends a
              frame back where it came from); the guest listens
              (virtio-user server=1) since OVS's port connects

Prints Mpps per run, a summary table, and vswd's cycles per packet.
Usage: perf/e2e/loopback.py [--seconds 10] [--rounds 2] [--sizes 64,1518]
                            [--ring split|packed] [--mrg 0|1] [--json FILE]
"""

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import perflib  # noqa: E402

ROOT, TESTPMD = perflib.ROOT, perflib.TESTPMD
start, stop = perflib.start, perflib.stop
WARMUP_S = 3


def wait_for(path, text, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with open(path, errors="replace") as f:
            if text in f.read():
                return True
        time.sleep(0.1)
    return False


def measure(fe_log_path, seconds):
    """Let the front-end forward for the warm-up and @p seconds, counted
    from its first stats line (its start-up can take seconds)."""
    if not wait_for(fe_log_path, "Port statistics", 60):
        raise RuntimeError(f"the front-end never forwarded: see {fe_log_path}")
    time.sleep(WARMUP_S + seconds)


def backend_cmd(kind, sock, tmp):
    if kind == "vsw":
        return perflib.vswd_cmd(tmp, ["--port", f"vm=vhost-user:path={sock},server=1",
                                      "--xconnect", "vm,vm"])
    return [TESTPMD, "-l", "0,1", "--main-lcore", "0", "--no-pci",
            "--file-prefix", "perf-be", "--vdev", f"net_vhost0,iface={sock},queues=1",
            "--", "--forward-mode=io", "--nb-cores=1", "--auto-start"]


def frontend_cmd(sock, size, mrg, packed, server=False):
    return [TESTPMD, "-l", "0,1", "--main-lcore", "1", "--no-pci",
            "--file-prefix", "perf-fe", "--single-file-segments",
            "--vdev", f"net_virtio_user0,path={sock},queues=1,packed_vq={packed},"
                      f"mrg_rxbuf={mrg},in_order=0" + (",server=1" if server else ""),
            "--", "--forward-mode=mac", "--tx-first", "--stats-period=1",
            "--nb-cores=1", f"--txpkts={size}", "--rxd=1024", "--txd=1024"]


def run_ovs(size, seconds, mrg, packed, tmp, sock, fe_log_path):
    """The guest listens, OVS connects and reflects. @return cycles/pkt."""
    with open(fe_log_path, "w") as fe_log:
        fe = start(frontend_cmd(sock, size, mrg, packed, server=True), fe_log)
        ovs = None
        try:
            perflib.wait_path(sock, 30)
            ovs = perflib.Ovs(tmp, [("vm", "in_port")]).start({"vm": sock})
            measure(fe_log_path, seconds)
            return ovs.cycles_per_packet()
        finally:
            stop(fe)
            if ovs is not None:
                ovs.stop()
            perflib.remove_leftovers(["perf-fe", "perf-ovs"])


def run_once(kind, size, seconds, mrg, packed):
    tmp = tempfile.mkdtemp(prefix="vsw-perf-")
    sock = os.path.join(tmp, "vm.sock")
    be_log_path = os.path.join(tmp, "backend.log")
    fe_log_path = os.path.join(tmp, "frontend.log")
    if kind == "ovs-flows":
        cpp = run_ovs(size, seconds, mrg, packed, tmp, sock, fe_log_path)
        return {"backend": kind, "size": size, "mpps": fe_median(fe_log_path) / 1e6,
                "cycles_per_packet": cpp}
    with open(be_log_path, "w") as be_log, open(fe_log_path, "w") as fe_log:
        be = start(backend_cmd(kind, sock, tmp), be_log)
        try:
            ready = "vswd: ready" if kind == "vsw" else "VHOST_CONFIG"
            if not wait_for(be_log_path, ready, 30) and not os.path.exists(sock):
                raise RuntimeError(f"{kind} back-end did not start: see {be_log_path}")
            deadline = time.time() + 10
            while not os.path.exists(sock) and time.time() < deadline:
                time.sleep(0.1)
            fe = start(frontend_cmd(sock, size, mrg, packed), fe_log)
            try:
                measure(fe_log_path, seconds)
            finally:
                stop(fe)
        finally:
            stop(be)
    samples = fe_median(fe_log_path)
    cpp = perflib.vswd_cycles(be_log_path) if kind == "vsw" else None
    return {"backend": kind, "size": size, "mpps": samples / 1e6,
            "cycles_per_packet": cpp}


def fe_median(fe_log_path):
    """Median of the front-end's Rx-pps samples after the warm-up."""
    with open(fe_log_path, errors="replace") as f:
        samples = [int(x) for x in re.findall(r"Rx-pps:\s+(\d+)", f.read())]
    samples = samples[WARMUP_S:]
    if not samples:
        raise RuntimeError(f"no Rx-pps samples from the front-end: see {fe_log_path}")
    return statistics.median(samples)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--sizes", default="64,1518")
    ap.add_argument("--mrg", type=int, default=0)
    ap.add_argument("--backends", default="vsw,dpdk-vhost,ovs-flows")
    ap.add_argument("--ring", choices=("split", "packed"), default="split")
    ap.add_argument("--json")
    ap.add_argument("--out", default=os.path.join(ROOT, "perf", "results"),
                    help="directory for loopback-RING.json/.md/.png")
    a = ap.parse_args()
    results = []
    for size in [int(s) for s in a.sizes.split(",")]:
        for r in range(a.rounds):
            for kind in a.backends.split(","):
                res = run_once(kind, size, a.seconds, a.mrg, int(a.ring == "packed"))
                res["round"] = r
                results.append(res)
                cpp = res["cycles_per_packet"]
                print(f"round {r} {a.ring} {kind:10s} {size:5d} B  {res['mpps']:6.2f} Mpps"
                      + (f"  {cpp:.0f} cycles/pkt (back-end)" if cpp else ""),
                      flush=True)
    for r in results:  # on the wire: + 20 bytes of preamble and gap
        r["gbps"] = r["mpps"] * (r["size"] + 20) * 8 / 1e3
    perflib.write_outputs(a.out, "loopback-%s" % a.ring,
                          "Loopback, %s ring, mrg_rxbuf=%d" % (a.ring, a.mrg),
                          results, a.backends.split(","), vars(a))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
