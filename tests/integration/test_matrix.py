"""Conformance matrix: every virtio-user data path DPDK 22.11 offers,
against vswd, both directions, byte for byte.

Cells: ring {split, packed} x path {non-mergeable, mergeable, in_order,
in_order + mergeable, vectorized} x queue pairs {1, 2}. Each cell runs two
dpdk-testpmd "guests" (virtio-user <-> net_pcap, io forwarding) on vswd's
cross-connected ports vm1 <-> vm2 and sends pcap-generated frames both
ways: 64 and 1518-byte frames (60 and 1514 without FCS) and random sizes
between, plus multi-descriptor jumbo frames up to 9014 bytes where the
receiving path can take them (mergeable rx buffers; a non-mergeable
virtio-user rx buffer is one 2 KB mbuf). The rx/tx burst functions
testpmd chose are printed per cell and checked, so a cell cannot pass on
a path it did not run.

With 2 queue pairs each guest's pcap has one rx and one tx queue per
pair, and testpmd's io streams map pcap queue k to virtio queue k: each
guest transmits on both pairs. vswd delivers to the other guest's first
ready receive pair, so frames from different pairs may interleave: the
check is the same multiset of frames and, per sending queue, the same
order.
"""

from pathlib import Path

import pytest

import vswlib

PATHS = {  # name: virtio-user devargs
    "nonmrg": dict(mrg_rxbuf=0, in_order=0),
    "mrg": dict(mrg_rxbuf=1, in_order=0),
    "inorder": dict(mrg_rxbuf=0, in_order=1),
    "inorder-mrg": dict(mrg_rxbuf=1, in_order=1),
    # PEERS.md: split vectorized needs in_order=0, mrg_rxbuf=0; packed
    # vectorized needs in_order=1 and AVX-512 allowed on the EAL line.
    "vectorized": dict(mrg_rxbuf=0, in_order=0, vectorized=1),
}
PACKED_VECTORIZED = dict(mrg_rxbuf=0, in_order=1, vectorized=1)
SIMD512 = ["--force-max-simd-bitwidth=512"]

# The burst functions DPDK 22.11's virtio PMD picks for each cell.
EXPECTED = {
    ("split", "nonmrg"): ("standard", "standard"),
    ("split", "mrg"): ("mergeable buffer", "standard"),
    ("split", "inorder"): ("inorder", "inorder"),
    ("split", "inorder-mrg"): ("inorder", "inorder"),
    ("split", "vectorized"): ("vectorized", "standard"),
    ("packed", "nonmrg"): ("packed ring standard", "packed ring standard"),
    ("packed", "mrg"): ("packed ring mergeable buffer", "packed ring standard"),
    ("packed", "inorder"): ("packed ring standard", "packed ring standard"),
    ("packed", "inorder-mrg"): ("packed ring mergeable buffer", "packed ring standard"),
    ("packed", "vectorized"): ("packed ring vectorized", "packed ring vectorized"),
}
JUMBO_SIZES = [2048, 2049, 4097, 9000, 9014]
N = 160  # frames per direction: below the 256-entry rings, no drop allowed

CELLS = [pytest.param(ring, path, q, id="%s-%s-q%d" % (ring, path, q))
         for ring in ("split", "packed") for path in PATHS for q in (1, 2)]


def cell_feats(ring, path, queues):
    feats = dict(PACKED_VECTORIZED if (ring, path) == ("packed", "vectorized")
                 else PATHS[path])
    feats["packed_vq"] = int(ring == "packed")
    feats["queues"] = queues
    return feats


def guest(name, wd, sock, feats, ins, outs, registry):
    """virtio-user <-> net_pcap with one pcap rx/tx queue per pair."""
    q = feats["queues"]
    pcap = "net_pcap0," + ",".join(["rx_pcap=%s" % f for f in ins] +
                                   ["tx_pcap=%s" % f for f in outs])
    eal = SIMD512 if feats.get("vectorized") and feats["packed_vq"] else []
    tp = vswlib.Testpmd(name, wd, [vswlib.virtio_vdev(sock, False, **feats), pcap],
                        app=["--forward-mode=io", "--no-flush-rx",
                             "--rxq=%d" % q, "--txq=%d" % q],
                        eal=eal, log_levels=vswlib.VIRTIO_LOG)
    registry.add(tp)
    return tp.start()


def split_queues(frames, q):
    return [frames[k::q] for k in range(q)]


