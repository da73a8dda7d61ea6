"""Hostile vhost-user front-ends (vswd only).

vswd runs four server ports: h1<->h2 and vm1<->vm2. A raw Python client
(vhostuser.py) misbehaves on h1; meanwhile real DPDK guests on vm1/vm2 must
connect and pass an integrity round, vswd must stay alive (no SIGBUS, no
freeze), and once the hostile client is gone real guests on h1/h2 must
work too. Finally vswd must still exit 0 on SIGTERM.

Not run against DPDK 22.11's own backend: its single control thread
freezes on a stalled or flooding peer, and a memory region past the end of
its file kills it with SIGBUS (PEERS.md).
"""

import os
import struct
import time

import pytest

import vhostuser as vu
import vswlib

FEATS = dict(mrg_rxbuf=1, in_order=0)
UADDR = 0x7F0000000000  # the hostile front-end's "virtual address" of region 0
MiB = 1 << 20


def eventfd():
    return os.eventfd(0, os.EFD_NONBLOCK)


def setup_rings(c, ring_uaddr, keep):
    """Set up and kick both vrings with rings at ring_uaddr (which may lie
    in memory that cannot be touched). Stops quietly if the backend hangs
    up: that is the right answer to what came before."""
    try:
        for q in (0, 1):
            base = ring_uaddr + q * 0x4000
            c.send(vu.SET_VRING_NUM, vu.vring_state(q, 256))
            c.send(vu.SET_VRING_ADDR, vu.vring_addr(q, base, base + 0x2000, base + 0x1000))
            c.send(vu.SET_VRING_BASE, vu.vring_state(q, 0))
            call, kick = eventfd(), eventfd()
            keep += [call, kick]
            c.send(vu.SET_VRING_CALL, struct.pack("<Q", q), fds=[call])
            c.send(vu.SET_VRING_KICK, struct.pack("<Q", q), fds=[kick])
            c.send(vu.SET_VRING_ENABLE, vu.vring_state(q, 1))
            os.eventfd_write(kick, 1)
    except vu.PeerClosed:
        pass


# Each case misbehaves on connection c and returns True when vswd must hang
# up on it (vswd closes a connection on any malformed message, and on a peer
# whose unread replies pile up: docs/architecture.md), False when a stalled
# peer may legitimately stay connected (only vswd's survival and the other
# ports are asserted).

def case_half_header(c, keep):
    c.send_raw(vu.header(vu.GET_FEATURES, 0)[:6])
    return False


def case_half_payload(c, keep):
    c.send_raw(vu.header(vu.SET_FEATURES, 8) + b"\0" * 4)
    return False


def case_flood(c, keep):
    n = c.flood(vu.GET_FEATURES, seconds=2.0)
    print("flood: %d GET_FEATURES sent without reading a reply" % n)
    assert n > 0
    return True


def case_oversize(c, keep):
    # A naive backend would malloc and wait for 4 GB of SET_MEM_TABLE.
    try:
        c.send_raw(vu.header(vu.SET_MEM_TABLE, 0xFFFFFFFF) + b"\0" * 64)
    except vu.PeerClosed:
        pass
    return True


def case_bad_version(c, keep):
    for flags in (0x2 | vu.FLAG_NEED_REPLY, 0x3, 0x0):
        try:
            c.send(vu.GET_FEATURES, flags=flags)
        except vu.PeerClosed:
            break
    return True


def case_mem_past_eof_size(c, keep):
    """One region of 2 MB over a 64 KB memfd; rings placed past EOF."""
    c.handshake()
    fd = vu.memfd(64 << 10)
    keep.append(fd)
    try:
        c.send(vu.SET_MEM_TABLE, vu.mem_table([(0, 2 * MiB, UADDR, 0)]), fds=[fd])
    except vu.PeerClosed:
        return True
    setup_rings(c, UADDR + MiB, keep)
    return True


def case_mem_past_eof_offset(c, keep):
    """A 1 MB memfd, region of 1 MB at offset 512 KB: ends 512 KB past EOF."""
    c.handshake()
    fd = vu.memfd(MiB)
    keep.append(fd)
    try:
        c.send(vu.SET_MEM_TABLE, vu.mem_table([(0, MiB, UADDR, 512 << 10)]), fds=[fd])
    except vu.PeerClosed:
        return True
    setup_rings(c, UADDR + (768 << 10), keep)
    return True


def case_mem_nine_regions(c, keep):
    c.handshake()
    fds = [vu.memfd(MiB) for _ in range(9)]
    keep.extend(fds)
    regions = [(i * MiB, MiB, UADDR + i * MiB, 0) for i in range(9)]
    try:
        c.send(vu.SET_MEM_TABLE, vu.mem_table(regions), fds=fds)
    except vu.PeerClosed:
        return True
    setup_rings(c, UADDR, keep)
    return True


def case_vring_num_index(c, keep):
    c.handshake()
    try:
        for idx in (2, 255, 1000, 0xFFFFFFFF):
            c.send(vu.SET_VRING_NUM, vu.vring_state(idx, 256))
    except vu.PeerClosed:
        pass
    return True


