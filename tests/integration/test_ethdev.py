"""The ethdev port driver (vswd only), with DPDK's net_af_packet on the
root-side end of a veth pair as the "physical NIC" and a network namespace
(vswlib.Netns) holding the other end as the host on the wire.

- a namespace pings a vhost-user guest (testpmd icmpecho) through vswd;
- two namespaces ping each other and move a few MB over TCP, checked;
- frames a guest sends reach the namespace byte for byte;
- start-up errors name the port and what is wrong;
- a frame over the port's MTU is dropped, counted, and traffic goes on.
"""

import hashlib
import random
import time
from pathlib import Path

import pytest

import vswlib

GUEST_FEATS = dict(mrg_rxbuf=0, in_order=0)


af_packet = vswlib.af_packet_spec


def ethdev_stats(vswd):
    """{port: record} of the 'stats ethdev' lines vswd printed at exit."""
    return {r["port"]: r for r in vswlib.parse_vswd_records(vswd.output(), "ethdev")}


def stop_vswd(v):
    rc, stats = v.stop(timeout=15)
    assert rc == 0, "vswd exit code %s:\n%s" % (rc, v.tail())
    return stats


def test_ping_vhost_guest(start_vswd, netns, registry, workdir, dpdk_env, report):
    ns = netns("10.201.0.1/24", "02:00:00:0e:00:01")
    sock = str(Path(workdir) / "vm1.sock")
    v = start_vswd(["--port", "up=" + af_packet(ns),
                    "--port", "vm1=" + vswlib.vhost_user_spec(sock, True),
                    "--xconnect", "up,vm1"])
    assert "net_af_packet0" in v.output(), v.output()
    guest = vswlib.icmpecho_guest(registry, workdir, sock)
    got, sent, out = ns.ping("10.201.0.2", count=20)
    assert (got, sent) == (20, 20), out
    gst = guest.port_stats()[guest.port("net_virtio_user0")]
    guest.stop_fwd()
    assert guest.quit() == 0
    stats = stop_vswd(v)
    eth = ethdev_stats(v)["up"]
    report("ping namespace -> guest through af_packet: %d/%d; %s" % (got, sent, out.splitlines()[-1]))
    # 20 requests and at least one ARP each way, on both ports.
    for port, key in (("up", "rx_packets"), ("up", "tx_packets"),
                      ("vm1", "rx_packets"), ("vm1", "tx_packets")):
        assert stats[port][key] >= 21, "%s %s: %s" % (port, key, stats)
    assert gst["rx_packets"] >= 21 and gst["tx_packets"] >= 21, gst
    assert eth["ipackets"] >= 21 and eth["opackets"] >= 21, eth
    assert eth["link"] == 1 and eth["too_big"] == 0 and eth["drop_full"] == 0, eth
    assert stats["up"]["tx_drops"] == 0 and stats["vm1"]["tx_drops"] == 0, stats


# Inside the receiving namespace: accept one connection, read to EOF,
# print the byte count and SHA-256.
TCP_SERVER = r"""
import hashlib, socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 5001)); s.listen(1); s.settimeout(30)
print("listening", flush=True)
c, _ = s.accept(); c.settimeout(30)
h, n = hashlib.sha256(), 0
while True:
    b = c.recv(65536)
    if not b:
        break
    h.update(b); n += len(b)
print("received %d %s" % (n, h.hexdigest()), flush=True)
"""

# Inside the sending namespace: send N seeded random bytes.
TCP_CLIENT = r"""
import random, socket, sys
data = random.Random(int(sys.argv[3])).randbytes(int(sys.argv[2]))
c = socket.create_connection((sys.argv[1], 5001), timeout=30)
c.sendall(data); c.close()
print("sent %d" % len(data), flush=True)
"""


