"""Cross-connect acceptance tests: two DPDK virtio-user "guests" on vm1 and
vm2, cross-connected by the backend (vswd, or DPDK's net_vhost in testpmd
as the reference), exchange pcap-generated frames; what comes out must be
what went in, frame by frame, byte for byte, in order.

Every cell runs with split rings and with packed rings (packed_vq=1).
"""

import signal
import time

import pytest

import vswlib

FEATS = [
    pytest.param(dict(mrg_rxbuf=0, in_order=0), id="mrg0-ino0"),
    pytest.param(dict(mrg_rxbuf=1, in_order=0), id="mrg1-ino0"),
    pytest.param(dict(mrg_rxbuf=0, in_order=1), id="mrg0-ino1"),
    pytest.param(dict(mrg_rxbuf=1, in_order=1), id="mrg1-ino1"),
]
FEATS_PACKED = [
    pytest.param(dict(f.values[0], packed_vq=1), id="packed-" + f.id) for f in FEATS
]
FEATS_ALL = FEATS + FEATS_PACKED
MODES = [pytest.param(True, id="be-server"), pytest.param(False, id="be-client")]

# The burst functions DPDK's virtio PMD must pick for each setting: proves
# the feature was really negotiated, i.e. the path under test ran.
EXPECTED_PATHS = {
    (0, 0, 0): {"rx": "standard", "tx": "standard"},
    (0, 1, 0): {"rx": "mergeable buffer", "tx": "standard"},
    (0, 0, 1): {"rx": "inorder", "tx": "inorder"},
    (0, 1, 1): {"rx": "inorder", "tx": "inorder"},
    # DPDK 22.11's packed ring has no separate in-order burst functions.
    (1, 0, 0): {"rx": "packed ring standard", "tx": "packed ring standard"},
    (1, 1, 0): {"rx": "packed ring mergeable buffer", "tx": "packed ring standard"},
    (1, 0, 1): {"rx": "packed ring standard", "tx": "packed ring standard"},
    (1, 1, 1): {"rx": "packed ring mergeable buffer", "tx": "packed ring standard"},
}


def feats_key(feats):
    return (feats.get("packed_vq", 0), feats["mrg_rxbuf"], feats["in_order"])


def check_round(r, feats):
    diag = r.diagnosis()
    assert not diag, diag
    want = EXPECTED_PATHS[feats_key(feats)]
    assert r.paths_a == want and r.paths_b == want, (
        "virtio paths A %s B %s, expected %s (feature not negotiated?)"
        % (r.paths_a, r.paths_b, want))


def check_backend_stats(stats, rounds):
    """The backend's per-port counters agree with what the frontends saw.

    rounds: IntegrityResults that went through this backend (only them).
    rx = guest -> backend, tx = backend -> guest; bytes are frame lengths
    without virtio-net header or FCS.
    """
    a_sent = [f for r in rounds for f in r.a_sent]
    b_sent = [f for r in rounds for f in r.b_sent]
    want = {
        "vm1": dict(rx_packets=len(a_sent), rx_bytes=sum(map(len, a_sent)),
                    tx_packets=len(b_sent), tx_bytes=sum(map(len, b_sent)),
                    tx_drops=0, rx_drops=0),
        "vm2": dict(rx_packets=len(b_sent), rx_bytes=sum(map(len, b_sent)),
                    tx_packets=len(a_sent), tx_bytes=sum(map(len, a_sent)),
                    tx_drops=0, rx_drops=0),
    }
    for port, w in want.items():
        assert port in stats, "no stats line for %s: %s" % (port, stats)
        got = {k: stats[port].get(k) for k in w}
        assert got == w, "%s counters %s, expected %s" % (port, got, w)


def virtio_stats(r, side):
    st = r.stats_a if side == "a" else r.stats_b
    return st["net_virtio_user0"]


@pytest.mark.parametrize("server", MODES)
@pytest.mark.parametrize("feats", FEATS_ALL)
def test_payload_integrity(start_backend, workdir, registry, feats, server, report):
    be = start_backend(server=server)
    r = vswlib.integrity_round(workdir, registry, be.socks, server, feats, n=200, seed=7)
    assert be.alive(), "backend died:\n" + be.proc.tail()
    stats = be.stop()
    check_round(r, feats)
    report("virtio-user rx path '%s', tx path '%s'; %d + %d frames identical"
           % (r.paths_a.get("rx"), r.paths_a.get("tx"), len(r.a_sent), len(r.b_sent)))
    assert be.exit_code == 0, "backend exit code %s:\n%s" % (be.exit_code, be.proc.tail())
    # The frontends' own counters agree with the pcaps...
    assert virtio_stats(r, "a")["tx_packets"] == len(r.a_sent)
    assert virtio_stats(r, "b")["rx_packets"] == len(r.a_sent)
    # ...and the backend's.
    check_backend_stats(stats, [r])


# Multi-descriptor packets: only with mergeable rx buffers can a frame
# bigger than one 2 KB rx buffer reach a virtio-user guest (without
# mrg_rxbuf DPDK's virtio rx buffers are single 2 KB mbufs, and the
# backend must drop the frame). testpmd needs no option for this:
# net_pcap reads a big record into a chain of mbufs and writes chains back
# (snaplen 65535), virtio tx sends a chain as several descriptors, and
# virtio mergeable rx reassembles num_buffers buffers. Checked against
# DPDK's own vhost up to 9014 bytes.
# 48 frames of at most 5 buffers each fit in one 256-entry ring even if
# the receiver is not polling yet: the backend need never drop (DPDK's
# io-forwarding backend does drop, without retry, when a guest's ring is
# full, as 120 such frames showed).
JUMBO_SIZES = [1515, 2048, 2049, 3000, 4000, 4097, 8000, 9000, 9014]


