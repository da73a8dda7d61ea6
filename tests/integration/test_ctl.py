"""vswd's control socket and vswctl (vswd only).

vswctl against a running vswd (help, version, --json, errors, exit
codes), the socket file's life, vswctl's rendering and exit codes against
a scripted fake server, and hostile control clients (10 MB without a
newline, a client that never reads, one stalled mid-request) while two
guests forward through vswd and another client keeps getting answers.
"""

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time

import pytest

import vswlib
from vswpytest import skip_or_fail

FEATS = dict(mrg_rxbuf=1, in_order=0)
PROJECT_VERSION = re.search(r"version:\s*'([^']+)'",
                            (vswlib.REPO / "meson.build").read_text()).group(1)


@pytest.fixture
def vswctl_bin():
    b = vswlib.vswctl_binary()
    if not (b.is_file() and os.access(b, os.X_OK)):
        skip_or_fail("vswctl not built: %s missing (tools/build.sh)" % b)
    return b


@pytest.fixture
def vswctl(vswctl_bin):
    """vswctl(*args, env=None, timeout=15) -> CompletedProcess (text)."""
    def run(*args, env=None, timeout=15):
        e = dict(os.environ)
        e.pop("VSW_CTL", None)
        e.update(env or {})
        return subprocess.run([str(vswctl_bin)] + [str(a) for a in args],
                              capture_output=True, text=True, timeout=timeout, env=e)
    return run


@pytest.fixture
def vswd_ctl(start_vswd, workdir):
    """A vswd with one port and its control socket in the workdir."""
    args, _ = vswlib.vswd_xconnect_args(workdir, ports=("p1",), xconnects=())
    v = start_vswd(args)
    assert v.ctl_path == os.path.join(workdir, "vswd.ctl")
    assert "vswd: control socket %s" % v.ctl_path in v.output(), v.output()
    return v


def test_vswctl_help(vswd_ctl, vswctl):
    r = vswctl("-s", vswd_ctl.ctl_path, "help")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["method", "usage", "help"], r.stdout
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) >= {"help", "version"}, r.stdout
    # An aligned table: every row's usage column starts where the header's does.
    col = lines[0].index("usage")
    assert all(line[col:].startswith(rows_usage) for line, rows_usage in
               ((rows["help"], "help [METHOD]"), (rows["version"], "version"))), r.stdout
    r = vswctl("-s", vswd_ctl.ctl_path, "help", "version")
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 2, r


def test_vswctl_version(vswd_ctl, vswctl):
    r = vswctl("version", env={"VSW_CTL": vswd_ctl.ctl_path})
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "vsw: %s" % PROJECT_VERSION, r.stdout
    assert re.search(r"^dpdk: DPDK 22\.11", r.stdout, re.M), r.stdout


def test_vswctl_json(vswd_ctl, vswctl):
    r = vswctl("--json", "--socket", vswd_ctl.ctl_path, "help")
    assert r.returncode == 0, r.stderr
    methods = json.loads(r.stdout)
    names = [m["method"] for m in methods]
    assert names == sorted(names) and {"help", "version"} <= set(names), methods
    assert all(set(m) == {"method", "usage", "help"} for m in methods), methods
    assert list(methods[0]) == ["method", "usage", "help"]  # the server's key order
    r = vswctl("--json", "-s", vswd_ctl.ctl_path, "version")
    assert json.loads(r.stdout) == vswd_ctl.ctl.call("version")


def test_vswctl_errors(vswd_ctl, vswctl):
    r = vswctl("-s", vswd_ctl.ctl_path, "no-such-method")
    assert r.returncode == 1, r
    assert "unknown method 'no-such-method'" in r.stderr and r.stdout == "", r
    r = vswctl("-s", vswd_ctl.ctl_path, "version", "extra")
    assert r.returncode == 1 and "usage: version" in r.stderr, r
    r = vswctl("-s", vswd_ctl.ctl_path)
    assert r.returncode == 2 and "no METHOD" in r.stderr, r
    r = vswctl("-s", vswd_ctl.ctl_path, "--timeout", "soon", "help")
    assert r.returncode == 2 and "--timeout" in r.stderr, r
    assert vswd_ctl.alive()


