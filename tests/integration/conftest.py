"""pytest fixtures for vsw's integration tests (see README.md here).

Fixtures
  dpdk_env          skip unless dpdk-testpmd is on PATH and hugepages are free
  vswd_bin          path of build/app/vswd/vswd ($VSW_BUILD); skip if absent
  vswd_eal_args     EAL args for vswd; "{prefix}" becomes a unique --file-prefix
  workdir           a fresh short directory (sockets, pcaps, logs); kept on failure
  registry          vswlib.Registry: every process is killed by PID at teardown
  backend_kind      'vswd' | 'dpdk-vhost' (parametrized, see --backend)
  start_backend     start_backend(server=True) -> started vswlib.Backend
  start_vswd        start_vswd(app_args, eal=None, wait_ready=True) -> vswlib.Vswd
  start_frontend    start_frontend(name, sock, backend_server, feats, pcap_in,
                    pcap_out, app=()) -> started vswlib.Testpmd (pcap guest)
  netns             netns(addr, mac) -> a created vswlib.Netns (root, ip,
                    ethtool), deleted at teardown
  report            report(line): shown in the "vsw figures" summary (CI log)

Each test runs under a deadline (SIGALRM): @pytest.mark.deadline(seconds),
default `vsw_deadline` in pytest.ini. Processes have their own watchdogs too.
"""

import os
import shlex
import shutil
import tempfile

import pytest

import vswlib
import vswpytest
from vswpytest import skip_or_fail

BACKENDS = ("vswd", "dpdk-vhost")


def pytest_addoption(parser):
    parser.addoption(
        "--backend", default=os.environ.get("VSW_BACKENDS", ",".join(BACKENDS)),
        help="comma-separated backends to run traffic tests against: "
             "vswd, dpdk-vhost (default: both; env VSW_BACKENDS)")
    parser.addoption(
        "--keep-workdir", action="store_true",
        help="keep every test's work directory (default: only failed tests')")
    parser.addini("vsw_deadline", "default per-test deadline in seconds", default="120")


def selected_backends(config):
    kinds = [k.strip() for k in config.getoption("--backend").split(",") if k.strip()]
    bad = [k for k in kinds if k not in BACKENDS]
    if bad:
        raise pytest.UsageError("--backend: unknown backend(s) %s (known: %s)"
                                % (", ".join(bad), ", ".join(BACKENDS)))
    return kinds


def pytest_generate_tests(metafunc):
    if "backend_kind" in metafunc.fixturenames:
        metafunc.parametrize("backend_kind", selected_backends(metafunc.config),
                             indirect=True)


# --------------------------------------------------------------------------
# per-test deadline (no pytest-timeout here): SIGALRM in the main thread


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    yield from vswpytest.with_deadline(item, "setup", item.config.getini("vsw_deadline"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    yield from vswpytest.with_deadline(item, "call", item.config.getini("vsw_deadline"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    yield from vswpytest.with_deadline(item, "teardown", item.config.getini("vsw_deadline"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


# --------------------------------------------------------------------------
# figures for the CI log (pytest hides a passing test's stdout)

_FIGURES = vswpytest.Figures("vsw figures")


@pytest.fixture
def report(request):
    """report(line): print line, and again in the summary at the end."""
    return _FIGURES.reporter(request)


def pytest_terminal_summary(terminalreporter):
    _FIGURES.summary(terminalreporter)


# --------------------------------------------------------------------------
# environment


@pytest.fixture(scope="session")
def dpdk_env():
    """Skip unless real DPDK peers can run here."""
    if not vswlib.testpmd_binary():
        skip_or_fail("dpdk-testpmd not on PATH (apt-get install dpdk)")
    if not shutil.which("stdbuf"):
        skip_or_fail("stdbuf (coreutils) missing")
    ok, why = vswlib.hugepages_status()
    if not ok:
        skip_or_fail("hugepages: " + why)
    return True


def vswd_missing_reason(config=None):
    if config is not None and "vswd" not in selected_backends(config):
        return "vswd deselected by --backend"
    b = vswlib.vswd_binary()
    if not (b.is_file() and os.access(b, os.X_OK)):
        return ("vswd not built: %s missing (tools/build.sh; VSW_BUILD selects "
                "the build directory)" % b)
    return None


@pytest.fixture
def vswd_bin(request):
    why = vswd_missing_reason(request.config)
    if why == "vswd deselected by --backend":
        pytest.skip(why)
    if why:
        skip_or_fail(why)
    return vswlib.vswd_binary()


@pytest.fixture
def vswd_eal_args():
    """EAL args vswd runs with ({prefix}: a unique --file-prefix).

    Override per module/test (a fixture of the same name, or
    parametrize(..., indirect=True)) or for a whole run with $VSWD_EAL.
    """
    env = os.environ.get("VSWD_EAL")
    if env:
        return shlex.split(env)
    return vswlib.default_vswd_eal("{prefix}")


# --------------------------------------------------------------------------
# per-test resources


@pytest.fixture
def workdir(request):
    base = os.environ.get("VSW_TEST_TMP", "/tmp")
    # Short: AF_UNIX paths are limited to 107 bytes.
    d = tempfile.mkdtemp(prefix="vswit-", dir=base)
    yield d
    failed = any(getattr(getattr(request.node, "rep_" + w, None), "failed", False)
                 for w in ("setup", "call"))
    if failed or request.config.getoption("--keep-workdir"):
        print("\nwork directory kept: %s" % d)
    else:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def registry():
    reg = vswlib.Registry()
    yield reg
    reg.cleanup()


@pytest.fixture
def backend_kind(request):
    kind = request.param
    if kind == "vswd":
        why = vswd_missing_reason()
        if why:
            skip_or_fail(why)
    return kind


@pytest.fixture
def start_backend(backend_kind, workdir, registry, dpdk_env, vswd_eal_args):
    """start_backend(server=True): vm1 <-> vm2 cross-connected, started."""
    def start(server=True):
        return vswlib.make_backend(backend_kind, workdir, registry, server=server,
                                   vswd_eal=vswd_eal_args)
    return start


@pytest.fixture
def start_vswd(vswd_bin, workdir, registry, vswd_eal_args):
    """start_vswd(app_args, eal=None, wait_ready=True, name='vswd', deadline=240)."""
    def start(app, eal=None, wait_ready=True, name="vswd", deadline=240):
        v = registry.add(vswlib.Vswd(workdir, app, eal=eal if eal is not None else vswd_eal_args,
                                     binary=vswd_bin, name=name, deadline=deadline))
        return v.start(wait_ready=wait_ready)
    return start


@pytest.fixture
def netns(registry, vswd_bin):
    """netns(addr, mac) -> a created vswlib.Netns, deleted at teardown."""
    ok, why = vswlib.netns_status()
    if not ok:
        skip_or_fail(why)

    def make(addr, mac):
        ns = vswlib.Netns(addr, mac)
        registry.add(ns)
        return ns.create()
    return make


@pytest.fixture
def start_frontend(workdir, registry, dpdk_env):
    """start_frontend(name, sock, backend_server, feats, pcap_in, pcap_out, app=())."""
    def start(name, sock, backend_server, feats, pcap_in, pcap_out, app=()):
        return vswlib.pcap_frontend(name, workdir, sock, backend_server, feats,
                                    pcap_in, pcap_out, app=app, registry=registry)
    return start
