"""Two real Linux guests and two network namespaces on one vswd bridge:

    vm1 (10.0.0.1, QEMU)  vm2 (10.0.0.2, QEMU)  ns1 (10.0.0.11)  ns2 (10.0.0.12)
       vhost-user            vhost-user          af_packet        af_packet
         \\___________________|____ br0 ___________|_______________/

Everything resolves everything else by ARP through the bridge (flooded
broadcasts, unicast replies). Asserted: every guest pings the other guest
and both namespaces, both namespaces ping both guests and each other;
the guests' and namespaces' neighbour tables hold the right MACs; the FDB
holds each MAC on its port; vm1 runs iperf3 to vm2 (guest to guest) and to
ns1 (guest to namespace: the guest's 64 KB TSO frames meet an af_packet
port without TSO, and vswd cuts them in software: offload_sw counted,
nothing dropped).
"""

import time
from pathlib import Path

import pytest

import guestvm
import vswlib
from vswpytest import skip_or_fail

pytestmark = [pytest.mark.guest]

IPERF_TIME = 8
GUEST_TIMEOUT = 180
GUESTS = {  # name: (role, address, peer, mac)
    "vm1": ("client", "10.0.0.1/24", "10.0.0.2", "52:54:00:00:01:0a"),
    "vm2": ("server", "10.0.0.2/24", "10.0.0.1", "52:54:00:00:01:0b"),
}
NAMESPACES = {"ns1": ("10.0.0.11/24", "02:00:00:31:00:01"),
              "ns2": ("10.0.0.12/24", "02:00:00:31:00:02")}


def wait_serial(guests, text, timeout):
    end = time.monotonic() + timeout
    while not all(text in g.serial_text() for g in guests):
        if time.monotonic() > end or not all(g.alive() for g in guests):
            return False
        time.sleep(0.2)
    return True


@pytest.mark.deadline(300)
def test_guests_and_namespaces_on_a_bridge(guest_image, qemu_bin, vswd_bin, vswd_eal,
                                           workdir, registry, report):
    ok, why = vswlib.netns_status()
    if not ok:
        skip_or_fail(why)
    ns = {}
    for name, (addr, mac) in NAMESPACES.items():
        ns[name] = registry.add(vswlib.Netns(addr, mac, tag=name)).create()
    socks = {g: str(Path(workdir) / (g + ".sock")) for g in GUESTS}
    args = []
    for g, sock in socks.items():
        args += ["--port", "%s=%s" % (g, vswlib.vhost_user_spec(sock, True))]
    for i, name in enumerate(NAMESPACES):
        args += ["--port", "up%d=%s" % (i + 1, vswlib.af_packet_spec(ns[name], i))]
    args += ["--bridge", "br0=vm1,vm2,up1,up2"]
    vswd = registry.add(vswlib.Vswd(workdir, args, eal=vswd_eal, binary=vswd_bin)).start()
    iperf = registry.add(ns["ns1"].proc("iperf3-ns1", ["iperf3", "-s", "-1", "-J"], workdir,
                                        deadline=GUEST_TIMEOUT + 30))
    iperf.start()
    also = "vsw.also=10.0.0.11,10.0.0.12"
    guests = []
    try:
        for name in ("vm2", "vm1"):
            role, ip, peer, mac = GUESTS[name]
            extra = also + (" vsw.iperf_to=10.0.0.11" if name == "vm1" else "")
            guests.append(registry.add(guestvm.Guest(
                name, workdir, guest_image, socks[name], role, ip, peer, mac=mac,
                iperf_time=IPERF_TIME, deadline=GUEST_TIMEOUT + 30, extra_append=extra)))
        for g in guests:
            g.start()
        # Once both guests reached their peer, the namespaces ping them.
        assert wait_serial(guests, "VSW-PEER", 90), "guests did not reach each other"
        for src, dsts in (("ns1", ("10.0.0.1", "10.0.0.2", "10.0.0.12")),
                          ("ns2", ("10.0.0.1", "10.0.0.2", "10.0.0.11"))):
            for dst in dsts:
                got, sent, out = ns[src].ping(dst, count=5, interval=0.2)
                assert (got, sent) == (5, 5), "%s -> %s:\n%s" % (src, dst, out)
                report("%s -> %s: %d/%d" % (src, dst, got, sent))
        table = {(e["vlan"], e["mac"]): e["port"] for e in vswd.ctl.call("fdb-show", "br0")}
        want = {(0, GUESTS["vm1"][3]): "vm1", (0, GUESTS["vm2"][3]): "vm2",
                (0, NAMESPACES["ns1"][1]): "up1", (0, NAMESPACES["ns2"][1]): "up2"}
        assert {k: table.get(k) for k in want} == want, table
        report("FDB: %s" % ", ".join("%s@%s" % (m, p) for (_, m), p in sorted(table.items())))

        end = time.monotonic() + GUEST_TIMEOUT
        while any(g.alive() for g in guests):
            assert vswd.alive(), "vswd died (rc=%s)" % vswd.poll()
            assert time.monotonic() < end, "guests still running after %ds" % GUEST_TIMEOUT
            time.sleep(0.2)
        reps = {g.name: guestvm.parse_serial(g.serial_text()) for g in guests}
        for name, r in reps.items():
            assert r.result == "ok", "%s: result %s" % (name, r.result)
            for host in ("10.0.0.11", "10.0.0.12"):
                p = r.ping(host)
                assert p and p[0] >= 5 and p[1] == p[0], "%s -> %s: %s" % (name, host, p)
            neigh = r.neighbours()
            for nsname, (addr, mac) in NAMESPACES.items():
                assert neigh.get(addr.split("/")[0]) == mac, "%s ARP: %s" % (name, neigh)
            report("%s pinged vm peer and both namespaces; ARP learned %s" % (name, neigh))
        for name, n in ns.items():
            _, out = n.run(["ip", "neigh", "show", "dev", n.inner])
            for g, (_, ip, _, mac) in GUESTS.items():
                assert "%s lladdr %s" % (ip.split("/")[0], mac) in out, "%s ARP:\n%s" % (name, out)
        c = reps["vm1"]
        for section, what in (("iperf3", "vm1 -> vm2 (guest to guest)"),
                              ("iperf3-to", "vm1 -> ns1 (guest to namespace)")):
            ip = c.iperf_client(section)
            assert ip and not ip.get("error") and (ip["receiver_bps"] or 0) > 0, \
                "%s: %s" % (section, ip)
            report("iperf3 %s %ds: receiver %.0f Mbit/s, retransmits %s"
                   % (what, IPERF_TIME, ip["receiver_bps"] / 1e6, ip["retransmits"]))
        assert iperf.wait(30) == 0, iperf.tail()
        rc, stats = vswd.stop()
        assert rc == 0, "vswd exited %s" % rc
        eth = {r["port"]: r for r in vswlib.parse_vswd_records(vswd.output(), "ethdev")}
        # vm1's TSO super-frames were cut in software for the af_packet port.
        assert eth["up1"]["offload_sw"] > 0, eth["up1"]
        for p in ("up1", "up2"):
            assert eth[p]["drop_offload"] == 0 and eth[p]["too_big"] == 0, eth[p]
        report("vswd up1 (af_packet, no TSO): offload_sw=%d too_big=%d drop_offload=%d"
               % (eth["up1"]["offload_sw"], eth["up1"]["too_big"], eth["up1"]["drop_offload"]))
    except BaseException:
        print("--- vswd stdout:\n%s\n--- stderr:\n%s" % (vswd.output()[-6000:],
                                                        vswd.errors()[-6000:]))
        for g in guests:
            print(g.log_tail(120))
        raise
