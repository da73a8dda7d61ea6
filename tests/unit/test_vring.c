/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the split virtqueue engine (lib/vring) against a mock
 * virtio driver that lays rings and buffers out in plain memory: two guest
 * memory regions, contiguous in guest-physical space but separate in ours,
 * so that buffers can straddle a region boundary.
 *
 *   gpa GPA_A  +0x00000 descriptor table
 *              +0x10000 avail ring (+ used_event)
 *              +0x20000 used ring (+ avail_event)
 *              +0x30000 indirect tables
 *              +0x40000 buffers ... up to the end of region B
 *   gpa GPA_B = GPA_A + SIZE_A (region B)
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "unit.h"
#include "vring_test_util.h"
#include "vsw_vring.h"

#define GPA_A    0x100000ull
#define SIZE_A   (2ull << 20)
#define GPA_B    (GPA_A + SIZE_A)
#define SIZE_B   (1ull << 20)
#define GPA_END  (GPA_B + SIZE_B)
#define QVA_OFF  0x7f0000000000ull
#define GPA_DESC (GPA_A + 0x00000)
#define GPA_AVL  (GPA_A + 0x10000)
#define GPA_USED (GPA_A + 0x20000)
#define GPA_IND  (GPA_A + 0x30000)
#define GPA_BUF  (GPA_A + 0x40000)
#define MAXSEG   16
#define MAXRING  1024
#define F_IND    VSW_VRING_F_INDIRECT
#define F_MRG    VSW_VRING_F_MRG_RXBUF
#define F_EVT    VSW_VRING_F_EVENT_IDX


/* ------------------------------------------------------------------ */
/* Mock driver                                                         */

struct seg {
	uint64_t gpa; /* 0: allocate */
	uint32_t len;
	uint16_t flags;
};

struct mock {
	struct vsw_mem mem;
	uint8_t *ha, *hb;
	uint16_t size;
	uint32_t flags;
	uint8_t hdr_len;
	uint8_t tx_off, rx_off; /* ring offloads (VSW_NET_OFF_*) */
	const uint8_t *tx_hdr;  /* header post_tx writes; NULL: garbage */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t base;      /* ring index the last reset started from */
	uint16_t avail_idx; /* driver's next avail slot (published by kick) */
	uint16_t next_desc; /* descriptor bump allocator */
	uint64_t next_ind;  /* indirect table bump allocator */
	uint64_t next_buf;  /* buffer bump allocator */
	struct seg chain[MAXRING][MAXSEG]; /* layout of each posted chain */
	uint8_t chain_n[MAXRING];
	struct vsw_vring vr;
};

static uint8_t *
hp(struct mock *m, uint64_t gpa)
{
	if (gpa >= GPA_A && gpa < GPA_B)
		return m->ha + (gpa - GPA_A);
	if (gpa >= GPA_B && gpa < GPA_END)
		return m->hb + (gpa - GPA_B);
	abort();
}

/* Copy to (@p out false) or from guest memory, across regions. */
static void
gcopy(struct mock *m, uint64_t gpa, void *buf, uint32_t len, bool out)
{
	uint8_t *b = buf;

	while (len > 0) {
		uint64_t end = gpa < GPA_B ? GPA_B : GPA_END;
		uint32_t k = (uint32_t)RTE_MIN((uint64_t)len, end - gpa);

		if (out)
			memcpy(b, hp(m, gpa), k);
		else
			memcpy(hp(m, gpa), b, k);
		gpa += k;
		b += k;
		len -= k;
	}
}

static int
mock_reset(struct mock *m, uint16_t base)
{
	struct vsw_vring_config cfg = {
		.desc = m->desc, .avail = m->avail, .used = m->used,
		.mem = &m->mem, .size = m->size, .base = base,
		.flags = m->flags, .hdr_len = m->hdr_len,
		.tx_offloads = m->tx_off, .rx_offloads = m->rx_off,
	};

	memset(m->ha, 0, GPA_BUF - GPA_A);
	m->avail->idx = base;
	m->used->idx = base;
	m->avail_idx = base;
	m->base = base;
	m->next_desc = 0;
	m->next_ind = GPA_IND;
	m->next_buf = GPA_BUF;
	return vsw_vring_init(&m->vr, &cfg);
}

static struct mock *
mock_new(uint16_t size, uint32_t flags, uint8_t hdr_len)
{
	struct mock *m = calloc(1, sizeof(*m));

	if (m == NULL)
		abort();
	m->ha = aligned_alloc(4096, SIZE_A);
	m->hb = aligned_alloc(4096, SIZE_B);
	if (m->ha == NULL || m->hb == NULL)
		abort();
	memset(m->ha, 0, SIZE_A);
	memset(m->hb, 0, SIZE_B);
	m->mem.nregions = 2;
	m->mem.regions[0] = (struct vsw_mem_region){
		GPA_A, SIZE_A, GPA_A + QVA_OFF, (uintptr_t)m->ha };
	m->mem.regions[1] = (struct vsw_mem_region){
		GPA_B, SIZE_B, GPA_B + QVA_OFF, (uintptr_t)m->hb };
	m->size = size;
	m->flags = flags;
	m->hdr_len = hdr_len;
	m->desc = (void *)hp(m, GPA_DESC);
	m->avail = (void *)hp(m, GPA_AVL);
	m->used = (void *)hp(m, GPA_USED);
	if (mock_reset(m, 0) != 0)
		abort();
	return m;
}

static void
mock_free(struct mock *m)
{
	free(m->ha);
	free(m->hb);
	free(m);
}

static uint64_t
buf_alloc(struct mock *m, uint32_t len)
{
	uint64_t g = m->next_buf;

	m->next_buf = (g + len + 7) & ~7ull;
	if (m->next_buf > GPA_END)
		abort();
	return g;
}

/* Post a chain (descriptors from @p s, buffers allocated where gpa is 0),
 * either directly in the ring or through an indirect table. */
static uint16_t
post(struct mock *m, struct seg *s, int n, bool indirect)
{
	uint16_t mask = m->size - 1, head = m->next_desc & mask;

	for (int i = 0; i < n; i++)
		if (s[i].gpa == 0)
			s[i].gpa = buf_alloc(m, s[i].len);
	if (!indirect) {
		for (int i = 0; i < n; i++) {
			uint16_t d = (m->next_desc + i) & mask;

			m->desc[d] = (struct vring_desc){
				s[i].gpa, s[i].len,
				s[i].flags | (i + 1 < n ? VRING_DESC_F_NEXT : 0),
				(d + 1) & mask };
		}
		m->next_desc += n;
	} else {
		uint64_t t = m->next_ind;
		struct vring_desc *tbl = (void *)hp(m, t);

		m->next_ind += 16 * (uint64_t)n;
		for (int i = 0; i < n; i++)
			tbl[i] = (struct vring_desc){
				s[i].gpa, s[i].len,
				s[i].flags | (i + 1 < n ? VRING_DESC_F_NEXT : 0),
				i + 1 };
		m->desc[head] = (struct vring_desc){
			t, 16 * n, VRING_DESC_F_INDIRECT, 0 };
		m->next_desc++;
	}
	memcpy(m->chain[head], s, n * sizeof(*s));
	m->chain_n[head] = n;
	m->avail->ring[m->avail_idx & mask] = head;
	m->avail_idx++;
	return head;
}

static void
kick(struct mock *m)
{
	__atomic_store_n(&m->avail->idx, m->avail_idx, __ATOMIC_RELEASE);
}

/* Post a tx chain carrying header + payload in descriptors of @p lens
 * (their sum is hdr_len + plen). The header is garbage the device skips. */
static uint16_t
post_tx(struct mock *m, const uint8_t *payload, uint32_t plen,
	const uint32_t *lens, int n, bool indirect)
{
	uint32_t total = m->hdr_len + plen, off = 0;
	uint8_t *stream = malloc(total);
	struct seg s[MAXSEG];
	uint16_t head;

	if (m->tx_hdr != NULL)
		memcpy(stream, m->tx_hdr, m->hdr_len);
	else
		memset(stream, 0xee, m->hdr_len);
	memcpy(stream + m->hdr_len, payload, plen);
	for (int i = 0; i < n; i++)
		s[i] = (struct seg){ 0, lens[i], 0 };
	head = post(m, s, n, indirect);
	for (int i = 0; i < n; i++) {
		if (off + s[i].len > total)
			abort();
		gcopy(m, s[i].gpa, stream + off, s[i].len, false);
		off += s[i].len;
	}
	if (off != total)
		abort();
	free(stream);
	return head;
}

static uint16_t
post_tx1(struct mock *m, const uint8_t *payload, uint32_t plen)
{
	uint32_t len = m->hdr_len + plen;

	return post_tx(m, payload, plen, &len, 1, false);
}

/* Post a device-writable chain, its buffers filled with garbage. */
static uint16_t
post_rx(struct mock *m, const uint32_t *lens, int n, bool indirect)
{
	struct seg s[MAXSEG];
	uint16_t head;

	for (int i = 0; i < n; i++)
		s[i] = (struct seg){ 0, lens[i], VRING_DESC_F_WRITE };
	head = post(m, s, n, indirect);
	for (int i = 0; i < n; i++)
		for (uint32_t b = 0; b < s[i].len; b++)
			*hp(m, s[i].gpa + b) = 0xaa;
	return head;
}

/* Read the first @p len bytes a device wrote into chain @p head. */
static void
chain_read(struct mock *m, uint16_t head, uint8_t *out, uint32_t len)
{
	for (int i = 0; i < m->chain_n[head] && len > 0; i++) {
		uint32_t k = RTE_MIN(len, m->chain[head][i].len);

		gcopy(m, m->chain[head][i].gpa, out, k, true);
		out += k;
		len -= k;
	}
}

/* Used entry number @p k since the last reset. */
static struct vring_used_elem
used_at(struct mock *m, uint16_t k)
{
	return m->used->ring[(uint16_t)(m->base + k) & (m->size - 1)];
}

static uint16_t
used_idx(struct mock *m)
{
	return __atomic_load_n(&m->used->idx, __ATOMIC_ACQUIRE);
}

