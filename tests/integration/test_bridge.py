"""The L2 learning bridge (vswd only), with real peers on every port:
network namespaces behind af_packet ports (a kernel IP stack each),
dpdk-testpmd guests on vhost-user ports, vsw-pktgen owning two guests.

- VLANs: two access VLANs, each with a namespace and a testpmd guest, and
  a trunk namespace on both; pings within a VLAN and across the trunk,
  nothing leaking between VLANs; the FDB shows each MAC on its port and
  VLAN, and ageing removes them;
- ports added to and removed from the bridge (af_packet hot-plugged,
  vhost-user) while a flow between two other guests runs, losing nothing;
- two PMDs: rx queues spread, re-assigned by measured cycles and pinned
  under traffic, losing nothing;
- malformed frames dropped and counted by reason, the good ones around
  them delivered byte for byte.

testpmd's icmpecho answers every ARP request, whatever address it asks
for, and echoes every ping it sees (it is promiscuous): each such guest is
the only host besides namespaces in its VLAN, and namespaces reach each
other through static neighbour entries once the bridge has learned them.

This machine's kernel has no 8021q module (no VLAN subinterfaces): the
trunk namespace pings with a raw AF_PACKET socket, sending tagged echo
requests and reading each reply's VLAN (the kernel moves a received tag
into the packet's auxdata). The other ends are real: the icmpecho guest
and the access namespace's kernel.
"""

import json
import time
from pathlib import Path

import pytest

import vswlib

pytestmark = pytest.mark.usefixtures("dpdk_env")

MAC = {
    "ns1": "02:00:00:21:00:01", "ns2": "02:00:00:21:00:02",
    "ns3": "02:00:00:21:00:03", "vm1": "02:00:00:21:00:11",
    "vm2": "02:00:00:21:00:12",
}


# Inside the trunk namespace: COUNT ICMP echo requests tagged VID from
# SMAC/SIP to DMAC/DIP; print the replies and the VLANs they came back on.
TAGGED_PING = r"""
import socket, struct, sys, time
iface, vid, smac, dmac, sip, dip, count = sys.argv[1:8]
vid, count = int(vid), int(count)
mac = lambda m: bytes.fromhex(m.replace(":", ""))
SOL_PACKET, PACKET_AUXDATA, TP_STATUS_VLAN_VALID = 263, 8, 0x10
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
def request(seq):
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x7654, seq) + b"vsw-trunk" * 6
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), seq, 0, 64, 1, 0,
                     socket.inet_aton(sip), socket.inet_aton(dip))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return mac(dmac) + mac(smac) + struct.pack("!HH", 0x8100, vid) + b"\x08\x00" + ip + icmp
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((iface, 0)); s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1); s.settimeout(0.05)
got, vlans = set(), set()
for seq in range(1, count + 1):
    s.send(request(seq))
    end = time.monotonic() + 1.0
    while seq not in got and time.monotonic() < end:
        try:
            b, anc, _, addr = s.recvmsg(65535, socket.CMSG_SPACE(20))
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        tag = None
        for lvl, typ, data in anc:
            if lvl == SOL_PACKET and typ == PACKET_AUXDATA:
                st, _, _, _, _, tci = struct.unpack("IIIHHH", data[:18])
                if st & TP_STATUS_VLAN_VALID:
                    tag = tci & 0xfff
        if b[12:14] == b"\x81\x00":
            tag, b = struct.unpack("!H", b[14:16])[0] & 0xfff, b[:12] + b[16:]
        if b[12:14] != b"\x08\x00" or b[23] != 1 or b[34] != 0:
            continue
        if socket.inet_ntoa(b[26:30]) != dip or struct.unpack("!H", b[38:40])[0] != 0x7654:
            continue
        got.add(struct.unpack("!H", b[40:42])[0]); vlans.add(tag)
print("replies %d/%d vlans %s" % (len(got), count, sorted(v for v in vlans if v is not None)
                                  + (["untagged"] if None in vlans else [])), flush=True)
"""


