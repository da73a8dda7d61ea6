#!/usr/bin/python3
"""Soak: an hour at half the no-drop rate through the learning bridge.

vswd bridges two guest ports (br0=vm1,vm2, MAC learning, one PMD on core
1). One vsw-pktgen owns both guests' virtio-user ports on core 0 and sends
16 flows each way to the other port's MACs, checking every frame.

1. Unless --rate is given, the no-drop rate (NDR) is searched first
   (vsw-pktgen --search --loss 0, trials of --trial seconds).
2. Then --minutes of traffic at --fraction of it (default 0.5). Every
   --interval seconds (default 60) a sample: packets sent and received,
   "missing" (sent minus received: in flight or lost, final only at the
   end), that interval's latency p50/p99/p99.9/max, vswd's resident set
   size and the mbufs it has in use.
3. At the end: loss, reordering and duplicates over the whole run (exact),
   RSS growth from the first sample to the last.

Writes soak.json and soak.md into --out (default perf/results) and prints
one line per sample. Not in CI (an hour); tests/integration/test_perf_tools.py
runs it for a few seconds.

Usage: perf/soak.py [--minutes 60] [--interval 60] [--size 64] [--rate PPS]
       [--fraction 0.5] [--trial 2] [--out DIR]
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "e2e"))
import perflib  # noqa: E402


def ctl_call(path, method):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(path)
        s.sendall(json.dumps({"jsonrpc": "2.0", "id": 1, "method": method}).encode() + b"\n")
        buf = b""
        while b"\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    return json.loads(buf.split(b"\n", 1)[0])["result"]


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Run:
    """vswd (bridge) and vsw-pktgen in a private directory."""

    def __init__(self, a, pg_args):
        self.tmp = tempfile.mkdtemp(prefix="vsw-soak-")
        self.ctl = os.path.join(self.tmp, "vswd.ctl")
        self.out = os.path.join(self.tmp, "pktgen.json")
        socks = {p: os.path.join(self.tmp, p + ".sock") for p in ("vm1", "vm2")}
        gen = [perflib.PKTGEN, "-l", "0", "--no-pci", "--file-prefix", "soak-fe",
               "--single-file-segments"]
        for i, p in enumerate(("vm1", "vm2")):
            gen += ["--vdev", "net_virtio_user%d,path=%s,server=1,queues=1,mrg_rxbuf=1"
                    % (i, socks[p])]
        gen += ["--", "--port", "0,1", "--size", str(a.size), "--flows", "16",
                "--dst-mac", "peer", "--warmup", "2", "--json", self.out] + pg_args
        self.gen = subprocess.Popen(gen, stdout=subprocess.PIPE, text=True,
                                    stderr=open(os.path.join(self.tmp, "pktgen.log"), "w"),
                                    start_new_session=True)
        time.sleep(1)  # the guests listen first
        cmd = perflib.vswd_cmd(self.tmp, [
            "--port", "vm1=vhost-user:path=%s,server=0" % socks["vm1"],
            "--port", "vm2=vhost-user:path=%s,server=0" % socks["vm2"],
            "--bridge", "br0=vm1,vm2"])
        cmd[cmd.index("--file-prefix") + 1] = "soak-vsw"
        cmd[cmd.index("--ctl") + 1] = self.ctl
        self.vswd = perflib.start(cmd, open(os.path.join(self.tmp, "vswd.log"), "w"))

    def result(self, timeout):
        try:
            rc = self.gen.wait(timeout)
        except subprocess.TimeoutExpired:
            perflib.stop(self.gen)
            rc = -1
        if rc != 0 or not os.path.exists(self.out):
            raise RuntimeError("vsw-pktgen failed (rc %s): see %s" % (rc, self.tmp))
        with open(self.out) as f:
            return json.load(f)

    def close(self):
        perflib.stop(self.gen)
        perflib.stop(self.vswd)
        perflib.remove_leftovers(["soak-fe", "soak-vsw"])
        shutil.rmtree(self.tmp, ignore_errors=True)


def search_ndr(a):
    r = Run(a, ["--search", "--loss", "0", "--trial", str(a.trial)])
    try:
        doc = r.result(a.trial * 40 + 60)
    finally:
        r.close()
    best = doc.get("result")
    if not best:
        raise RuntimeError("no rate passed the no-drop search")
    return best["rx_pps"]


def soak(a, rate):
    seconds = a.minutes * 60
    r = Run(a, ["--rate", str(int(rate)), "--duration", str(seconds),
                "--interval", str(a.interval)])
    samples = []
    try:
        for line in r.gen.stdout:
            if not line.startswith("interval "):
                continue
            s = json.loads(line[len("interval "):])
            s["vswd_rss_kib"] = rss_kib(r.vswd.pid)
            s["mbufs_in_use"] = ctl_call(r.ctl, "mempool-show")["in_use"]
            samples.append(s)
            print("soak: %6.0f s  tx %d  missing %d  latency p50/p99/p99.9/max %d/%d/%d/%d ns"
                  "  rss %d KiB  mbufs %d" % (
                      s["t"], s["tx_packets"], s["missing"], s["lat_p50_ns"], s["lat_p99_ns"],
                      s["lat_p999_ns"], s["lat_max_ns"], s["vswd_rss_kib"], s["mbufs_in_use"]),
                  flush=True)
        final = r.result(seconds + 120)["result"]
    finally:
        r.close()
    return samples, final


def markdown(doc):
    f = doc["final"]
    how = ("%g of the no-drop rate, %.3f Mpps" % (doc["fraction"], doc["ndr_pps"] / 1e6)
           if doc["ndr_pps"] else "rate given")
    lines = ["# Soak: %s minutes at %.3f Mpps (%s), %s B frames, learning bridge"
             % (doc["minutes"], doc["rate_pps"] / 1e6, how, doc["size"]),
             "",
             "Whole run: %d sent, %d received, lost %d, reordered %d, duplicates %d;"
             " vswd RSS %s -> %s KiB." % (f["tx_packets"], f["rx_probes"], f["lost"],
                                          f["reordered"], f["duplicates"], doc["rss_first_kib"],
                                          doc["rss_last_kib"]),
             "",
             "| t (s) | sent | missing | p50 ns | p99 ns | p99.9 ns | max ns | RSS KiB |"
             " mbufs in use |",
             "|---|---|---|---|---|---|---|---|---|"]
    for s in doc["samples"]:
        lines.append("| %.0f | %d | %d | %d | %d | %d | %d | %d | %d |" % (
            s["t"], s["tx_packets"], s["missing"], s["lat_p50_ns"], s["lat_p99_ns"],
            s["lat_p999_ns"], s["lat_max_ns"], s["vswd_rss_kib"], s["mbufs_in_use"]))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--interval", type=float, default=60)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--rate", type=float, help="pps (default: --fraction of the NDR)")
    ap.add_argument("--fraction", type=float, default=0.5)
    ap.add_argument("--trial", type=float, default=2)
    ap.add_argument("--out", default=os.path.join(perflib.ROOT, "perf", "results"))
    a = ap.parse_args()
    ndr = None
    if a.rate is None:
        ndr = search_ndr(a)
        print("soak: no-drop rate %.3f Mpps" % (ndr / 1e6), flush=True)
    rate = a.rate if a.rate is not None else ndr * a.fraction
    samples, final = soak(a, rate)
    doc = {"scenario": "soak", "minutes": a.minutes, "size": a.size, "ndr_pps": ndr,
           "fraction": a.fraction if a.rate is None else None, "rate_pps": rate,
           "samples": samples, "final": final,
           "rss_first_kib": samples[0]["vswd_rss_kib"] if samples else None,
           "rss_last_kib": samples[-1]["vswd_rss_kib"] if samples else None,
           "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "soak.json"), "w") as f:
        json.dump(doc, f, indent=1)
    with open(os.path.join(a.out, "soak.md"), "w") as f:
        f.write(markdown(doc))
    print("soak: lost %d, reordered %d, duplicates %d of %d; vswd RSS %s -> %s KiB"
          % (final["lost"], final["reordered"], final["duplicates"], final["tx_packets"],
             doc["rss_first_kib"], doc["rss_last_kib"]))


if __name__ == "__main__":
    main()