def test_namespace_to_namespace(start_vswd, netns, registry, workdir, report):
    a = netns("10.202.0.1/24", "02:00:00:0e:01:01")
    b = netns("10.202.0.2/24", "02:00:00:0e:01:02")
    v = start_vswd(["--port", "a=" + af_packet(a, 0), "--port", "b=" + af_packet(b, 1),
                    "--xconnect", "a,b"])
    for src, dst in ((a, b), (b, a)):
        got, sent, out = src.ping(dst.ip, count=10)
        assert (got, sent) == (10, 10), out

    size, seed = 4 << 20, 1234
    want = hashlib.sha256(random.Random(seed).randbytes(size)).hexdigest()
    srv = registry.add(b.proc("tcp-server", ["/usr/bin/python3", "-c", TCP_SERVER, b.ip],
                              workdir, deadline=60))
    srv.start()
    srv.wait_for(r"listening", 10)
    t0 = time.monotonic()
    rc, out = a.run(["/usr/bin/python3", "-c", TCP_CLIENT, b.ip, size, seed], timeout=60,
                    check=False)
    assert rc == 0, "client: %s" % out
    m = srv.wait_for(r"received (\d+) (\w+)", 30)
    secs = time.monotonic() - t0
    assert int(m.group(1)) == size and m.group(2) == want, (m.group(0), want)
    report("TCP through two af_packet ports: %d MB in %.2f s, SHA-256 equal"
           % (size >> 20, secs))
    stats = stop_vswd(v)
    # A few MB as 1500-byte segments: thousands of frames each way.
    assert stats["a"]["rx_packets"] > 2000 and stats["b"]["tx_packets"] > 2000, stats
    eth = ethdev_stats(v)
    assert eth["a"]["too_big"] == 0 and eth["b"]["too_big"] == 0, eth


def guest_to_namespace(start_vswd, ns, registry, workdir, frames, expect, port_extra=""):
    """A pcap guest sends frames through vswd (vhost-user -> af_packet);
    return (frames captured in ns, vswd) once `expect` arrived or 15 s
    passed, vswd stopped."""
    wd = Path(workdir)
    sock = str(wd / "vm1.sock")
    v = start_vswd(["--port", "vm1=" + vswlib.vhost_user_spec(sock, True),
                    "--port", "up=" + af_packet(ns, extra=port_extra),
                    "--xconnect", "vm1,up"])
    cap_path = str(wd / "captured.bin")
    cap = registry.add(ns.capture("capture", workdir, cap_path, expect, 15))
    vswlib.write_pcap(wd / "in.pcap", frames)
    fe = vswlib.pcap_frontend("guest", wd, sock, True, GUEST_FEATS, wd / "in.pcap",
                              wd / "out.pcap", registry=registry)
    fe.start_fwd()
    cap.wait_for(r"captured (\d+)", 30)
    fe.stop_fwd()
    assert fe.quit() == 0
    stop_vswd(v)
    return vswlib.read_records(cap_path), v


def test_guest_to_namespace_integrity(start_vswd, netns, registry, workdir, dpdk_env, report):
    ns = netns("10.203.0.1/24", "02:00:00:0e:02:01")
    sent = vswlib.make_packets(150, "02:00:00:00:0a:01", "02:00:00:0e:02:01", seed=5, tag="E",
                               sizes=(60, 1514))
    got, v = guest_to_namespace(start_vswd, ns, registry, workdir, sent, len(sent))
    diag = vswlib.compare_frames(sent, got, "guest -> namespace")
    assert not diag, diag
    report("guest -> af_packet -> namespace: %d frames (60..1514 B) identical" % len(got))
    st = v.stats()
    assert st["up"]["tx_packets"] == len(sent) and st["up"]["tx_bytes"] == sum(map(len, sent)), st
    assert ethdev_stats(v)["up"]["opackets"] == len(sent)


