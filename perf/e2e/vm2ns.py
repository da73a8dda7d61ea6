#!/usr/bin/python3
"""VM-to-namespace throughput: a guest port and a "physical NIC" switched
by the back-end, both directions.

The NIC is DPDK's net_af_packet on the root-namespace end of a veth pair
whose other end sits in a network namespace. One vsw-pktgen, run inside
that namespace, owns both ends of the path: the guest's virtio-user port
(port 0) and an af_packet port on the namespace's end of the veth (port
1); each sends its own flows to the other, every frame checked. The
back-end polls on core 1; vsw-pktgen on core 0 (the kernel's veth and
af_packet work lands on both). Back-ends, interleaved per round:

  vsw         vswd: vhost-user vm + ethdev af_packet up, --xconnect vm,up
  vsw-bridge  the same ports on --bridge br0=vm,up (MAC learning)
  dpdk-vhost  dpdk-testpmd: net_vhost (rte_vhost) + net_af_packet, io
  ovs-normal  Open vSwitch 3.1 with DPDK: dpdkvhostuserclient + a type=dpdk
              af_packet port, NORMAL (MAC learning)
  ovs-flows   the same with in_port port flows

The kernel's veth and af_packet copies bound every back-end here (about a
million frames a second): the scenario compares the switches' cost on the
guest <-> NIC path, not a NIC's line rate.

Usage: perf/e2e/vm2ns.py [--seconds 6] [--rounds 2] [--sizes 64,512,1518]
       [--backends vsw,vsw-bridge,dpdk-vhost,ovs-normal,ovs-flows]
       [--search LOSS] [--out DIR]
"""

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import perflib  # noqa: E402

BACKENDS = ("vsw", "vsw-bridge", "dpdk-vhost", "ovs-normal", "ovs-flows")


def backend_start(kind, tmp, sock, iface):
    log = open(os.path.join(tmp, "backend.log"), "w")
    nic = "net_af_packet0,iface=%s" % iface
    if kind in ("vsw", "vsw-bridge"):
        fwd = ["--xconnect", "vm,up"] if kind == "vsw" else ["--bridge", "br0=vm,up"]
        return perflib.start(perflib.vswd_cmd(tmp, [
            "--port", "vm=vhost-user:path=%s,server=0" % sock,
            "--port", "up=ethdev:devargs=" + nic] + fwd), log)
    if kind == "dpdk-vhost":
        return perflib.start([perflib.TESTPMD, "-l", "0,1", "--main-lcore", "0", "--no-pci",
                              "--file-prefix", "perf-be",
                              "--vdev", "net_vhost0,iface=%s,queues=1,client=1" % sock,
                              "--vdev", nic,
                              "--", "--forward-mode=io", "--nb-cores=1", "--auto-start"], log)
    flows = [("vm", "up"), ("up", "vm")] if kind == "ovs-flows" else None
    return perflib.Ovs(tmp, flows).start({"vm": sock}, {"up": nic})


def run_once(kind, size, a):
    tmp = tempfile.mkdtemp(prefix="vsw-perf-")
    sock = os.path.join(tmp, "vm.sock")
    ns = perflib.Netns("0").create()
    try:
        gen = ns.argv([perflib.PKTGEN, "-l", "0", "--no-pci", "--file-prefix", "perf-fe",
                       "--single-file-segments",
                       "--vdev", "net_virtio_user0,path=%s,server=1,queues=1,mrg_rxbuf=1"
                       % sock, "--vdev", "net_af_packet1,iface=%s" % ns.inner])
        res = perflib.pktgen_trial(kind, size, a, tmp, gen,
                                   lambda: backend_start(kind, tmp, sock, ns.outer))
    finally:
        ns.delete()
    shutil.rmtree(tmp, ignore_errors=True)
    return res


def main():
    perflib.pktgen_main(__doc__, "vm2ns",
                        "VM-to-namespace: a guest and an af_packet NIC (both directions)",
                        BACKENDS, run_once)


if __name__ == "__main__":
    main()
