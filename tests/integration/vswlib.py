"""Helpers for vsw's integration tests: processes, network namespaces,
testpmd, vswd and its control socket, backends, pcap files.

Everything here is plain Python (no pytest import) so it can be driven by
hand from a REPL while debugging a failing scenario:

    import vswlib
    reg = vswlib.Registry()
    be = vswlib.make_backend("dpdk-vhost", "/tmp/x", reg, server=True)
    ...
    reg.cleanup()

Rules the harness keeps:
- every process runs under a watchdog (its own deadline) and in its own
  session, dies with the test process (PR_SET_PDEATHSIG), and is stopped or
  killed by its PID only;
- every wait is bounded;
- each DPDK process has its own --file-prefix, and the hugepage files a
  killed one leaves behind are removed.
"""

import ctypes
import glob
import itertools
import json
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TESTPMD = "dpdk-testpmd"
HUGEPAGE_DIR = "/dev/hugepages"
DPDK_RUNTIME_DIR = "/var/run/dpdk"


class HarnessError(Exception):
    """A process did not do what the harness waited for, in time."""


# --------------------------------------------------------------------------
# environment


def build_dir():
    d = Path(os.environ.get("VSW_BUILD", "build"))
    return d if d.is_absolute() else REPO / d


def vswd_binary():
    return build_dir() / "app" / "vswd" / "vswd"


def vswctl_binary():
    return build_dir() / "app" / "vswctl" / "vswctl"


def testpmd_binary():
    return shutil.which(TESTPMD)


def hugepages_status():
    """Return (ok, reason): 2 MB hugepages reserved, free and mounted."""
    info = {}
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                k, _, v = line.partition(":")
                info[k.strip()] = v.strip()
    except OSError as e:
        return False, "cannot read /proc/meminfo: %s" % e
    free = int(info.get("HugePages_Free", "0").split()[0])
    total = int(info.get("HugePages_Total", "0").split()[0])
    if total == 0:
        return False, "no hugepages reserved (echo 1024 > /proc/sys/vm/nr_hugepages)"
    mounted = False
    with open("/proc/mounts") as f:
        for line in f:
            parts = line.split()
            if len(parts) > 2 and parts[2] == "hugetlbfs" and parts[1] == HUGEPAGE_DIR:
                mounted = True
    if not mounted:
        return False, "hugetlbfs not mounted at %s" % HUGEPAGE_DIR
    if free < 256:
        return False, "only %d free hugepages (need 256)" % free
    return True, "%d/%d hugepages free" % (free, total)


# --------------------------------------------------------------------------
# processes

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def _child_setup():
    # Runs in the child between fork and exec: die with the test runner.
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


_unique_lock = threading.Lock()
_unique_n = [0]


def unique(tag):
    """A short name unique within this test run (file prefixes, dirs)."""
    with _unique_lock:
        _unique_n[0] += 1
        return "%s%d_%d" % (tag, os.getpid() % 100000, _unique_n[0])


