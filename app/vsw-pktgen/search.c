/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 2544-style throughput search: the highest rate whose trial loses at
 * most a given fraction of what it sent (0: NDR, no-drop rate; else PDR).
 * A first trial at full speed bounds it; then binary search between the
 * best passing rate and the lowest failing one.
 */
#include "pktgen.h"

int
pg_search(const struct pg_opts *o, struct rte_mempool *mp, FILE *json,
	  struct pg_result *best)
{
	struct pg_result r;
	double lo = 0, hi;
	uint32_t t = 0;
	bool found = false;

	if (pg_trial(o, mp, 0, o->trial, false, &r) != 0)
		return -1;
	pg_print_result(stdout, "trial 1 (max)", &r);
	if (json != NULL) {
		pg_json_result(json, &r);
		fputs(",\n", json);
	}
	if (r.loss_ratio <= o->loss) {
		*best = r;
		return 0;
	}
	hi = r.tx_pps;
	while (++t < o->max_trials && (hi - lo) / hi > o->precision) {
		double mid = (lo + hi) / 2;
		char label[32];

		if (pg_trial(o, mp, mid, o->trial, false, &r) != 0)
			return -1;
		snprintf(label, sizeof(label), "trial %u", t + 1);
		pg_print_result(stdout, label, &r);
		if (json != NULL) {
			pg_json_result(json, &r);
			fputs(",\n", json);
		}
		if (r.loss_ratio <= o->loss) {
			lo = mid;
			*best = r;
			found = true;
		} else {
			hi = mid;
		}
	}
	return found ? 0 : 1;
}
