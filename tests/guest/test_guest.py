"""Two real Linux guests (QEMU, TCG) on two vswd vhost-user ports
cross-connected vm1 <-> vm2: ping both ways and a 10 s iperf3 TCP run.

vm2 is the iperf3 server (10.0.0.2), vm1 the client (10.0.0.1). Cells:
vswd as vhost-user server (QEMU connects) and as client (QEMU listens with
server=on,wait=off), each with split rings and with packed rings (one
queue pair), and with two queue pairs (mq=on, ethtool -L eth0 combined 2,
and host_mtu=9000: QEMU sends NET_SET_MTU, the guests run a 9000-byte MTU).
Both guests negotiate checksum and TSO offloads, so TCP crosses vswd as
64 KB super-frames. One more cell turns every offload off on vm2: vswd
then cuts vm1's TSO frames and completes its checksums in software
(lib/net), and vm2's full-checksum frames reach vm1 as they are; that
cell also coalesces the guests' receive interrupts (coalesce-usecs=50,
coalesce-pkts=64 on both ports).

Asserted: both guests power off by themselves, 5/5 pings answered each
way, iperf3 moved data (the figure is printed, never judged), both guests
negotiated VIRTIO_F_VERSION_1, vswd stayed up and exits 0 on SIGTERM with
packets counted both ways on both ports, and what one port received the
other sent or counted as a drop. The negotiated features and the iperf3
figures go to the "vsw guest figures" summary of the CI log.
"""

import os
import re
import time

import pytest

import guestvm
import vswlib

pytestmark = [pytest.mark.guest]

IPERF_TIME = 10
VMS = {  # name: (role, address, peer, mac)
    "vm1": ("client", "10.0.0.1/24", "10.0.0.2", "52:54:00:00:00:0a"),
    "vm2": ("server", "10.0.0.2/24", "10.0.0.1", "52:54:00:00:00:0b"),
}
GUEST_TIMEOUT = 150   # s for both guests to power off (about 20 s seen here)

# QEMU virtio-net-pci properties that leave vm2 without any offload.
NO_OFFLOADS = ("csum=off,guest_csum=off,host_tso4=off,host_tso6=off,"
               "guest_tso4=off,guest_tso6=off")
OFFLOAD_BITS = ("CSUM", "GUEST_CSUM", "HOST_TSO4", "GUEST_TSO4")

# The README's test command runs the cells below, which cover every pair of
# (mode, ring layout, queue pairs) once; VSW_GUEST_FULL=1 adds the rest of
# the product (docs/testing.md).
CELLS = [
    pytest.param("server", False, 1, "", id="server-split-q1"),
    pytest.param("client", True, 1, "", id="client-packed-q1"),
    pytest.param("client", False, 2, "", id="client-split-q2"),
    pytest.param("server", True, 1, NO_OFFLOADS,
                 id="server-packed-q1-vm2-no-offloads-coalesced"),
]
if os.environ.get("VSW_GUEST_FULL") == "1":
    CELLS += [
        pytest.param("server", True, 1, "", id="server-packed-q1"),
        pytest.param("server", False, 2, "", id="server-split-q2"),
        pytest.param("client", False, 1, "", id="client-split-q1"),
    ]
COALESCE = ",coalesce-usecs=50,coalesce-pkts=64"


JUMBO_MTU = 9000


def dev_opts(name, queues, vm2_opts):
    """Extra virtio-net-pci properties of guest name in this cell."""
    opts = [vm2_opts] if vm2_opts and name == "vm2" else []
    if queues > 1:
        opts.append("host_mtu=%d" % JUMBO_MTU)
    return ",".join(opts)


def mbit(bps):
    return "%.0f Mbit/s" % (bps / 1e6) if bps is not None else "?"