class Proc:
    """One child process with a deadline, output in files, stopped by PID.

    stdout goes to <workdir>/<name>.out; stderr to <name>.err, or into
    stdout when merge_stderr. With stdin_fifo, stdin is a fifo at
    <workdir>/<name>.in that write() feeds.
    """

    def __init__(self, name, argv, workdir, deadline=120, stdin_fifo=False,
                 merge_stderr=False, env=None, file_prefix=None):
        self.name = name
        self.argv = [str(a) for a in argv]
        self.workdir = Path(workdir)
        self.deadline = deadline
        self.stdin_fifo = stdin_fifo
        self.merge_stderr = merge_stderr
        self.env = env
        self.file_prefix = file_prefix
        self.out_path = self.workdir / (name + ".out")
        self.err_path = self.out_path if merge_stderr else self.workdir / (name + ".err")
        self.fifo_path = self.workdir / (name + ".in")
        self.popen = None
        self.timed_out = False
        self._wfd = None
        self._timer = None
        self.returncode = None

    # -- life cycle
    def start(self):
        stdin = subprocess.DEVNULL
        rfd = None
        if self.stdin_fifo:
            if self.fifo_path.exists():
                self.fifo_path.unlink()
            os.mkfifo(self.fifo_path)
            # Open both ends here so neither open() blocks; the child gets
            # the read end, we keep the write end (EOF only when we close).
            rfd = os.open(self.fifo_path, os.O_RDONLY | os.O_NONBLOCK)
            self._wfd = os.open(self.fifo_path, os.O_WRONLY)
            os.set_blocking(rfd, True)
            stdin = rfd
        out = open(self.out_path, "wb")
        err = subprocess.STDOUT if self.merge_stderr else open(self.err_path, "wb")
        with open(self.workdir / (self.name + ".cmd"), "w") as f:
            f.write(" ".join(self.argv) + "\n")
        try:
            self.popen = subprocess.Popen(
                self.argv, stdin=stdin, stdout=out, stderr=err,
                cwd=self.workdir, env=self.env, start_new_session=True,
                preexec_fn=_child_setup, close_fds=True)
        finally:
            out.close()
            if err is not subprocess.STDOUT:
                err.close()
            if rfd is not None:
                os.close(rfd)
        self._timer = threading.Timer(self.deadline, self._expire)
        self._timer.daemon = True
        self._timer.start()
        return self

    def _expire(self):
        if self.alive():
            self.timed_out = True
            self._signal(signal.SIGKILL)

    @property
    def pid(self):
        return self.popen.pid if self.popen else None

    def alive(self):
        return self.popen is not None and self.popen.poll() is None

    def poll(self):
        if self.popen is None:
            return None
        self.returncode = self.popen.poll()
        return self.returncode

    def _signal(self, sig):
        try:
            os.kill(self.popen.pid, sig)
        except ProcessLookupError:
            pass

    def signal(self, sig):
        """Send sig to this process (by PID)."""
        if self.alive():
            self._signal(sig)

    def wait(self, timeout):
        """Wait for exit; return the exit code, raise HarnessError on timeout."""
        try:
            self.returncode = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise HarnessError("%s (pid %d) still running after %.1fs"
                               % (self.name, self.pid, timeout))
        self._finish()
        return self.returncode

    def kill(self):
        """SIGKILL by PID and reap."""
        if self.popen is None:
            return None
        if self.alive():
            self._signal(signal.SIGKILL)
        try:
            self.returncode = self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self._finish()
        return self.returncode

    def _finish(self):
        if self._timer:
            self._timer.cancel()
        if self._wfd is not None:
            try:
                os.close(self._wfd)
            except OSError:
                pass
            self._wfd = None

    def cleanup(self):
        """Kill if still running, then remove DPDK leftovers of its prefix."""
        self.kill()
        if self.file_prefix:
            remove_dpdk_leftovers(self.file_prefix)

    # -- I/O
    def write(self, text):
        if self._wfd is None:
            raise HarnessError("%s: no stdin fifo" % self.name)
        data = text.encode()
        while data:
            n = os.write(self._wfd, data)
            data = data[n:]

    def output(self):
        try:
            return self.out_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def errors(self):
        try:
            return self.err_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def tail(self, n=40):
        lines = self.output().splitlines()
        text = "\n".join(lines[-n:])
        if not self.merge_stderr:
            text += "\n--- stderr:\n" + "\n".join(self.errors().splitlines()[-n:])
        return text

    def wait_for(self, pattern, timeout, start=0, stream="out"):
        """Wait until regex pattern matches the output after offset start.

        Returns the match. Raises HarnessError on timeout or if the
        process exits first (after one last look at its output).
        """
        rx = re.compile(pattern, re.M)
        end = time.monotonic() + timeout
        while True:
            text = self.output() if stream == "out" else self.errors()
            m = rx.search(text, start)
            if m:
                return m
            if not self.alive():
                text = self.output() if stream == "out" else self.errors()
                m = rx.search(text, start)
                if m:
                    return m
                raise HarnessError("%s exited (rc=%s%s) before printing %r; tail:\n%s"
                                   % (self.name, self.poll(),
                                      ", watchdog" if self.timed_out else "",
                                      pattern, self.tail()))
            if time.monotonic() > end:
                raise HarnessError("%s: no %r within %.1fs; tail:\n%s"
                                   % (self.name, pattern, timeout, self.tail()))
            time.sleep(0.05)


def remove_dpdk_leftovers(prefix):
    """Remove hugepage files and the runtime dir of a DPDK --file-prefix."""
    for f in glob.glob(os.path.join(HUGEPAGE_DIR, prefix + "map_*")):
        try:
            os.unlink(f)
        except OSError:
            pass
    rd = os.path.join(DPDK_RUNTIME_DIR, prefix)
    if os.path.isdir(rd):
        shutil.rmtree(rd, ignore_errors=True)


class Registry:
    """Every process a test starts; cleanup() kills them all by PID."""

    def __init__(self):
        self.procs = []

    def add(self, proc):
        self.procs.append(proc)
        return proc

    def cleanup(self):
        for p in reversed(self.procs):
            try:
                p.cleanup()
            except Exception:  # noqa: BLE001 - teardown must go on
                pass
        self.procs = []


# --------------------------------------------------------------------------
# network namespaces: a "host" behind a veth pair


def netns_status():
    """Return (ok, reason): root, and the ip and ethtool commands."""
    if os.geteuid() != 0:
        return False, "network namespaces need root"
    for tool, pkg in (("ip", "iproute2"), ("ethtool", "ethtool")):
        if not shutil.which(tool):
            return False, "%s missing (apt-get install %s)" % (tool, pkg)
    return True, "ok"