def trunk_ping(ns, vid, dmac, dip, sip, report, count=20):
    """TAGGED_PING from ns; assert every reply came back, tagged vid."""
    _, out = ns.run(["/usr/bin/python3", "-c", TAGGED_PING, ns.inner, vid, ns.mac, dmac,
                     sip, dip, count], timeout=60)
    assert out.strip() == "replies %d/%d vlans [%d]" % (count, count, vid), out
    report("%s (trunk, VLAN %d) -> %s: %s" % (ns.name, vid, dip, out.strip()))


def fdb(v, bridge="br0"):
    """{(vlan, mac): (port, static)} from fdb-show."""
    return {(e["vlan"], e["mac"]): (e["port"], e["static"])
            for e in v.ctl.call("fdb-show", bridge)}


def members(v, bridge="br0"):
    return {m["port"]: m for m in v.ctl.call("bridge-show", bridge)["members"]}


def guest_rx(g):
    return g.port_stats()[g.port("net_virtio_user0")]["rx_packets"]


def ping_all(ns, dst, report, count=20):
    got, sent, out = ns.ping(dst, count=count)
    assert (got, sent) == (count, count), out
    assert "duplicates" not in out, out
    report("%s -> %s: %d/%d" % (ns.name, dst, got, sent))


@pytest.mark.deadline(240)
def test_vlans_namespaces_and_guests(start_vswd, netns, registry, workdir, report):
    wd = Path(workdir)
    ns1 = netns("10.210.10.1/24", MAC["ns1"])          # access VLAN 10
    ns2 = netns("10.210.20.2/24", MAC["ns2"])          # access VLAN 20
    ns3 = netns("10.210.99.3/24", MAC["ns3"])          # trunk 10,20
    s1, s2 = str(wd / "vm1.sock"), str(wd / "vm2.sock")
    v = start_vswd([
        "--port", "up1=" + vswlib.af_packet_spec(ns1, 0, "vlan=10,"),
        "--port", "up2=" + vswlib.af_packet_spec(ns2, 1, "vlan=20,"),
        "--port", "up3=" + vswlib.af_packet_spec(ns3, 2, "trunk=10,20,"),
        "--port", "vm1=%s,vlan=10" % vswlib.vhost_user_spec(s1, True),
        "--port", "vm2=%s,vlan=20" % vswlib.vhost_user_spec(s2, True),
        "--bridge", "br0=up1,up2,up3,vm1,vm2"])
    g1 = vswlib.icmpecho_guest(registry, wd, s1, "g1", MAC["vm1"])
    g2 = vswlib.icmpecho_guest(registry, wd, s2, "g2", MAC["vm2"])

    # VLAN 10 only, while ns2 listens to everything: nothing may reach
    # VLAN 20.
    cap_path = str(wd / "ns2.bin")
    cap = registry.add(ns2.capture("cap2", wd, cap_path, 1000, 12, mark=b""))
    ping_all(ns1, "10.210.10.11", report)               # ARP + ping, ns1 <-> vm1
    # Tagged 10 on the trunk, to the guest and to ns1's kernel (which
    # answers ns3 through a static entry: an ARP would meet icmpecho).
    trunk_ping(ns3, 10, MAC["vm1"], "10.210.10.11", "10.210.10.3", report)
    ns1.neigh("10.210.10.3", MAC["ns3"])
    trunk_ping(ns3, 10, MAC["ns1"], "10.210.10.1", "10.210.10.3", report)
    cap.wait_for(r"captured (\d+)", 30)
    leaked = vswlib.read_records(cap_path)
    assert leaked == [], "VLAN 10 frames reached VLAN 20: %r" % [f[:16].hex() for f in leaked]
    assert guest_rx(g2) == 0, "the VLAN 20 guest received VLAN 10 traffic"

    before = guest_rx(g1)
    ping_all(ns2, "10.210.20.12", report)
    trunk_ping(ns3, 20, MAC["vm2"], "10.210.20.12", "10.210.20.3", report)
    ns2.neigh("10.210.20.3", MAC["ns3"])
    trunk_ping(ns3, 20, MAC["ns2"], "10.210.20.2", "10.210.20.3", report)
    assert guest_rx(g1) == before, "the VLAN 10 guest received VLAN 20 traffic"

    table = fdb(v)
    want = {(10, MAC["ns1"]): "up1", (10, MAC["vm1"]): "vm1", (10, MAC["ns3"]): "up3",
            (20, MAC["ns2"]): "up2", (20, MAC["vm2"]): "vm2", (20, MAC["ns3"]): "up3"}
    for key, port in want.items():
        assert table.get(key) == (port, False), "FDB %s: %s (table %s)" % (key, table.get(key), table)
    assert len(table) == len(want), table
    report("FDB learned %d entries, each on its port and VLAN: %s" %
           (len(table), ", ".join("%s@%s/%d" % (m[-2:], p, vl) for (vl, m), (p, _) in
                                  sorted(table.items()))))
    m = members(v)
    assert m["up3"]["learned"] == 2 and m["up1"]["learned"] == 1, m
    assert all(m[p]["drop_vlan"] == 0 and m[p]["drop_src"] == 0 for p in m), m

    # Ageing: 2 s, no traffic: every entry goes.
    v.ctl.call("bridge-set-aging", "br0", "2")
    t0 = time.monotonic()
    while fdb(v) and time.monotonic() - t0 < 15:
        time.sleep(0.25)
    assert fdb(v) == {}, "entries left after ageing: %s" % fdb(v)
    report("FDB aged out (ageing 2 s) in %.1f s" % (time.monotonic() - t0))
    g1.stop_fwd()
    g2.stop_fwd()
    assert g1.quit() == 0 and g2.quit() == 0
    rc, _ = v.stop(timeout=15)
    assert rc == 0


