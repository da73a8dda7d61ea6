"""A real Linux guest whose virtio-net rings the sw vDPA device runs:

    vm1 (10.0.1.1, QEMU, virtio-net-pci page-per-vq=on)
       vdpa port v1: driver sw, wire af_packet on a veth
         ns1 (10.0.1.11, iperf3 server)

The guest pings the namespace and runs iperf3 to it; QEMU maps the
device's doorbell pages into the guest (host notifiers: vswd offers
BACKEND_REQ, BACKEND_SEND_FD and HOST_NOTIFIER), so the guest's kicks
land in the device's memory without QEMU or an eventfd: the device's
doorbell counters show them. vswd's PMDs move no packet.
"""

import time
from pathlib import Path

import pytest

import guestvm
import vswlib
from vswpytest import skip_or_fail

pytestmark = [pytest.mark.guest]

IPERF_TIME = 10
GUEST_TIMEOUT = 180


def pmd_packets(v):
    import re
    return sum(int(m) for m in re.findall(r"^stats pmd=\d+ .*? packets=(\d+)",
                                          v.output(), re.M))


@pytest.mark.deadline(300)
@pytest.mark.parametrize("packed", [False, True], ids=["split", "packed"])
def test_guest_on_vdpa(packed, guest_image, qemu_bin, vswd_bin, vswd_eal, workdir, registry,
                       report):
    ok, why = vswlib.netns_status()
    if not ok:
        skip_or_fail(why)
    ns = registry.add(vswlib.Netns("10.0.1.11/24", "02:00:00:41:00:01", tag="ns1")).create()
    sock = str(Path(workdir) / "v1.sock")
    spec = ("vdpa:path=%s,server=1,driver=sw,wire=net_af_packet0,iface=%s"
            % (sock, ns.outer))
    vswd = registry.add(vswlib.Vswd(workdir, ["--port", "v1=" + spec], eal=vswd_eal,
                                    binary=vswd_bin)).start()
    iperf = registry.add(ns.proc("iperf3-ns1", ["iperf3", "-s", "-1", "-J"], workdir,
                                 deadline=GUEST_TIMEOUT + 30))
    iperf.start()
    vm = registry.add(guestvm.Guest(
        "vm1", workdir, guest_image, sock, "client", "10.0.1.1/24", "10.0.1.11",
        mac="52:54:00:00:41:0a", iperf_time=IPERF_TIME, packed=packed,
        deadline=GUEST_TIMEOUT + 30, dev_opts="page-per-vq=on"))
    try:
        vm.start()
        end = time.monotonic() + GUEST_TIMEOUT
        while vm.alive():
            assert vswd.alive(), "vswd died (rc=%s)" % vswd.poll()
            assert time.monotonic() < end, "guest still running after %ds" % GUEST_TIMEOUT
            time.sleep(0.2)
        rep = guestvm.parse_serial(vm.serial_text())
        assert rep.result == "ok", "result %s" % rep.result
        bits = rep.net_features()
        assert (guestvm.VIRTIO_F_RING_PACKED in bits) == packed, guestvm.feature_names(bits)
        p = rep.ping()
        assert p and p[1] == p[0] and p[0] >= 5, "ping: %s" % (p,)
        ip = rep.iperf_client()
        assert ip and not ip.get("error") and (ip["receiver_bps"] or 0) > 0, ip
        assert iperf.wait(30) == 0, iperf.tail()
        rc, stats = vswd.stop()
        assert rc == 0, "vswd exited %s" % rc
        vq = {r["vq"]: r for r in vswlib.parse_vswd_records(vswd.output(), "vdpaq")}
        bells = sum(r["doorbells"] for r in vq.values())
        pkts = sum(r["packets"] for r in vq.values())
        report("guest on a vdpa port (%s, page-per-vq): ping %d/%d, iperf3 %.0f Mbit/s;"
               " device %d packets, %d doorbells through the host-notifier page, %d"
               " interrupts; PMDs %d packets"
               % ("packed" if packed else "split", p[1], p[0], ip["receiver_bps"] / 1e6,
                  pkts, bells, sum(r["interrupts"] for r in vq.values()),
                  pmd_packets(vswd)))
        assert bells > 0, "no doorbell through the host-notifier page: %s" % vq
        assert pkts > 1000 and pmd_packets(vswd) == 0, (pkts, pmd_packets(vswd))
        # The port's counters are the device's (port op device_stats): what
        # the PMDs would have added is checked through pmd_packets() above.
        v1 = stats["v1"]
        assert v1["rx_packets"] + v1["tx_packets"] == pkts, (stats, pkts)
    except BaseException:
        print("--- vswd stdout:\n%s\n--- stderr:\n%s" % (vswd.output()[-6000:],
                                                        vswd.errors()[-6000:]))
        print(vm.log_tail(120))
        raise