class Netns:
    """A network namespace holding one end of a veth pair.

    Inside: `self.inner` with address `addr` (CIDR) and MAC `mac`, and lo,
    both up. Outside, in the root namespace: `self.outer`, up, no address:
    the "cable" a DPDK port (net_af_packet,iface=<outer>) plugs into.

    Both ends have TSO, GSO, GRO and tx checksumming off, so af_packet
    never sees a frame longer than the MTU or with a checksum left to do,
    and IPv6 off, so neither end sends router solicitations or MLD reports
    of its own into the test's traffic.

    Names are unique in the run (interface names stay within 15 bytes).
    cleanup() deletes the namespace and the root-side veth; it can be
    called more than once, and a Registry calls it (Registry.add(netns)).
    Every command runs under a timeout.
    """

    def __init__(self, addr, mac, mtu=1500, tag="ns"):
        u = unique("")
        self.name = "vsw%s%s" % (tag, u)
        self.inner = "vi" + u
        self.outer = "vo" + u
        self.addr = addr
        self.ip = addr.split("/")[0]
        self.mac = mac
        self.mtu = mtu
        self.created = False

    # -- commands
    @staticmethod
    def _run(argv, timeout=10, check=True):
        r = subprocess.run([str(a) for a in argv], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout, preexec_fn=_child_setup)
        out = r.stdout.decode(errors="replace")
        if check and r.returncode != 0:
            raise HarnessError("%s: exit %d: %s" % (" ".join(map(str, argv)),
                                                    r.returncode, out.strip()))
        return r.returncode, out

    def argv(self, cmd):
        """cmd (a list) as run inside the namespace."""
        return ["ip", "netns", "exec", self.name] + [str(c) for c in cmd]

    def run(self, cmd, timeout=10, check=True):
        """Run cmd inside; return (exit code, output). Raises HarnessError on
        a non-zero exit when check, subprocess.TimeoutExpired on timeout."""
        return self._run(self.argv(cmd), timeout=timeout, check=check)

    def proc(self, name, cmd, workdir, deadline=60, **kw):
        """A Proc (not started) running cmd inside the namespace."""
        return Proc(name, self.argv(cmd), workdir, deadline=deadline, **kw)

    # -- life cycle
    def create(self):
        """Make the namespace and the veth pair; return self."""
        self.created = True
        try:
            self._setup()
        except Exception:
            self.cleanup()
            raise
        return self

    def _setup(self):
        run = self._run
        run(["ip", "netns", "add", self.name])
        run(["ip", "link", "add", self.outer, "mtu", self.mtu, "type", "veth",
             "peer", "name", self.inner, "mtu", self.mtu])
        run(["ip", "link", "set", self.inner, "netns", self.name])
        self._no_ipv6("/proc/sys/net/ipv6/conf/%s/disable_ipv6" % self.outer)
        self.run(["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"], check=False)
        self.run(["sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"], check=False)
        self.run(["ip", "link", "set", self.inner, "address", self.mac])
        self.run(["ip", "addr", "add", self.addr, "dev", self.inner])
        for dev, inside in ((self.outer, False), (self.inner, True)):
            cmd = ["ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off",
                   "tx", "off"]
            self.run(cmd) if inside else run(cmd)
        self.run(["ip", "link", "set", "lo", "up"])
        self.run(["ip", "link", "set", self.inner, "up"])
        run(["ip", "link", "set", self.outer, "up"])

    @staticmethod
    def _no_ipv6(path):
        try:
            with open(path, "w") as f:
                f.write("1")
        except OSError:
            pass  # no IPv6 in this kernel: nothing to silence

    def cleanup(self):
        """Delete the namespace (and with it the inner end) and the outer end."""
        if not self.created:
            return
        self._run(["ip", "netns", "del", self.name], check=False)
        if os.path.exists("/sys/class/net/" + self.outer):
            self._run(["ip", "link", "del", self.outer], check=False)
        self.created = False

    def __enter__(self):
        return self.create()

    def __exit__(self, *exc):
        self.cleanup()
        return False

    # -- tools
    def ping(self, dst, count=20, interval=0.05, timeout=30, size=56):
        """ping dst from inside; return (received, transmitted, output)."""
        rc, out = self.run(["ping", "-n", "-q", "-c", count, "-i", interval, "-W", 2,
                            "-s", size, dst], timeout=timeout, check=False)
        m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
        if not m:
            raise HarnessError("ping %s from %s: no summary (rc=%d):\n%s"
                               % (dst, self.name, rc, out))
        return int(m.group(2)), int(m.group(1)), out

    def neigh(self, ip, mac, dev=None):
        """A permanent neighbour entry inside (no ARP needed for ip)."""
        self.run(["ip", "neigh", "replace", ip, "lladdr", mac, "dev", dev or self.inner,
                  "nud", "permanent"])

    def vlan(self, vid, addr):
        """An 802.1Q subinterface of the inner end with address addr
        (CIDR), up; return its name."""
        dev = "v%d" % vid
        self.run(["ip", "link", "add", "link", self.inner, "name", dev, "type", "vlan",
                  "id", vid])
        self.run(["ip", "addr", "add", addr, "dev", dev])
        self.run(["ip", "link", "set", dev, "up"])
        return dev

    def capture(self, name, workdir, path, count, secs, dev=None, mark=b"VSWSEQ"):
        """A started Proc capturing, on dev (default: the inner end), the
        frames received that contain mark, until count arrived or secs
        passed; read them with read_records(path) once it printed
        'captured N'. mark=b"" takes every received frame."""
        p = self.proc(name, ["/usr/bin/python3", "-c", CAPTURE, dev or self.inner, path,
                             count, secs, mark.hex()], workdir, deadline=secs + 30)
        p.start()
        p.wait_for(r"capturing", 10)
        return p


# Run inside a namespace: capture frames received on an interface (raw
# AF_PACKET socket) that contain a mark (hex; empty: all), until a count
# arrived or time passed; write them as length-prefixed records.
CAPTURE = r"""
import socket, struct, sys, time
iface, path, count, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
mark = bytes.fromhex(sys.argv[5])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind((iface, 0)); s.settimeout(0.2)
print("capturing", flush=True)
frames, end = [], time.monotonic() + secs
while len(frames) < count and time.monotonic() < end:
    try:
        b, addr = s.recvfrom(65535)
    except socket.timeout:
        continue
    if addr[2] != socket.PACKET_OUTGOING and mark in b:
        frames.append(b)
with open(path, "wb") as f:
    for b in frames:
        f.write(struct.pack("!I", len(b)) + b)
print("captured %d" % len(frames), flush=True)
"""


def read_records(path):
    """Frames a Netns.capture() wrote."""
    data = Path(path).read_bytes()
    out, off = [], 0
    while off + 4 <= len(data):
        n = int.from_bytes(data[off:off + 4], "big")
        out.append(data[off + 4:off + 4 + n])
        off += 4 + n
    return out


