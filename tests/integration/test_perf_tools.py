"""perf/ scenarios run end to end (tiny durations): every back-end starts,
carries traffic and stops, and the JSON, markdown and PNG outputs are
written. Correctness of the tooling only; the figures are not judged."""

import json
import os
import subprocess

import pytest

import vswlib

PERF = vswlib.REPO / "perf" / "e2e"


def run_script(name, args, timeout):
    p = subprocess.run(["/usr/bin/python3", str(PERF / name)] + args, capture_output=True,
                       text=True, timeout=timeout,
                       env=dict(os.environ, VSW_BUILD=str(vswlib.build_dir())))
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    return p.stdout


BACKENDS = {"vsw", "vsw-bridge", "dpdk-vhost", "ovs-normal", "ovs-flows"}


def pktgen_scenario(script, scenario, workdir, min_mpps):
    """Run a vsw-pktgen scenario with every back-end for a second each."""
    out = os.path.join(workdir, "res")
    so = run_script(script, ["--sizes", "64", "--rounds", "1", "--seconds", "1",
                             "--warmup", "0.5", "--out", out], 280)
    doc = json.load(open(os.path.join(out, scenario + ".json")))
    kinds = {r["backend"]: r for r in doc["runs"]}
    assert set(kinds) == BACKENDS, so
    for k, r in kinds.items():
        assert r["mpps"] > min_mpps and r["loss_ratio"] < 0.5, (k, r)
    for k in ("vsw", "vsw-bridge", "ovs-flows"):
        assert kinds[k]["cycles_per_packet"], (k, kinds[k])
    for ext in ("md", "png"):
        assert os.path.getsize(os.path.join(out, scenario + "." + ext)) > 100
    print(open(os.path.join(out, scenario + ".md")).read())


@pytest.mark.deadline(300)
def test_vm2vm_all_backends(workdir, dpdk_env):
    pktgen_scenario("vm2vm.py", "vm2vm", workdir, 0.1)


@pytest.mark.deadline(300)
def test_vm2ns_all_backends(workdir, dpdk_env, netns):
    # netns: skips (or fails under run-tests.sh) where namespaces cannot be
    # made; the script makes its own.
    pktgen_scenario("vm2ns.py", "vm2ns", workdir, 0.05)


@pytest.mark.deadline(300)
def test_loopback_runs(workdir, dpdk_env):
    out = os.path.join(workdir, "res")
    run_script("loopback.py", ["--sizes", "64", "--rounds", "1", "--seconds", "3",
                               "--out", out], 280)
    doc = json.load(open(os.path.join(out, "loopback-split.json")))
    assert {r["backend"] for r in doc["runs"]} == {"vsw", "dpdk-vhost", "ovs-flows"}
    assert all(r["mpps"] > 0.1 for r in doc["runs"])


@pytest.mark.deadline(120)
def test_soak_runs(workdir, dpdk_env):
    """perf/soak.py for six seconds at a given rate (the real one is an
    hour at half the no-drop rate): samples and the final verdict."""
    out = os.path.join(workdir, "res")
    p = subprocess.run(["/usr/bin/python3", str(vswlib.REPO / "perf" / "soak.py"),
                        "--minutes", "0.1", "--interval", "2", "--rate", "20000",
                        "--out", out], capture_output=True, text=True, timeout=100,
                       env=dict(os.environ, VSW_BUILD=str(vswlib.build_dir())))
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    doc = json.load(open(os.path.join(out, "soak.json")))
    assert len(doc["samples"]) >= 2, doc
    s = doc["samples"][-1]
    assert s["tx_packets"] > 0 and s["vswd_rss_kib"] > 0 and s["mbufs_in_use"] >= 0, s
    assert doc["final"]["tx_packets"] > 0
    assert "| t (s) |" in open(os.path.join(out, "soak.md")).read()
