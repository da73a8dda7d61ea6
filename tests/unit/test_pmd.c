/* SPDX-License-Identifier: BSD-3-Clause */
/* Rx queue assignment: round robin, by cycles, pinned queues. */
#include "unit.h"
#include "vsw_pmd.h"

static int
test_roundrobin(void)
{
	uint64_t load[5] = { 0 };
	int pin[5] = { -1, -1, -1, -1, -1 }, out[5];

	vsw_pmd_assign(VSW_PMD_ASSIGN_ROUNDROBIN, 2, 5, load, pin, out);
	UNIT_CHECK(out[0] == 0 && out[1] == 1 && out[2] == 0 && out[3] == 1 &&
		   out[4] == 0);
	/* A pinned queue counts on its PMD: q1 -> p0 (0 vs 1 queues), q2 ->
	 * p0 (tie: lowest id), q3 -> p1, q4 -> p0 (tie). */
	pin[0] = 1;
	vsw_pmd_assign(VSW_PMD_ASSIGN_ROUNDROBIN, 2, 5, load, pin, out);
	UNIT_CHECK(out[0] == 1 && out[1] == 0 && out[2] == 0 && out[3] == 1 &&
		   out[4] == 0);
	return 0;
}

static int
test_cycles(void)
{
	/* Busiest first to the least loaded: 90 -> p0; 60 -> p1; 50 -> p1
	 * (60 < 90); 40 -> p0 (90 < 110); 10 -> p1 (110 < 130). */
	uint64_t load[5] = { 50, 90, 10, 60, 40 };
	int pin[5] = { -1, -1, -1, -1, -1 }, out[5];
	uint64_t sum[2] = { 0, 0 };

	vsw_pmd_assign(VSW_PMD_ASSIGN_CYCLES, 2, 5, load, pin, out);
	for (int i = 0; i < 5; i++)
		sum[out[i]] += load[i];
	UNIT_CHECK_EQ(out[1], 0);
	UNIT_CHECK_EQ(out[3], 1);
	UNIT_CHECK_EQ(sum[0], 130);
	UNIT_CHECK_EQ(sum[1], 120);
	/* Equal (zero) loads fall back to the queue count. */
	for (int i = 0; i < 5; i++)
		load[i] = 0;
	vsw_pmd_assign(VSW_PMD_ASSIGN_CYCLES, 3, 5, load, pin, out);
	UNIT_CHECK(out[0] == 0 && out[1] == 1 && out[2] == 2 && out[3] == 0 &&
		   out[4] == 1);
	/* One busy queue pinned to p0 pushes the rest to p1. */
	load[0] = 1000;
	load[1] = load[2] = 10;
	pin[0] = 0;
	vsw_pmd_assign(VSW_PMD_ASSIGN_CYCLES, 2, 3, load, pin, out);
	UNIT_CHECK(out[0] == 0 && out[1] == 1 && out[2] == 1);
	return 0;
}

static int
test_names(void)
{
	enum vsw_pmd_assign a;

	UNIT_CHECK_EQ(vsw_pmd_assign_parse("cycles", &a), 0);
	UNIT_CHECK_EQ(a, VSW_PMD_ASSIGN_CYCLES);
	UNIT_CHECK_EQ(vsw_pmd_assign_parse("roundrobin", &a), 0);
	UNIT_CHECK_EQ(a, VSW_PMD_ASSIGN_ROUNDROBIN);
	UNIT_CHECK_EQ(vsw_pmd_assign_parse("group", &a), -EINVAL);
	UNIT_CHECK(strcmp(vsw_pmd_assign_name(VSW_PMD_ASSIGN_CYCLES), "cycles") == 0);
	return 0;
}

int
main(void)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_roundrobin),
		UNIT_TEST(test_cycles),
		UNIT_TEST(test_names),
	};

	return unit_main("pmd", tests, RTE_DIM(tests));
}