def af_packet_spec(ns, index=0, extra=""):
    """Spec of an ethdev port on the root-side veth of ns (extra: port
    options before devargs, e.g. "vlan=10,")."""
    return "ethdev:%sdevargs=net_af_packet%d,iface=%s" % (extra, index, ns.outer)


# --------------------------------------------------------------------------
# testpmd

_STATS_BLOCK = re.compile(
    r"NIC statistics for port (\d+)\s+#+\s*\n"
    r"\s*RX-packets:\s*(\d+)\s+RX-missed:\s*(\d+)\s+RX-bytes:\s*(\d+)\s*\n"
    r"\s*RX-errors:\s*(\d+)\s*\n"
    r"\s*RX-nombuf:\s*(\d+)\s*\n"
    r"\s*TX-packets:\s*(\d+)\s+TX-errors:\s*(\d+)\s+TX-bytes:\s*(\d+)\s*\n"
    r"(?:\s*\n)?\s*Throughput \(since last show\)\s*\n"
    r"\s*Rx-pps:\s*(\d+)\s+Rx-bps:\s*(\d+)\s*\n"
    r"\s*Tx-pps:\s*(\d+)\s+Tx-bps:\s*(\d+)")
_STATS_KEYS = ("rx_packets", "rx_missed", "rx_bytes", "rx_errors", "rx_nombuf",
               "tx_packets", "tx_errors", "tx_bytes", "rx_pps", "rx_bps",
               "tx_pps", "tx_bps")

PROMPT = "testpmd> "


def parse_port_stats(text):
    """`show port stats all` output -> {port_id: {rx_packets: N, ...}}."""
    stats = {}
    for m in _STATS_BLOCK.finditer(text):
        stats[int(m.group(1))] = dict(zip(_STATS_KEYS, map(int, m.groups()[1:])))
    return stats


class Testpmd(Proc):
    """dpdk-testpmd -i driven through a fifo on stdin.

    vdevs: list of --vdev strings. eal: extra EAL args. app: testpmd args
    after `--` (besides -i). huge: hugepages with --single-file-segments
    (True) or --no-huge -m 512 (False). main_lcore: which of lcores 0,1 is
    main; the other one forwards.
    """

    def __init__(self, name, workdir, vdevs, app=(), eal=(), huge=True,
                 main_lcore=1, deadline=120, log_levels=(), mbufs=8192):
        self.prefix = unique("tp")
        argv = ["stdbuf", "-oL", "-eL", testpmd_binary() or TESTPMD,
                "-l", "0,1", "--main-lcore", str(main_lcore), "--no-pci",
                "--file-prefix", self.prefix]
        argv += ["--single-file-segments"] if huge else ["--no-huge", "-m", "512"]
        for lv in log_levels:
            argv.append("--log-level=" + lv)
        for v in vdevs:
            argv += ["--vdev", v]
        argv += list(eal)
        argv += ["--", "-i", "--nb-cores=1", "--total-num-mbufs=%d" % mbufs]
        argv += list(app)
        super().__init__(name, argv, workdir, deadline=deadline, stdin_fifo=True,
                         merge_stderr=True, file_prefix=self.prefix)
        self.vdevs = list(vdevs)
        self.port_ids = {}  # device name -> port id

    def start(self, ready_timeout=30):
        super().start()
        self.wait_for(re.escape(PROMPT), ready_timeout)
        self.port_ids = self._read_port_ids()
        return self

    def _prompts(self, text):
        return text.count(PROMPT)

    def cmd(self, command, timeout=15):
        """Send one command; return its output (up to the next prompt)."""
        text = self.output()
        n = self._prompts(text)
        base = len(text)
        self.write(command.strip() + "\n")
        end = time.monotonic() + timeout
        while True:
            text = self.output()
            if self._prompts(text) > n:
                tail = text[base:]
                return tail[:tail.rfind(PROMPT)]
            if not self.alive():
                raise HarnessError("%s died during %r (rc=%s); tail:\n%s"
                                   % (self.name, command, self.poll(), self.tail()))
            if time.monotonic() > end:
                raise HarnessError("%s: %r not done within %.1fs; tail:\n%s"
                                   % (self.name, command, timeout, self.tail()))
            time.sleep(0.03)

    def _read_port_ids(self):
        out = self.cmd("show port info all")
        ids = {}
        cur = None
        for line in out.splitlines():
            m = re.search(r"Infos for port (\d+)", line)
            if m:
                cur = int(m.group(1))
            m = re.match(r"\s*Device name:\s*(\S+)", line)
            if m and cur is not None:
                ids[m.group(1)] = cur
        return ids

    def port(self, devname):
        """Port id of a vdev, e.g. port('net_virtio_user0')."""
        return self.port_ids[devname]

    def start_fwd(self, tx_first=None):
        return self.cmd("start" if tx_first is None else "start tx_first %d" % tx_first)

    def stop_fwd(self):
        return self.cmd("stop")

    def port_stats(self):
        out = self.cmd("show port stats all")
        stats = parse_port_stats(out)
        if not stats:
            raise HarnessError("%s: cannot parse port stats:\n%s" % (self.name, out))
        return stats

    def kill(self):
        """SIGKILL by PID, reap, and free the hugepages it leaves behind."""
        rc = super().kill()
        remove_dpdk_leftovers(self.prefix)
        return rc

    def quit(self, timeout=20):
        """`quit` (flushes pcap tx files); return the exit code."""
        if not self.alive():
            return self.poll()
        self.write("quit\n")
        rc = self.wait(timeout)
        remove_dpdk_leftovers(self.prefix)
        return rc

    def virtio_paths(self):
        """Which Rx/Tx burst functions the virtio PMD chose (from its log).

        Needs log_levels pmd.net.virtio.init:info (and .driver:info).
        Returns e.g. {'rx': 'mergeable buffer', 'tx': 'standard'} or
        whatever parts were found.
        """
        text = self.output()
        paths = {}
        for m in re.finditer(r"using (.+?) (Rx|Tx) path", text, re.I):
            paths[m.group(2).lower()] = m.group(1).strip()
        return paths


