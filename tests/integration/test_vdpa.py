"""vdpa ports: a vhost-user socket whose rings the sw vDPA device runs
(drivers/vdpa/sw), with the device's wire (an ethdev: net_pcap files or
af_packet into a namespace) as its uplink.

- A DPDK virtio-user guest (testpmd io-forwarding pcap files) and a host
  on the wire (testpmd in a namespace, af_packet on the veth's inner end,
  io-forwarding pcap files) exchange frames byte for byte both ways:
  split and packed, mergeable on and off, one and two queue pairs; vswd's
  PMDs move no packet, the device moves them all. (The wire is af_packet,
  not pcap files on vswd's side: a pcap wire would deliver its frames
  before the guest's virtio port starts, and the virtio PMD flushes what
  it finds in its rx ring at dev_start.)
- The rings move between the device and vswd's PMDs (port-vdpa off/on)
  under a vsw-pktgen flow without loss, duplication or reordering.
- The hostile front-end cases of test_hostile.py against a vdpa port.
"""

import json
import os
import re
import time

import pytest

import test_hostile as hostile
import vhostuser as vu
import vswlib

MiB = 1 << 20


def vdpa_spec(sock, wire, queues=1, server=True, extra=""):
    return ("vdpa:path=%s,server=%d,queues=%d%s,driver=sw,wire=%s"
            % (sock, 1 if server else 0, queues, extra, wire))


def pcap_devargs(name, rx, tx):
    """net_pcap devargs, one rx and one tx file per queue."""
    return "%s,%s,%s" % (name, ",".join("rx_pcap=%s" % f for f in rx),
                         ",".join("tx_pcap=%s" % f for f in tx))


def vdpa_records(v, kind):
    return vswlib.parse_vswd_records(v.output(), kind)


def pmd_packets(v):
    """Packets vswd's PMDs received, from its exit 'stats pmd=' lines."""
    return sum(int(m) for m in re.findall(r"^stats pmd=\d+ .*? packets=(\d+)",
                                          v.output(), re.M))


class Files:
    """pcap files of one queue: what the guest and the wire send, and
    where what each receives goes."""

    def __init__(self, wd, q, n, seed):
        p = lambda s: os.path.join(wd, "%s%d.pcap" % (s, q))  # noqa: E731
        self.guest_in, self.guest_out = p("guest_in"), p("guest_out")
        self.wire_in, self.wire_out = p("wire_in"), p("wire_out")
        self.guest = vswlib.make_packets(n, "02:00:00:00:1a:%02x" % q,
                                         "02:00:00:00:1b:%02x" % q, seed + q, "G")
        self.wire = vswlib.make_packets(n, "02:00:00:00:1b:%02x" % q,
                                        "02:00:00:00:1a:%02x" % q, seed + 10 + q, "W")
        vswlib.write_pcap(self.guest_in, self.guest)
        vswlib.write_pcap(self.wire_in, self.wire)


def guest_frontend(wd, sock, queues, feats, files, registry):
    vdev = vswlib.virtio_vdev(sock, False, queues=queues, **feats)
    pcap = pcap_devargs("net_pcap0", [f.guest_in for f in files],
                        [f.guest_out for f in files])
    tp = vswlib.Testpmd("guest", wd, [vdev, pcap], huge=False,
                        app=["--forward-mode=io", "--no-flush-rx",
                             "--rxq=%d" % queues, "--txq=%d" % queues],
                        log_levels=vswlib.VIRTIO_LOG)
    registry.add(tp)
    return tp.start()


def wire_frontend(ns, wd, queues, files, registry):
    """The host on the wire: testpmd inside ns, af_packet on the veth's
    inner end <-> pcap files."""
    vdevs = ["net_af_packet0,iface=%s,qpairs=%d" % (ns.inner, queues),
             pcap_devargs("net_pcap0", [f.wire_in for f in files],
                          [f.wire_out for f in files])]
    tp = vswlib.Testpmd("wire", wd, vdevs, huge=False,
                        app=["--forward-mode=io", "--no-flush-rx",
                             "--rxq=%d" % queues, "--txq=%d" % queues])
    tp.argv = ns.argv(tp.argv)
    registry.add(tp)
    return tp.start()


def same_frames(sent, got, what, ordered):
    """'' when got holds exactly sent (in order, unless not ordered)."""
    if not ordered:
        sent, got = sorted(sent), sorted(got)
    return vswlib.compare_frames(sent, got, what)


MATRIX = [
    pytest.param(dict(packed_vq=p, mrg_rxbuf=m, in_order=0), q,
                 id="%s-mrg%d-q%d" % ("packed" if p else "split", m, q))
    for p in (0, 1) for m in (0, 1) for q in (1, 2)
]