def test_vswctl_unreachable(vswctl, workdir):
    missing = os.path.join(workdir, "nobody.ctl")
    r = vswctl("-s", missing, "help")
    assert r.returncode == 2, r
    assert missing in r.stderr, r.stderr
    # A stale socket file: nobody accepts.
    stale = os.path.join(workdir, "stale.ctl")
    s = socket.socket(socket.AF_UNIX)
    s.bind(stale)
    s.close()
    r = vswctl("help", env={"VSW_CTL": stale})
    assert r.returncode == 2 and stale in r.stderr, r


def test_ctl_helper(vswd_ctl):
    ctl = vswd_ctl.ctl
    assert ctl.call("version")["vsw"] == PROJECT_VERSION
    assert [m["method"] for m in ctl.call("help", "help")] == ["help"]
    with pytest.raises(vswlib.CtlError) as e:
        ctl.call("no-such-method")
    assert e.value.code == -32601
    with pytest.raises(vswlib.CtlError) as e:
        ctl.request("help", params=7)
    assert e.value.code == -32602


def test_ctl_socket_life(start_vswd, workdir, vswctl):
    """Removed at exit; a second vswd on a live socket is refused and the
    first keeps it; --ctl none opens none."""
    args, _ = vswlib.vswd_xconnect_args(workdir, ports=("p1",), xconnects=())
    v = start_vswd(args)
    assert os.path.exists(v.ctl_path)

    args2, socks2 = vswlib.vswd_xconnect_args(workdir, ports=("q1",), xconnects=())
    v2 = start_vswd(args2 + ["--ctl", v.ctl_path], wait_ready=False, name="vswd2")
    rc = v2.wait(20)
    assert rc != 0, "second vswd on a live control socket: rc %s" % rc
    assert "control socket %s: in use" % v.ctl_path in v2.errors(), v2.errors()
    assert not os.path.exists(socks2["q1"]), "refused vswd left its port socket"
    assert vswctl("-s", v.ctl_path, "version").returncode == 0
    assert v.ctl.call("version")["vsw"] == PROJECT_VERSION

    rc, _ = v.stop(signal.SIGTERM)
    assert rc == 0, v.tail()
    assert not os.path.exists(v.ctl_path), "control socket left behind"

    # The file of a killed vswd is stale: the next one replaces it.
    v3 = start_vswd(args, name="vswd3")
    v3.kill()
    assert os.path.exists(v3.ctl_path)
    v4 = start_vswd(args + ["--ctl", v3.ctl_path], name="vswd4")
    assert v4.ctl.call("version")["vsw"] == PROJECT_VERSION
    v4.stop()

    v5 = start_vswd(args + ["--ctl", "none"], name="vswd5")
    assert v5.ctl is None
    assert "vswd: control socket disabled" in v5.output()
    assert not os.path.exists(os.path.join(workdir, "vswd5.ctl"))
    v5.stop()


# --------------------------------------------------------------------------
# vswctl's rendering and exit codes, against a fake server


class FakeServer:
    """Answers each connection's first request line with reply(request)
    (a dict, raw bytes, or None: say nothing and hold the connection)."""

    def __init__(self, path, reply):
        self.path = path
        self.reply = reply
        self.requests = []
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.bind(path)
        self.sock.listen(4)
        self.sock.settimeout(0.2)
        self.stop = threading.Event()
        self.held = []
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop.is_set():
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            c.settimeout(5)
            buf = b""
            while b"\n" not in buf:
                chunk = c.recv(4096)
                if not chunk:
                    break
                buf += chunk
            req = json.loads(buf.split(b"\n")[0])
            self.requests.append(req)
            out = self.reply(req)
            if out is None:
                self.held.append(c)
                continue
            if isinstance(out, dict):
                out = (json.dumps(dict({"jsonrpc": "2.0", "id": req["id"]}, **out))
                       + "\n").encode()
            c.sendall(out)
            c.close()

    def close(self):
        self.stop.set()
        self.thread.join(5)
        for c in self.held:
            c.close()
        self.sock.close()