/* Used entries published since the last reset. */
static uint16_t
used_n(struct mock *m)
{
	return (uint16_t)(used_idx(m) - m->base);
}

/*
 * Check the packet the device delivered starting at used entry @p k:
 * header zeroed with num_buffers == @p nbufs (12-byte header), payload
 * equal to @p data. @return chains it used, or -1.
 */
static int
rx_check(struct mock *m, uint16_t k, const uint8_t *data, uint32_t len,
	 uint16_t nbufs)
{
	uint8_t *buf = malloc(m->hdr_len + len + 1), hdr[12] = { 0 };
	uint32_t off = 0;
	int rc = -1;

	for (uint16_t c = 0; c < nbufs; c++) {
		struct vring_used_elem e = used_at(m, k + c);

		if (e.id >= m->size || off + e.len > m->hdr_len + len)
			goto out;
		chain_read(m, (uint16_t)e.id, buf + off, e.len);
		off += e.len;
	}
	if (off != m->hdr_len + len)
		goto out;
	if (m->hdr_len == 12) {
		hdr[10] = (uint8_t)nbufs;
		hdr[11] = (uint8_t)(nbufs >> 8);
	}
	if (memcmp(buf, hdr, m->hdr_len) != 0 ||
	    memcmp(buf + m->hdr_len, data, len) != 0)
		goto out;
	rc = nbufs;
out:
	free(buf);
	return rc;
}

/* One healthy tx round trip with a byte-for-byte check. */
static int
tx_roundtrip(struct mock *m, uint32_t plen)
{
	uint8_t data[3000];
	struct rte_mbuf *pkts[4];
	uint16_t before = used_idx(m), got;

	pattern(data, plen, plen);
	post_tx1(m, data, plen);
	kick(m);
	got = vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 4);
	UNIT_CHECK_EQ(got, 1);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, plen), 0);
	UNIT_CHECK_EQ(used_idx(m), (uint16_t)(before + 1));
	free_pkts(pkts, got);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Memory translation and set-up                                       */

static int
test_mem_translate(void)
{
	struct mock *m = mock_new(8, 0, 12);
	uint32_t hint = 7;
	uint64_t len;

	UNIT_CHECK(vsw_mem_gpa_to_hva(&m->mem, GPA_A + 10, 100, &hint) ==
		   m->ha + 10);
	UNIT_CHECK_EQ(hint, 0);
	UNIT_CHECK(vsw_mem_gpa_to_hva(&m->mem, GPA_B, SIZE_B, NULL) == m->hb);
	UNIT_CHECK(vsw_mem_gpa_to_hva(&m->mem, GPA_B - 4, 8, &hint) == NULL);
	UNIT_CHECK(vsw_mem_gpa_to_hva(&m->mem, GPA_A, 0, &hint) == NULL);
	UNIT_CHECK(vsw_mem_gpa_to_hva(&m->mem, GPA_END - 1, 1, &hint) ==
		   m->hb + SIZE_B - 1);
	UNIT_CHECK(vsw_mem_gpa_to_hva(&m->mem, GPA_END - 1, 2, &hint) == NULL);
	UNIT_CHECK(vsw_mem_gpa_to_hva(&m->mem, GPA_A - 1, 2, &hint) == NULL);
	UNIT_CHECK(vsw_mem_gpa_to_hva(&m->mem, UINT64_MAX - 3, 8, &hint) == NULL);
	UNIT_CHECK(vsw_mem_gpa_to_hva(&m->mem, GPA_A, UINT64_MAX, &hint) == NULL);
	UNIT_CHECK(vsw_mem_qva_to_hva(&m->mem, GPA_A + QVA_OFF + 5, 10) ==
		   m->ha + 5);
	UNIT_CHECK(vsw_mem_qva_to_hva(&m->mem, GPA_B + QVA_OFF, 10) == m->hb);
	UNIT_CHECK(vsw_mem_qva_to_hva(&m->mem, GPA_B + QVA_OFF - 2, 4) == NULL);
	UNIT_CHECK(vsw_mem_qva_to_hva(&m->mem, GPA_A + QVA_OFF, 0) == NULL);
	UNIT_CHECK(vsw_mem_qva_to_hva(&m->mem, GPA_A, 4) == NULL);
	UNIT_CHECK(vsw_mem_qva_to_hva(&m->mem, UINT64_MAX, 2) == NULL);
	/* The inline piecewise map clamps at the region end. */
	len = 1000;
	UNIT_CHECK(vsw_mem_gpa_map(&m->mem, GPA_B - 100, &len, &hint) ==
		   m->ha + SIZE_A - 100);
	UNIT_CHECK_EQ(len, 100);
	mock_free(m);
	return 0;
}

static int
test_init_checks(void)
{
	struct mock *m = mock_new(8, 0, 12);
	struct vsw_vring_config cfg = {
		.desc = m->desc, .avail = m->avail, .used = m->used,
		.mem = &m->mem, .size = 8, .base = 0, .flags = 0, .hdr_len = 12,
	};
	struct vsw_vring_config c;
	uint16_t sizes_bad[] = { 0, 3, 6, 100, 32767, 32769, 65535 };

	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &cfg), 0);
	for (size_t i = 0; i < RTE_DIM(sizes_bad); i++) {
		c = cfg;
		c.size = sizes_bad[i];
		UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), -EINVAL);
	}
	c = cfg;
	c.size = 1;
	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), 0);
	c.size = 32768; /* only alignment is checked, nothing is read but idx */
	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), 0);
	UNIT_CHECK_EQ(m->vr.mask, 32767);
	c = cfg;
	c.desc = (void *)((uint8_t *)m->desc + 8);
	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), -EINVAL);
	c = cfg;
	c.avail = (void *)((uint8_t *)m->avail + 1);
	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), -EINVAL);
	c = cfg;
	c.used = (void *)((uint8_t *)m->used + 2);
	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), -EINVAL);
	c = cfg;
	c.hdr_len = 11;
	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), -EINVAL);
	c = cfg;
	c.hdr_len = 10;
	c.flags = F_MRG;
	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), -EINVAL);
	c.hdr_len = 10;
	c.flags = 0;
	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), 0);
	c = cfg;
	c.mem = NULL;
	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), -EINVAL);

	/* Base agrees with used->idx: kept. */
	m->used->idx = 5;
	c = cfg;
	c.base = 5;
	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), 0);
	UNIT_CHECK_EQ(vsw_vring_get_base(&m->vr), 5);
	UNIT_CHECK_EQ(m->vr.last_used_idx, 5);
	/* Disagrees: resync both indices to used->idx, as DPDK does. */
	m->used->idx = 65534;
	c.base = 3;
	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), 0);
	UNIT_CHECK_EQ(vsw_vring_get_base(&m->vr), 65534);
	UNIT_CHECK_EQ(m->vr.last_used_idx, 65534);
	UNIT_CHECK_EQ(m->vr.broken, VSW_VRING_OK);
	UNIT_CHECK(!vsw_vring_need_call(&m->vr));
	for (int e = 0; e <= VSW_VRING_E__MAX; e++)
		UNIT_CHECK(vsw_vring_strerror((enum vsw_vring_err)e) != NULL);
	UNIT_CHECK(vsw_vring_strerror((enum vsw_vring_err)-1) != NULL);
	mock_free(m);
	return 0;
}

/* Ring indices wrap: base near 65535 and a run of packets across it. */
static int
test_index_wrap(void)
{
	struct mock *m = mock_new(8, 0, 12);

	UNIT_CHECK_EQ(mock_reset(m, 65533), 0);
	for (int i = 0; i < 6; i++)
		UNIT_CHECK_EQ(tx_roundtrip(m, 60 + i), 0);
	UNIT_CHECK_EQ(vsw_vring_get_base(&m->vr), 3);
	UNIT_CHECK_EQ(used_idx(m), 3);
	UNIT_CHECK(pool_full());
	mock_free(m);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Dequeue (guest tx)                                                  */

static int
test_tx_single(void)
{
	struct mock *m = mock_new(16, 0, 12);
	struct rte_mbuf *pkts[32];
	uint8_t data[100];
	uint16_t head, got;

	pattern(data, sizeof(data), 1);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 32), 0);
	head = post_tx1(m, data, sizeof(data));
	kick(m);
	got = vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 32);
	UNIT_CHECK_EQ(got, 1);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, sizeof(data)), 0);
	UNIT_CHECK_EQ(used_idx(m), 1);
	UNIT_CHECK_EQ(used_at(m, 0).id, head);
	UNIT_CHECK_EQ(used_at(m, 0).len, 0);
	UNIT_CHECK_EQ(vsw_vring_get_base(&m->vr), 1);
	UNIT_CHECK_EQ(m->vr.stats.packets, 1);
	UNIT_CHECK_EQ(m->vr.stats.bytes, 100);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts + 1, 32), 0);
	free_pkts(pkts, got);
	UNIT_CHECK(pool_full());
	mock_free(m);
	return 0;
}

static int
test_tx_hdr_own_desc(void)
{
	struct mock *m = mock_new(16, 0, 12);
	uint32_t lens[] = { 12, 200 };
	struct rte_mbuf *pkts[4];
	uint8_t data[200];

	pattern(data, sizeof(data), 2);
	post_tx(m, data, 200, lens, 2, false);
	kick(m);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 4), 1);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, 200), 0);
	free_pkts(pkts, 1);
	UNIT_CHECK(pool_full());
	mock_free(m);
	return 0;
}

static int
test_tx_multi_desc(void)
{
	struct mock *m = mock_new(16, 0, 12);
	/* header split 5 + 7, a zero-length descriptor, payload in four */
	uint32_t lens[] = { 5, 9, 0, 50, 6, 20 };
	uint32_t lens10[] = { 3, 3, 4, 40 };
	struct rte_mbuf *pkts[4];
	uint8_t data[78];
	uint16_t head;

	pattern(data, sizeof(data), 3);
	head = post_tx(m, data, 78, lens, 6, false);
	kick(m);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 4), 1);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, 78), 0);
	UNIT_CHECK_EQ(used_at(m, 0).id, head);
	free_pkts(pkts, 1);
	mock_free(m);

	/* legacy 10-byte header */
	m = mock_new(16, 0, 10);
	post_tx(m, data, 40, lens10, 4, false);
	kick(m);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 4), 1);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, 40), 0);
	free_pkts(pkts, 1);
	UNIT_CHECK(pool_full());
	mock_free(m);
	return 0;
}