def dump_logs(vswd, guests):
    """Print vswd's output and each guest's serial log and QEMU stderr."""
    if vswd is not None:
        print("--- vswd (%s) stdout:\n%s" % (" ".join(vswd.argv), vswd.output()[-6000:]))
        print("--- vswd stderr:\n%s" % vswd.errors()[-10000:])
    for g in guests:
        print(g.log_tail(120))


@pytest.mark.deadline(240)
@pytest.mark.parametrize("mode,packed,queues,vm2_opts", CELLS)
def test_two_guests(mode, packed, queues, vm2_opts, guest_image, qemu_bin, vswd_bin, vswd_eal,
                    workdir, registry, report):
    backend_server = mode == "server"
    args, socks = vswlib.vswd_xconnect_args(workdir, server=backend_server)
    port_opts = ",queues=%d" % queues if queues > 1 else ""
    if vm2_opts:
        port_opts += COALESCE
    args = [a + port_opts if a.startswith("vm") and "vhost-user" in a else a
            for a in args]
    vswd = registry.add(vswlib.Vswd(workdir, args, eal=vswd_eal, binary=vswd_bin))
    guests = []
    try:
        t0 = time.monotonic()
        vswd.start()  # server: listening; client: retrying until QEMU listens
        for name in ("vm2", "vm1"):
            role, ip, peer, mac = VMS[name]
            guests.append(registry.add(guestvm.Guest(
                name, workdir, guest_image, socks[name], role, ip, peer, mac=mac,
                backend_server=backend_server, iperf_time=IPERF_TIME, queues=queues,
                packed=packed, deadline=GUEST_TIMEOUT + 30,
                dev_opts=dev_opts(name, queues, vm2_opts))))
        for g in guests:
            g.start()

        # Both guests power off by themselves; vswd must stay up meanwhile.
        end = t0 + GUEST_TIMEOUT
        while any(g.alive() for g in guests):
            assert vswd.alive(), "vswd died (rc=%s) while the guests ran" % vswd.poll()
            if time.monotonic() > end:
                pytest.fail("guests still running after %ds: %s" % (
                    GUEST_TIMEOUT, [g.name for g in guests if g.alive()]))
            time.sleep(0.2)
        wall = time.monotonic() - t0
        assert vswd.alive(), "vswd died (rc=%s) while the guests ran" % vswd.poll()
        for g in guests:
            assert g.poll() == 0, "%s: QEMU exited %s%s" % (
                g.name, g.poll(), " (watchdog)" if g.timed_out else "")

        reps = {g.name: guestvm.parse_serial(g.serial_text()) for g in guests}
        c, s = reps["vm1"], reps["vm2"]

        # Figures first, so that even a failing cell shows them.
        for name, r in sorted(reps.items()):
            bits = r.net_features()
            report("%s features %s (%s) netup %.1fs off %.1fs (guest uptime)" % (
                name, hex(sum(1 << b for b in bits)) if bits is not None else "?",
                ",".join(guestvm.feature_names(bits or [])),
                r.netup_uptime or -1, r.done_uptime or -1))
        ip = c.iperf_client()
        if ip:
            report("iperf3 vm1->vm2 %ds: receiver %s, sender %s, retransmits %s%s" % (
                IPERF_TIME, mbit(ip["receiver_bps"]), mbit(ip["sender_bps"]),
                ip["retransmits"], " (parsed without JSON)" if ip["raw"] else ""))
        report("wall %.1fs from vswd start to both guests off (%s boot)" % (
            wall, guest_image.boot))

        for name, r in reps.items():
            assert r.result is not None, "%s never finished its script" % name
            bits = r.net_features()
            assert bits is not None, "%s: no virtio-net device in /sys/bus/virtio" % name
            assert guestvm.VIRTIO_F_VERSION_1 in bits, \
                "%s: VIRTIO_F_VERSION_1 not negotiated: %s" % (name, guestvm.feature_names(bits))
        for name, peer_name in (("vm1", "vm2"), ("vm2", "vm1")):
            p = reps[name].ping()
            assert p is not None, "%s: no ping statistics" % name
            assert p[0] >= 5 and p[1] == p[0] and p[2] == 0, \
                "%s -> %s: ping %d sent, %d received, %d%% loss" % (name, peer_name, *p)
        assert c.rc("iperf3") == 0, "iperf3 client failed (rc=%s)" % c.rc("iperf3")
        assert ip and not ip.get("error"), "iperf3 client: %s" % (ip and ip.get("error"))
        assert (ip["receiver_bps"] or 0) > 0 and (ip["sender_bps"] or 0) > 0, \
            "iperf3 reports no throughput: %s" % ip
        assert s.rc("iperf3-server") == 0, "iperf3 server failed (rc=%s)" % s.rc("iperf3-server")

        # The guests negotiated what the cell asked for.
        if packed:
            for name, r in reps.items():
                assert guestvm.VIRTIO_F_RING_PACKED in r.net_features(), \
                    "%s: VIRTIO_F_RING_PACKED not negotiated" % name
        for name, r in reps.items():
            names = guestvm.feature_names(r.net_features())
            want = not (vm2_opts and name == "vm2")
            for bit in OFFLOAD_BITS:
                assert (bit in names) == want, "%s: %s %snegotiated: %s" % (
                    name, bit, "not " if want else "", names)
        if queues > 1:
            for port in ("vm1", "vm2"):
                assert re.search(r"vhost: %s \(.*\): mtu %d" % (port, JUMBO_MTU),
                                 vswd.errors()), \
                    "vswd did not log NET_SET_MTU %d for %s" % (JUMBO_MTU, port)
            for name, r in reps.items():
                assert guestvm.VIRTIO_NET_F_MQ in r.net_features(), \
                    "%s: VIRTIO_NET_F_MQ not negotiated" % name
                assert r.rc("ethtool-L") == 0 and r.ethtool_channels() == queues, \
                    "%s: ethtool -L eth0 combined %d failed: %s" % (
                        name, queues, r.body("ethtool-L").strip())

        rc, stats = vswd.stop()
        report("vswd " + " | ".join(
            "%s %s" % (p, " ".join("%s=%d" % kv for kv in sorted(st.items())))
            for p, st in sorted(stats.items())))
        vqs = vswlib.parse_vswd_records(vswd.output(), "vq")
        notify = {}
        for p in ("vm1", "vm2"):
            mine = [r for r in vqs if r["port"] == p]
            notify[p] = {k: sum(r[k] for r in mine)
                         for k in ("kicks", "calls", "calls_suppressed", "offload_sw",
                                   "drop_bad_hdr", "drop_offload")}
            report("vswd %s queues: %s" % (p, " ".join(
                "%s=%d" % kv for kv in notify[p].items())))
        for p in ("vm1", "vm2"):
            assert notify[p]["drop_bad_hdr"] == 0 and notify[p]["drop_offload"] == 0, \
                "%s: headers refused or offloads not finished: %s" % (p, notify[p])
        if vm2_opts:
            assert notify["vm2"]["offload_sw"] > 0, \
                "vm2 without offloads got no software-finished packets: %s" % notify["vm2"]
        assert rc == 0, "vswd exited %s on SIGTERM" % rc
        for p in ("vm1", "vm2"):
            assert p in stats, "no stats line for port %s" % p
            assert stats[p]["rx_packets"] > 0 and stats[p]["tx_packets"] > 0, \
                "port %s did not carry packets both ways: %s" % (p, stats[p])
        for a, b in (("vm1", "vm2"), ("vm2", "vm1")):
            sent = stats[b]["tx_packets"] + stats[b].get("tx_drops", 0)
            assert stats[a]["rx_packets"] == sent, \
                "%s received %d packets but %s sent+dropped %d" % (
                    a, stats[a]["rx_packets"], b, sent)
    except BaseException:
        dump_logs(vswd, guests)
        raise