@pytest.fixture
def fake_server(workdir):
    servers = []

    def make(reply):
        s = FakeServer(os.path.join(workdir, "fake%d.ctl" % len(servers)), reply)
        servers.append(s)
        return s
    yield make
    for s in servers:
        s.close()


RESULT = {
    "bridge": "br0",
    "ports": 3,
    "learning": True,
    "vlans": [1, 20, 300],
    "fdb": [
        {"mac": "02:00:00:00:00:01", "port": "vm1", "age": 3},
        {"mac": "02:00:00:00:00:0a", "port": "uplink", "age": 120},
    ],
    "limits": {"max": 4096, "aging": 300},
}


def test_vswctl_rendering(fake_server, vswctl):
    srv = fake_server(lambda req: {"result": RESULT})
    r = vswctl("-s", srv.path, "fdb-show", "br0", "-v")
    assert r.returncode == 0, r.stderr
    assert srv.requests[0] == {"jsonrpc": "2.0", "id": 1, "method": "fdb-show",
                               "params": ["br0", "-v"]}
    assert r.stdout == (
        "bridge: br0\n"
        "ports: 3\n"
        "learning: true\n"
        "vlans: 1, 20, 300\n"
        "fdb:\n"
        "  mac                port    age\n"
        "  02:00:00:00:00:01  vm1     3\n"
        "  02:00:00:00:00:0a  uplink  120\n"
        "limits:\n"
        "  max: 4096\n"
        "  aging: 300\n"), r.stdout
    r = vswctl("-s", srv.path, "--json", "x")
    assert json.loads(r.stdout) == RESULT and r.stdout.startswith("{\n  \"bridge\"")

    for result, text in [("line one\nline two", "line one\nline two\n"), (42, "42\n"),
                         (None, ""), ([], ""),
                         ([{"b": 1, "a": "x"}, {"a": "yy", "c": False}],
                          "b  a   c\n1  x   -\n-  yy  false\n")]:
        srv = fake_server(lambda req, res=result: {"result": res})
        r = vswctl("-s", srv.path, "x")
        assert (r.returncode, r.stdout) == (0, text), (result, r)


def test_vswctl_exit_codes(fake_server, vswctl):
    srv = fake_server(lambda req: {"error": {"code": -32000, "message": "port vm9: no such port"}})
    r = vswctl("-s", srv.path, "port-del", "vm9")
    assert (r.returncode, r.stdout) == (1, ""), r
    assert "port vm9: no such port" in r.stderr

    srv = fake_server(lambda req: b"this is not json\n")
    r = vswctl("-s", srv.path, "x")
    assert r.returncode == 2 and "malformed reply" in r.stderr and srv.path in r.stderr, r

    srv = fake_server(lambda req: {"result": 1, "id": 99})
    r = vswctl("-s", srv.path, "x")
    assert r.returncode == 2 and "malformed" in r.stderr, r

    srv = fake_server(lambda req: b"")  # closed without a reply
    r = vswctl("-s", srv.path, "x")
    assert r.returncode == 2 and "without a reply" in r.stderr, r

    srv = fake_server(lambda req: None)  # never answers
    t0 = time.monotonic()
    r = vswctl("-s", srv.path, "--timeout", "0.5", "x")
    took = time.monotonic() - t0
    assert r.returncode == 2 and "no reply" in r.stderr and srv.path in r.stderr, r
    assert took < 5, "--timeout 0.5 took %.1fs" % took


# --------------------------------------------------------------------------
# hostile control clients while vswd forwards


