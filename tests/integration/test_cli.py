"""vswd's command line and signals (vswd only: DPDK's vhost has no CLI of
ours to check). No frontends, no hugepages needed."""

import os
import signal

import pytest

import vswlib

STAT_KEYS = {"rx_packets", "rx_bytes", "tx_packets", "tx_bytes", "tx_drops", "rx_drops"}


def run_failing(start_vswd, app):
    v = start_vswd(app, wait_ready=False)
    rc = v.wait(15)
    return v, rc


def test_unknown_option(start_vswd):
    v, rc = run_failing(start_vswd, ["--bogus-option"])
    assert rc > 0, "rc=%s" % rc
    assert "--bogus-option" in v.errors(), v.errors()
    assert "vswd: ready" not in v.output()


def test_option_without_value(start_vswd):
    v, rc = run_failing(start_vswd, ["--port"])
    assert rc > 0, "rc=%s" % rc
    assert "--port" in v.errors(), v.errors()


# (spec, what stderr must name besides the port): the malformed part.
BAD_SPECS = [
    pytest.param("px1", "px1", id="no-equals"),
    pytest.param("px1=bogus:path={d}/p.sock", "bogus", id="unknown-type"),
    pytest.param("px1=vhost-user:server=1", "path", id="no-path"),
    pytest.param("px1=vhost-user:path={d}/p.sock,server=2", "server", id="bad-server"),
    pytest.param("px1=vhost-user:path={d}/p.sock,colour=red", "colour", id="unknown-key"),
    pytest.param("=vhost-user:path={d}/p.sock", "--port", id="empty-name"),
]


@pytest.mark.parametrize("spec,names", BAD_SPECS)
def test_malformed_port_spec(start_vswd, workdir, spec, names):
    spec = spec.format(d=workdir)
    v, rc = run_failing(start_vswd, ["--port", spec])
    err = v.errors()
    assert rc > 0, "rc=%s for --port %s" % (rc, spec)
    assert names in err, "stderr does not name %r:\n%s" % (names, err)
    if spec.startswith("px1="):
        assert "px1" in err, "stderr does not name the port px1:\n%s" % err
    assert not os.path.exists(os.path.join(workdir, "p.sock")), "failed start left a socket file"


@pytest.mark.parametrize("xc,names", [
    pytest.param("vm1,vm9", ["--xconnect", "vm9"], id="unknown-port"),
    pytest.param("vm9,vm1", ["--xconnect", "vm9"], id="unknown-port-first"),
    pytest.param("vm1", ["--xconnect"], id="one-name"),
])
def test_xconnect_unknown_port(start_vswd, workdir, xc, names):
    args, socks = vswlib.vswd_xconnect_args(workdir, xconnects=())
    v, rc = run_failing(start_vswd, args + ["--xconnect", xc])
    err = v.errors()
    assert rc > 0, "rc=%s" % rc
    for n in names:
        assert n in err, "stderr does not name %r:\n%s" % (n, err)
    for s in socks.values():
        assert not os.path.exists(s), "failed start left %s" % s


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_clean_exit(start_vswd, workdir, sig):
    args, socks = vswlib.vswd_xconnect_args(workdir)
    v = start_vswd(args)
    for s in socks.values():
        assert os.path.exists(s), "%s not listening after 'vswd: ready'" % s
    rc, stats = v.stop(sig, timeout=10)
    assert rc == 0, "exit code %s:\n%s" % (rc, v.tail())
    for s in socks.values():
        assert not os.path.exists(s), "%s left behind" % s
    assert set(stats) == {"vm1", "vm2"}, v.output()
    for port, st in stats.items():
        assert set(st) >= STAT_KEYS, "%s: %s" % (port, st)
        assert all(n == 0 for n in st.values()), "%s: traffic without guests? %s" % (port, st)


def test_sigterm_while_reconnecting(start_vswd, workdir):
    """Client ports retrying every second must not delay shutdown."""
    args, socks = vswlib.vswd_xconnect_args(workdir, server=False)
    v = start_vswd(args)
    rc, stats = v.stop(signal.SIGTERM, timeout=10)
    assert rc == 0, "exit code %s:\n%s" % (rc, v.tail())
    assert set(stats) == {"vm1", "vm2"}, v.output()
    for s in socks.values():
        assert not os.path.exists(s)


def test_check_kvm_host_example(start_vswd):
    """--check of the switching guide's example: parsed, cross-checked,
    printed, nothing started (its NIC and sockets need not exist)."""
    v, rc = run_failing(start_vswd, ["--config", str(vswlib.REPO / "config" / "kvm-host.yaml"),
                                     "--check"])
    out = v.output()
    assert rc == 0, v.tail()
    assert "configuration OK" in out and "vswd: ready" not in out, out
    assert "bridge br0: web1 web2 db1 mgmt uplink (aging 300 s" in out, out
    assert "pmd-cores: 2 3" in out, out


@pytest.mark.parametrize("args,names", [
    pytest.param(["--port", "a=vhost-user:path=/x.sock,vlan=5000"], "vlan", id="vid"),
    pytest.param(["--port", "a=vhost-user:path=/x.sock,vlan=5,trunk=6"], "exclude",
                 id="vlan-and-trunk"),
    pytest.param(["--port", "a=nosuch:x=1"], "nosuch", id="type"),
    pytest.param(["--port", "a=vhost-user:path=/x.sock", "--bridge", "br0=a,b"], "no port named b",
                 id="bridge-port"),
])
def test_check_refuses(start_vswd, args, names):
    v, rc = run_failing(start_vswd, args + ["--check"])
    assert rc == 2, v.tail()
    assert names in v.errors(), v.errors()