def test_oversize_dropped_and_counted(start_vswd, netns, registry, workdir, dpdk_env):
    ns = netns("10.204.0.1/24", "02:00:00:0e:03:01")
    before = vswlib.make_packets(20, "02:00:00:00:0a:02", "02:00:00:0e:03:01", seed=6, tag="F",
                                 sizes=(60, 1514))
    big = vswlib.make_packets(1, "02:00:00:00:0a:02", "02:00:00:0e:03:01", seed=7, tag="G",
                              sizes=(4000, 4000))
    after = vswlib.make_packets(20, "02:00:00:00:0a:02", "02:00:00:0e:03:01", seed=8, tag="H",
                                sizes=(60, 1514))
    got, v = guest_to_namespace(start_vswd, ns, registry, workdir, before + big + after,
                                len(before) + len(after), port_extra="mtu=1500,")
    diag = vswlib.compare_frames(before + after, got, "guest -> namespace around a 4000 B frame")
    assert not diag, diag
    st = v.stats()
    eth = ethdev_stats(v)["up"]
    assert eth["too_big"] == 1, eth
    assert st["up"]["tx_drops"] == 1 and st["up"]["tx_packets"] == len(before) + len(after), st
    assert st["vm1"]["rx_packets"] == len(before) + 1 + len(after), st


def test_restart_same_iface(start_vswd, netns, registry, workdir):
    """The device a stopped vswd removed can be probed again (by the next
    vswd here; in one process by tests/unit/test_ethdev_port.c)."""
    a = netns("10.205.0.1/24", "02:00:00:0e:04:01")
    b = netns("10.205.0.2/24", "02:00:00:0e:04:02")
    for run in range(2):
        v = start_vswd(["--port", "a=" + af_packet(a, 0), "--port", "b=" + af_packet(b, 1),
                        "--xconnect", "a,b"], name="vswd%d" % run)
        got, sent, out = a.ping(b.ip, count=5)
        assert (got, sent) == (5, 5), "run %d: %s" % (run, out)
        stop_vswd(v)


# (spec or specs, texts stderr must hold besides the port name)
BAD = [
    pytest.param(["ethdev:"], ["devargs", "pci"], id="no-devargs"),
    pytest.param(["ethdev:queues=2"], ["devargs"], id="no-devargs-with-queues"),
    pytest.param(["ethdev:devargs=net_nosuchdrv0"], ["net_nosuchdrv0", "driver"],
                 id="unknown-driver"),
    pytest.param(["ethdev:devargs=net_af_packet0,iface=vswnoif0"],
                 ["devargs", "net_af_packet0,iface=vswnoif0", "exist"], id="no-such-iface"),
    pytest.param(["{ns}:queues=2,"], ["queues", "at most 1", "qpairs"], id="queues-too-many"),
    pytest.param(["{ns}:queues=99,"], ["queues", "99"], id="queues-out-of-range"),
    pytest.param(["{ns}:mtu=9000,"], ["mtu", "9000", "1500"], id="mtu-refused"),
    pytest.param(["{ns}:colour=red,"], ["colour"], id="unknown-option"),
    pytest.param(["{ns}:promisc=yes,"], ["promisc"], id="bad-promisc"),
    pytest.param(["ethdev:pci=0000:3b:00.0"], ["pci", "0000:3b:00.0"], id="pci-absent"),
    pytest.param(["ethdev:pci=0000:3b"], ["pci", "not a PCI address"], id="pci-malformed"),
    pytest.param(["{ns}:", "{ns}:"], ["in use by vsw port px1"], id="device-in-use"),
]


@pytest.mark.parametrize("specs,texts", BAD)
def test_startup_errors(start_vswd, netns, specs, texts):
    args, ns = [], None
    for i, spec in enumerate(specs):
        if "{ns}" in spec:
            ns = ns or netns("10.206.0.1/24", "02:00:00:0e:05:01")
            head, _, extra = spec.partition(":")
            spec = af_packet(ns, extra=extra)
        args += ["--port", "px%d=%s" % (i + 1, spec)]
    v = start_vswd(args, wait_ready=False)
    rc = v.wait(20)
    err = v.errors()
    assert rc in (1, 2), "rc=%s (crash?) for %s:\n%s" % (rc, args, v.tail())
    assert "vswd: ready" not in v.output()
    bad = "px%d" % len(specs)
    assert "port %s" % bad in err, "stderr does not name port %s:\n%s" % (bad, err)
    for t in texts:
        assert t in err, "stderr does not say %r:\n%s" % (t, err)
