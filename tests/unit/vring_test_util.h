/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_VRING_TEST_UTIL_H
#define VSW_VRING_TEST_UTIL_H

/*
 * Helpers shared by the split and packed ring tests: the mbuf pool, a
 * seeded random generator, payload patterns, packets built from several
 * segments, and byte-for-byte packet checks.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "unit.h"

#define POOL_N   1023

static struct rte_mempool *g_pool;

/* ------------------------------------------------------------------ */
/* Helpers: random numbers, patterns, mbufs                            */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

/* Uniform in [lo, hi]. */
static uint32_t
rnd_in(uint32_t lo, uint32_t hi)
{
	return lo + rnd() % (hi - lo + 1);
}

static void
pattern(uint8_t *p, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)((i * 131u + seed * 7u + (i >> 8)) ^ (seed >> 3));
}

static bool
pool_full(void)
{
	return rte_mempool_avail_count(g_pool) == POOL_N;
}

/* A packet of @p len bytes split into segments of @p segl (0: one). */
static struct rte_mbuf *
mk_pkt(const uint8_t *data, uint32_t len, const uint32_t *segl, int nseg)
{
	struct rte_mbuf *head = NULL, *last = NULL;
	uint32_t off = 0;

	for (int i = 0; i < (nseg > 0 ? nseg : 1); i++) {
		uint32_t k = nseg > 0 ? segl[i] : len;
		struct rte_mbuf *m = rte_pktmbuf_alloc(g_pool);

		if (m == NULL || k > rte_pktmbuf_tailroom(m))
			abort();
		memcpy(rte_pktmbuf_append(m, (uint16_t)k), data + off, k);
		off += k;
		if (head == NULL) {
			head = m;
		} else {
			last->next = m;
			head->nb_segs++;
			head->pkt_len += k;
		}
		last = m;
	}
	if (off != len)
		abort();
	return head;
}

/* Check an mbuf chain's bookkeeping and its bytes against @p data. */
static int
pkt_eq(const struct rte_mbuf *m, const uint8_t *data, uint32_t len)
{
	uint32_t off = 0, segs = 0;

	UNIT_CHECK(m != NULL);
	UNIT_CHECK_EQ(m->pkt_len, len);
	for (const struct rte_mbuf *s = m; s != NULL; s = s->next) {
		UNIT_CHECK(off + s->data_len <= len);
		UNIT_CHECK(memcmp(rte_pktmbuf_mtod(s, const uint8_t *), data + off,
				  s->data_len) == 0);
		UNIT_CHECK(s->data_len <= s->buf_len - s->data_off);
		off += s->data_len;
		segs++;
	}
	UNIT_CHECK_EQ(off, len);
	UNIT_CHECK_EQ(m->nb_segs, segs);
	return 0;
}

static void
free_pkts(struct rte_mbuf **p, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		rte_pktmbuf_free(p[i]);
}

#endif /* VSW_VRING_TEST_UTIL_H */