@pytest.mark.parametrize("feats,queues", MATRIX)
def test_vdpa_integrity(start_vswd, netns, workdir, registry, report, feats, queues):
    """A guest and a host on the wire exchange frames through the sw vDPA
    device: byte for byte both ways (in order with one queue pair; with
    two, the wire's af_packet spreads flows over its queues)."""
    n = 150
    files = [Files(workdir, q, n, 40 + 4 * queues) for q in range(queues)]
    ns = netns("10.204.0.1/24", "02:00:00:0e:04:01")
    sock = os.path.join(workdir, "v1.sock")
    wire = "net_af_packet0,iface=%s,qpairs=%d" % (ns.outer, queues)
    v = start_vswd(["--port", "v1=" + vdpa_spec(sock, wire, queues)])
    assert v.ctl.call("vdpa-list")[0]["mode"] == "offload"
    host = wire_frontend(ns, workdir, queues, files, registry)
    fe = guest_frontend(workdir, sock, queues, feats, files, registry)
    # The guest first (a virtio driver flushes what arrives before its
    # port starts), then the host; what the guest sends waits in the
    # host's af_packet ring meanwhile.
    fe.start_fwd()
    host.start_fwd()
    got = vswlib.wait_counts([(fe, fe.port("net_pcap0"), "tx_packets"),
                              (host, host.port("net_pcap0"), "tx_packets")],
                             [n * queues, n * queues])
    show = v.ctl.call("vdpa-show", "v1")
    for tp in (fe, host):
        tp.stop_fwd()
        assert tp.quit() == 0
    rc, stats = v.stop()
    assert rc == 0, v.tail()
    received = {k: [fr for f in files for fr in vswlib.read_pcap(getattr(f, k))]
                for k in ("guest_out", "wire_out")}
    diag = "\n".join(d for d in (
        same_frames([fr for f in files for fr in f.wire], received["guest_out"],
                    "wire -> guest", queues == 1),
        same_frames([fr for f in files for fr in f.guest], received["wire_out"],
                    "guest -> wire", queues == 1)) if d)
    assert not diag, "%s (testpmd counts %s)" % (diag, got)
    vq = {r["vq"]: r for r in vdpa_records(v, "vdpaq")}
    assert sum(r["packets"] for r in vq.values()) == 2 * n * queues, vq
    assert pmd_packets(v) == 0, "the PMDs moved packets of an offloaded port"
    # The port's counters are the device's (what the guest sent, what it got).
    assert (stats["v1"]["rx_packets"], stats["v1"]["tx_packets"]) == (n * queues, n * queues), \
        stats["v1"]
    assert show["device"]["mode"] == "offload", show
    report("%s: %d + %d frames identical through the sw vDPA device; PMDs 0 packets;"
           " virtio paths %s" % ("-".join("%s%s" % kv for kv in feats.items()),
                                 n * queues, n * queues, fe.virtio_paths()))


# --------------------------------------------------------------------------
# hand-over between the device and vswd's PMDs


def pktgen_in_ns(ns, workdir, sock, seconds, rate, out, registry):
    """vsw-pktgen inside ns owning the guest (virtio-user on sock) and the
    wire's far end (af_packet on the namespace's veth): both ways."""
    prefix = vswlib.unique("pg")
    argv = ns.argv([vswlib.pktgen_binary(), "-l", "0", "--no-pci", "--file-prefix", prefix,
                    "--no-huge", "-m", "512", "--log-level=lib.eal:error",
                    "--vdev", "net_virtio_user0,path=%s,queues=1,mrg_rxbuf=1" % sock,
                    "--vdev", "net_af_packet1,iface=%s" % ns.inner,
                    "--", "--port", "0,1", "--flows", "4", "--dst-mac", "peer",
                    "--rate", str(rate), "--warmup", "1", "--duration", str(seconds),
                    "--json", out])
    pg = registry.add(vswlib.Proc("pktgen", argv, workdir, deadline=seconds + 60,
                                  file_prefix=prefix))
    return pg.start()


@pytest.mark.deadline(180)
def test_vdpa_handover_under_traffic(start_vswd, netns, workdir, registry, report):
    """off -> on -> off -> on while a flow with sequence numbers runs both
    ways between the guest and the wire: nothing lost, duplicated or
    reordered; both the device and the PMDs carried part of it."""
    ns = netns("10.203.0.1/24", "02:00:00:0e:03:01")
    sock = os.path.join(workdir, "v1.sock")
    v = start_vswd(["--port", "v1=" + vdpa_spec(
        sock, "net_af_packet0,iface=%s" % ns.outer)])
    out = os.path.join(workdir, "pg.json")
    pg = pktgen_in_ns(ns, workdir, sock, 12, 20000, out, registry)
    modes = []
    time.sleep(3)
    for mode in ("off", "on", "off", "on"):
        r = v.ctl.call("port-vdpa", "v1", mode)
        assert r["vdpa"] == mode, r
        modes.append(v.ctl.call("vdpa-show", "v1")["mode"])
        time.sleep(2)
    assert pg.wait(60) == 0, pg.tail()
    with open(out) as f:
        res = json.load(f)["result"]
    rc, stats = v.stop()
    assert rc == 0, v.tail()
    assert modes == ["software", "offload", "software", "offload"], modes
    vq = {r["vq"]: r for r in vdpa_records(v, "vdpaq")}
    dev_pkts = sum(r["packets"] for r in vq.values())
    report("hand-over off/on/off/on under %d packets: lost %d, reordered %d, duplicates %d;"
           " device %d packets, PMDs %d" % (res["tx_packets"], res["lost"], res["reordered"],
                                            res["duplicates"], dev_pkts, pmd_packets(v)))
    assert res["tx_packets"] > 100000, res
    assert (res["lost"], res["reordered"], res["duplicates"]) == (0, 0, 0), res
    assert dev_pkts > 0 and pmd_packets(v) > 0, (dev_pkts, pmd_packets(v))


