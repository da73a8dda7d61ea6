#!/bin/bash
# Install, build and run every test: C unit tests (gcc, and clang under
# ASan+UBSan), the packager's release builds, the fuzz targets briefly,
# the pytest integration suite against real DPDK frontends (its hostile
# cases against the sanitizer build of vswd), then real Linux guests.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh

echo "=== build"
tools/build.sh
echo "=== unit tests"
meson test -C build --print-errorlogs

# As a packager builds it: -Werror clean with gcc and with clang (whose
# -Wthread-safety checks the annotated locks, lib/common/vsw_lock.h).
echo "=== release builds (gcc, clang)"
VSW_BUILD=build-release tools/build.sh --buildtype=release
CC=clang VSW_BUILD=build-clang tools/build.sh --buildtype=release

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
echo "=== integration tests (dpdk-testpmd frontends)"
# The hostile-front-end suites run once, against the sanitizer build.
/usr/bin/python3 -m pytest tests/integration "$@" \
	--ignore=tests/integration/test_hostile.py \
	--ignore=tests/integration/test_hardening.py
echo "=== integration tests against vswd under ASan+UBSan"
VSW_BUILD=build-fuzz /usr/bin/python3 -m pytest --backend vswd \
	tests/integration/test_hostile.py tests/integration/test_hardening.py \
	tests/integration/test_xconnect.py tests/integration/test_bridge.py \
	-k "not throughput_smoke" "$@"
echo "=== guest tests (two Linux guests under QEMU)"
exec /usr/bin/python3 -m pytest tests/guest "$@"
