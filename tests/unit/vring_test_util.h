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
#include "vsw_net.h"

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

/* Cut @p total bytes into @p n descriptor lengths (some may be 0). */
static void
cut(uint32_t total, uint32_t *lens, int n)
{
	uint32_t left = total;

	for (int i = 0; i < n - 1; i++) {
		lens[i] = left > 0 ? rnd_in(0, left) : 0;
		left -= lens[i];
	}
	lens[n - 1] = left;
}

/*
 * Cut a tx chain of @p hdr header and @p plen payload bytes into @p n
 * lengths, the header in at most 4 non-empty pieces (the engine drops
 * headers in more, see VRING_HDR_MAX_PIECES).
 */
static void
cut_tx(uint32_t hdr, uint32_t plen, uint32_t *lens, int n)
{
	uint32_t at = 0;
	int pieces = 0;

	cut(hdr + plen, lens, n);
	for (int i = 0; i < n && at < hdr; i++) {
		if (lens[i] == 0)
			continue;
		if (++pieces > 4) { /* fold this piece into the first */
			lens[0] += lens[i];
			at += lens[i];
			lens[i] = 0;
			continue;
		}
		at += lens[i];
	}
}

/*
 * Ethernet + IPv4 + TCP frame with @p payload bytes of pattern into @p p
 * (checksums not filled: the ring engine does not check them).
 * @return its length, 54 + payload.
 */
static uint32_t
mk_tcp4(uint8_t *p, uint32_t payload)
{
	uint32_t len = 54 + payload;

	memset(p, 0, 54);
	p[12] = 0x08;                 /* IPv4 */
	p[14] = 0x45;
	p[16] = (uint8_t)((len - 14) >> 8);
	p[17] = (uint8_t)(len - 14);
	p[22] = 64;
	p[23] = 6;                    /* TCP */
	p[46] = 5 << 4;               /* data offset */
	pattern(p + 54, payload, 5);
	return len;
}

/* A virtio-net header (12 bytes, num_buffers 0) asking for @p flags. */
static void
mk_vhdr(uint8_t *h, uint8_t flags, uint8_t gso, uint16_t gso_size,
	uint16_t start, uint16_t off)
{
	memset(h, 0, 12);
	h[0] = flags;
	h[1] = gso;
	h[4] = (uint8_t)gso_size;
	h[5] = (uint8_t)(gso_size >> 8);
	h[6] = (uint8_t)start;
	h[7] = (uint8_t)(start >> 8);
	h[8] = (uint8_t)off;
	h[9] = (uint8_t)(off >> 8);
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