static int
test_tx_indirect(void)
{
	struct mock *m = mock_new(16, F_IND, 12);
	uint32_t lens[] = { 12, 100, 3, 400 };
	uint32_t lens2[] = { 700 };
	struct rte_mbuf *pkts[4];
	uint8_t data[700];
	uint16_t h1, h2;

	pattern(data, sizeof(data), 4);
	h1 = post_tx(m, data, 503, lens, 4, true);
	lens2[0] = 12 + 688;
	h2 = post_tx(m, data, 688, lens2, 1, true);
	kick(m);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 4), 2);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, 503), 0);
	UNIT_CHECK_EQ(pkt_eq(pkts[1], data, 688), 0);
	UNIT_CHECK_EQ(used_at(m, 0).id, h1);
	UNIT_CHECK_EQ(used_at(m, 1).id, h2);
	free_pkts(pkts, 2);
	UNIT_CHECK(pool_full());
	mock_free(m);
	return 0;
}

static int
test_tx_chained_mbuf(void)
{
	struct mock *m = mock_new(16, 0, 12);
	static uint8_t data[9000];
	uint32_t lens[] = { 12 + 1000, 3000, 1000 };
	struct rte_mbuf *pkts[4];
	uint32_t room = RTE_MBUF_DEFAULT_DATAROOM;

	pattern(data, sizeof(data), 5);
	post_tx(m, data, 5000, lens, 3, false);
	post_tx1(m, data, 9000);
	kick(m);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 4), 2);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, 5000), 0);
	UNIT_CHECK_EQ(pkts[0]->nb_segs, (5000 + room - 1) / room);
	UNIT_CHECK_EQ(pkts[0]->data_len, room);
	UNIT_CHECK_EQ(pkt_eq(pkts[1], data, 9000), 0);
	UNIT_CHECK_EQ(pkts[1]->nb_segs, (9000 + room - 1) / room);
	UNIT_CHECK_EQ(m->vr.stats.bytes, 14000);
	free_pkts(pkts, 2);
	UNIT_CHECK(pool_full());
	mock_free(m);
	return 0;
}

static int
test_tx_cross_region(void)
{
	struct mock *m = mock_new(16, F_IND, 12);
	struct rte_mbuf *pkts[4];
	uint8_t data[1500];

	pattern(data, sizeof(data), 6);
	/* header and first 88 bytes in region A, the rest in region B */
	m->next_buf = GPA_B - 100;
	post_tx1(m, data, 1000);
	kick(m);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 4), 1);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, 1000), 0);
	m->next_buf = GPA_B - 5; /* header itself straddles, via indirect */
	post_tx(m, data, 1400, (uint32_t[]){ 1412 }, 1, true);
	kick(m);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts + 1, 4), 1);
	UNIT_CHECK_EQ(pkt_eq(pkts[1], data, 1400), 0);
	free_pkts(pkts, 2);
	UNIT_CHECK(pool_full());
	mock_free(m);
	return 0;
}

/* A header-only chain is returned (used len 0) without a packet. */
static int
test_tx_zero_payload(void)
{
	struct mock *m = mock_new(16, 0, 12);
	struct rte_mbuf *pkts[4];
	uint8_t data[64];
	uint16_t h0, h1, h2;

	pattern(data, sizeof(data), 7);
	h0 = post_tx1(m, data, 0);
	h1 = post_tx1(m, data, 64);
	h2 = post_tx(m, data, 0, (uint32_t[]){ 4, 8 }, 2, false);
	kick(m);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 4), 1);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, 64), 0);
	UNIT_CHECK_EQ(used_idx(m), 3);
	UNIT_CHECK_EQ(used_at(m, 0).id, h0);
	UNIT_CHECK_EQ(used_at(m, 1).id, h1);
	UNIT_CHECK_EQ(used_at(m, 2).id, h2);
	UNIT_CHECK_EQ(m->vr.stats.packets, 1);
	UNIT_CHECK_EQ(m->vr.stats.drop_bad, 0);
	free_pkts(pkts, 1);
	UNIT_CHECK(pool_full());
	mock_free(m);
	return 0;
}

/* More than 64 KiB of payload: chain returned, packet dropped. */
static int
test_tx_oversize(void)
{
	struct mock *m = mock_new(16, 0, 12);
	static uint8_t data[70000];
	struct rte_mbuf *pkts[4];

	pattern(data, sizeof(data), 8);
	post_tx1(m, data, sizeof(data));
	post_tx1(m, data, 300);
	kick(m);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 4), 1);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, 300), 0);
	UNIT_CHECK_EQ(used_idx(m), 2);
	UNIT_CHECK_EQ(m->vr.stats.drop_bad, 1);
	UNIT_CHECK_EQ(m->vr.broken, VSW_VRING_OK);
	free_pkts(pkts, 1);
	UNIT_CHECK(pool_full());
	mock_free(m);
	return 0;
}

/* Used entries come back in avail order whatever the head indices. */
static int
test_tx_in_order_and_burst(void)
{
	struct mock *m = mock_new(64, 0, 12);
	struct rte_mbuf *pkts[32];
	uint16_t heads[40], got;
	uint8_t data[256];

	pattern(data, sizeof(data), 9);
	for (int i = 0; i < 40; i++) {
		m->next_desc = (uint16_t)((i * 37) % 64); /* scattered heads */
		heads[i] = post_tx1(m, data, (uint32_t)i * 5);
	}
	kick(m);
	got = vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 32);
	/* burst capped at 32 entries; entry 0 is header-only */
	UNIT_CHECK_EQ(got, 31);
	UNIT_CHECK_EQ(used_idx(m), 32);
	for (int i = 0; i < 31; i++)
		UNIT_CHECK_EQ(pkt_eq(pkts[i], data, (uint32_t)(i + 1) * 5), 0);
	free_pkts(pkts, got);
	got = vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 3);
	UNIT_CHECK_EQ(got, 3);
	UNIT_CHECK_EQ(used_idx(m), 35);
	free_pkts(pkts, got);
	got = vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 32);
	UNIT_CHECK_EQ(got, 5);
	UNIT_CHECK_EQ(pkt_eq(pkts[4], data, 39 * 5), 0);
	free_pkts(pkts, got);
	for (int i = 0; i < 40; i++)
		UNIT_CHECK_EQ(used_at(m, (uint16_t)i).id, heads[i]);
	UNIT_CHECK_EQ(used_idx(m), 40);
	UNIT_CHECK(pool_full());
	mock_free(m);
	return 0;
}

/* Mempool empty: stop, leave the chain in the ring, lose nothing. */
static int
test_tx_mempool_exhaustion(void)
{
	struct rte_mempool *small = rte_pktmbuf_pool_create("vring_small", 4, 0,
						0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	struct mock *m = mock_new(16, 0, 12);
	struct rte_mbuf *pkts[32], *hold[4];
	static uint8_t data[5000];
	uint16_t got;

	UNIT_CHECK(small != NULL);
	pattern(data, sizeof(data), 10);
	for (int i = 0; i < 6; i++)
		post_tx1(m, data, 100 + (uint32_t)i);
	kick(m);
	got = vsw_vring_dequeue_burst(&m->vr, small, pkts, 32);
	UNIT_CHECK_EQ(got, 4);
	UNIT_CHECK_EQ(used_idx(m), 4);
	UNIT_CHECK_EQ(vsw_vring_get_base(&m->vr), 4);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, small, pkts + 4, 32), 0);
	UNIT_CHECK_EQ(used_idx(m), 4);
	free_pkts(pkts, 4);
	got = vsw_vring_dequeue_burst(&m->vr, small, pkts, 32);
	UNIT_CHECK_EQ(got, 2);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, 104), 0);
	UNIT_CHECK_EQ(pkt_eq(pkts[1], data, 105), 0);
	free_pkts(pkts, got);

	/* a 3-segment packet with only 2 mbufs free: left for later */
	hold[0] = rte_pktmbuf_alloc(small);
	hold[1] = rte_pktmbuf_alloc(small);
	post_tx1(m, data, 5000);
	kick(m);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, small, pkts, 32), 0);
	UNIT_CHECK_EQ(rte_mempool_avail_count(small), 2);
	UNIT_CHECK_EQ(used_idx(m), 6);
	rte_pktmbuf_free(hold[0]);
	rte_pktmbuf_free(hold[1]);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, small, pkts, 32), 1);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, 5000), 0);
	UNIT_CHECK_EQ(used_idx(m), 7);
	UNIT_CHECK_EQ(m->vr.stats.drop_no_mbuf, 0);
	UNIT_CHECK_EQ(m->vr.stats.packets, 7);
	free_pkts(pkts, 1);
	UNIT_CHECK_EQ(rte_mempool_avail_count(small), 4);
	rte_mempool_free(small);
	mock_free(m);
	return 0;
}

/* ------------------------------------------------------------------ */
/* virtio-net header offloads                                          */

#define OFF_ALL (VSW_NET_OFF_CSUM | VSW_NET_OFF_TSO4 | VSW_NET_OFF_TSO6)

/* With CSUM/TSO negotiated the header becomes mbuf flags; inconsistent
 * headers drop their packet (counted), never break the ring. */
