"""Hardening regressions (issue 14): what a front-end does with the file
descriptors, memory and sockets it shares with vswd must break only its
own connection, never block a PMD or the control thread, never kill vswd.

vswd runs four server ports: h1<->h2 and vm1<->vm2 cross-connected, one
PMD. A raw front-end (vhostuser.py) misbehaves on h1; real DPDK guests on
vm1/vm2 must pass an integrity round meanwhile, and h1 must serve a real
guest once the hostile one is gone.
"""

import os
import socket
import stat
import struct
import subprocess
import time

import pytest

import vhostuser as vu
import vswlib

FEATS = dict(mrg_rxbuf=1, in_order=0)
MiB = 1 << 20


def start_four(start_vswd, workdir, extra=""):
    args, socks = vswlib.vswd_xconnect_args(
        workdir, ports=("h1", "h2", "vm1", "vm2"),
        xconnects=(("h1", "h2"), ("vm1", "vm2")))
    if extra:
        args = [a + extra if a.startswith("h1=") else a for a in args]
    return start_vswd(args), socks


def others_pass(workdir, registry, socks, v, seed, what):
    r = vswlib.integrity_round(workdir, registry, socks, True, FEATS, n=100, seed=seed,
                               tags="AB", names=("vm1fe", "vm2fe"))
    assert v.alive(), "vswd died (rc %s):\n%s" % (v.poll(), v.tail())
    diag = r.diagnosis()
    assert not diag, "other ports, %s:\n%s" % (what, diag)


def h1_serves_a_guest(workdir, registry, socks, v):
    r = vswlib.integrity_round(workdir, registry, {"vm1": socks["h1"], "vm2": socks["h2"]},
                               True, FEATS, n=100, seed=9, tags="HK", names=("h1fe", "h2fe"))
    assert v.alive(), "vswd died (rc %s):\n%s" % (v.poll(), v.tail())
    diag = r.diagnosis()
    assert not diag, "h1/h2 after the hostile peer left:\n" + diag


def wait_log(v, text, timeout=5):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if text in v.output() + v.errors():
            return True
        time.sleep(0.1)
    return False


def send_h2_traffic(workdir, registry, socks, n=64):
    """A guest on h2 that sends n frames (towards h1) and keeps running."""
    frames = vswlib.make_packets(n, "02:00:00:00:0c:01", "02:00:00:00:0c:02", 5, "T")
    pin, pout = os.path.join(workdir, "h2_in.pcap"), os.path.join(workdir, "h2_out.pcap")
    vswlib.write_pcap(pin, frames)
    fe = vswlib.pcap_frontend("h2fe", workdir, socks["h2"], True, FEATS, pin, pout,
                              registry=registry)
    fe.start_fwd()
    return fe


# --------------------------------------------------------------------------
# 1. file descriptors


def other_fd(kind, workdir):
    if kind == "pipe":
        r, w = os.pipe()
        return w, [r, w]
    if kind == "socket":
        a, b = socket.socketpair()
        return a.detach(), [b.detach()]
    path = os.path.join(workdir, "plainfile")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    return fd, [fd]


@pytest.mark.parametrize("request_", [vu.SET_VRING_CALL, vu.SET_VRING_KICK, 14],
                         ids=["call", "kick", "err"])
@pytest.mark.parametrize("kind", ["pipe", "socket", "file"])
def test_vring_fd_must_be_eventfd(start_vswd, workdir, dpdk_env, kind, request_):
    args, socks = vswlib.vswd_xconnect_args(workdir, ports=("h1", "h2"),
                                            xconnects=(("h1", "h2"),))
    v = start_vswd(args)
    c = vu.Client(socks["h1"])
    fd, keep = other_fd(kind, workdir)
    try:
        c.handshake()
        c.send(request_, struct.pack("<Q", 0), fds=[fd])
        assert c.closed_by_peer(timeout=3), "vswd took a %s as a vring fd" % kind
    finally:
        c.close()
        for k in set(keep + [fd]):
            try:
                os.close(k)
            except OSError:
                pass
    assert wait_log(v, "not an eventfd"), v.tail()
    assert v.alive()
    assert v.stop()[0] == 0