def case_vring_num_not_pow2(c, keep):
    c.handshake()
    try:
        for idx, num in ((0, 100), (1, 0), (0, 65536), (1, 257), (0, 0xFFFFFFFF)):
            c.send(vu.SET_VRING_NUM, vu.vring_state(idx, num))
    except vu.PeerClosed:
        pass
    return True


def case_kick_without_fd(c, keep):
    c.handshake()
    try:
        # Index 0 without VRING_NOFD (bit 8) promises an fd; none attached.
        c.send(vu.SET_VRING_KICK, struct.pack("<Q", 0))
    except vu.PeerClosed:
        pass
    return True


def case_unknown_request(c, keep):
    try:
        for req in (999, 0, 0x7FFFFFFF):
            c.send(req, struct.pack("<Q", 0), flags=vu.VERSION | vu.FLAG_NEED_REPLY)
    except vu.PeerClosed:
        pass
    return True


CASES = [
    case_half_header, case_half_payload, case_flood, case_oversize, case_bad_version,
    case_mem_past_eof_size, case_mem_past_eof_offset, case_mem_nine_regions,
    case_vring_num_index, case_vring_num_not_pow2, case_kick_without_fd,
    case_unknown_request,
]


@pytest.mark.parametrize("case", CASES, ids=[f.__name__[5:].replace("_", "-") for f in CASES])
def test_hostile_peer(start_vswd, workdir, registry, dpdk_env, report, case):
    args, socks = vswlib.vswd_xconnect_args(
        workdir, ports=("h1", "h2", "vm1", "vm2"),
        xconnects=(("h1", "h2"), ("vm1", "vm2")))
    v = start_vswd(args)
    keep = []
    c = vu.Client(socks["h1"])
    try:
        must_close = case(c, keep)
        # The other ports connect and forward while the hostile peer is on.
        r = vswlib.integrity_round(workdir, registry, socks, True, FEATS, n=100, seed=3,
                                   tags="AB", names=("vm1fe", "vm2fe"))
        assert v.alive(), "vswd died (rc %s):\n%s" % (v.poll(), v.tail())
        diag = r.diagnosis()
        assert not diag, "other ports, hostile peer connected:\n" + diag
        closed = c.closed_by_peer(timeout=3 if must_close else 0.2)
        report("connection %s by vswd" % ("closed" if closed else "kept open"))
        if must_close:
            assert closed, "vswd kept the connection after %s" % case.__name__
    finally:
        c.close()
        for fd in keep:
            os.close(fd)

    # The hostile port itself serves a real guest once the peer is gone.
    r = vswlib.integrity_round(workdir, registry, {"vm1": socks["h1"], "vm2": socks["h2"]},
                               True, FEATS, n=100, seed=4, tags="HK", names=("h1fe", "h2fe"))
    assert v.alive(), "vswd died (rc %s):\n%s" % (v.poll(), v.tail())
    diag = r.diagnosis()
    assert not diag, "h1/h2 after the hostile peer left:\n" + diag
    rc, stats = v.stop()
    assert rc == 0, "vswd exit code %s after a hostile peer:\n%s" % (rc, v.tail())
    assert stats["vm1"]["rx_packets"] == 100 and stats["vm2"]["tx_packets"] == 100, stats


def case_valid_then_drop(c, keep):
    """A well-formed session: memory mapped, rings running, kick/call fds
    passed; then the peer just goes away."""
    c.handshake()
    fd = vu.memfd(MiB)
    keep.append(fd)
    c.send(vu.SET_MEM_TABLE, vu.mem_table([(0, MiB, UADDR, 0)]), fds=[fd])
    setup_rings(c, UADDR, keep)
    return False


def vswd_resources(pid):
    """(open fds, guest-memory mappings) of process pid."""
    fds = len(os.listdir("/proc/%d/fd" % pid))
    with open("/proc/%d/maps" % pid) as f:
        maps = sum(1 for line in f if "vsw-hostile" in line)
    return fds, maps


@pytest.mark.deadline(180)
def test_hostile_peers_leak_nothing(start_vswd, workdir, dpdk_env):
    """Every hostile session, and a good one that simply drops, leaves vswd
    with exactly the fds and mappings it had before (vhost-user.rst: a
    back-end closes what it was given)."""
    args, socks = vswlib.vswd_xconnect_args(workdir, ports=("h1", "h2"),
                                            xconnects=(("h1", "h2"),))
    v = start_vswd(args)
    base = vswd_resources(v.pid)
    for case in CASES + [case_valid_then_drop]:
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
        while vswd_resources(v.pid) != base and time.time() < deadline:
            time.sleep(0.05)
        assert vswd_resources(v.pid) == base, (
            "after %s vswd holds (fds, memory maps) %s, before %s"
            % (case.__name__, vswd_resources(v.pid), base))
    assert v.alive()
    rc, _ = v.stop()
    assert rc == 0
