#!/bin/bash
# Build the libFuzzer targets (build-fuzz/, configured once) and run them.
#
#   tools/run-fuzz.sh [SECONDS]          every target SECONDS each (default 30)
#   tools/run-fuzz.sh --campaign EXECS   until EXECS executions in all (e.g.
#                                        100000000), split evenly over the
#                                        targets
# Options:
#   --targets "vring_split net ..."      a subset (names without fuzz_)
#   --jobs N                             targets at once (default 2: the
#                                        machine has two cores)
#   --work DIR                           scratch corpora, logs and crash
#                                        inputs (default build-fuzz/fuzz-work)
#
# Each target starts from its seed corpus (tests/fuzz/corpus/fuzz_T, read
# only) and its scratch corpus (DIR/T/corpus, kept between runs), with its
# dictionary if it has one. A crash, a sanitizer report, a broken
# invariant, a leak or an input running over 10 s fails the run; the input
# is left in DIR/T/ as crash-*, leak-*, timeout-* or oom-*. Executions,
# coverage (cov: edges, ft: features) and corpus size are printed per
# target. See docs/testing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

ALL_TARGETS="vring_split vring_packed vhu_msg net bridge rpc config"
seconds=30
campaign=0
targets=$ALL_TARGETS
jobs=2
work=build-fuzz/fuzz-work

while [ $# -gt 0 ]; do
	case "$1" in
	--campaign) campaign=$2; shift 2 ;;
	--targets) targets=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	[0-9]*) seconds=$1; shift ;;
	*) echo "run-fuzz: unknown argument '$1' (--help)" >&2; exit 2 ;;
	esac
done

if [ ! -f build-fuzz/build.ninja ]; then
	CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false -Dbuildtype=debugoptimized
fi
ninja -C build-fuzz $(for t in $targets; do echo "tests/fuzz/fuzz_$t"; done)

n_targets=$(echo $targets | wc -w)
runs_each=$(( campaign > 0 ? (campaign + n_targets - 1) / n_targets : 0 ))

# Sanitizers: leaks are findings; a report stops the run at once.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

run_target() {
	local t=$1 dir="$work/$1" args=()

	mkdir -p "$dir/corpus"
	rm -f "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-*
	[ -f "tests/fuzz/dict/fuzz_$t.dict" ] && args+=("-dict=tests/fuzz/dict/fuzz_$t.dict")
	if [ "$runs_each" -gt 0 ]; then
		args+=("-runs=$runs_each")
	else
		args+=("-max_total_time=$seconds")
	fi
	"build-fuzz/tests/fuzz/fuzz_$t" "${args[@]}" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$dir/" "$dir/corpus" "tests/fuzz/corpus/fuzz_$t" \
		> "$dir/log" 2>&1 &
	local fuzzer=$!
	# Stopped (Ctrl-C, stop below): stop the fuzzer we started, by its pid.
	trap 'kill $fuzzer 2>/dev/null; exit 130' TERM
	local rc=0
	wait $fuzzer || rc=$?
	echo $rc > "$dir/rc"
}

pids=()
stop() {
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	wait || true
	exit 130
}
trap stop INT TERM

echo "run-fuzz: $([ "$runs_each" -gt 0 ] && echo "$runs_each runs" || echo "${seconds} s")" \
	"per target, $jobs at a time: $targets"
running=0
for t in $targets; do
	if [ "$running" -ge "$jobs" ]; then
		wait -n || true
		running=$((running - 1))
	fi
	run_target "$t" &
	pids+=($!)
	running=$((running + 1))
done
wait || true

failed=0
total=0
printf "%-14s %12s %8s %6s %7s %7s  %s\n" target execs exec/s cov ft corpus result
for t in $targets; do
	dir="$work/$t"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -1)
	last=$(grep -E '^#[0-9]+.*cov: ' "$dir/log" | tail -1 || true)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p')
	found=$(ls "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-* 2>/dev/null || true)
	result=ok
	if [ "$(cat "$dir/rc")" != 0 ] || [ -n "$found" ]; then
		result="FAILED: ${found:-exit $(cat "$dir/rc")} (log: $dir/log)"
		failed=1
	fi
	total=$((total + ${execs:-0}))
	printf "%-14s %12s %8s %6s %7s %7s  %s\n" "$t" "${execs:-?}" "${rate:-?}" \
		"${cov:-?}" "${ft:-?}" "${corp:-?}" "$result"
done
echo "run-fuzz: $total executions in all"
exit $failed