@pytest.mark.deadline(180)
def test_call_eventfd_made_blocking(start_vswd, workdir, registry, dpdk_env, report):
    """The guest's call eventfd is full and blocking: the PMD's call on it
    would sleep forever. The guard interrupts it, h1 is dropped, and the
    PMD keeps serving vm1/vm2."""
    v, socks = start_four(start_vswd, workdir)
    c = vu.Client(socks["h1"])
    g = vu.Guest(c)
    call = vu.blocking_full_eventfd()
    try:
        g.setup(call_fds={0: call})
        g.post_rx(0, 256)
        fe = send_h2_traffic(workdir, registry, socks)
        assert c.closed_by_peer(timeout=5), "h1 kept after its call fd blocked"
        assert g.used_idx(0) > 0, "vswd never delivered to h1"
        fe.stop_fwd()
        fe.quit()
        others_pass(workdir, registry, socks, v, 3, "after a blocking call fd")
        assert wait_log(v, "call eventfd blocked"), v.tail()
        report("h1 dropped after %d packets delivered" % g.used_idx(0))
    finally:
        c.close()
        g.close()
        os.close(call)
    h1_serves_a_guest(workdir, registry, socks, v)
    assert v.ctl.call("version")
    assert v.stop()[0] == 0


@pytest.mark.deadline(180)
def test_err_eventfd_made_blocking(start_vswd, workdir, registry, dpdk_env):
    """The error eventfd is full and blocking when the ring breaks: the
    control thread's write would sleep forever. The control socket and
    the other ports keep working, h1 is dropped."""
    v, socks = start_four(start_vswd, workdir)
    c = vu.Client(socks["h1"])
    g = vu.Guest(c)
    err = vu.blocking_full_eventfd()
    try:
        g.setup(err_fds={1: err})
        g.set_avail_idx(1, 1000)  # avail jump > ring size: broken
        assert c.closed_by_peer(timeout=5), "h1 kept after its err fd blocked"
        assert wait_log(v, "error eventfd blocked"), v.tail()
        assert v.ctl.call("version")
        others_pass(workdir, registry, socks, v, 4, "after a blocking err fd")
    finally:
        c.close()
        g.close()
        os.close(err)
    assert v.stop()[0] == 0


# --------------------------------------------------------------------------
# 5. memory


@pytest.mark.deadline(180)
def test_memory_truncated_under_vswd(start_vswd, workdir, registry, dpdk_env, report):
    """The front-end shrinks its memfd while the PMD polls rings in it:
    the fault is recovered, h1 dropped, vswd and the others live on."""
    v, socks = start_four(start_vswd, workdir)
    c = vu.Client(socks["h1"])
    g = vu.Guest(c)
    try:
        g.setup()
        g.post_rx(0, 16)
        time.sleep(0.5)  # the PMD now polls both rings
        os.ftruncate(g.fd, 0)
        assert c.closed_by_peer(timeout=5), "h1 kept after its memory went"
        assert v.alive(), "vswd died (rc %s):\n%s" % (v.poll(), v.tail())
        assert wait_log(v, "shrank under us"), v.tail()
        others_pass(workdir, registry, socks, v, 5, "after a truncated memfd")
    finally:
        c.close()
        g.close()
    h1_serves_a_guest(workdir, registry, socks, v)
    rc, _ = v.stop()
    assert rc == 0, v.tail()


def fs_type(path):
    return subprocess.run(["stat", "-f", "-c", "%T", path], capture_output=True,
                          text=True, check=True).stdout.strip()


def test_memory_not_in_ram_refused(start_vswd, workdir, dpdk_env):
    """Guest memory from a disk file system (a page fault could sleep in a
    PMD) or a pipe is refused."""
    if fs_type(workdir) in ("tmpfs", "ramfs", "hugetlbfs"):
        pytest.skip("work directory %s is on %s" % (workdir, fs_type(workdir)))
    args, socks = vswlib.vswd_xconnect_args(workdir, ports=("h1", "h2"),
                                            xconnects=(("h1", "h2"),))
    v = start_vswd(args)
    path = os.path.join(workdir, "guestmem")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.ftruncate(fd, MiB)
    r, w = os.pipe()
    try:
        for bad in (fd, r):
            c = vu.Client(socks["h1"])
            c.handshake()
            c.send(vu.SET_MEM_TABLE, vu.mem_table([(0, MiB, vu.UADDR, 0)]), fds=[bad])
            assert c.closed_by_peer(timeout=3)
            c.close()
    finally:
        for k in (fd, r, w):
            os.close(k)
    assert wait_log(v, "not a memfd or a file on tmpfs"), v.tail()
    assert v.stop()[0] == 0


# --------------------------------------------------------------------------
# 6. logs


