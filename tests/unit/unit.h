/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_UNIT_H
#define VSW_UNIT_H

/*
 * A tiny test harness: each test is a function returning 0; UNIT_CHECK
 * records the first failing line and returns -1 from the test.
 * unit_main() runs the tests and prints "N passed, N failed".
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_log.h>

#define UNIT_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "  %s:%d: check failed: %s\n", \
			__FILE__, __LINE__, #cond); \
		return -1; \
	} \
} while (0)

#define UNIT_CHECK_EQ(a, b) do { \
	long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ != b_) { \
		fprintf(stderr, "  %s:%d: %s == %s failed: %lld != %lld\n", \
			__FILE__, __LINE__, #a, #b, a_, b_); \
		return -1; \
	} \
} while (0)

struct unit_test {
	const char *name;
	int (*fn)(void);
};

/* EAL without hugepages or devices: enough for mempools and mbufs. */
static inline int
unit_eal_init(const char *prog)
{
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "--file-prefix=vswunit%d", (int)getpid());
	char *argv[] = {
		(char *)prog, (char *)"--no-huge", (char *)"-m", (char *)"64",
		(char *)"--no-pci", (char *)"--no-shconf", prefix,
		(char *)"--log-level=lib.eal:error", NULL,
	};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;

	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return -1;
	}
	return 0;
}

static inline int
unit_main(const char *suite, const struct unit_test *tests, size_t n)
{
	size_t passed = 0, failed = 0;

	for (size_t i = 0; i < n; i++) {
		int rc = tests[i].fn();
		printf("%s %s/%s\n", rc == 0 ? "ok  " : "FAIL", suite,
		       tests[i].name);
		if (rc == 0)
			passed++;
		else
			failed++;
	}
	printf("%zu passed, %zu failed\n", passed, failed);
	return failed ? 1 : 0;
}

#define UNIT_TEST(fn) { #fn, fn }

#endif /* VSW_UNIT_H */
