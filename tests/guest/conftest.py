"""pytest fixtures for vsw's guest tests (see README.md here).

Fixtures
  guest_image   session: guestimg.GuestImage (built once, cached on disk)
  qemu_bin      qemu-system-x86_64; skip (fail under VSW_REQUIRE_ALL=1) if absent
  vswd_bin      build/app/vswd/vswd ($VSW_BUILD); skip/fail if not built
  vswd_eal      EAL args for vswd ($VSWD_EAL, else vswlib.default_vswd_eal)
  workdir       a fresh short directory (sockets, serial logs); kept on failure
  registry      vswlib.Registry: every process is killed by PID at teardown
  report        report(line): shown in the "vsw guest figures" summary

Each test runs under @pytest.mark.deadline(seconds) (SIGALRM). The option
names differ from tests/integration's so both directories can be given to
one pytest run.
"""

import os
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "integration")]

import guestimg  # noqa: E402
import guestvm  # noqa: E402
import vswlib  # noqa: E402
import vswpytest  # noqa: E402
from vswpytest import skip_or_fail  # noqa: E402

DEFAULT_DEADLINE = 240


def pytest_addoption(parser):
    parser.addoption("--keep-guest-workdir", action="store_true",
                     help="keep every guest test's work directory (failed tests' are "
                          "always kept)")


def _mine(item):
    return Path(str(item.fspath)).resolve().parent == HERE


# --------------------------------------------------------------------------
# per-test deadline (SIGALRM in the main thread), only for tests here


def _with_deadline(item, phase):
    if not _mine(item):
        yield
        return
    yield from vswpytest.with_deadline(item, phase, DEFAULT_DEADLINE)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    yield from _with_deadline(item, "setup")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    yield from _with_deadline(item, "call")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    yield from _with_deadline(item, "teardown")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "guest_rep_" + rep.when, rep)


# --------------------------------------------------------------------------
# figures for the CI log

_FIGURES = vswpytest.Figures("vsw guest figures")


@pytest.fixture
def report(request):
    """report(line): print line, and again in the summary at the end."""
    return _FIGURES.reporter(request)


def pytest_terminal_summary(terminalreporter):
    _FIGURES.summary(terminalreporter)


# --------------------------------------------------------------------------
# prerequisites


@pytest.fixture(scope="session")
def qemu_bin():
    q = guestvm.qemu_binary()
    if not q:
        skip_or_fail("%s not on PATH (apt-get install qemu-system-x86)" % guestvm.QEMU)
    return q


@pytest.fixture(scope="session")
def guest_image(qemu_bin):
    if os.geteuid() != 0 and not list(guestimg.cache_dir().glob("*/info.json")):
        skip_or_fail("building the guest image needs root")
    try:
        return guestimg.ensure_image()
    except (guestimg.ImageError, OSError) as e:
        skip_or_fail("cannot build the guest image: %s" % e)


@pytest.fixture
def vswd_bin():
    b = vswlib.vswd_binary()
    if not (b.is_file() and os.access(b, os.X_OK)):
        skip_or_fail("vswd not built: %s missing (tools/build.sh; VSW_BUILD selects the "
                     "build directory)" % b)
    return b


@pytest.fixture
def vswd_eal():
    env = os.environ.get("VSWD_EAL")
    return shlex.split(env) if env else vswlib.default_vswd_eal("{prefix}")


@pytest.fixture
def workdir(request):
    base = os.environ.get("VSW_TEST_TMP", "/tmp")
    d = tempfile.mkdtemp(prefix="vswg-", dir=base)  # short: AF_UNIX paths < 108 bytes
    yield d
    failed = any(getattr(getattr(request.node, "guest_rep_" + w, None), "failed", False)
                 for w in ("setup", "call"))
    if failed or request.config.getoption("--keep-guest-workdir"):
        print("\nwork directory kept: %s" % d)
    else:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def registry():
    reg = vswlib.Registry()
    yield reg
    reg.cleanup()
