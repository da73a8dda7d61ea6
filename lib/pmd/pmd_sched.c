/* SPDX-License-Identifier: BSD-3-Clause */
/* Spreading rx queues over PMDs: round robin, or by measured cycles. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vsw_pmd.h"

static const char *const assign_names[] = {
	[VSW_PMD_ASSIGN_ROUNDROBIN] = "roundrobin",
	[VSW_PMD_ASSIGN_CYCLES] = "cycles",
};

int
vsw_pmd_assign_parse(const char *s, enum vsw_pmd_assign *out)
{
	for (unsigned int i = 0; i < RTE_DIM(assign_names); i++) {
		if (strcmp(s, assign_names[i]) == 0) {
			*out = (enum vsw_pmd_assign)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *
vsw_pmd_assign_name(enum vsw_pmd_assign a)
{
	return (unsigned int)a < RTE_DIM(assign_names) ? assign_names[a] : "?";
}

struct pmd_load {
	uint64_t load;
	unsigned int queues;
};

/* The PMD an unpinned queue goes to next. */
static unsigned int
least_loaded(const struct pmd_load *pl, unsigned int n_pmds, bool by_cycles)
{
	unsigned int best = 0;

	for (unsigned int p = 1; p < n_pmds; p++) {
		const struct pmd_load *a = &pl[p], *b = &pl[best];

		if (by_cycles && a->load != b->load) {
			if (a->load < b->load)
				best = p;
		} else if (a->queues < b->queues) {
			best = p;
		}
	}
	return best;
}

/* Queue indices by decreasing load; equal loads keep their order. */
static void
sort_by_load(unsigned int *order, unsigned int n, const uint64_t *load)
{
	for (unsigned int i = 1; i < n; i++) {
		unsigned int x = order[i], j = i;

		for (; j > 0 && load[order[j - 1]] < load[x]; j--)
			order[j] = order[j - 1];
		order[j] = x;
	}
}

void
vsw_pmd_assign(enum vsw_pmd_assign mode, unsigned int n_pmds, unsigned int n,
	       const uint64_t *load, const int *pin, int *out)
{
	struct pmd_load pl[VSW_PMD_MAX] = { { 0, 0 } };
	unsigned int order[VSW_PORT_MAX * VSW_PORT_MAX_QUEUES];
	unsigned int m = 0;
	bool by_cycles = mode == VSW_PMD_ASSIGN_CYCLES;

	if (n_pmds == 0 || n_pmds > VSW_PMD_MAX)
		n_pmds = 1;
	for (unsigned int i = 0; i < n; i++) {
		if (pin[i] >= 0 && (unsigned int)pin[i] < n_pmds) {
			out[i] = pin[i];
			pl[pin[i]].load += load[i];
			pl[pin[i]].queues++;
		} else if (m < RTE_DIM(order)) {
			order[m++] = i;
		} else {
			out[i] = 0; /* beyond every port's queues: not reached */
		}
	}
	if (by_cycles)
		sort_by_load(order, m, load);
	for (unsigned int k = 0; k < m; k++) {
		unsigned int i = order[k];
		unsigned int p = least_loaded(pl, n_pmds, by_cycles);

		out[i] = (int)p;
		pl[p].load += load[i];
		pl[p].queues++;
	}
}