@pytest.mark.parametrize("server", [pytest.param(True, id="be-server")])
@pytest.mark.parametrize("feats", [f for f in FEATS_ALL if f.values[0]["mrg_rxbuf"] == 1])
def test_multi_descriptor(start_backend, workdir, registry, feats, server):
    be = start_backend(server=server)
    r = vswlib.integrity_round(workdir, registry, be.socks, server, feats, n=48, seed=11,
                               sizes=(60, 9014), extra_sizes=JUMBO_SIZES)
    assert be.alive(), "backend died:\n" + be.proc.tail()
    stats = be.stop()
    check_round(r, feats)
    check_backend_stats(stats, [r])


def flood_frontend(registry, workdir, name, sock, backend_server, feats):
    """A virtio-user guest mac-forwarding a ring of 64 B frames back."""
    if not backend_server:
        vswlib.remove_stale_socket(sock)
    tp = vswlib.Testpmd(name, workdir,
                        [vswlib.virtio_vdev(sock, not backend_server, **feats)],
                        app=["--forward-mode=mac", "--txpkts=64"],
                        log_levels=vswlib.VIRTIO_LOG)
    registry.add(tp)
    return tp.start()


@pytest.mark.slow
@pytest.mark.deadline(180)
@pytest.mark.parametrize("server", MODES)
def test_frontend_killed_and_restarted(start_backend, workdir, registry, server):
    feats = dict(mrg_rxbuf=1, in_order=0)
    be = start_backend(server=server)

    r1 = vswlib.integrity_round(workdir, registry, be.socks, server, feats, tags="AB",
                                seed=1, names=("a1", "b1"))
    check_round(r1, feats)

    # Both guests flood each other; A dies (SIGKILL) with its rings live and
    # the backend still writing into them, while B keeps sending.
    fa = flood_frontend(registry, workdir, "a2", be.socks["vm1"], server, feats)
    fb = flood_frontend(registry, workdir, "b2", be.socks["vm2"], server, feats)
    fb.start_fwd(tx_first=8)
    fa.start_fwd(tx_first=8)
    pa = fa.port("net_virtio_user0")
    moved = vswlib.wait_counts([(fa, pa, "rx_packets")], [1000], timeout=10, settle=0)
    assert moved[0] >= 1000, "no traffic before the kill: %s" % moved
    fa.kill()
    assert fa.returncode == -signal.SIGKILL
    time.sleep(1.0)
    assert be.alive(), "backend died when a frontend was killed:\n" + be.proc.tail()
    fb.stop_fwd()
    assert fb.quit() == 0
    assert be.alive(), "backend died when a frontend quit:\n" + be.proc.tail()

    # Same backend, fresh guests on the same sockets: traffic resumes.
    r2 = vswlib.integrity_round(workdir, registry, be.socks, server, feats, tags="CD",
                                seed=2, names=("a3", "b3"))
    assert be.alive(), "backend died:\n" + be.proc.tail()
    stats = be.stop()
    check_round(r2, feats)
    assert be.exit_code == 0, "backend exit code %s:\n%s" % (be.exit_code, be.proc.tail())
    for port in ("vm1", "vm2"):
        assert stats[port]["rx_packets"] >= len(r1.a_sent) + len(r2.a_sent)


@pytest.mark.slow
@pytest.mark.parametrize("feats", [FEATS[0], FEATS[3], FEATS_PACKED[0]])
def test_throughput_smoke(start_backend, workdir, registry, feats, report):
    """Not a benchmark: packets flow both ways at speed; prints Rx-pps.

    One guest process owns both virtio-user ports (vm1 and vm2) and
    mac-forwards between them on lcore 0, so with the backend's forwarding
    lcore 1 there are two pollers on two cores; two separate guest
    processes would share a core and measure the scheduler instead.
    """
    server = True
    be = start_backend(server=server)
    vdevs = [vswlib.virtio_vdev(be.socks[p], False, index=i, **feats)
             for i, p in enumerate(("vm1", "vm2"))]
    fe = registry.add(vswlib.Testpmd("fe", workdir, vdevs,
                                     app=["--forward-mode=mac", "--txpkts=64"],
                                     log_levels=vswlib.VIRTIO_LOG)).start()
    p1, p2 = fe.port("net_virtio_user0"), fe.port("net_virtio_user1")
    fe.start_fwd(tx_first=32)
    time.sleep(0.5)
    fe.port_stats()  # starts the "since last show" rate window
    time.sleep(3)
    st = fe.port_stats()
    fe.stop_fwd()
    s1, s2 = st[p1], st[p2]
    report("%s mrg%d-ino%d 64 B: vm1 guest Rx-pps %d, vm2 guest Rx-pps %d"
           % (be.kind + ("-packed" if feats.get("packed_vq") else ""), feats["mrg_rxbuf"], feats["in_order"], s1["rx_pps"], s2["rx_pps"]))
    assert fe.quit() == 0
    assert be.alive(), "backend died:\n" + be.proc.tail()
    stats = be.stop()
    print("backend counters: %s" % stats)
    assert s1["rx_packets"] > 10000 and s2["rx_packets"] > 10000, (s1, s2)
    assert s1["rx_pps"] > 0 and s2["rx_pps"] > 0
    assert stats["vm1"]["rx_packets"] > 10000 and stats["vm2"]["rx_packets"] > 10000
    assert be.exit_code == 0
