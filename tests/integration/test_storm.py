"""Storms (issue 14): front-ends SIGKILLed and restarted under traffic,
SET_MEM_TABLE over and over under traffic, control-socket floods. A
vsw-pktgen guest on another port must lose, reorder and duplicate
nothing meanwhile, and vswd must end with the file descriptors, guest
memory mappings and mbufs it started with.

VSW_STORM_ROUNDS sets the rounds (default 10; CI runs 4); the long
storm is `VSW_STORM_ROUNDS=100 /usr/bin/python3 -m pytest
tests/integration/test_storm.py` (docs/testing.md).
"""

import json
import os
import struct
import threading
import time

import pytest

import vhostuser as vu
import vswlib

ROUNDS = int(os.environ.get("VSW_STORM_ROUNDS", "10"))
# vswd's watchdog: past every test's own deadline (100 rounds take minutes).
STORM_DEADLINE = 120 + ROUNDS * 8
FEATS = dict(mrg_rxbuf=1, in_order=0)
PG_RATE = 5000  # pps: three pollers share core 0, the storm's included


def resources(pid):
    """(open fds, mappings of front-end memory: memfd or hugepage files)."""
    fds = len(os.listdir("/proc/%d/fd" % pid))
    with open("/proc/%d/maps" % pid) as f:
        maps = sum(1 for line in f
                   if "memfd:" in line or "/dev/hugepages" in line or "vsw-guest" in line)
    return fds, maps


def settle(v, base, timeout=10):
    end = time.monotonic() + timeout
    while resources(v.pid) != base and time.monotonic() < end:
        time.sleep(0.1)
    return resources(v.pid)


class Pktgen:
    """vsw-pktgen on a vswd port reflected by vswd (xconnect P,P), sending
    with sequence numbers for `seconds`; result() waits and parses."""

    def __init__(self, workdir, registry, sock, seconds):
        self.out = os.path.join(workdir, "pg.json")
        prefix = vswlib.unique("pg")
        vdev = "net_virtio_user0,path=%s,queues=1,mrg_rxbuf=1,in_order=0" % sock
        argv = [vswlib.pktgen_binary(), "-l", "0", "--no-pci", "--file-prefix", prefix,
                "--log-level=lib.eal:error", "--vdev", vdev, "--no-huge", "-m", "512",
                "--", "--duration", str(seconds), "--warmup", "1", "--rate", str(PG_RATE),
                "--flows", "4", "--size", "imix", "--json", self.out]
        self.proc = registry.add(vswlib.Proc("pktgen", argv, workdir, deadline=seconds + 60,
                                             file_prefix=prefix))
        self.proc.start()
        self.seconds = seconds

    def result(self):
        rc = self.proc.wait(self.seconds + 40)
        assert rc == 0, self.proc.tail()
        with open(self.out) as f:
            return json.load(f)["result"]


def check_lossless(r, what):
    assert r["tx_packets"] > PG_RATE, r
    assert (r["lost"], r["reordered"], r["duplicates"]) == (0, 0, 0), \
        "%s: the other port lost traffic: %s" % (what, r)


def in_use(v):
    return v.ctl.call("mempool-show")["in_use"]


def storm_vswd(start_vswd, workdir, h1_server=True):
    socks = {p: os.path.join(workdir, p + ".sock") for p in ("h1", "vm1")}
    v = start_vswd(["--port", "h1=vhost-user:path=%s,server=%d" % (socks["h1"], h1_server),
                    "--port", "vm1=" + vswlib.vhost_user_spec(socks["vm1"], True),
                    "--xconnect", "h1,h1", "--xconnect", "vm1,vm1"],
                   deadline=STORM_DEADLINE)
    return v, socks


@pytest.mark.deadline(60 + ROUNDS * 8)
@pytest.mark.parametrize("vswd_server", [True, False], ids=["vswd-server", "vswd-client"])
def test_frontend_kill_storm(start_vswd, workdir, registry, dpdk_env, report, vswd_server):
    v, socks = storm_vswd(start_vswd, workdir, h1_server=vswd_server)
    mbufs0 = in_use(v)
    pg = Pktgen(workdir, registry, socks["vm1"], 6 + ROUNDS * 3)
    time.sleep(2)  # pktgen connected and sending
    base = resources(v.pid)
    t0 = time.monotonic()
    for i in range(ROUNDS):
        if not vswd_server:
            vswlib.remove_stale_socket(socks["h1"])
        fe = vswlib.Testpmd("fe%d" % i, workdir,
                            [vswlib.virtio_vdev(socks["h1"], not vswd_server, **FEATS)],
                            app=["--forward-mode=macswap"], huge=False)
        registry.add(fe)
        fe.start()
        fe.start_fwd(tx_first=4)
        time.sleep(0.3)
        fe.kill()
        assert v.alive(), "vswd died in round %d:\n%s" % (i, v.tail())
    storm_s = time.monotonic() - t0
    after = settle(v, base)
    assert v.alive(), "vswd died after the storm:\n%s" % v.tail()
    r = pg.result()
    assert v.alive(), "vswd died during the traffic:\n%s" % v.tail()
    check_lossless(r, "front-end kill storm")
    mbufs = in_use(v)
    report("%d front-ends SIGKILLed under traffic in %.0f s (vswd %s): fds/maps %s -> %s,"
           " mbufs in use %d -> %d; other port %d packets, 0 lost"
           % (ROUNDS, storm_s, "server" if vswd_server else "client", base, after,
              mbufs0, mbufs, r["rx_packets"]))
    assert after == base, "vswd holds (fds, maps) %s, before the storm %s" % (after, base)
    assert mbufs == mbufs0, "mbufs in use %d, before %d" % (mbufs, mbufs0)
    rc, _ = v.stop()
    assert rc == 0, v.tail()