static int
test_tx_offload_hdr(void)
{
	struct mock *m = mock_new(16, F_IND, 12);
	uint8_t pkt[1054], hdr[12];
	uint32_t len = mk_tcp4(pkt, 1000);
	struct rte_mbuf *pkts[8];

	m->tx_off = OFF_ALL;
	m->tx_hdr = hdr;
	UNIT_CHECK_EQ(mock_reset(m, 0), 0);
	mk_vhdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 500,
		34, 16);
	post_tx1(m, pkt, len);
	mk_vhdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 34, 2000);
	post_tx1(m, pkt, len);                             /* past the end */
	mk_vhdr(hdr, 0, VIRTIO_NET_HDR_GSO_TCPV4, 0, 0, 0); /* gso, no csum */
	post_tx1(m, pkt, len);
	/* a good header in five pieces */
	mk_vhdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 34, 16);
	post_tx(m, pkt, len, (uint32_t[]){ 3, 3, 3, 2, 1, len }, 6, true);
	post_tx(m, pkt, len, (uint32_t[]){ 3, 3, 3, 3, len }, 5, true);
	kick(m);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 8), 2);
	UNIT_CHECK_EQ(used_n(m), 5);
	UNIT_CHECK_EQ(m->vr.broken, VSW_VRING_OK);
	UNIT_CHECK_EQ(m->vr.stats.drop_bad_hdr, 3);
	UNIT_CHECK_EQ(m->vr.stats.packets, 2);
	UNIT_CHECK(pkts[0]->ol_flags & RTE_MBUF_F_TX_TCP_SEG);
	UNIT_CHECK_EQ(pkts[0]->tso_segsz, 500);
	UNIT_CHECK_EQ(pkts[0]->l2_len + pkts[0]->l3_len + pkts[0]->l4_len, 54);
	UNIT_CHECK_EQ(pkts[1]->ol_flags & RTE_MBUF_F_TX_L4_MASK,
		      RTE_MBUF_F_TX_TCP_CKSUM);
	UNIT_CHECK_EQ(pkt_eq(pkts[1], pkt, len), 0);
	free_pkts(pkts, 2);

	/* without offloads negotiated the header is not read */
	m->tx_off = 0;
	UNIT_CHECK_EQ(mock_reset(m, 0), 0);
	mk_vhdr(hdr, 0xff, 0xff, 0, 0xffff, 0xffff);
	post_tx1(m, pkt, len);
	kick(m);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 8), 1);
	UNIT_CHECK_EQ(pkts[0]->ol_flags, 0);
	UNIT_CHECK_EQ(m->vr.stats.drop_bad_hdr, 0);
	free_pkts(pkts, 1);
	UNIT_CHECK(pool_full());
	mock_free(m);
	return 0;
}

/* The guest rx header says what the mbuf flags say, as far as the
 * guest negotiated. */
static int
test_rx_offload_hdr(void)
{
	struct mock *m = mock_new(16, F_MRG, 12);
	uint8_t pkt[1054], got[12], want[12];
	uint32_t len = mk_tcp4(pkt, 1000);
	struct rte_mbuf *p = mk_pkt(pkt, len, NULL, 0);
	uint16_t head;

	m->rx_off = OFF_ALL;
	UNIT_CHECK_EQ(mock_reset(m, 0), 0);
	p->ol_flags = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM |
		      RTE_MBUF_F_TX_IPV4;
	p->l2_len = 14;
	p->l3_len = 20;
	p->l4_len = 20;
	p->tso_segsz = 700;
	head = post_rx(m, (uint32_t[]){ 2000 }, 1, false);
	kick(m);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, &p, 1), 1);
	chain_read(m, head, got, sizeof(got));
	mk_vhdr(want, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4,
		700, 34, 16);
	want[2] = 54;   /* hdr_len */
	want[10] = 1;   /* num_buffers */
	UNIT_CHECK(memcmp(got, want, sizeof(got)) == 0);

	/* checksum only */
	p->ol_flags = RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_IPV4;
	head = post_rx(m, (uint32_t[]){ 2000 }, 1, false);
	kick(m);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, &p, 1), 1);
	chain_read(m, head, got, sizeof(got));
	mk_vhdr(want, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 34, 16);
	want[10] = 1;
	UNIT_CHECK(memcmp(got, want, sizeof(got)) == 0);
	rte_pktmbuf_free(p);
	UNIT_CHECK(pool_full());
	mock_free(m);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Enqueue (guest rx)                                                  */

static int
test_rx_simple(void)
{
	struct mock *m = mock_new(16, 0, 12);
	uint8_t data[1500];
	struct rte_mbuf *p;
	uint16_t head;

	pattern(data, sizeof(data), 11);
	head = post_rx(m, (uint32_t[]){ 1600 }, 1, false);
	kick(m);
	p = mk_pkt(data, 100, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, &p, 1), 1);
	UNIT_CHECK_EQ(used_idx(m), 1);
	UNIT_CHECK_EQ(used_at(m, 0).id, head);
	UNIT_CHECK_EQ(used_at(m, 0).len, 112);
	UNIT_CHECK_EQ(rx_check(m, 0, data, 100, 1), 1);
	UNIT_CHECK_EQ(m->vr.stats.packets, 1);
	UNIT_CHECK_EQ(m->vr.stats.bytes, 100);
	/* no buffer left: counted, not delivered */
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, &p, 1), 0);
	UNIT_CHECK_EQ(m->vr.stats.drop_no_buf, 1);
	rte_pktmbuf_free(p);
	mock_free(m);

	/* legacy 10-byte header, header split over descriptors */
	m = mock_new(16, 0, 10);
	head = post_rx(m, (uint32_t[]){ 4, 4, 1002 }, 3, false);
	kick(m);
	p = mk_pkt(data, 1000, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, &p, 1), 1);
	UNIT_CHECK_EQ(used_at(m, 0).len, 1010);
	UNIT_CHECK_EQ(rx_check(m, 0, data, 1000, 1), 1);
	rte_pktmbuf_free(p);
	UNIT_CHECK(pool_full());
	mock_free(m);
	return 0;
}

/* Without MRG_RXBUF a packet too big for the chain is skipped. */
static int
test_rx_too_small(void)
{
	struct mock *m = mock_new(16, F_IND, 12);
	struct rte_mbuf *p[3];
	uint8_t data[600];

	pattern(data, sizeof(data), 12);
	post_rx(m, (uint32_t[]){ 30, 30 }, 2, false);
	post_rx(m, (uint32_t[]){ 2000 }, 1, true);
	kick(m);
	p[0] = mk_pkt(data, 100, NULL, 0);
	p[1] = mk_pkt(data + 1, 40, NULL, 0);
	p[2] = mk_pkt(data + 2, 500, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, p, 3), 2);
	UNIT_CHECK_EQ(m->vr.stats.drop_no_buf, 1);
	UNIT_CHECK_EQ(used_idx(m), 2);
	UNIT_CHECK_EQ(used_at(m, 0).len, 52);
	UNIT_CHECK_EQ(rx_check(m, 0, data + 1, 40, 1), 1);
	UNIT_CHECK_EQ(used_at(m, 1).len, 512);
	UNIT_CHECK_EQ(rx_check(m, 1, data + 2, 500, 1), 1);
	UNIT_CHECK_EQ(vsw_vring_get_base(&m->vr), 2);
	UNIT_CHECK_EQ(m->vr.stats.bytes, 540);
	free_pkts(p, 3);
	UNIT_CHECK(pool_full());
	mock_free(m);
	return 0;
}

static int
test_rx_mrg_3(void)
{
	struct mock *m = mock_new(16, F_MRG, 12);
	uint8_t data[1300];
	struct rte_mbuf *p;

	pattern(data, sizeof(data), 13);
	for (int i = 0; i < 4; i++)
		post_rx(m, (uint32_t[]){ 512 }, 1, false);
	kick(m);
	p = mk_pkt(data, 1300, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, &p, 1), 1);
	UNIT_CHECK_EQ(used_idx(m), 3);
	UNIT_CHECK_EQ(used_at(m, 0).len, 512);
	UNIT_CHECK_EQ(used_at(m, 1).len, 512);
	UNIT_CHECK_EQ(used_at(m, 2).len, 1312 - 1024);
	UNIT_CHECK_EQ(rx_check(m, 0, data, 1300, 3), 3);
	UNIT_CHECK_EQ(vsw_vring_get_base(&m->vr), 3);
	/* a small one takes the last chain with num_buffers = 1 */
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, &p, 1), 0);
	rte_pktmbuf_free(p);
	p = mk_pkt(data, 20, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, &p, 1), 1);
	UNIT_CHECK_EQ(rx_check(m, 3, data, 20, 1), 1);
	rte_pktmbuf_free(p);
	UNIT_CHECK(pool_full());
	mock_free(m);
	return 0;
}

/* num_buffers itself split over two descriptors of the first chain. */
static int
test_rx_mrg_hdr_split(void)
{
	struct mock *m = mock_new(16, F_MRG | F_IND, 12);
	uint8_t data[300];
	struct rte_mbuf *p;

	pattern(data, sizeof(data), 14);
	post_rx(m, (uint32_t[]){ 11, 1, 20 }, 3, false);
	post_rx(m, (uint32_t[]){ 100, 100 }, 2, true);
	post_rx(m, (uint32_t[]){ 100 }, 1, false);
	kick(m);
	p = mk_pkt(data, 300, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, &p, 1), 1);
	UNIT_CHECK_EQ(used_idx(m), 3);
	UNIT_CHECK_EQ(used_at(m, 0).len, 32);
	UNIT_CHECK_EQ(used_at(m, 1).len, 200);
	UNIT_CHECK_EQ(used_at(m, 2).len, 312 - 232);
	UNIT_CHECK_EQ(rx_check(m, 0, data, 300, 3), 3);
	rte_pktmbuf_free(p);
	UNIT_CHECK(pool_full());
	mock_free(m);
	return 0;
}

/* The ring runs out mid-packet: that packet is rolled back, burst stops. */
static int
test_rx_mrg_rollback(void)
{
	struct mock *m = mock_new(16, F_MRG, 12);
	struct rte_mbuf *p[3];
	uint8_t data[1000];

	pattern(data, sizeof(data), 15);
	post_rx(m, (uint32_t[]){ 512 }, 1, false);
	post_rx(m, (uint32_t[]){ 512 }, 1, false);
	kick(m);
	p[0] = mk_pkt(data, 100, NULL, 0);
	p[1] = mk_pkt(data, 1000, NULL, 0);
	p[2] = mk_pkt(data, 50, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, p, 3), 1);
	UNIT_CHECK_EQ(used_idx(m), 1);
	UNIT_CHECK_EQ(vsw_vring_get_base(&m->vr), 1);
	UNIT_CHECK_EQ(m->vr.nr_shadow, 0);
	UNIT_CHECK_EQ(m->vr.stats.drop_no_buf, 2);
	UNIT_CHECK_EQ(rx_check(m, 0, data, 100, 1), 1);
	post_rx(m, (uint32_t[]){ 512 }, 1, false);
	post_rx(m, (uint32_t[]){ 512 }, 1, false);
	kick(m);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, p + 1, 2), 2);
	UNIT_CHECK_EQ(used_idx(m), 4);
	UNIT_CHECK_EQ(rx_check(m, 1, data, 1000, 2), 2);
	UNIT_CHECK_EQ(rx_check(m, 3, data, 50, 1), 1);
	free_pkts(p, 3);
	UNIT_CHECK(pool_full());
	mock_free(m);
	return 0;
}