@pytest.mark.deadline(120)
def test_reconnect_flood_is_rate_limited(start_vswd, workdir, dpdk_env, report):
    args, socks = vswlib.vswd_xconnect_args(workdir, ports=("h1", "h2"),
                                            xconnects=(("h1", "h2"),))
    v = start_vswd(args)
    time.sleep(1.5)  # the start-up lines are behind us
    before = v.output().count("vhost: h1") + v.errors().count("vhost: h1")
    n = 0
    end = time.monotonic() + 8
    while time.monotonic() < end and n < 400:
        c = vu.Client(socks["h1"])
        try:
            c.send(vu.GET_FEATURES, flags=0x3)  # bad version: closed, logged
            c.closed_by_peer(timeout=1)
        finally:
            c.close()
        n += 1
    time.sleep(1.5)
    lines = v.output().count("vhost: h1") + v.errors().count("vhost: h1") - before
    report("%d misbehaving connections: %d log lines for h1" % (n, lines))
    assert n >= 200
    # a burst of 64, 2 a second for ~10 s, and the summaries
    assert lines <= 64 + 2 * 12 + 12, "%d lines for %d connections" % (lines, n)
    assert "messages suppressed" in v.output() + v.errors()
    assert v.stop()[0] == 0


# --------------------------------------------------------------------------
# 7. sockets


def test_socket_mode_owner_group(start_vswd, workdir, dpdk_env):
    """Explicit mode and group, whatever the umask; 0600 by default."""
    args, socks = vswlib.vswd_xconnect_args(workdir, ports=("h1", "h2"),
                                            xconnects=(("h1", "h2"),))
    args = [a + ",socket-mode=0640,socket-group=65534" if a.startswith("h1=") else a
            for a in args]
    old = os.umask(0)
    try:
        v = start_vswd(args)
    finally:
        os.umask(old)
    s1, s2 = os.stat(socks["h1"]), os.stat(socks["h2"])
    assert stat.S_ISSOCK(s1.st_mode)
    assert (stat.S_IMODE(s1.st_mode), s1.st_gid) == (0o640, 65534), oct(s1.st_mode)
    assert stat.S_IMODE(s2.st_mode) == 0o600, oct(s2.st_mode)
    assert v.stop()[0] == 0


def test_bad_socket_options(start_vswd, workdir, dpdk_env):
    for opt, want in ((",socket-mode=0999", "socket-mode"),
                      (",socket-group=no-such-group-here", "no group"),
                      (",socket-mode=0600", "only for server=1")):
        args, _ = vswlib.vswd_xconnect_args(workdir, ports=("h1",), xconnects=(),
                                            server="server=1" not in want)
        args = [a + opt if a.startswith("h1=") else a for a in args]
        v = start_vswd(args, wait_ready=False, name="vswd_bad")
        assert v.wait(20) != 0
        assert want in v.errors() + v.output(), v.errors()


def test_live_socket_not_replaced(start_vswd, workdir, registry, dpdk_env):
    """A second vswd on a port socket the first one serves is refused and
    the first keeps serving it."""
    v, socks = start_four(start_vswd, workdir)
    args2 = ["--port", "x1=vhost-user:path=%s,server=1" % socks["h1"],
             "--ctl", os.path.join(workdir, "second.ctl")]
    v2 = start_vswd(args2, wait_ready=False, name="vswd2")
    assert v2.wait(20) != 0, "second vswd took a live socket"
    assert "in use" in v2.errors() + v2.output(), v2.errors() + v2.output()
    h1_serves_a_guest(workdir, registry, socks, v)
    assert v.stop()[0] == 0


@pytest.mark.parametrize("what", ["silent", "half-header", "half-payload"])
def test_handshake_deadline(start_vswd, workdir, registry, dpdk_env, what):
    """A peer that connects and stays silent, or leaves a message half
    sent, is dropped after handshake-timeout; a real guest then connects."""
    v, socks = start_four(start_vswd, workdir, extra=",handshake-timeout=2")
    c = vu.Client(socks["h1"])
    try:
        if what == "half-header":
            c.send_raw(vu.header(vu.GET_FEATURES, 0)[:6])
        elif what == "half-payload":
            c.handshake()
            c.send_raw(vu.header(vu.SET_FEATURES, 8) + b"\0" * 4)
        assert not c.closed_by_peer(timeout=1.0), "dropped before the deadline"
        assert c.closed_by_peer(timeout=4), "%s peer kept past the deadline" % what
    finally:
        c.close()
    # Until a whole message came, the handshake deadline applies.
    assert wait_log(v, "message incomplete" if what == "half-payload" else
                    "no message within"), v.tail()
    h1_serves_a_guest(workdir, registry, socks, v)
    assert v.stop()[0] == 0