def check_received(sent_by_queue, received, what):
    """Same frames; each sending queue's frames in their order."""
    sent = [f for qf in sent_by_queue for f in qf]
    if sorted(sent) != sorted(received):
        return vswlib.compare_frames(sorted(sent), sorted(received), what)
    for k, qf in enumerate(sent_by_queue):
        mine = set(qf)
        got = [f for f in received if f in mine]
        if got != qf:
            return vswlib.compare_frames(qf, got, "%s, queue %d order" % (what, k))
    return ""


def one_way(frames_in, outs):
    got = []
    for f in outs:
        got += vswlib.read_pcap(f)
    return got


@pytest.mark.deadline(120)
@pytest.mark.parametrize("ring,path,queues", CELLS)
def test_matrix(start_vswd, workdir, registry, ring, path, queues, report):
    feats = cell_feats(ring, path, queues)
    mrg = feats["mrg_rxbuf"] == 1
    wd = Path(workdir)
    args, socks = vswlib.vswd_xconnect_args(wd)
    if queues > 1:
        args = [a + ",queues=%d" % queues if "vhost-user:" in a else a for a in args]
    vswd = start_vswd(args)

    sent, files = {}, {}
    for side, tag, src, dst in (("a", "A", "0a", "0b"), ("b", "B", "0b", "0a")):
        frames = vswlib.make_packets(N, "02:00:00:00:%s:01" % src, "02:00:00:00:%s:01" % dst,
                                     seed=len(path) * 10 + queues + (side == "b"), tag=tag,
                                     sizes=(60, 1514),
                                     extra_sizes=JUMBO_SIZES if mrg else ())
        sent[side] = split_queues(frames, queues)
        files[side] = ([str(wd / ("%s_in%d.pcap" % (side, k))) for k in range(queues)],
                       [str(wd / ("%s_out%d.pcap" % (side, k))) for k in range(queues)])
        for f, qf in zip(files[side][0], sent[side]):
            vswlib.write_pcap(f, qf)
    fa = guest("feA", wd, socks["vm1"], feats, *files["a"], registry)
    fb = guest("feB", wd, socks["vm2"], feats, *files["b"], registry)
    fb.start_fwd()
    fa.start_fwd()
    na = sum(map(len, sent["a"]))
    nb = sum(map(len, sent["b"]))
    vswlib.wait_counts([(fa, fa.port("net_pcap0"), "tx_packets"),
                        (fb, fb.port("net_pcap0"), "tx_packets")], [nb, na], timeout=20)
    paths = fa.virtio_paths(), fb.virtio_paths()
    fa.stop_fwd()
    fb.stop_fwd()
    rc = fa.quit(), fb.quit()
    report("%s: rx path '%s', tx path '%s'; %d + %d frames%s" % (
        "%s %s q%d" % (ring, path, queues), paths[0].get("rx"), paths[0].get("tx"), na, nb,
        ", jumbo up to 9014 B" if mrg else ""))

    diag = [check_received(sent["a"], one_way(None, files["b"][1]), "A->B"),
            check_received(sent["b"], one_way(None, files["a"][1]), "B->A")]
    diag += ["frontend %s exited %s" % (n, c) for n, c in zip("AB", rc) if c != 0]
    assert not any(diag), "\n".join(d for d in diag if d)
    want_rx, want_tx = EXPECTED[(ring, path)]
    for p in paths:
        assert p == {"rx": want_rx, "tx": want_tx}, \
            "virtio paths %s, expected rx '%s' tx '%s' (feature not negotiated?)" % (
                p, want_rx, want_tx)
    assert vswd.alive(), "vswd died:\n" + vswd.tail()
    code, stats = vswd.stop()
    assert code == 0
    # Every pair each guest sent on was polled (per-queue counters), and
    # no queue counted a drop of any kind.
    rxq = vswlib.parse_vswd_records(vswd.output(), "rxq")
    for port in ("vm1", "vm2"):
        used = sorted(r["q"] for r in rxq if r["port"] == port and r["packets"] > 0)
        assert used == list(range(queues)), "%s rx queues that carried packets: %s" % (
            port, used)
    for r in vswlib.parse_vswd_records(vswd.output(), "vq"):
        drops = {k: v for k, v in r.items() if k.startswith("drop_") and v}
        assert not drops, "%s vq %d dropped: %s" % (r["port"], r["vq"], drops)
    for port, n_in, n_out in (("vm1", na, nb), ("vm2", nb, na)):
        st = stats[port]
        assert (st["rx_packets"], st["tx_packets"], st["tx_drops"]) == (n_in, n_out, 0), \
            "%s counters %s, expected rx %d tx %d" % (port, st, n_in, n_out)
