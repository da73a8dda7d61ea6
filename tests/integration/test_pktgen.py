"""vsw-pktgen: the traffic generator and verifier of perf/.

Correctness only, never speed: over DPDK's net_ring loopback port (what
goes out comes back, in order) the counts must balance exactly; over vswd
(a virtio-user guest port, reflected or cross-connected to a second
vsw-pktgen in loopback mode) nothing may be lost, reordered or
duplicated at a modest rate; pacing must never send more than asked;
bad options are refused with a message naming them.
"""

import json
import os
import subprocess

import pytest

import vswlib

PKTGEN = os.path.join(vswlib.build_dir(), "app", "vsw-pktgen", "vsw-pktgen")


def eal(prefix, vdev):
    # No hugepages: nothing left behind whatever the exit, and a memfd
    # virtio-user can share with the back-end (PEERS.md).
    # vsw-pktgen polls on its main lcore: core 0; vswd's worker has core 1
    return ["-l", "0", "--no-pci", "--file-prefix", prefix,
            "--log-level=lib.eal:error", "--vdev", vdev, "--no-huge", "-m", "512"]


def run(args, timeout=60):
    p = subprocess.run([PKTGEN] + args, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture
def pktgen():
    if not os.access(PKTGEN, os.X_OK):
        pytest.fail("vsw-pktgen not built: %s" % PKTGEN)
    return PKTGEN


def load(path):
    with open(path) as f:
        return json.load(f)


def test_ring_loopback_balances(pktgen, workdir):
    out = os.path.join(workdir, "r.json")
    rc, so, se = run(eal(vswlib.unique("pg"), "net_ring0") +
                     ["--", "--duration", "1", "--warmup", "0.2", "--size", "imix",
                      "--flows", "16", "--json", out])
    assert rc == 0, se
    r = load(out)["result"]
    assert r["tx_packets"] > 1000
    assert r["rx_packets"] == r["tx_packets"] == r["rx_probes"]
    assert (r["lost"], r["reordered"], r["duplicates"], r["foreign"]) == (0, 0, 0, 0)
    lat = r["latency_ns"]
    assert 0 < lat["min"] <= lat["p50"] <= lat["p99"] <= lat["p99.9"] <= lat["max"]
    assert "result:" in so


def test_rate_is_never_exceeded(pktgen, workdir):
    out = os.path.join(workdir, "rate.json")
    rc, so, se = run(eal(vswlib.unique("pg"), "net_ring0") +
                     ["--", "--duration", "2", "--warmup", "0", "--rate", "100000",
                      "--json", out])
    assert rc == 0, se
    r = load(out)["result"]
    assert 0 < r["tx_packets"] <= 2 * 100000 + 32, r


def test_search_reports_trials(pktgen, workdir):
    out = os.path.join(workdir, "s.json")
    rc, so, se = run(eal(vswlib.unique("pg"), "net_ring0") +
                     ["--", "--search", "--trial", "0.5", "--warmup", "0", "--json", out])
    assert rc == 0, se
    doc = load(out)
    assert doc["search"] is True and doc["trials"][0]["tx_packets"] > 0
    assert "NDR:" in so


@pytest.mark.parametrize("args,why", [
    (["--size", "10"], "--size: '10' is not a number in 64..9018"),
    (["--mode", "fast"], "--mode: 'fast' is not txrx"),
    (["--flows", "0"], "--flows"),
    (["--search", "--mode", "txonly"], "--search needs --mode txrx"),
    (["--port", "3"], "no ethdev port 3"),
])
def test_bad_options(pktgen, args, why):
    rc, so, se = run(eal(vswlib.unique("pg"), "net_ring0") + ["--"] + args)
    assert rc == 2 and why in se, (rc, se)


def test_through_vswd(pktgen, start_vswd, workdir, registry):
    """A virtio-user guest reflected by vswd, then two guests cross-connected
    with the second one a vsw-pktgen in loopback mode."""
    sock = os.path.join(workdir, "a.sock")
    v = start_vswd(["--port", "a=vhost-user:path=%s" % sock, "--xconnect", "a,a"])
    out = os.path.join(workdir, "v.json")
    vdev = "net_virtio_user0,path=%s,queues=1,mrg_rxbuf=1,in_order=0" % sock
    rc, so, se = run(eal(vswlib.unique("pg"), vdev) +
                     ["--", "--duration", "2", "--warmup", "0.5", "--rate", "50000",
                      "--flows", "4", "--size", "imix", "--json", out])
    assert rc == 0, se
    r = load(out)["result"]
    assert r["tx_packets"] > 10000
    assert (r["lost"], r["reordered"], r["duplicates"]) == (0, 0, 0), r
    code, stats = v.stop()
    assert code == 0

    socks = [os.path.join(workdir, "x%d.sock" % i) for i in (1, 2)]
    v = start_vswd(["--port", "x1=vhost-user:path=%s" % socks[0],
                    "--port", "x2=vhost-user:path=%s" % socks[1],
                    "--xconnect", "x1,x2"], name="vswd2")
    refl = registry.add(vswlib.Proc(
        "reflector", [PKTGEN] + eal(vswlib.unique("pg"), "net_virtio_user0,path=%s,"
                                    "queues=1,mrg_rxbuf=0,in_order=0" % socks[1],
                                    ) +
        ["--", "--mode", "loopback", "--duration", "0"], workdir)).start()
    out = os.path.join(workdir, "x.json")
    rc, so, se = run(eal(vswlib.unique("pg"), "net_virtio_user0,path=%s,queues=1,"
                         "mrg_rxbuf=0,in_order=0" % socks[0]) +
                     ["--", "--duration", "3", "--warmup", "1", "--rate", "2000",
                      "--json", out])
    # Three pollers (vswd, reflector, generator) share 2 cores: each is
    # descheduled for tens of ms at a time. 2000 pps keeps that within a
    # 256-entry ring (128 ms), so no drop is allowed.
    assert rc == 0, se
    r = load(out)["result"]
    assert r["tx_packets"] > 4000
    assert (r["lost"], r["reordered"], r["duplicates"]) == (0, 0, 0), r
    refl.signal(2)
    assert refl.wait(10) == 0
    assert "loopback: received" in refl.output()
    code, stats = v.stop()
    assert code == 0 and stats["x2"]["rx_packets"] >= r["tx_packets"]


def test_vm_to_vm_both_ways(pktgen, start_vswd, workdir):
    """One vsw-pktgen owns both guests' virtio-user ports (one core), each
    sending its own flows to the other through vswd's cross-connect."""
    socks = [os.path.join(workdir, "vm%d.sock" % i) for i in (1, 2)]
    v = start_vswd(["--port", "vm1=vhost-user:path=%s" % socks[0],
                    "--port", "vm2=vhost-user:path=%s" % socks[1],
                    "--xconnect", "vm1,vm2"])
    args = eal(vswlib.unique("pg"), "net_virtio_user0,path=%s,queues=1,mrg_rxbuf=1" % socks[0])
    args += ["--vdev", "net_virtio_user1,path=%s,queues=1,mrg_rxbuf=1" % socks[1]]
    out = os.path.join(workdir, "vm2vm.json")
    rc, so, se = run(args + ["--", "--port", "0,1", "--duration", "2", "--warmup", "0.5",
                             "--rate", "100000", "--flows", "8", "--size", "imix",
                             "--json", out])
    assert rc == 0, se
    doc = load(out)
    r = doc["result"]
    assert doc["ports"] == 2 and r["tx_packets"] > 100000
    assert (r["lost"], r["reordered"], r["duplicates"], r["foreign"]) == (0, 0, 0, 0), r
    code, stats = v.stop()
    assert code == 0
    for p in ("vm1", "vm2"):
        assert stats[p]["rx_packets"] > 50000 and stats[p]["tx_drops"] == 0, stats


def test_pcap_txonly_then_rxonly(pktgen, workdir):
    """Another ethdev: txonly writes probes to a pcap file through net_pcap,
    rxonly reads them back and finds every one, in order, once."""
    cap = os.path.join(workdir, "probes.pcap")
    out = os.path.join(workdir, "rx.json")
    rc, so, se = run(eal(vswlib.unique("pg"), "net_pcap0,tx_pcap=%s" % cap) +
                     ["--", "--mode", "txonly", "--rate", "20000", "--duration", "1",
                      "--warmup", "0", "--flows", "5", "--size", "128"])
    assert rc == 0, se
    frames = vswlib.read_pcap(cap)
    assert len(frames) > 10000 and all(len(f) == 124 for f in frames)
    rc, so, se = run(eal(vswlib.unique("pg"), "net_pcap0,rx_pcap=%s" % cap) +
                     ["--", "--mode", "rxonly", "--duration", "2", "--warmup", "0",
                      "--json", out])
    assert rc == 0, se
    r = load(out)["result"]
    assert r["rx_probes"] == r["rx_packets"] == len(frames), r
    assert (r["reordered"], r["duplicates"], r["foreign"], r["lost"]) == (0, 0, 0, 0), r