class Hostile(threading.Thread):
    """Repeats one hostile behaviour against the control socket until
    stopped; counts how often vswd closed the connection on it."""

    def __init__(self, path, kind, stop):
        super().__init__(daemon=True)
        self.path, self.kind, self.stop_ev = path, kind, stop
        self.rounds = self.closed_by_vswd = 0
        self.sent = self.max_round = 0
        self.error = None
        self.reply = None  # no_newline: what the last closed round read

    def run(self):
        try:
            while not self.stop_ev.is_set():
                self.rounds += 1
                before = self.sent
                with socket.socket(socket.AF_UNIX) as s:
                    s.settimeout(20)
                    s.connect(self.path)
                    if getattr(self, self.kind)(s):
                        self.closed_by_vswd += 1
                self.max_round = max(self.max_round, self.sent - before)
                self.stop_ev.wait(0.05)
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.error = e

    def _send_until_closed(self, s, data, limit):
        try:
            while self.sent < limit and not self.stop_ev.is_set():
                self.sent += s.send(data)
        except (BrokenPipeError, ConnectionResetError):
            return True
        return False

    def no_newline(self, s):
        """10 MB without a newline: one error reply, then closed."""
        block = b"x" * 65536
        closed = self._send_until_closed(s, block, self.sent + 10 * 1000 * 1000)
        if closed:  # the error reply is still there to read
            try:
                self.reply = s.recv(4096)
            except OSError as e:
                self.reply = repr(e).encode()
        return closed

    def never_reads(self, s):
        """Requests, never a read: closed past vswd's output bound."""
        req = b'{"jsonrpc":"2.0","id":1,"method":"help"}\n' * 64
        return self._send_until_closed(s, req, self.sent + 50 * 1000 * 1000)

    def stalled(self, s):
        """Half a request, then nothing, for as long as the test runs."""
        s.sendall(b'{"jsonrpc":"2.0","id":1,"meth')
        self.stop_ev.wait(60)
        return False


@pytest.mark.deadline(180)
def test_hostile_ctl_clients(start_vswd, workdir, registry, dpdk_env, vswctl, report):
    args, socks = vswlib.vswd_xconnect_args(workdir)
    v = start_vswd(args)
    stop = threading.Event()
    hostile = [Hostile(v.ctl_path, k, stop) for k in ("no_newline", "never_reads", "stalled")]
    for h in hostile:
        h.start()
    latencies = []
    try:
        # Both hostile kinds that vswd must close have been closed once.
        end = time.monotonic() + 30
        while not all(h.closed_by_vswd for h in hostile[:2]) and time.monotonic() < end:
            t0 = time.monotonic()
            v.ctl.call("version", timeout=5)
            latencies.append(time.monotonic() - t0)
            time.sleep(0.1)
        r = vswlib.integrity_round(workdir, registry, socks, True, FEATS, n=200, seed=5)
        for _ in range(5):
            t0 = time.monotonic()
            assert "help" in [m["method"] for m in v.ctl.call("help", timeout=5)]
            latencies.append(time.monotonic() - t0)
        out = vswctl("-s", v.ctl_path, "version")
        assert out.returncode == 0, out
    finally:
        stop.set()
        for h in hostile:
            h.join(30)
    for h in hostile:
        assert h.error is None, "%s: %r" % (h.kind, h.error)
    nn, nr, st = hostile
    report("hostile rounds: no-newline %d (closed %d, at most %d KB taken), never-reads %d "
           "(closed %d, at most %d KB of requests); control answers in at most %.0f ms"
           % (nn.rounds, nn.closed_by_vswd, nn.max_round >> 10, nr.rounds, nr.closed_by_vswd,
              nr.max_round >> 10, 1000 * max(latencies)))
    assert nn.closed_by_vswd >= 1 and nr.closed_by_vswd >= 1, (
        "vswd did not close the hostile clients: no-newline %d/%d, never-reads %d/%d"
        % (nn.closed_by_vswd, nn.rounds, nr.closed_by_vswd, nr.rounds))
    assert nn.max_round < 2 * 1000 * 1000, "vswd took %d bytes without a newline" % nn.max_round
    assert b"longer than 65536 bytes" in nn.reply, nn.reply
    assert v.alive(), "vswd died (rc %s):\n%s" % (v.poll(), v.tail())
    diag = r.diagnosis()
    assert not diag, "forwarding while the control socket was flooded:\n" + diag
    rc, stats = v.stop()
    assert rc == 0, v.tail()
    assert stats["vm1"]["rx_packets"] == 200 and stats["vm2"]["tx_packets"] == 200, stats
