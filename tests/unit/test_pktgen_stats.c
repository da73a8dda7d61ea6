/* SPDX-License-Identifier: BSD-3-Clause */
/* vsw-pktgen's per-flow sequence accounting and latency histogram. */
#include <stdlib.h>

#include "pktgen.h"
#include "unit.h"

static struct pg_stats s;

static void
rx(uint32_t flow, uint64_t seq, uint64_t ns)
{
	struct pg_probe p = { .flow = flow, .seq = seq, .tsc = 0 };

	pg_stats_rx(&s, &p, ns);
}

static int
test_in_order(void)
{
	pg_stats_reset(&s);
	for (uint64_t i = 0; i < 1000; i++)
		rx(i % 3, i / 3, 100);
	UNIT_CHECK_EQ(s.rx_probes, 1000);
	UNIT_CHECK_EQ(s.reordered, 0);
	UNIT_CHECK_EQ(s.duplicates, 0);
	return 0;
}

static int
test_reorder_dup_gap(void)
{
	pg_stats_reset(&s);
	rx(0, 0, 1);
	rx(0, 2, 1);  /* 1 missing so far */
	rx(0, 1, 1);  /* late: reordered */
	rx(0, 1, 1);  /* again: duplicate */
	rx(0, 2, 1);  /* duplicate of the newest */
	rx(0, 100, 1); /* a jump of 98 */
	rx(0, 50, 1);  /* inside the 64-window: reordered */
	rx(0, 50, 1);  /* duplicate */
	rx(0, 10, 1);  /* older than the window: counted reordered */
	UNIT_CHECK_EQ(s.rx_probes, 6);
	UNIT_CHECK_EQ(s.reordered, 3);
	UNIT_CHECK_EQ(s.duplicates, 3);
	UNIT_CHECK_EQ(s.flow[0].next, 101);
	return 0;
}

static int
test_quantiles(void)
{
	pg_stats_reset(&s);
	for (uint64_t i = 1; i <= 10000; i++)
		rx(1, i, i); /* latencies 1..10000 ns */
	UNIT_CHECK_EQ(s.lat_min, 1);
	UNIT_CHECK_EQ(s.lat_max, 10000);
	uint64_t p50 = pg_stats_quantile(&s, 0.5), p99 = pg_stats_quantile(&s, 0.99);
	/* buckets are within 1/16 of the value */
	UNIT_CHECK(p50 >= 5000 && p50 <= 5000 + 5000 / 16 + 1);
	UNIT_CHECK(p99 >= 9900 && p99 <= 9900 + 9900 / 16 + 1);
	UNIT_CHECK_EQ(pg_stats_quantile(&s, 1.0), 10000);
	pg_stats_reset(&s);
	UNIT_CHECK_EQ(pg_stats_quantile(&s, 0.5), 0);
	rx(2, 0, UINT64_MAX / 2); /* huge values land in the last bucket */
	UNIT_CHECK_EQ(pg_stats_quantile(&s, 0.5), UINT64_MAX / 2);
	return 0;
}

int
main(void)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_in_order),
		UNIT_TEST(test_reorder_dup_gap),
		UNIT_TEST(test_quantiles),
	};

	return unit_main("pktgen_stats", tests, RTE_DIM(tests));
}
