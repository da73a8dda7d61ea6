#!/bin/bash
# Install, build and run every test: C unit tests (plain and ASan+UBSan)
# and the pytest integration suite against real DPDK frontends.
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

echo "=== unit tests under ASan+UBSan"
VSW_BUILD=build-asan tools/build.sh -Db_sanitize=address,undefined -Dbuildtype=debug
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	meson test -C build-asan --print-errorlogs

# A missing prerequisite (vswd, testpmd, QEMU, hugepages) fails, never skips.
export VSW_REQUIRE_ALL=1
echo "=== integration tests (dpdk-testpmd frontends)"
/usr/bin/python3 -m pytest tests/integration "$@"
echo "=== guest tests (two Linux guests under QEMU)"
exec /usr/bin/python3 -m pytest tests/guest "$@"