def wait_counts(procs_ports, expect, timeout=20, settle=0.6, poll=0.25):
    """Poll testpmd port stats until each expectation is reached and stable.

    procs_ports: list of (Testpmd, port_id, key) ; expect: list of ints
    (same order). Returns the last readings (list of ints), which the
    caller compares: on timeout this does not raise, so the assertion
    that follows shows what arrived.
    """
    end = time.monotonic() + timeout
    last = None
    stable_since = None
    while True:
        cur = []
        for tp, port, key in procs_ports:
            cur.append(tp.port_stats()[port][key])
        now = time.monotonic()
        if cur != last:
            last, stable_since = cur, now
        reached = all(c >= e for c, e in zip(cur, expect))
        if reached and now - stable_since >= settle:
            return cur
        if now > end:
            return cur
        time.sleep(poll)


def wait_quiet(procs_ports, timeout=20, settle=1.0, poll=0.25):
    """Poll until the given counters stop moving (at least one moved)."""
    return wait_counts(procs_ports, [1] * len(procs_ports), timeout, settle, poll)


# --------------------------------------------------------------------------
# vswd

_VSWD_STATS = re.compile(r"^stats port=(\S+)((?: \w+=\d+)+)\s*$", re.M)


def parse_vswd_stats(text):
    """'stats port=vm1 rx_packets=N ...' lines -> {'vm1': {'rx_packets': N}}."""
    stats = {}
    for m in _VSWD_STATS.finditer(text):
        kv = dict(item.split("=") for item in m.group(2).split())
        stats[m.group(1)] = {k: int(v) for k, v in kv.items()}
    return stats


def parse_vswd_records(text, kind):
    """'stats <kind> port=vm1 q=0 packets=N ...' lines -> list of dicts
    (kind: rxq, txq, vq, vhost); numbers (decimal or 0x) become ints."""
    out = []
    for m in re.finditer(r"^stats %s((?: [\w-]+=\S+)+)\s*$" % re.escape(kind), text, re.M):
        rec = {}
        for item in m.group(1).split():
            k, v = item.split("=", 1)
            try:
                rec[k] = int(v, 0)
            except ValueError:
                rec[k] = v
        out.append(rec)
    return out


def default_vswd_eal(prefix):
    return ["-l", "0,1", "--main-lcore", "0", "--no-pci", "--no-huge", "-m", "512",
            "--file-prefix", prefix, "--log-level=user1:info"]


class CtlError(Exception):
    """vswd answered a control request with a JSON-RPC error."""

    def __init__(self, code, message):
        super().__init__("%s (%s)" % (message, code))
        self.code = code
        self.message = message


class Ctl:
    """A client of vswd's control socket (JSON-RPC 2.0, one JSON text a
    line), connecting once per call. call() returns the parsed result or
    raises CtlError for an error reply, HarnessError when there is no
    answer within the timeout."""

    REPLY_MAX = 64 << 20
    _ids = itertools.count(1)

    def __init__(self, path):
        self.path = str(path)

    def call(self, method, *args, timeout=10.0):
        """method(args...): positional string params, like vswctl."""
        return self.request(method, [str(a) for a in args], timeout=timeout)

    def request(self, method, params=None, timeout=10.0):
        """One request with any params (list, dict or None: absent)."""
        rid = next(self._ids)
        req = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            req["params"] = params
        reply = json.loads(self.exchange(json.dumps(req).encode() + b"\n", timeout))
        if reply.get("id") != rid:
            raise HarnessError("%s: reply %r to request id %d" % (self.path, reply, rid))
        if "error" in reply:
            raise CtlError(reply["error"].get("code"), reply["error"].get("message"))
        return reply["result"]

    def exchange(self, data, timeout=10.0):
        """Send raw bytes, return the first reply line (bytes, no newline)."""
        end = time.monotonic() + timeout
        buf = b""
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(timeout)
                s.connect(self.path)
                s.sendall(data)
                while b"\n" not in buf:
                    left = end - time.monotonic()
                    if left <= 0:
                        raise socket.timeout()
                    s.settimeout(left)
                    chunk = s.recv(65536)
                    if not chunk:
                        raise HarnessError("%s closed the connection without a reply"
                                           % self.path)
                    buf += chunk
                    if len(buf) > self.REPLY_MAX:
                        raise HarnessError("%s: reply longer than %d bytes"
                                           % (self.path, self.REPLY_MAX))
        except socket.timeout:
            raise HarnessError("%s: no reply within %.1fs" % (self.path, timeout))
        except OSError as e:
            raise HarnessError("%s: %s" % (self.path, e))
        return buf.split(b"\n", 1)[0]


