#!/bin/bash
# Install, build and run every test: C unit tests (gcc, and clang under
# ASan+UBSan), gcc and clang release builds, the fuzz targets briefly,
# the pytest integration suite against real DPDK frontends, then real
# Linux guests.
#
# The integration suite runs once, each test against one build of vswd:
# the hostile-front-end, hardening, cross-connect, bridge and vDPA tests
# against the sanitizer build (the same code, checked harder), the rest (peer
# comparisons against DPDK's vhost, throughput smoke, control, ethdev,
# storms, perf tools) against the gcc release build. Storms run a few
# rounds here; the long versions are commands of their own
# (docs/testing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh

# As a packager builds it: -Werror clean with gcc and with clang (whose
# -Wthread-safety checks the annotated locks, lib/common/vsw_lock.h). The
# gcc one is the build the tests below use.
echo "=== release builds (gcc, clang) and unit tests"
export VSW_BUILD=build-release
tools/build.sh --buildtype=release
CC=clang VSW_BUILD=build-clang tools/build.sh --buildtype=release
meson test -C build-release --print-errorlogs

# One sanitizer build serves the unit tests, the fuzz targets and the
# integration runs below: clang, ASan+UBSan, libFuzzer instrumentation.
echo "=== sanitizer build (clang, ASan+UBSan) and unit tests"
CC=clang VSW_BUILD=build-fuzz tools/build.sh -Dfuzz=true \
	-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
meson test -C build-fuzz --print-errorlogs

echo "=== fuzz targets, 30 s each (tools/run-fuzz.sh; docs/testing.md)"
ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 tools/run-fuzz.sh 30

# A missing prerequisite (vswd, testpmd, QEMU, hugepages) fails, never skips.
export VSW_REQUIRE_ALL=1
export VSW_STORM_ROUNDS=${VSW_STORM_ROUNDS:-4}
IT=tests/integration
echo "=== integration tests against vswd under ASan+UBSan"
# (--backend after the paths: pytest learns the option from their conftest)
VSW_BUILD=build-fuzz /usr/bin/python3 -m pytest \
	$IT/test_hostile.py $IT/test_hardening.py $IT/test_xconnect.py $IT/test_bridge.py \
	$IT/test_vdpa.py --backend=vswd --durations=10 -k "not throughput_smoke" "$@"
echo "=== integration tests against the release build"
/usr/bin/python3 -m pytest $IT --durations=10 \
	--ignore=$IT/test_hostile.py --ignore=$IT/test_hardening.py \
	--ignore=$IT/test_xconnect.py --ignore=$IT/test_bridge.py \
	--ignore=$IT/test_vdpa.py "$@"
# DPDK's vhost as the reference backend of the same tests (vswd listening;
# the client-mode cells run under ASan above against vswd).
/usr/bin/python3 -m pytest $IT/test_xconnect.py \
	-k "dpdk-vhost and be-server or throughput_smoke" "$@"
echo "=== guest tests (Linux guests under QEMU)"
exec /usr/bin/python3 -m pytest tests/guest --durations=5 "$@"
