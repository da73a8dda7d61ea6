#!/usr/bin/python3
"""The sw vDPA device against a vhost-user port, on the same wire.

A guest port and a "physical NIC" (DPDK's net_af_packet on the root end
of a veth pair into a network namespace), both directions, as vm2ns.py:
one vsw-pktgen inside the namespace owns the guest's virtio-user port and
an af_packet port on the namespace's end, every frame checked. Back-ends,
interleaved per round:

  vsw       vswd: vhost-user vm + ethdev af_packet up, --xconnect vm,up:
            the PMD (core 1) moves every packet
  vsw-vdpa  vswd: vdpa vm, driver sw, wire af_packet: the device's thread
            (pinned to core 1; the PMD, with nothing to poll, sleeps)
            moves them; the rings never meet vswd's data path

Cycles per packet: the PMD's busy cycles for vsw, the device thread's for
vsw-vdpa (both from vswd's exit stats). The kernel's veth and af_packet
copies bound both here (about a million frames a second): the scenario
compares what the two data paths cost on the same wire.

Usage: perf/e2e/vdpa.py [--seconds 6] [--rounds 2] [--sizes 64,512,1518]
       [--backends vsw,vsw-vdpa] [--search LOSS] [--out DIR]
"""

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import perflib  # noqa: E402

BACKENDS = ("vsw", "vsw-vdpa")


def backend_start(kind, tmp, sock, iface):
    log = open(os.path.join(tmp, "backend.log"), "w")
    nic = "net_af_packet0,iface=%s" % iface
    if kind == "vsw-vdpa":
        app = ["--port", "vm=vdpa:path=%s,server=0,driver=sw,wire=%s" % (sock, nic)]
    else:
        app = ["--port", "vm=vhost-user:path=%s,server=0" % sock,
               "--port", "up=ethdev:devargs=" + nic, "--xconnect", "vm,up"]
    return perflib.start(perflib.vswd_cmd(tmp, app), log)


def run_once(kind, size, a):
    tmp = tempfile.mkdtemp(prefix="vsw-perf-")
    sock = os.path.join(tmp, "vm.sock")
    ns = perflib.Netns("1").create()
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
    perflib.pktgen_main(__doc__, "vdpa",
                        "sw vDPA device vs vhost-user port on one af_packet wire"
                        " (both directions)", BACKENDS, run_once)


if __name__ == "__main__":
    main()