def ctl_arg(app):
    """The --ctl value among vswd's app args, or None."""
    for i, a in enumerate(app):
        if a == "--ctl" and i + 1 < len(app):
            return str(app[i + 1])
        if str(a).startswith("--ctl="):
            return str(a).split("=", 1)[1]
    return None


class Vswd(Proc):
    """vswd [EAL] -- APP. eal=None: default_vswd_eal with a fresh prefix.

    Unless APP has --ctl, vswd's control socket is <workdir>/<name>.ctl
    (never the shared default /run/vsw/vswd.ctl); self.ctl is its Ctl
    client, None with --ctl none.
    """

    def __init__(self, workdir, app, eal=None, binary=None, name="vswd", deadline=240):
        app = list(app)
        ctl = ctl_arg(app)
        if ctl is None:
            ctl = str(Path(workdir) / (name + ".ctl"))
            app = ["--ctl", ctl] + app
        self.ctl_path = None if ctl == "none" else ctl
        self.ctl = None if self.ctl_path is None else Ctl(self.ctl_path)
        self.prefix = unique("vsw")
        if eal is None:
            eal = default_vswd_eal(self.prefix)
        else:
            eal = [a.replace("{prefix}", self.prefix) for a in eal]
            m = [a for a in eal if a.startswith("--file-prefix")]
            if m and "=" in m[0]:
                self.prefix = m[0].split("=", 1)[1]
            elif m:
                self.prefix = eal[eal.index(m[0]) + 1]
        argv = [str(binary or vswd_binary())] + list(eal) + ["--"] + list(app)
        super().__init__(name, argv, workdir, deadline=deadline, file_prefix=self.prefix)

    def start(self, wait_ready=True, timeout=20):
        super().start()
        if wait_ready:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=20):
        self.wait_for(r"vswd: ready", timeout)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Signal, wait for exit; return (exit code, stats dict)."""
        self.signal(sig)
        rc = self.wait(timeout)
        return rc, self.stats()

    def stats(self):
        return parse_vswd_stats(self.output())


def vhost_user_spec(path, server):
    return "vhost-user:path=%s,server=%d" % (path, 1 if server else 0)


def vswd_xconnect_args(workdir, ports=("vm1", "vm2"), server=True, xconnects=(("vm1", "vm2"),)):
    """--port/--xconnect arguments; returns (args, {port: socket path})."""
    socks = {p: str(Path(workdir) / (p + ".sock")) for p in ports}
    args = []
    for p in ports:
        args += ["--port", "%s=%s" % (p, vhost_user_spec(socks[p], server))]
    for a, b in xconnects:
        args += ["--xconnect", "%s,%s" % (a, b)]
    return args, socks


# --------------------------------------------------------------------------
# backends: the same scenario against vswd or against DPDK's own vhost


class Backend:
    """Two cross-connected vhost-user ports vm1 <-> vm2.

    server=True: the backend listens (frontends use server=0);
    server=False: the backend connects and retries (frontends listen).
    """

    kind = None

    def __init__(self, workdir, registry, server=True):
        self.workdir = Path(workdir)
        self.registry = registry
        self.server = server
        self.socks = {p: str(self.workdir / (p + ".sock")) for p in ("vm1", "vm2")}
        self.proc = None

    def alive(self):
        return self.proc is not None and self.proc.alive()


class VswdBackend(Backend):
    kind = "vswd"

    def __init__(self, workdir, registry, server=True, eal=None):
        super().__init__(workdir, registry, server)
        self.eal = eal
        self.final_stats = None
        self.exit_code = None

    def start(self):
        args, socks = vswd_xconnect_args(self.workdir, server=self.server)
        assert socks == self.socks
        self.proc = self.registry.add(Vswd(self.workdir, args, eal=self.eal))
        self.proc.start()
        return self

    def stop(self):
        """Stop; return {port: {rx_packets,...}} as vswd printed them."""
        self.exit_code, self.final_stats = self.proc.stop()
        return self.final_stats


class DpdkVhostBackend(Backend):
    """testpmd with two net_vhost vdevs io-forwarding (rte_vhost)."""

    kind = "dpdk-vhost"

    def start(self):
        client = "" if self.server else ",client=1"
        vdevs = ["net_vhost%d,iface=%s,queues=1%s" % (i, self.socks[p], client)
                 for i, p in enumerate(("vm1", "vm2"))]
        # Its own packet memory need not be hugepages (like vswd's). The
        # backend forwards on lcore 1; frontends forward on lcore 0.
        self.proc = self.registry.add(Testpmd(
            "dpdk-vhost", self.workdir, vdevs, app=["--forward-mode=io"],
            huge=False, main_lcore=0, mbufs=16384, deadline=240))
        self.proc.start()
        self.proc.start_fwd()
        return self

    def stop(self):
        """Stats of both ports in vswd's terms, then quit."""
        st = self.proc.port_stats()
        self.proc.stop_fwd()
        out = {}
        for i, p in enumerate(("vm1", "vm2")):
            s = st[self.proc.port("net_vhost%d" % i)]
            out[p] = {"rx_packets": s["rx_packets"], "rx_bytes": s["rx_bytes"],
                      "tx_packets": s["tx_packets"], "tx_bytes": s["tx_bytes"],
                      "tx_drops": s["tx_errors"], "rx_drops": s["rx_missed"]}
        self.exit_code = self.proc.quit()
        self.final_stats = out
        return out


def make_backend(kind, workdir, registry, server=True, vswd_eal=None):
    if kind == "vswd":
        return VswdBackend(workdir, registry, server, eal=vswd_eal).start()
    if kind == "dpdk-vhost":
        return DpdkVhostBackend(workdir, registry, server).start()
    raise ValueError(kind)


