/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-flow receive accounting and a latency histogram.
 *
 * Sequence numbers: per flow, the highest seen so far and a 64-bit window
 * of the ones just below it. A probe above the highest is new (the gap it
 * jumps over is not loss yet: it may still arrive, reordered). A probe
 * inside the window is a duplicate if its bit is set, else a late
 * (reordered) arrival. Loss is what was sent minus distinct probes
 * received, counted at the end. Probes older than the window are counted
 * as reordered, never as duplicates.
 *
 * Latency histogram: 64 powers of two, each split into 16 linear
 * sub-buckets (relative error below 1/16).
 */
#include <string.h>

#include "pktgen.h"

void
pg_stats_reset(struct pg_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->lat_min = UINT64_MAX;
}

static unsigned int
bucket_of(uint64_t v)
{
	unsigned int e;

	if (v < 16)
		return (unsigned int)v;
	e = 63u - (unsigned int)__builtin_clzll(v); /* >= 4 */
	return (e - 3) * 16 + (unsigned int)((v >> (e - 4)) & 15);
}

/* Largest value that falls in bucket @p b. */
static uint64_t
bucket_top(unsigned int b)
{
	unsigned int e = b / 16 + 3, sub = b % 16;

	if (b < 16)
		return b;
	return ((uint64_t)(16 + sub + 1) << (e - 4)) - 1;
}

static void
latency(struct pg_stats *s, uint64_t ns)
{
	unsigned int b = bucket_of(ns);

	if (b >= PG_HIST_BUCKETS)
		b = PG_HIST_BUCKETS - 1;
	s->hist[b]++;
	s->lat_n++;
	s->lat_sum += ns;
	if (ns < s->lat_min)
		s->lat_min = ns;
	if (ns > s->lat_max)
		s->lat_max = ns;
}

void
pg_stats_rx(struct pg_stats *s, const struct pg_probe *p, uint64_t lat_ns)
{
	struct pg_flow_rx *f = &s->flow[p->flow];

	if (p->seq >= f->next) {
		uint64_t jump = p->seq - f->next + 1;

		f->window = jump >= 64 ? 0 : f->window << jump;
		f->window |= 1;
		f->next = p->seq + 1;
	} else {
		uint64_t back = f->next - 1 - p->seq;

		if (back < 64) {
			if (f->window & (1ull << back)) {
				f->duplicates++;
				s->duplicates++;
				return;
			}
			f->window |= 1ull << back;
		}
		f->reordered++;
		s->reordered++;
	}
	f->packets++;
	s->rx_probes++;
	latency(s, lat_ns);
}

uint64_t
pg_stats_quantile(const struct pg_stats *s, double q)
{
	uint64_t want, seen = 0;

	if (s->lat_n == 0)
		return 0;
	want = (uint64_t)(q * (double)s->lat_n);
	if (want >= s->lat_n)
		want = s->lat_n - 1;
	for (unsigned int b = 0; b < PG_HIST_BUCKETS; b++) {
		seen += s->hist[b];
		if (seen > want)
			return RTE_MIN(bucket_top(b), s->lat_max);
	}
	return s->lat_max;
}

void
pg_stats_hist_delta(const struct pg_stats *now, const struct pg_stats *before,
		    struct pg_stats *d)
{
	unsigned int top = 0;

	d->lat_n = now->lat_n - before->lat_n;
	for (unsigned int b = 0; b < PG_HIST_BUCKETS; b++) {
		d->hist[b] = now->hist[b] - before->hist[b];
		if (d->hist[b] != 0)
			top = b;
	}
	d->lat_max = d->lat_n != 0 ? bucket_top(top) : 0;
}