def pktgen_result(pg, path, timeout):
    rc = pg.wait(timeout)
    assert rc == 0, pg.tail()
    with open(path) as f:
        return json.load(f)["result"]


def assert_no_loss(r, v):
    """Nothing lost, reordered or duplicated; else show where vswd dropped."""
    drops = {p["port"]: (p["rx_drops"], p["tx_drops"]) for p in v.ctl.call("port-list")}
    what = "%s; vswd (rx_drops, tx_drops) %s" % (r, drops)
    assert r["tx_packets"] > 0 and r["rx_probes"] == r["tx_packets"], what
    assert (r["lost"], r["reordered"], r["duplicates"]) == (0, 0, 0), what


# Guests' rate, frames per second over both: modest, as 2 cores carry the
# guests' poller, vswd's PMD(s) and control, so that a 256-entry ring holds
# what arrives while its reader waits for the CPU (seen: up to 24 ms).
RATE = "10000"


@pytest.mark.deadline(240)
def test_port_add_remove_under_traffic(start_vswd, netns, registry, workdir, report):
    wd = Path(workdir)
    s1, s2, s3 = (str(wd / ("vm%d.sock" % i)) for i in (1, 2, 3))
    v = start_vswd(["--port", "vm1=" + vswlib.vhost_user_spec(s1, False),
                    "--port", "vm2=" + vswlib.vhost_user_spec(s2, False),
                    "--bridge", "br0=vm1,vm2"])
    out = str(wd / "pg.json")
    pg = registry.add(vswlib.pktgen_guests(
        "pktgen", wd, [s1, s2], ["--flows", "8", "--dst-mac", "peer", "--rate", RATE,
                                 "--warmup", "1", "--duration", "12", "--json", out]))
    pg.start()
    time.sleep(3)   # connected, warmed up, measuring
    ns3 = netns("10.210.30.3/24", MAC["ns3"])
    for rnd in range(2):    # hot-plug the same af_packet device twice
        v.ctl.call("port-add", "up3", vswlib.af_packet_spec(ns3, 3))
        v.ctl.call("bridge-port-add", "br0", "up3")
        v.ctl.call("port-add", "vm3", vswlib.vhost_user_spec(s3, True))
        v.ctl.call("bridge-port-add", "br0", "vm3")
        # Broadcasts from the new port are flooded to the guests too.
        ns3.run(["ping", "-b", "-c", "10", "-i", "0.05", "-W", "1", "10.210.30.255"],
                check=False, timeout=20)
        assert members(v)["up3"]["flooded"] >= 10, members(v)
        v.ctl.call("bridge-port-del", "br0", "vm3")
        v.ctl.call("port-del", "vm3")
        v.ctl.call("port-del", "up3")
        assert {p["port"] for p in v.ctl.call("port-list")} == {"vm1", "vm2"}
    r = pktgen_result(pg, out, 60)
    assert_no_loss(r, v)
    report("vm1 <-> vm2 through br0 while up3 (af_packet) and vm3 (vhost-user) were"
           " added and removed twice: %d sent, %d received, lost %d, foreign %d"
           % (r["tx_packets"], r["rx_probes"], r["lost"], r["foreign"]))
    m = members(v)
    assert m["vm1"]["unicast"] + m["vm2"]["unicast"] >= r["tx_packets"] - 64, m
    rc, _ = v.stop(timeout=15)
    assert rc == 0