# --------------------------------------------------------------------------
# frontends

VIRTIO_LOG = ("pmd.net.virtio.init:info", "pmd.net.virtio.driver:info")


def virtio_vdev(sock, server, mrg_rxbuf, in_order, packed_vq=0, index=0, extra="",
                queues=1, vectorized=0):
    s = ("net_virtio_user%d,path=%s,queues=%d,packed_vq=%d,mrg_rxbuf=%d,in_order=%d"
         % (index, sock, queues, packed_vq, mrg_rxbuf, in_order))
    if vectorized:
        s += ",vectorized=1"
    if server:
        s += ",server=1"
    return s + extra


def remove_stale_socket(sock):
    """A killed server-mode virtio-user leaves its socket file behind and a
    new one will not bind over it: remove it, as a VM manager would."""
    try:
        os.unlink(sock)
    except FileNotFoundError:
        pass


def icmpecho_guest(registry, workdir, sock, name="guest", mac=None, backend_server=True):
    """A started testpmd guest on vhost-user socket sock that answers
    every ARP request (whatever address it asks for) and ICMP echo: keep
    it alone in its broadcast domain."""
    extra = ",mac=%s" % mac if mac else ""
    tp = Testpmd(name, workdir, [virtio_vdev(sock, not backend_server, mrg_rxbuf=0,
                                             in_order=0, extra=extra)],
                 app=["--forward-mode=icmpecho"], log_levels=VIRTIO_LOG)
    registry.add(tp)
    tp.start()
    tp.start_fwd()
    return tp


PKTGEN = "vsw-pktgen"


def pktgen_binary():
    return build_dir() / "app" / "vsw-pktgen" / "vsw-pktgen"


def pktgen_guests(name, workdir, socks, app, deadline=120):
    """A Proc (not started): one vsw-pktgen owning one virtio-user port
    per socket in socks (the guests, listening: the back-end connects),
    --port 0,1,... and app's options. No hugepages."""
    prefix = unique("pg")
    argv = [pktgen_binary(), "-l", "0", "--no-pci", "--file-prefix", prefix,
            "--no-huge", "-m", "512", "--log-level=lib.eal:error"]
    for i, s in enumerate(socks):
        remove_stale_socket(s)
        argv += ["--vdev", "net_virtio_user%d,path=%s,server=1,queues=1,mrg_rxbuf=1"
                 % (i, s)]
    argv += ["--", "--port", ",".join(str(i) for i in range(len(socks)))] + list(app)
    return Proc(name, argv, workdir, deadline=deadline, file_prefix=prefix)


def pcap_frontend(name, workdir, sock, backend_server, feats, pcap_in, pcap_out,
                  app=(), registry=None, start=True):
    """A testpmd 'guest': virtio-user <-> net_pcap, io-forwarding.

    The frontend listens (server=1) when the backend is a client. Whatever
    the pcap rx file holds goes out of the virtio port once `start` runs;
    whatever the virtio port receives is written to pcap_out on `quit`.
    """
    fe_server = not backend_server
    if fe_server:
        remove_stale_socket(sock)
    vdevs = [virtio_vdev(sock, fe_server, **feats),
             "net_pcap0,rx_pcap=%s,tx_pcap=%s" % (pcap_in, pcap_out)]
    tp = Testpmd(name, workdir, vdevs,
                 app=["--forward-mode=io", "--no-flush-rx"] + list(app),
                 log_levels=VIRTIO_LOG)
    if registry is not None:
        registry.add(tp)
    if start:
        tp.start()
    return tp


# --------------------------------------------------------------------------
# pcap files

def make_packets(n, src, dst, seed, tag, sizes=(60, 1514), extra_sizes=()):
    """n varied Ethernet frames (no FCS) with unique sequence marks.

    Each frame: dst, src, ethertype 0x88b5 (local experimental) or IPv4/UDP,
    then 'VSWSEQ' + tag + seq, then random bytes. Sizes are random in
    [sizes[0], sizes[1]] with both ends always present, plus extra_sizes.
    """
    from scapy.layers.l2 import Ether
    from scapy.layers.inet import IP, UDP
    from scapy.packet import Raw

    rnd = random.Random(seed)
    lens = [sizes[0], sizes[1]] + list(extra_sizes)
    while len(lens) < n:
        lens.append(rnd.randint(sizes[0], sizes[1]))
    rnd.shuffle(lens)
    pkts = []
    for seq, length in enumerate(lens[:n]):
        mark = b"VSWSEQ" + tag.encode() + struct.pack("!I", seq)
        if seq % 3 == 0:
            base = Ether(src=src, dst=dst, type=0x88B5) / Raw(mark)
        else:
            base = (Ether(src=src, dst=dst) /
                    IP(src="10.0.%d.1" % (seq % 250), dst="10.1.0.2", id=seq & 0xFFFF) /
                    UDP(sport=1024 + seq, dport=4789) / Raw(mark))
        head = bytes(base)
        pad = length - len(head)
        if pad < 0:
            raise ValueError("size %d too small" % length)
        pkts.append(head + rnd.randbytes(pad))
    return pkts


