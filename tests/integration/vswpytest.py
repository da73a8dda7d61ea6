"""pytest helpers shared by tests/integration and tests/guest: per-phase
SIGALRM deadlines (no pytest-timeout plugin here) and prerequisite checks
that skip, or fail under tools/run-tests.sh (VSW_REQUIRE_ALL=1)."""

import os
import signal

import pytest

TEARDOWN_DEADLINE = 60


class DeadlineExceeded(Exception):
    pass


def _on_alarm(signum, frame):
    raise DeadlineExceeded("test deadline exceeded (see @pytest.mark.deadline)")


def with_deadline(item, phase, default):
    """Hook-wrapper body: run one test phase under its deadline, the
    item's @pytest.mark.deadline(seconds) or @p default."""
    m = item.get_closest_marker("deadline")
    secs = TEARDOWN_DEADLINE if phase == "teardown" else (
        int(m.args[0]) if m else int(default))
    old = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(secs)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def skip_or_fail(why):
    """Skip for a missing prerequisite; fail instead under tools/run-tests.sh
    (VSW_REQUIRE_ALL=1), where a skipped suite would hide a broken set-up."""
    if os.environ.get("VSW_REQUIRE_ALL") == "1":
        pytest.fail("prerequisite missing (VSW_REQUIRE_ALL=1): " + why)
    pytest.skip(why)


class Figures:
    """Lines tests report for the CI log (pytest hides a passing test's
    stdout): each is printed at once and again in a summary section."""

    def __init__(self, title):
        self.title = title
        self.lines = []

    def reporter(self, request):
        """The report(line) callable a test's `report` fixture returns."""
        def add(line):
            print(line)
            self.lines.append("%s: %s" % (request.node.nodeid.split("::", 1)[-1], line))
        return add

    def summary(self, terminalreporter):
        if self.lines:
            terminalreporter.section(self.title)
            for line in self.lines:
                terminalreporter.write_line(line)