/* A packet over more chains than the shadow holds: early write, one
 * publish, and a rollback across the early write. */
static int
test_rx_mrg_shadow_overflow(void)
{
	struct mock *m = mock_new(1024, F_MRG, 12);
	static uint8_t data[9000];
	struct rte_mbuf *p[2];
	uint16_t need = (9012 + 15) / 16;

	pattern(data, sizeof(data), 16);
	for (int i = 0; i < 600; i++)
		post_rx(m, (uint32_t[]){ 16 }, 1, false);
	kick(m);
	p[0] = mk_pkt(data, 9000, (uint32_t[]){ 2000, 2000, 2000, 2000, 1000 }, 5);
	p[1] = mk_pkt(data, 4, NULL, 0);
	UNIT_CHECK(need > RTE_DIM(m->vr.shadow));
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, p, 1), 1);
	UNIT_CHECK_EQ(used_idx(m), need);
	UNIT_CHECK_EQ(used_at(m, 0).len, 16);
	UNIT_CHECK_EQ(used_at(m, need - 1).len, 9012 - 16 * (need - 1));
	UNIT_CHECK_EQ(rx_check(m, 0, data, 9000, need), need);

	/* 36 chains left + 484 new = 520 < need once the small one took 1 */
	for (int i = 0; i < 484; i++)
		post_rx(m, (uint32_t[]){ 16 }, 1, false);
	kick(m);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, (struct rte_mbuf *[]){ p[1], p[0] }, 2), 1);
	UNIT_CHECK_EQ(used_idx(m), need + 1);
	UNIT_CHECK_EQ(vsw_vring_get_base(&m->vr), need + 1);
	UNIT_CHECK_EQ(m->vr.nr_shadow, 0);
	UNIT_CHECK_EQ(rx_check(m, need, data, 4, 1), 1);
	for (int i = 0; i < 100; i++)
		post_rx(m, (uint32_t[]){ 16 }, 1, false);
	kick(m);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, p, 1), 1);
	UNIT_CHECK_EQ(used_idx(m), 2 * need + 1);
	UNIT_CHECK_EQ(rx_check(m, need + 1, data, 9000, need), need);
	free_pkts(p, 2);
	UNIT_CHECK(pool_full());
	mock_free(m);
	return 0;
}

static int
test_rx_multiseg_mbuf(void)
{
	struct mock *m = mock_new(16, 0, 12);
	struct mock *mm = mock_new(16, F_MRG, 12);
	uint8_t data[1607];
	struct rte_mbuf *p;

	pattern(data, sizeof(data), 17);
	p = mk_pkt(data, 1607, (uint32_t[]){ 100, 0, 1500, 7 }, 4);
	post_rx(m, (uint32_t[]){ 700, 1000 }, 2, false);
	kick(m);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, &p, 1), 1);
	UNIT_CHECK_EQ(used_at(m, 0).len, 1619);
	UNIT_CHECK_EQ(rx_check(m, 0, data, 1607, 1), 1);
	for (int i = 0; i < 4; i++)
		post_rx(mm, (uint32_t[]){ 300, 300 }, 2, false);
	kick(mm);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&mm->vr, &p, 1), 1);
	UNIT_CHECK_EQ(used_idx(mm), 3);
	UNIT_CHECK_EQ(rx_check(mm, 0, data, 1607, 3), 3);
	rte_pktmbuf_free(p);
	UNIT_CHECK(pool_full());
	mock_free(m);
	mock_free(mm);
	return 0;
}

static int
test_rx_cross_region(void)
{
	struct mock *m = mock_new(16, 0, 12);
	uint8_t data[1000];
	struct rte_mbuf *p;

	pattern(data, sizeof(data), 18);
	m->next_buf = GPA_B - 7; /* header straddles the region boundary */
	post_rx(m, (uint32_t[]){ 1500 }, 1, false);
	kick(m);
	p = mk_pkt(data, 1000, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, &p, 1), 1);
	UNIT_CHECK_EQ(rx_check(m, 0, data, 1000, 1), 1);
	rte_pktmbuf_free(p);
	mock_free(m);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Notifications                                                       */

static int
test_event_idx(void)
{
	struct mock *m = mock_new(16, F_EVT, 12);
	uint16_t *used_event = &m->avail->ring[m->size];

	UNIT_CHECK(!vsw_vring_need_call(&m->vr)); /* nothing published */
	UNIT_CHECK_EQ(m->vr.stats.calls + m->vr.stats.calls_suppressed, 0);
	UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);             /* idx 1 */
	UNIT_CHECK(vsw_vring_need_call(&m->vr));     /* first: always */
	UNIT_CHECK(!vsw_vring_need_call(&m->vr));    /* nothing new */
	*used_event = 1;                 /* call once entry 1 is used */
	UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);             /* idx 2 */
	UNIT_CHECK(vsw_vring_need_call(&m->vr));
	*used_event = 5;
	UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);             /* idx 3 */
	UNIT_CHECK(!vsw_vring_need_call(&m->vr));
	UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);             /* idx 4 */
	UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);             /* idx 5 */
	UNIT_CHECK(!vsw_vring_need_call(&m->vr));
	UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);             /* idx 6 > 5 */
	UNIT_CHECK(vsw_vring_need_call(&m->vr));
	/* several entries published between two answers, event inside */
	*used_event = 7;
	for (int i = 0; i < 3; i++)
		UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);     /* idx 9 */
	UNIT_CHECK(vsw_vring_need_call(&m->vr));
	/* event behind old: already signalled, no new call */
	*used_event = 8;
	UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);             /* idx 10 */
	UNIT_CHECK(!vsw_vring_need_call(&m->vr));
	/* the NO_INTERRUPT flag is ignored with EVENT_IDX */
	m->avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	*used_event = 10;
	UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);             /* idx 11 */
	UNIT_CHECK(vsw_vring_need_call(&m->vr));
	UNIT_CHECK_EQ(m->vr.stats.calls, 5);
	UNIT_CHECK_EQ(m->vr.stats.calls_suppressed, 3);
	UNIT_CHECK(pool_full());
	mock_free(m);
	return 0;
}

static int
test_no_interrupt(void)
{
	struct mock *m = mock_new(16, 0, 12);

	UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);
	UNIT_CHECK(vsw_vring_need_call(&m->vr));
	m->avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);
	UNIT_CHECK(!vsw_vring_need_call(&m->vr));
	UNIT_CHECK(!vsw_vring_need_call(&m->vr));
	m->avail->flags = 0;
	UNIT_CHECK(!vsw_vring_need_call(&m->vr)); /* nothing new since */
	UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);
	UNIT_CHECK(vsw_vring_need_call(&m->vr));
	UNIT_CHECK_EQ(m->vr.stats.calls, 2);
	UNIT_CHECK_EQ(m->vr.stats.calls_suppressed, 1);
	mock_free(m);
	return 0;
}

static int
test_disable_kicks(void)
{
	struct mock *m = mock_new(16, F_EVT, 12);
	uint16_t *avail_event = (uint16_t *)&m->used->ring[m->size];

	UNIT_CHECK_EQ(mock_reset(m, 5), 0);
	vsw_vring_disable_kicks(&m->vr);
	UNIT_CHECK(m->used->flags & VRING_USED_F_NO_NOTIFY);
	UNIT_CHECK_EQ(*avail_event, 4);
	/* the driver, adding entries 5..9, is not asked to kick */
	UNIT_CHECK(!vring_need_event(*avail_event, 10, 5));
	UNIT_CHECK(!vring_need_event(*avail_event, 6, 5));
	mock_free(m);
	return 0;
}

/* A device that sleeps until kicked: the request, and the race check. */
static int
test_enable_kicks(void)
{
	struct mock *m = mock_new(16, F_EVT, 12);
	uint16_t *avail_event = (uint16_t *)&m->used->ring[m->size];
	struct rte_mbuf *pkts[1];
	uint8_t data[64];

	pattern(data, sizeof(data), 3);
	UNIT_CHECK_EQ(mock_reset(m, 5), 0);
	vsw_vring_disable_kicks(&m->vr);
	UNIT_CHECK(!vsw_vring_enable_kicks(&m->vr));
	UNIT_CHECK(!(m->used->flags & VRING_USED_F_NO_NOTIFY));
	UNIT_CHECK_EQ(*avail_event, 5);
	/* the driver adding entry 5 is asked to kick */
	UNIT_CHECK(vring_need_event(*avail_event, 6, 5));
	/* a buffer already there: process it, no kick will come */
	UNIT_CHECK(!vsw_vring_pending(&m->vr));
	post_tx1(m, data, sizeof(data));
	kick(m);
	UNIT_CHECK(vsw_vring_pending(&m->vr));
	UNIT_CHECK(vsw_vring_enable_kicks(&m->vr));
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 1), 1);
	UNIT_CHECK(!vsw_vring_pending(&m->vr));
	free_pkts(pkts, 1);
	mock_free(m);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Regressions (issue 14)                                              */

/*
 * A tx header in pieces of uneven sizes lands where each piece belongs:
 * a 2-byte descriptor, then the other 10 header bytes at the start of the
 * next one (once copied to offset 0, keeping stale bytes).
 */