# --------------------------------------------------------------------------
# hostile front-ends against a vdpa port


def hostile_vswd(start_vswd, workdir, n_wire):
    """h1: a vdpa port whose pcap wire holds n_wire frames for a guest;
    vm1 <-> vm2: vhost-user, cross-connected."""
    files = Files(workdir, 0, n_wire, 77)
    socks = {p: os.path.join(workdir, p + ".sock") for p in ("h1", "vm1", "vm2")}
    wire = pcap_devargs("net_pcap9", [files.wire_in], [files.wire_out])
    v = start_vswd(["--port", "h1=" + vdpa_spec(socks["h1"], wire),
                    "--port", "vm1=" + vswlib.vhost_user_spec(socks["vm1"], True),
                    "--port", "vm2=" + vswlib.vhost_user_spec(socks["vm2"], True),
                    "--xconnect", "vm1,vm2"])
    return v, socks, files


def h1_guest_round(workdir, registry, socks, files, v):
    """A real guest on the vdpa port after the hostile one: its frames
    reach the wire (checked once vswd has closed the wire's pcap file)."""
    fe = guest_frontend(workdir, socks["h1"], 1, hostile.FEATS, [files], registry)
    fe.start_fwd()
    vswlib.wait_counts([(fe, fe.port("net_virtio_user0"), "tx_packets")],
                       [len(files.guest)])
    fe.stop_fwd()
    assert fe.quit() == 0
    assert v.alive(), "vswd died (rc %s):\n%s" % (v.poll(), v.tail())


def wire_got_guest(files):
    d = vswlib.compare_frames(files.guest, vswlib.read_pcap(files.wire_out), "guest -> wire")
    assert not d, d


@pytest.mark.parametrize("case", hostile.CASES,
                         ids=[f.__name__[5:].replace("_", "-") for f in hostile.CASES])
def test_vdpa_hostile_peer(start_vswd, workdir, registry, dpdk_env, report, case):
    v, socks, files = hostile_vswd(start_vswd, workdir, 20)
    keep = []
    c = vu.Client(socks["h1"])
    try:
        must_close = case(c, keep)
        r = vswlib.integrity_round(workdir, registry, socks, True, hostile.FEATS, n=100,
                                   seed=3, tags="AB", names=("vm1fe", "vm2fe"))
        assert v.alive(), "vswd died (rc %s):\n%s" % (v.poll(), v.tail())
        assert not r.diagnosis(), "other ports, hostile peer on the vdpa port:\n" + r.diagnosis()
        closed = c.closed_by_peer(timeout=3 if must_close else 0.2)
        report("vdpa port: connection %s by vswd" % ("closed" if closed else "kept open"))
        if must_close:
            assert closed, "vswd kept the connection after %s" % case.__name__
    finally:
        c.close()
        for fd in keep:
            os.close(fd)
    h1_guest_round(workdir, registry, socks, files, v)
    rc, _ = v.stop()
    assert rc == 0, "vswd exit code %s:\n%s" % (rc, v.tail())
    wire_got_guest(files)


@pytest.mark.deadline(180)
def test_vdpa_hostile_peers_leak_nothing(start_vswd, workdir, dpdk_env):
    v, socks, _ = hostile_vswd(start_vswd, workdir, 1)
    base = hostile.vswd_resources(v.pid)
    for case in hostile.CASES + [hostile.case_valid_then_drop]:
        keep = []
        c = vu.Client(socks["h1"])
        try:
            case(c, keep)
        except vu.PeerClosed:
            pass
        finally:
            c.close()
            for fd in keep:
                os.close(fd)
        deadline = time.time() + 5
        while hostile.vswd_resources(v.pid) != base and time.time() < deadline:
            time.sleep(0.05)
        assert hostile.vswd_resources(v.pid) == base, (
            "after %s vswd holds (fds, memory maps) %s, before %s"
            % (case.__name__, hostile.vswd_resources(v.pid), base))
    assert v.alive()
    assert v.stop()[0] == 0