def rxq_map(v):
    return {(q["port"], q["queue"]): (q["pmd"], q["pinned"]) for q in v.ctl.call("pmd-rxq-show")}


TWO_PMDS = ["--lcores", "0@0,1@0,2@1", "--main-lcore", "0", "--no-pci", "--no-huge",
            "-m", "512", "--file-prefix", "{prefix}", "--log-level=user1:info"]


@pytest.mark.deadline(240)
def test_two_pmds_rebalance_under_traffic(start_vswd, registry, workdir, report):
    wd = Path(workdir)
    s1, s2 = str(wd / "vm1.sock"), str(wd / "vm2.sock")
    v = start_vswd(["--port", "vm1=%s,queues=2" % vswlib.vhost_user_spec(s1, False),
                    "--port", "vm2=%s,queues=2" % vswlib.vhost_user_spec(s2, False),
                    "--bridge", "br0=vm1,vm2", "--rxq-assign", "roundrobin"], eal=TWO_PMDS)
    assert [p["lcore"] for p in v.ctl.call("pmd-stats-show")] == [1, 2]
    # Round robin in port, queue order: both busy queues (0) on PMD 0.
    assert rxq_map(v) == {("vm1", 0): (0, False), ("vm1", 1): (1, False),
                          ("vm2", 0): (0, False), ("vm2", 1): (1, False)}, rxq_map(v)
    out = str(wd / "pg.json")
    pg = registry.add(vswlib.pktgen_guests(
        "pktgen", wd, [s1, s2], ["--flows", "8", "--dst-mac", "peer", "--rate", RATE,
                                 "--warmup", "1", "--duration", "10", "--json", out]))
    pg.start()
    time.sleep(4)
    r = v.ctl.call("pmd-rebalance", "cycles")
    after = rxq_map(v)
    assert r["mode"] == "cycles" and r["moved"] >= 1, r
    assert after[("vm1", 0)][0] != after[("vm2", 0)][0], after
    report("rebalance by cycles moved %d rx queue(s): %s" % (r["moved"], after))
    v.ctl.call("pmd-rxq-pin", "vm1", "0", str(1 - after[("vm1", 0)][0]))
    v.ctl.call("pmd-rebalance")
    pinned = rxq_map(v)
    assert pinned[("vm1", 0)] == (1 - after[("vm1", 0)][0], True), pinned
    res = pktgen_result(pg, out, 60)
    assert_no_loss(res, v)
    stats = v.ctl.call("pmd-stats-show")
    assert all(p["packets"] > 0 for p in stats), stats
    report("2 PMDs, %d packets, queues moved twice under traffic: lost %d; per PMD %s"
           % (res["rx_probes"], res["lost"], [p["packets"] for p in stats]))
    rc, _ = v.stop(timeout=15)
    assert rc == 0