static int
test_tx_hdr_uneven_pieces(void)
{
	static const uint32_t cuts[][3] = {
		{ 2, 0, 0 }, { 1, 0, 0 }, { 11, 0, 0 }, { 5, 4, 0 }, { 2, 2, 0 },
	};
	struct mock *m = mock_new(16, F_IND, 12);
	uint8_t pkt[1054], hdr[12];
	uint32_t len = mk_tcp4(pkt, 1000);
	struct rte_mbuf *pkts[8];

	m->tx_off = OFF_ALL;
	m->tx_hdr = hdr;
	UNIT_CHECK_EQ(mock_reset(m, 0), 0);
	mk_vhdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 34, 16);
	for (unsigned int i = 0; i < RTE_DIM(cuts); i++) {
		uint32_t lens[4], n = 0, at = 0;

		for (unsigned int k = 0; k < 3 && cuts[i][k] != 0; k++) {
			lens[n++] = cuts[i][k];
			at += cuts[i][k];
		}
		lens[n++] = 12 - at + len; /* header rest + payload */
		post_tx(m, pkt, len, lens, (int)n, i % 2 == 1);
	}
	kick(m);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 8),
		      RTE_DIM(cuts));
	UNIT_CHECK_EQ(m->vr.stats.drop_bad_hdr, 0);
	for (unsigned int i = 0; i < RTE_DIM(cuts); i++) {
		UNIT_CHECK_EQ(pkts[i]->ol_flags & RTE_MBUF_F_TX_L4_MASK,
			      RTE_MBUF_F_TX_TCP_CKSUM);
		UNIT_CHECK_EQ(pkts[i]->l2_len + pkts[i]->l3_len, 34);
		UNIT_CHECK_EQ(pkt_eq(pkts[i], pkt, len), 0);
	}
	free_pkts(pkts, RTE_DIM(cuts));
	UNIT_CHECK(pool_full());
	mock_free(m);
	return 0;
}

/* Mergeable rx: only the first chain must hold the header; later chains
 * smaller than it (even empty) carry payload. */
static int
test_rx_mrg_small_later(void)
{
	struct mock *m = mock_new(16, F_MRG | F_IND, 12);
	uint8_t data[200];
	struct rte_mbuf *p;

	pattern(data, sizeof(data), 16);
	post_rx(m, (uint32_t[]){ 100 }, 1, false);
	post_rx(m, (uint32_t[]){ 4 }, 1, false);
	post_rx(m, (uint32_t[]){ 0 }, 1, true);
	post_rx(m, (uint32_t[]){ 3, 5 }, 2, false);
	post_rx(m, (uint32_t[]){ 1000 }, 1, false);
	kick(m);
	p = mk_pkt(data, 200, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, &p, 1), 1);
	UNIT_CHECK_EQ(m->vr.broken, VSW_VRING_OK);
	UNIT_CHECK_EQ(used_idx(m), 5);
	UNIT_CHECK_EQ(used_at(m, 1).len, 4);
	UNIT_CHECK_EQ(used_at(m, 2).len, 0);
	UNIT_CHECK_EQ(used_at(m, 3).len, 8);
	UNIT_CHECK_EQ(used_at(m, 4).len, 212 - 112);
	UNIT_CHECK_EQ(rx_check(m, 0, data, 200, 5), 5);
	rte_pktmbuf_free(p);
	UNIT_CHECK(pool_full());
	mock_free(m);
	return 0;
}

/*
 * Without MRG_RXBUF a chain too small for a packet is walked once per
 * burst, not once per packet: a later packet that cannot fit either is
 * skipped without touching it (seen here: its bytes never reach the
 * buffer), one that fits takes it.
 */
static int
test_rx_short_chain_walked_once(void)
{
	struct mock *m = mock_new(256, 0, 12);
	uint32_t lens[MAXSEG];
	struct rte_mbuf *p[4];
	uint8_t a[1000], b[1000], got[60];
	uint16_t head;

	pattern(a, sizeof(a), 1);
	pattern(b, sizeof(b), 2);
	for (int i = 0; i < MAXSEG; i++)
		lens[i] = 4; /* 64 bytes in 16 descriptors */
	head = post_rx(m, lens, MAXSEG, false);
	kick(m);
	p[0] = mk_pkt(a, 1000, NULL, 0);
	p[1] = mk_pkt(b, 999, NULL, 0);
	p[2] = mk_pkt(b, 53, NULL, 0); /* 12 + 53 > 64: skipped too */
	p[3] = mk_pkt(b + 1, 52, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, p, 3), 0);
	UNIT_CHECK_EQ(m->vr.stats.drop_no_buf, 3);
	/* the first packet's walk left its bytes; nobody walked again */
	chain_read(m, head, got, sizeof(got));
	UNIT_CHECK(memcmp(got + 12, a, sizeof(got) - 12) == 0);
	UNIT_CHECK_EQ(used_idx(m), 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, p, 4), 1);
	UNIT_CHECK_EQ(used_at(m, 0).len, 64);
	UNIT_CHECK_EQ(rx_check(m, 0, b + 1, 52, 1), 1);
	free_pkts(p, 4);
	UNIT_CHECK(pool_full());
	mock_free(m);
	return 0;
}

/* An indirect table of exactly the queue size is fine (tx). */
static int
test_tx_indirect_queue_size(void)
{
	struct mock *m = mock_new(8, F_IND, 12);
	struct rte_mbuf *pkts[2];
	uint8_t data[100];

	pattern(data, sizeof(data), 17);
	post_tx(m, data, 100, (uint32_t[]){ 12, 10, 10, 10, 10, 10, 10, 40 },
		8, true);
	kick(m);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 2), 1);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, 100), 0);
	free_pkts(pkts, 1);
	UNIT_CHECK(pool_full());
	mock_free(m);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Hostile rings                                                       */

static void
raw(struct mock *m, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
    uint16_t next)
{
	m->desc[i] = (struct vring_desc){ addr, len, flags, next };
}

static void
raw_avail(struct mock *m, uint16_t head)
{
	m->avail->ring[m->avail_idx & (m->size - 1)] = head;
	m->avail_idx++;
	kick(m);
}

static void
bad_avail_jump(struct mock *m)
{
	m->avail_idx = m->size + 1;
	kick(m);
}

static void
bad_head(struct mock *m)
{
	raw_avail(m, m->size);
}

static void
bad_next(struct mock *m)
{
	raw(m, 0, GPA_BUF, 64, VRING_DESC_F_NEXT, m->size);
	raw_avail(m, 0);
}

static void
bad_loop(struct mock *m)
{
	raw(m, 0, GPA_BUF, 64, VRING_DESC_F_NEXT, 1);
	raw(m, 1, GPA_BUF, 64, VRING_DESC_F_NEXT, 2);
	raw(m, 2, GPA_BUF, 64, VRING_DESC_F_NEXT, 0);
	raw_avail(m, 0);
}

static void
bad_self_loop(struct mock *m)
{
	raw(m, 3, GPA_BUF, 0, VRING_DESC_F_NEXT, 3);
	raw_avail(m, 3);
}

/* Indirect table of @p n entries at GPA_IND, referenced by desc 0. */
static struct vring_desc *
ind(struct mock *m, uint32_t n, uint32_t len, uint16_t flags)
{
	raw(m, 0, GPA_IND, len, VRING_DESC_F_INDIRECT | flags, 0);
	raw_avail(m, 0);
	(void)n;
	return (void *)hp(m, GPA_IND);
}

static void
bad_ind_loop(struct mock *m)
{
	struct vring_desc *t = ind(m, 2, 32, 0);

	t[0] = (struct vring_desc){ GPA_BUF, 64, VRING_DESC_F_NEXT, 1 };
	t[1] = (struct vring_desc){ GPA_BUF, 64, VRING_DESC_F_NEXT, 0 };
}

static void
bad_ind_next(struct mock *m)
{
	struct vring_desc *t = ind(m, 2, 32, 0);

	t[0] = (struct vring_desc){ GPA_BUF, 64, VRING_DESC_F_NEXT, 2 };
}

static void
bad_ind_nested(struct mock *m)
{
	struct vring_desc *t = ind(m, 2, 32, 0);

	t[0] = (struct vring_desc){ GPA_BUF, 64, VRING_DESC_F_NEXT, 1 };
	t[1] = (struct vring_desc){ GPA_IND + 64, 16, VRING_DESC_F_INDIRECT, 0 };
}

static void
bad_ind_nested_first(struct mock *m)
{
	struct vring_desc *t = ind(m, 1, 16, 0);

	t[0] = (struct vring_desc){ GPA_IND + 64, 16, VRING_DESC_F_INDIRECT, 0 };
}

static void
bad_ind_len(struct mock *m)
{
	struct vring_desc *t = ind(m, 2, 24, 0);

	t[0] = (struct vring_desc){ GPA_BUF, 64, 0, 0 };
}

static void
bad_ind_valid(struct mock *m)
{
	struct vring_desc *t = ind(m, 1, 16, 0);

	t[0] = (struct vring_desc){ GPA_BUF, 64, 0, 0 };
}

static void
bad_ind_len0(struct mock *m)
{
	ind(m, 0, 0, 0);
}

static void
bad_ind_huge(struct mock *m)
{
	ind(m, 0, 16 * VSW_VRING_MAX_SIZE + 16, 0);
}

/* A table of valid entries, one more than the queue size (8). */
static void
bad_ind_over_queue(struct mock *m)
{
	struct vring_desc *t = ind(m, 9, 9 * 16, 0);

	for (int i = 0; i < 9; i++)
		t[i] = (struct vring_desc){ GPA_BUF + 64 * i, 64,
					    i < 8 ? VRING_DESC_F_NEXT : 0,
					    (uint16_t)(i + 1) };
}

/* Two ring descriptors, then a table of 7: nine buffers in one chain. */
static void
bad_ind_chain_over_queue(struct mock *m)
{
	struct vring_desc *t = (void *)hp(m, GPA_IND);

	for (int i = 0; i < 7; i++)
		t[i] = (struct vring_desc){ GPA_BUF + 64 * i, 64,
					    i < 6 ? VRING_DESC_F_NEXT : 0,
					    (uint16_t)(i + 1) };
	raw(m, 0, GPA_BUF, 12, VRING_DESC_F_NEXT, 1);
	raw(m, 1, GPA_BUF + 512, 64, VRING_DESC_F_NEXT, 2);
	raw(m, 2, GPA_IND, 7 * 16, VRING_DESC_F_INDIRECT, 0);
	raw_avail(m, 0);
}

