#!/usr/bin/python3
"""VM-to-VM throughput: two guest ports switched by the back-end.

One vsw-pktgen process owns both guests' virtio-user ports and polls them
on core 0, each port sending its own flows to the other (both directions,
every frame checked: loss, reordering, duplicates, latency). The back-end
polls on core 1. Back-ends, interleaved A B C D A B C D in one invocation
so the ratios hold on a noisy machine:

  vsw         vswd --port vm1=vhost-user:... --port vm2=... --xconnect vm1,vm2
  vsw-bridge  vswd with --bridge br0=vm1,vm2 (MAC learning)
  dpdk-vhost  dpdk-testpmd, two net_vhost ports (rte_vhost), io forwarding
  ovs-normal  Open vSwitch 3.1 with DPDK, dpdkvhostuserclient ports, NORMAL
              (MAC learning)
  ovs-flows   the same with in_port=vm1,actions=vm2 (and back) port flows

Each port sends flow k to the source MAC of the other port's flow k
(vsw-pktgen --dst-mac peer): the learning switches forward known unicast.

Open vSwitch is started privately (own db, run dir and DPDK file prefix)
and stopped by PID. Each run: --warmup seconds, then --seconds at full
rate; the figure is what the guests received (Mpps, both directions
summed). Writes JSON, a markdown table and a PNG plot (matplotlib).

With --search LOSS each run is vsw-pktgen's binary search for the highest
rate losing at most that fraction (0: the no-drop rate), trials of
--seconds each.

Usage: perf/e2e/vm2vm.py [--seconds 6] [--rounds 2] [--sizes 64,512,1518]
       [--backends vsw,vsw-bridge,dpdk-vhost,ovs-normal,ovs-flows] [--search LOSS]
       [--out DIR]
"""

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import perflib  # noqa: E402

BACKENDS = ("vsw", "vsw-bridge", "dpdk-vhost", "ovs-normal", "ovs-flows")


def backend_start(kind, tmp, socks):
    log = open(os.path.join(tmp, "backend.log"), "w")
    if kind in ("vsw", "vsw-bridge"):
        fwd = ["--xconnect", "vm1,vm2"] if kind == "vsw" else ["--bridge", "br0=vm1,vm2"]
        return perflib.start(perflib.vswd_cmd(tmp, [
            "--port", "vm1=vhost-user:path=%s,server=0" % socks["vm1"],
            "--port", "vm2=vhost-user:path=%s,server=0" % socks["vm2"]] + fwd), log)
    if kind == "dpdk-vhost":
        return perflib.start([perflib.TESTPMD, "-l", "0,1", "--main-lcore", "0", "--no-pci",
                              "--file-prefix", "perf-be",
                              "--vdev", "net_vhost0,iface=%s,queues=1,client=1" % socks["vm1"],
                              "--vdev", "net_vhost1,iface=%s,queues=1,client=1" % socks["vm2"],
                              "--", "--forward-mode=io", "--nb-cores=1", "--auto-start"], log)
    flows = [("vm1", "vm2"), ("vm2", "vm1")] if kind == "ovs-flows" else None
    return perflib.Ovs(tmp, flows).start(socks)


def run_once(kind, size, a):
    tmp = tempfile.mkdtemp(prefix="vsw-perf-")
    socks = {p: os.path.join(tmp, p + ".sock") for p in ("vm1", "vm2")}
    gen = [perflib.PKTGEN, "-l", "0", "--no-pci", "--file-prefix", "perf-fe",
           "--single-file-segments"]
    for i, p in enumerate(("vm1", "vm2")):
        gen += ["--vdev", "net_virtio_user%d,path=%s,server=1,queues=1,mrg_rxbuf=1"
                % (i, socks[p])]
    res = perflib.pktgen_trial(kind, size, a, tmp, gen,
                               lambda: backend_start(kind, tmp, socks))
    shutil.rmtree(tmp, ignore_errors=True)
    return res


def main():
    perflib.pktgen_main(__doc__, "vm2vm", "VM-to-VM through the back-end (both directions)",
                        BACKENDS, run_once)


if __name__ == "__main__":
    main()