def raw(dst, src, body, tci=None):
    """A frame: MACs, an optional 802.1Q tag, then body (bytes)."""
    b = bytes.fromhex(dst.replace(":", "")) + bytes.fromhex(src.replace(":", ""))
    if tci is not None:
        b += b"\x81\x00" + tci.to_bytes(2, "big")
    return b + body


@pytest.mark.deadline(180)
def test_malformed_frames_dropped_and_counted(start_vswd, registry, workdir):
    wd = Path(workdir)
    s1, s2 = str(wd / "vm1.sock"), str(wd / "vm2.sock")
    v = start_vswd(["--port", "vm1=" + vswlib.vhost_user_spec(s1, True),
                    "--port", "vm2=" + vswlib.vhost_user_spec(s2, True),
                    "--bridge", "br0=vm1,vm2"])
    a, b, bc = "02:00:00:22:00:0a", "02:00:00:22:00:0b", "ff:ff:ff:ff:ff:ff"
    good = [vswlib.make_packets(1, a, b, seed=i, tag="K", sizes=(60 + 300 * i,) * 2)[0][12:]
            for i in range(4)]   # bodies (EtherType onwards), each with a mark
    frames = [
        raw(b, a, good[0]),                               # unknown unicast: flooded
        bytes.fromhex("ffffffffffff0102"),                # runt: 8 bytes
        raw(bc, a, b"\x08"),                              # runt: 13 bytes
        raw(bc, a, b"\x08\x00", tci=7)[:16],              # tagged runt: 16 bytes
        raw(bc, a, good[1], tci=4095),                    # reserved VID
        raw(b, "01:00:5e:00:00:01", good[1]),             # multicast source
        raw(b, "00:00:00:00:00:00", good[1]),             # zero source
        raw(b, a, good[1], tci=7),                        # VLAN 7: kept as it is
        raw(b, a, good[2], tci=3 << 13),                  # priority tag: untagged
        raw(bc, a, good[3]),                              # broadcast
    ]
    expect = [frames[0], frames[7], raw(b, a, good[2]), frames[9]]
    vswlib.write_pcap(wd / "a_in.pcap", frames)
    vswlib.write_pcap(wd / "b_in.pcap", [])
    fb = vswlib.pcap_frontend("feB", wd, s2, True, dict(mrg_rxbuf=0, in_order=0),
                              wd / "b_in.pcap", wd / "b_out.pcap", registry=registry)
    fa = vswlib.pcap_frontend("feA", wd, s1, True, dict(mrg_rxbuf=0, in_order=0),
                              wd / "a_in.pcap", wd / "a_out.pcap", registry=registry)
    fb.start_fwd()
    fa.start_fwd()
    got = vswlib.wait_counts([(fb, fb.port("net_pcap0"), "tx_packets")], [len(expect)])
    fa.stop_fwd()
    fb.stop_fwd()
    assert fa.quit() == 0 and fb.quit() == 0
    received = vswlib.read_pcap(wd / "b_out.pcap")
    diag = vswlib.compare_frames(expect, received, "vm1 -> br0 -> vm2")
    assert not diag, diag + "\n(counted %s)" % got
    m = members(v)["vm1"]
    assert (m["drop_runt"], m["drop_vlan"], m["drop_src"]) == (3, 1, 2), m
    assert m["flooded"] == 4 and m["learned"] == 2, m   # (a, 0) and (a, 7)
    rc, st = v.stop(timeout=15)
    assert rc == 0 and st["vm1"]["rx_packets"] == len(frames), st