def post_tx(g, q, slot, frame):
    """Queue `frame` (with a zeroed 12-byte header) in descriptor `slot`."""
    desc, avail, _ = g.ring(q)
    buf = vu.Guest.BUF_BASE + 0x100000 + slot * 2048
    g.mm[buf:buf + 12] = bytes(12)
    g.mm[buf + 12:buf + 12 + len(frame)] = frame
    struct.pack_into("<QIHH", g.mm, desc + 16 * slot, buf, 12 + len(frame), 0, 0)


def avail_idx(g, q):
    _, avail, _ = g.ring(q)
    return struct.unpack_from("<H", g.mm, avail + 2)[0]


def push(g, q, frames, seq):
    """Make frames available on guest tx queue q from sequence seq on."""
    _, avail, _ = g.ring(q)
    idx = avail_idx(g, q)
    for k, fr in enumerate(frames):
        slot = (seq + k) % 256
        post_tx(g, q, slot, fr)
        struct.pack_into("<H", g.mm, avail + 4 + 2 * ((idx + k) % 256), slot)
    g.set_avail_idx(q, idx + len(frames))


def wait_used(g, q, want, timeout=5):
    end = time.monotonic() + timeout
    while g.used_idx(q) != want & 0xFFFF:
        if time.monotonic() > end:
            raise AssertionError("used idx %d, want %d" % (g.used_idx(q), want & 0xFFFF))
        time.sleep(0.001)


@pytest.mark.deadline(60 + ROUNDS * 6)
def test_set_mem_table_storm(start_vswd, workdir, registry, dpdk_env, report):
    """A front-end sends SET_MEM_TABLE between every few frames it
    transmits: every frame still arrives exactly once, in order."""
    args, socks = vswlib.vswd_xconnect_args(workdir, ports=("h1", "h2", "vm1"),
                                            xconnects=(("h1", "h2"), ("vm1", "vm1")))
    v = start_vswd(args, deadline=STORM_DEADLINE)
    pg = Pktgen(workdir, registry, socks["vm1"], 8 + ROUNDS * 2)
    n_tables = 20 * ROUNDS
    frames = vswlib.make_packets(8 * n_tables, "02:00:00:00:0d:01", "02:00:00:00:0d:02", 7,
                                 "M", sizes=(60, 1500))
    pin, pout = os.path.join(workdir, "h2_in.pcap"), os.path.join(workdir, "h2_out.pcap")
    vswlib.write_pcap(pin, [])
    fe = vswlib.pcap_frontend("h2fe", workdir, socks["h2"], True, FEATS, pin, pout,
                              registry=registry)
    fe.start_fwd()
    c = vu.Client(socks["h1"])
    g = vu.Guest(c)
    table = vu.mem_table([(0, g.size, vu.UADDR, 0)])
    try:
        g.setup()
        base = None
        for t in range(n_tables):
            seq = 8 * t
            push(g, 1, frames[seq:seq + 8], seq)
            c.send(vu.SET_MEM_TABLE, table, fds=[g.fd])
            wait_used(g, 1, seq + 8)
            if base is None:  # vswd has taken the whole set-up by now
                base = resources(v.pid)
        # The last table may still be in hand-over (the PMD has not yet let
        # go of the one it replaced): wait for it, as the kill storm does.
        during = settle(v, base, timeout=5)
    finally:
        c.close()
        g.close()
    got = vswlib.wait_counts([(fe, fe.port("net_pcap0"), "tx_packets")], [len(frames)])
    fe.stop_fwd()
    assert fe.quit() == 0
    diag = vswlib.compare_frames(frames, vswlib.read_pcap(pout), "h1 -> h2")
    assert not diag, "across %d SET_MEM_TABLEs:\n%s" % (n_tables, diag)
    check_lossless(pg.result(), "SET_MEM_TABLE storm")
    report("%d SET_MEM_TABLEs between %d frames: all arrived once, in order; fds/maps"
           " %s during, %s at the start (%s)" % (n_tables, len(frames), during, base, got))
    assert during == base, "mappings or fds pile up: %s, at the start %s" % (during, base)
    assert v.stop()[0] == 0


@pytest.mark.deadline(120)
def test_control_flood_under_traffic(start_vswd, workdir, registry, dpdk_env, report):
    """Eight clients flood the control socket with requests, good and bad,
    while a guest sends: the guest loses nothing, every request is
    answered, vswd's fds come back to where they were."""
    v, socks = storm_vswd(start_vswd, workdir)
    pg = Pktgen(workdir, registry, socks["vm1"], 10)
    time.sleep(1.5)
    base = resources(v.pid)
    errors, answered = [], [0]
    lock = threading.Lock()

    def client(k):
        ctl = vswlib.Ctl(v.ctl_path)
        try:
            for i in range(150):
                method = ("port-list", "pmd-stats-show", "mempool-show", "no-such")[i % 4]
                try:
                    ctl.call(method)
                except vswlib.CtlError:
                    if method != "no-such":
                        raise
                with lock:
                    answered[0] += 1
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append("client %d: %r" % (k, e))

    threads = [threading.Thread(target=client, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    after = settle(v, base)  # while the guest is still there
    check_lossless(pg.result(), "control flood")
    report("%d control requests from 8 clients under traffic, all answered; 0 lost"
           % answered[0])
    assert answered[0] == 8 * 150
    assert after == base
    assert v.stop()[0] == 0
