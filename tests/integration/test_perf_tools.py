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


@pytest.mark.deadline(300)
def test_vm2vm_all_backends(workdir, dpdk_env):
    out = os.path.join(workdir, "res")
    so = run_script("vm2vm.py", ["--sizes", "64", "--rounds", "1", "--seconds", "1",
                                 "--warmup", "0.5", "--out", out], 280)
    doc = json.load(open(os.path.join(out, "vm2vm.json")))
    kinds = {r["backend"]: r for r in doc["runs"]}
    assert set(kinds) == {"vsw", "dpdk-vhost", "ovs-normal", "ovs-flows"}, so
    for k, r in kinds.items():
        assert r["mpps"] > 0.1 and r["loss_ratio"] < 0.5, (k, r)
    assert kinds["vsw"]["cycles_per_packet"] and kinds["ovs-flows"]["cycles_per_packet"]
    for ext in ("md", "png"):
        assert os.path.getsize(os.path.join(out, "vm2vm." + ext)) > 100
    print(open(os.path.join(out, "vm2vm.md")).read())


@pytest.mark.deadline(300)
def test_loopback_runs(workdir, dpdk_env):
    out = os.path.join(workdir, "res")
    run_script("loopback.py", ["--sizes", "64", "--rounds", "1", "--seconds", "3",
                               "--out", out], 280)
    doc = json.load(open(os.path.join(out, "loopback-split.json")))
    assert {r["backend"] for r in doc["runs"]} == {"vsw", "dpdk-vhost", "ovs-flows"}
    assert all(r["mpps"] > 0.1 for r in doc["runs"])