def write_pcap(path, frames):
    """Plain libpcap file (usec, Ethernet), one record per frame."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t = 1_700_000_000
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", t, i, len(fr), len(fr)))
            f.write(fr)


def read_pcap(path):
    """Frames (bytes) of a libpcap file, any byte order, usec or nsec."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise HarnessError("%s: not a pcap file (%d bytes)" % (path, len(data)))
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        end = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        end = ">"
    else:
        raise HarnessError("%s: bad pcap magic %#x" % (path, magic))
    frames = []
    off = 24
    while off + 16 <= len(data):
        _, _, caplen, origlen = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        frames.append(data[off:off + caplen])
        if caplen != origlen:
            raise HarnessError("%s: record %d truncated (%d of %d bytes)"
                               % (path, len(frames) - 1, caplen, origlen))
        off += caplen
    return frames


def seq_of(frame):
    i = frame.find(b"VSWSEQ")
    if i < 0:
        return None
    return frame[i + 6:i + 7].decode(errors="replace"), struct.unpack("!I", frame[i + 7:i + 11])[0]


def compare_frames(sent, received, what):
    """Return '' if equal (same frames, same order), else a diagnosis."""
    if sent == received:
        return ""
    lines = ["%s: sent %d frames, received %d" % (what, len(sent), len(received))]
    for i, (a, b) in enumerate(zip(sent, received)):
        if a != b:
            diff = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]),
                        min(len(a), len(b)))
            lines.append("first difference at frame %d: sent len %d seq %s, received len %d "
                         "seq %s, first differing byte %d"
                         % (i, len(a), seq_of(a), len(b), seq_of(b), diff))
            break
    sent_seqs = {seq_of(f) for f in sent}
    recv_seqs = [seq_of(f) for f in received]
    missing = sorted(s for s in sent_seqs - set(recv_seqs) if s)
    extra = [s for s in recv_seqs if s not in sent_seqs]
    if missing:
        lines.append("missing seqs (%d): %s" % (len(missing), missing[:20]))
    if extra:
        lines.append("unexpected frames (%d): %s" % (len(extra), extra[:20]))
    if len(set(recv_seqs)) != len(recv_seqs):
        lines.append("duplicates received")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# the payload-integrity scenario


class IntegrityResult:
    """What one integrity round sent, received and counted.

    a_sent/b_sent: frames put into frontend A's/B's pcap rx file;
    a_recv/b_recv: frames frontend A/B wrote to its pcap tx file (so
    a_recv should equal b_sent and b_recv should equal a_sent).
    stats_a/stats_b: final testpmd port stats by device name.
    """

    def __init__(self):
        self.a_sent = self.b_sent = self.a_recv = self.b_recv = None
        self.stats_a = self.stats_b = None
        self.paths_a = self.paths_b = None
        self.rc_a = self.rc_b = None
        self.counts = None

    def diagnosis(self):
        d = [compare_frames(self.a_sent, self.b_recv, "A->B"),
             compare_frames(self.b_sent, self.a_recv, "B->A")]
        d += ["frontend %s exited %s" % (n, rc) for n, rc in (("A", self.rc_a), ("B", self.rc_b))
              if rc != 0]
        return "\n".join(x for x in d if x)


def integrity_round(workdir, registry, socks, backend_server, feats, tags="AB",
                    n=200, seed=0, sizes=(60, 1514), extra_sizes=(),
                    names=("feA", "feB"), settle_timeout=20):
    """Frontend A on socks['vm1'] and B on socks['vm2'] exchange n frames
    each through the backend, then quit cleanly (flushing their pcaps).

    n is kept below the 256-entry ring so that a frontend not yet
    forwarding never makes the backend drop. Returns IntegrityResult.
    """
    wd = Path(workdir)
    r = IntegrityResult()
    ta, tb = tags
    r.a_sent = make_packets(n, "02:00:00:00:0a:%02x" % ord(ta), "02:00:00:00:0b:%02x" % ord(ta),
                            seed * 2 + 1, ta, sizes, extra_sizes)
    r.b_sent = make_packets(n, "02:00:00:00:0b:%02x" % ord(tb), "02:00:00:00:0a:%02x" % ord(tb),
                            seed * 2 + 2, tb, sizes, extra_sizes)
    files = {k: str(wd / ("%s_%s.pcap" % (names[0 if k[0] == "a" else 1], k[2:])))
             for k in ("a_in", "a_out", "b_in", "b_out")}
    write_pcap(files["a_in"], r.a_sent)
    write_pcap(files["b_in"], r.b_sent)
    fa = pcap_frontend(names[0], wd, socks["vm1"], backend_server, feats,
                       files["a_in"], files["a_out"], registry=registry)
    fb = pcap_frontend(names[1], wd, socks["vm2"], backend_server, feats,
                       files["b_in"], files["b_out"], registry=registry)
    fb.start_fwd()
    fa.start_fwd()
    pa, pb = fa.port("net_pcap0"), fb.port("net_pcap0")
    r.counts = wait_counts([(fa, pa, "tx_packets"), (fb, pb, "tx_packets")],
                           [len(r.b_sent), len(r.a_sent)], timeout=settle_timeout)
    sa, sb = fa.port_stats(), fb.port_stats()
    r.stats_a = {d: sa[p] for d, p in fa.port_ids.items()}
    r.stats_b = {d: sb[p] for d, p in fb.port_ids.items()}
    r.paths_a, r.paths_b = fa.virtio_paths(), fb.virtio_paths()
    fa.stop_fwd()
    fb.stop_fwd()
    r.rc_a = fa.quit()
    r.rc_b = fb.quit()
    r.a_recv = read_pcap(files["a_out"])
    r.b_recv = read_pcap(files["b_out"])
    return r