static void
bad_ind_with_next(struct mock *m)
{
	struct vring_desc *t = ind(m, 1, 16, VRING_DESC_F_NEXT);

	t[0] = (struct vring_desc){ GPA_BUF, 64, 0, 0 };
	raw(m, 1, GPA_BUF, 64, 0, 0);
}

static void
bad_ind_outside(struct mock *m)
{
	raw(m, 0, GPA_END - 16, 32, VRING_DESC_F_INDIRECT, 0);
	raw_avail(m, 0);
}

static void
bad_ind_straddle(struct mock *m)
{
	raw(m, 0, GPA_B - 16, 32, VRING_DESC_F_INDIRECT, 0);
	raw_avail(m, 0);
}

static void
bad_addr(struct mock *m)
{
	raw(m, 0, 0x10, 64, 0, 0);
	raw_avail(m, 0);
}

static void
bad_addr_tail(struct mock *m)
{
	raw(m, 0, GPA_BUF, 12, VRING_DESC_F_NEXT, 1);
	raw(m, 1, GPA_END - 10, 100, 0, 0);
	raw_avail(m, 0);
}

static void
bad_addr_wrap(struct mock *m)
{
	raw(m, 0, UINT64_MAX - 5, 100, 0, 0);
	raw_avail(m, 0);
}

static void
bad_tx_write(struct mock *m)
{
	raw(m, 0, GPA_BUF, 12, VRING_DESC_F_NEXT, 1);
	raw(m, 1, GPA_BUF + 64, 64, VRING_DESC_F_WRITE, 0);
	raw_avail(m, 0);
}

static void
bad_tx_short(struct mock *m)
{
	raw(m, 0, GPA_BUF, 4, VRING_DESC_F_NEXT, 1);
	raw(m, 1, GPA_BUF + 64, 4, 0, 0);
	raw_avail(m, 0);
}

static void
bad_rx_readonly(struct mock *m)
{
	raw(m, 0, GPA_BUF, 12, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	raw(m, 1, GPA_BUF + 64, 1500, 0, 0);
	raw_avail(m, 0);
}

static void
bad_rx_short(struct mock *m)
{
	raw(m, 0, GPA_BUF, 8, VRING_DESC_F_WRITE, 0);
	raw_avail(m, 0);
}

static void
bad_rx_addr(struct mock *m)
{
	raw(m, 0, GPA_END - 100, 1500, VRING_DESC_F_WRITE, 0);
	raw_avail(m, 0);
}

static void
bad_rx_loop(struct mock *m)
{
	raw(m, 0, GPA_BUF, 64, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	raw(m, 1, GPA_BUF, 64, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 0);
	raw_avail(m, 0);
}

static void
bad_rx_ind_outside(struct mock *m)
{
	raw(m, 0, 0x1000, 64, VRING_DESC_F_INDIRECT, 0);
	raw_avail(m, 0);
}

struct bad_case {
	const char *name;
	void (*setup)(struct mock *m);
	uint32_t flags;
	bool rx;
	enum vsw_vring_err err;
};

static const struct bad_case bad_cases[] = {
	{ "avail jump", bad_avail_jump, F_IND, false, VSW_VRING_E_AVAIL_IDX },
	{ "avail jump rx", bad_avail_jump, F_MRG, true, VSW_VRING_E_AVAIL_IDX },
	{ "head out of range", bad_head, F_IND, false, VSW_VRING_E_DESC_IDX },
	{ "head out of range rx", bad_head, 0, true, VSW_VRING_E_DESC_IDX },
	{ "next out of range", bad_next, F_IND, false, VSW_VRING_E_DESC_IDX },
	{ "loop", bad_loop, F_IND, false, VSW_VRING_E_CHAIN_LEN },
	{ "self loop", bad_self_loop, 0, false, VSW_VRING_E_CHAIN_LEN },
	{ "indirect loop", bad_ind_loop, F_IND, false, VSW_VRING_E_CHAIN_LEN },
	{ "indirect next out of range", bad_ind_next, F_IND, false,
	  VSW_VRING_E_DESC_IDX },
	{ "nested indirect", bad_ind_nested, F_IND, false, VSW_VRING_E_INDIRECT },
	{ "nested indirect first", bad_ind_nested_first, F_IND, false,
	  VSW_VRING_E_INDIRECT },
	{ "indirect len % 16", bad_ind_len, F_IND, false, VSW_VRING_E_INDIRECT },
	{ "indirect len 0", bad_ind_len0, F_IND, false, VSW_VRING_E_INDIRECT },
	{ "indirect too long", bad_ind_huge, F_IND, false, VSW_VRING_E_INDIRECT },
	{ "indirect longer than the queue", bad_ind_over_queue, F_IND, false,
	  VSW_VRING_E_INDIRECT },
	{ "indirect longer than the queue rx", bad_ind_over_queue, F_IND, true,
	  VSW_VRING_E_INDIRECT },
	{ "chain + indirect longer than the queue", bad_ind_chain_over_queue,
	  F_IND, false, VSW_VRING_E_CHAIN_LEN },
	{ "indirect + next", bad_ind_with_next, F_IND, false,
	  VSW_VRING_E_INDIRECT },
	{ "indirect not negotiated", bad_ind_valid, 0, false,
	  VSW_VRING_E_INDIRECT },
	{ "indirect not negotiated rx", bad_ind_valid, 0, true,
	  VSW_VRING_E_INDIRECT },
	{ "indirect table outside", bad_ind_outside, F_IND, false,
	  VSW_VRING_E_INDIRECT },
	{ "indirect table straddles", bad_ind_straddle, F_IND, false,
	  VSW_VRING_E_INDIRECT },
	{ "addr outside", bad_addr, F_IND, false, VSW_VRING_E_ADDR },
	{ "addr tail outside", bad_addr_tail, F_IND, false, VSW_VRING_E_ADDR },
	{ "addr wraps", bad_addr_wrap, F_IND, false, VSW_VRING_E_ADDR },
	{ "write desc in tx", bad_tx_write, F_IND, false, VSW_VRING_E_DIRECTION },
	{ "tx header short", bad_tx_short, F_IND, false, VSW_VRING_E_HEADER },
	{ "read-only desc in rx", bad_rx_readonly, 0, true,
	  VSW_VRING_E_DIRECTION },
	{ "read-only desc in rx mrg", bad_rx_readonly, F_MRG, true,
	  VSW_VRING_E_DIRECTION },
	{ "rx header short", bad_rx_short, 0, true, VSW_VRING_E_HEADER },
	{ "rx header short mrg", bad_rx_short, F_MRG, true, VSW_VRING_E_HEADER },
	{ "rx addr outside", bad_rx_addr, F_MRG, true, VSW_VRING_E_ADDR },
	{ "rx indirect outside", bad_rx_ind_outside, F_IND, true,
	  VSW_VRING_E_INDIRECT },
	{ "rx loop", bad_rx_loop, 0, true, VSW_VRING_E_CHAIN_LEN },
	{ "rx loop mrg", bad_rx_loop, F_MRG, true, VSW_VRING_E_CHAIN_LEN },
};

static int
run_bad(const struct bad_case *c, struct mock *good)
{
	struct mock *m = mock_new(8, c->flags, 12);
	struct rte_mbuf *pkts[3];
	uint8_t data[2000];

	pattern(data, sizeof(data), 19);
	c->setup(m);
	for (int round = 0; round < 2; round++) {
		if (c->rx) {
			for (int i = 0; i < 3; i++)
				pkts[i] = mk_pkt(data, 1500, NULL, 0);
			UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, pkts, 3), 0);
			UNIT_CHECK_EQ(m->vr.stats.drop_bad, 3 * (round + 1));
			free_pkts(pkts, 3);
		} else {
			UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 3), 0);
			UNIT_CHECK_EQ(m->vr.stats.drop_bad,
				      c->err != VSW_VRING_E_AVAIL_IDX);
		}
		UNIT_CHECK_EQ(m->vr.broken, c->err);
		UNIT_CHECK_EQ(used_idx(m), 0);
		UNIT_CHECK_EQ(m->vr.stats.packets, 0);
		/* sticky: a healthy chain posted afterwards is not touched */
		m->next_desc = 5;
		if (c->rx)
			post_rx(m, (uint32_t[]){ 2000 }, 1, false);
		else
			post_tx1(m, data, 100);
		kick(m);
	}
	UNIT_CHECK_EQ(tx_roundtrip(good, 77), 0);
	UNIT_CHECK(pool_full());
	/* re-initialisation clears the state */
	UNIT_CHECK_EQ(mock_reset(m, 0), 0);
	UNIT_CHECK_EQ(m->vr.broken, VSW_VRING_OK);
	mock_free(m);
	return 0;
}

static int
test_malformed(void)
{
	struct mock *good = mock_new(64, F_IND, 12);

	for (size_t i = 0; i < RTE_DIM(bad_cases); i++) {
		if (good->vr.last_avail_idx > 32)
			UNIT_CHECK_EQ(mock_reset(good, 0), 0);
		if (run_bad(&bad_cases[i], good) != 0) {
			fprintf(stderr, "  case \"%s\" failed\n", bad_cases[i].name);
			return -1;
		}
	}
	UNIT_CHECK_EQ(good->vr.broken, VSW_VRING_OK);
	mock_free(good);
	return 0;
}

/* Good chains before a bad one in the same burst still complete. */
static int
test_malformed_mid_burst(void)
{
	struct mock *m = mock_new(16, 0, 12);
	struct rte_mbuf *pkts[8];
	uint8_t data[400];

	pattern(data, sizeof(data), 20);
	post_tx1(m, data, 100);
	post_tx1(m, data, 200);
	raw(m, 10, GPA_BUF, 64, VRING_DESC_F_WRITE, 0);
	raw_avail(m, 10);
	post_tx1(m, data, 50);
	kick(m);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 8), 2);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, 100), 0);
	UNIT_CHECK_EQ(pkt_eq(pkts[1], data, 200), 0);
	UNIT_CHECK_EQ(used_idx(m), 2);
	UNIT_CHECK_EQ(m->vr.broken, VSW_VRING_E_DIRECTION);
	UNIT_CHECK_EQ(m->vr.stats.drop_bad, 1);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts + 2, 8), 0);
	free_pkts(pkts, 2);
	mock_free(m);

	/* rx: first packet delivered, the second hits a read-only buffer */
	m = mock_new(16, F_MRG, 12);
	post_rx(m, (uint32_t[]){ 300 }, 1, false);
	raw(m, 10, GPA_BUF + 4096, 64, 0, 0);
	raw_avail(m, 10);
	kick(m);
	pkts[0] = mk_pkt(data, 100, NULL, 0);
	pkts[1] = mk_pkt(data, 400, NULL, 0);
	pkts[2] = mk_pkt(data, 10, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, pkts, 3), 1);
	UNIT_CHECK_EQ(used_idx(m), 1);
	UNIT_CHECK_EQ(rx_check(m, 0, data, 100, 1), 1);
	UNIT_CHECK_EQ(m->vr.broken, VSW_VRING_E_DIRECTION);
	UNIT_CHECK_EQ(m->vr.stats.drop_bad, 2);
	free_pkts(pkts, 3);
	UNIT_CHECK(pool_full());
	mock_free(m);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Randomised                                                          */

static uint32_t
rnd_len(uint32_t max)
{
	switch (rnd() % 4) {
	case 0:
		return rnd_in(0, 128);
	case 1:
	case 2:
		return rnd_in(0, 1600);
	default:
		return rnd_in(0, max);
	}
}

static int
random_tx_round(struct mock *m, uint8_t *data)
{
	struct rte_mbuf *pkts[32];
	uint32_t plen[48], want = 0, seen = 0;
	uint16_t heads[48];
	int k = (int)rnd_in(1, 48);

	m->next_buf = GPA_B - rnd_in(0, 65536); /* straddle the boundary */
	for (int i = 0; i < k; i++) {
		uint32_t lens[MAXSEG];
		bool indirect = rnd() % 4 == 0;
		int n = (int)rnd_in(1, indirect ? 8 : 4);

		plen[i] = rnd_len(9000);
		want += plen[i] > 0;
		cut_tx(m->hdr_len, plen[i], lens, n);
		heads[i] = post_tx(m, data + i, plen[i], lens, n, indirect);
		m->next_buf += rnd_in(0, 64);
	}
	kick(m);
	/* header-only chains are returned without a packet */
	for (int i = 0, loops = 0; used_n(m) < k; loops++) {
		uint16_t got = vsw_vring_dequeue_burst(&m->vr, g_pool, pkts,
						       (uint16_t)rnd_in(1, 32));

		UNIT_CHECK(loops < 100);
		for (uint16_t j = 0; j < got; j++, i++) {
			while (plen[i] == 0)
				i++;
			UNIT_CHECK(i < k);
			UNIT_CHECK_EQ(pkt_eq(pkts[j], data + i, plen[i]), 0);
		}
		seen += got;
		free_pkts(pkts, got);
	}
	UNIT_CHECK_EQ(seen, want);
	UNIT_CHECK_EQ(used_n(m), k);
	UNIT_CHECK_EQ((uint16_t)(vsw_vring_get_base(&m->vr) - m->base), k);
	for (int i = 0; i < k; i++)
		UNIT_CHECK_EQ(used_at(m, (uint16_t)i).id, heads[i]);
	UNIT_CHECK_EQ(m->vr.broken, VSW_VRING_OK);
	return 0;
}

/* What the engine should do with the posted chains: a reference model. */
static int
rx_model(const uint32_t *cap, int nc, const uint32_t *plen, int np,
	 uint8_t hdr, bool mrg, int *chains, int *first)
{
	int c = 0, sent = 0;

	memset(chains, 0, np * sizeof(*chains));
	for (int i = 0; i < np; i++) {
		uint32_t need = hdr + plen[i];
		int n = 0;

		chains[i] = 0;
		if (c == nc)
			break;
		if (!mrg) {
			if (need > cap[c])
				continue;
			first[i] = c++;
			chains[i] = 1;
			sent++;
			continue;
		}
		while (c + n < nc && need > 0) {
			need -= RTE_MIN(need, cap[c + n]);
			n++;
		}
		if (need > 0)
			break;
		first[i] = c;
		chains[i] = n;
		c += n;
		sent++;
	}
	return sent;
}

static int
random_rx_round(struct mock *m, uint8_t *data)
{
	bool mrg = m->flags & F_MRG;
	struct rte_mbuf *pkts[32];
	uint32_t cap[64], plen[32];
	int nc = (int)rnd_in(1, 64), np = (int)rnd_in(1, 32);
	int chains[32], first[32], sent, used = 0;
	uint64_t drops = m->vr.stats.drop_no_buf;

	m->next_buf = GPA_B - rnd_in(0, 65536);
	for (int i = 0; i < nc; i++) {
		uint32_t lens[MAXSEG];
		bool indirect = rnd() % 4 == 0;
		int n = (int)rnd_in(1, indirect ? 6 : 3);

		cap[i] = rnd_in(m->hdr_len, mrg ? 1600 : 4000);
		cut(cap[i], lens, n);
		post_rx(m, lens, n, indirect);
	}
	kick(m);
	for (int i = 0; i < np; i++) {
		uint32_t segl[4];
		int ns = (int)rnd_in(1, 4);

		plen[i] = rnd_len(6000);
		cut(plen[i], segl, ns);
		for (int s = 0; s < ns; s++) /* keep every segment within one mbuf */
			if (segl[s] > 2000) {
				plen[i] -= segl[s] - 2000;
				segl[s] = 2000;
			}
		pkts[i] = mk_pkt(data + i, plen[i], segl, ns);
	}
	sent = rx_model(cap, nc, plen, np, m->hdr_len, mrg, chains, first);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, pkts, (uint16_t)np), sent);
	UNIT_CHECK_EQ(m->vr.stats.drop_no_buf - drops, np - sent);
	for (int i = 0; i < np; i++) {
		if (chains[i] == 0)
			continue;
		UNIT_CHECK_EQ(rx_check(m, (uint16_t)first[i], data + i, plen[i],
				       (uint16_t)chains[i]), chains[i]);
		used += chains[i];
	}
	UNIT_CHECK_EQ(used_n(m), used);
	UNIT_CHECK_EQ((uint16_t)(vsw_vring_get_base(&m->vr) - m->base), used);
	UNIT_CHECK_EQ(m->vr.broken, VSW_VRING_OK);
	free_pkts(pkts, (uint16_t)np);
	return 0;
}

static int
test_random(void)
{
	static uint8_t data[10000];
	struct mock *tx[2] = { mock_new(256, F_IND, 12), mock_new(256, F_IND, 10) };
	struct mock *rx[3] = { mock_new(256, F_IND, 12), mock_new(256, F_IND, 10),
			       mock_new(256, F_IND | F_MRG, 12) };

	rng = 0x243f6a8885a308d3ull; /* fixed seed: reproducible */
	for (uint32_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)rnd();
	for (int round = 0; round < 300; round++) {
		struct mock *t = tx[round % 2], *r = rx[round % 3];
		uint16_t base = (uint16_t)rnd();

		UNIT_CHECK_EQ(mock_reset(t, base), 0);
		UNIT_CHECK_EQ(mock_reset(r, base), 0);
		if (random_tx_round(t, data) != 0 || random_rx_round(r, data) != 0) {
			fprintf(stderr, "  round %d failed\n", round);
			return -1;
		}
	}
	UNIT_CHECK(pool_full());
	for (int i = 0; i < 2; i++)
		mock_free(tx[i]);
	for (int i = 0; i < 3; i++)
		mock_free(rx[i]);
	return 0;
}

/* ------------------------------------------------------------------ */

static const struct unit_test tests[] = {
	UNIT_TEST(test_mem_translate),
	UNIT_TEST(test_init_checks),
	UNIT_TEST(test_index_wrap),
	UNIT_TEST(test_tx_single),
	UNIT_TEST(test_tx_hdr_own_desc),
	UNIT_TEST(test_tx_multi_desc),
	UNIT_TEST(test_tx_indirect),
	UNIT_TEST(test_tx_chained_mbuf),
	UNIT_TEST(test_tx_cross_region),
	UNIT_TEST(test_tx_zero_payload),
	UNIT_TEST(test_tx_oversize),
	UNIT_TEST(test_tx_in_order_and_burst),
	UNIT_TEST(test_tx_mempool_exhaustion),
	UNIT_TEST(test_tx_offload_hdr),
	UNIT_TEST(test_rx_offload_hdr),
	UNIT_TEST(test_rx_simple),
	UNIT_TEST(test_rx_too_small),
	UNIT_TEST(test_rx_mrg_3),
	UNIT_TEST(test_rx_mrg_hdr_split),
	UNIT_TEST(test_rx_mrg_rollback),
	UNIT_TEST(test_rx_mrg_shadow_overflow),
	UNIT_TEST(test_rx_multiseg_mbuf),
	UNIT_TEST(test_rx_cross_region),
	UNIT_TEST(test_event_idx),
	UNIT_TEST(test_no_interrupt),
	UNIT_TEST(test_disable_kicks),
	UNIT_TEST(test_enable_kicks),
	UNIT_TEST(test_tx_hdr_uneven_pieces),
	UNIT_TEST(test_rx_mrg_small_later),
	UNIT_TEST(test_rx_short_chain_walked_once),
	UNIT_TEST(test_tx_indirect_queue_size),
	UNIT_TEST(test_malformed),
	UNIT_TEST(test_malformed_mid_burst),
	UNIT_TEST(test_random),
};

int
main(int argc, char **argv)
{
	(void)argc;
	if (unit_eal_init(argv[0]) != 0)
		return 1;
	g_pool = rte_pktmbuf_pool_create("vring_pool", POOL_N, 0, 0,
					 RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (g_pool == NULL) {
		fprintf(stderr, "mempool: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	return unit_main("vring", tests, RTE_DIM(tests));
}
