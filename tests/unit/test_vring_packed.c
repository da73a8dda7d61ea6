/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the packed virtqueue engine (lib/vring/vring_packed.c)
 * against a mock driver that behaves like Linux's packed virtio_ring.c:
 * wrap counters initialised to 1, a free list of buffer ids, the id in
 * every descriptor of a chain, AVAIL/USED flags per position, the head's
 * flags stored last with release, indirect tables of vring_packed_desc,
 * used descriptors detected by AVAIL == USED == used wrap counter, and the
 * used position advanced by the buffer's descriptor count.
 *
 * Two guest memory regions, contiguous in guest-physical space but
 * separate in ours, so that buffers can straddle a region boundary:
 *
 *   gpa GPA_A  +0x00000 descriptor ring (up to 32768 entries)
 *              +0x80000 driver event area, +0x80010 device event area
 *              +0x90000 indirect tables
 *              +0x100000 buffers ... up to the end of region B
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
#define GPA_DESC (GPA_A + 0x00000)
#define GPA_DRV  (GPA_A + 0x80000)
#define GPA_DEV  (GPA_A + 0x80010)
#define GPA_IND  (GPA_A + 0x90000)
#define GPA_BUF  (GPA_A + 0x100000)
#define MAXSEG   16
#define MAXRING  1024
#define F_IND    VSW_VRING_F_INDIRECT
#define F_MRG    VSW_VRING_F_MRG_RXBUF
#define F_EVT    VSW_VRING_F_EVENT_IDX
#define F_PK     VSW_VRING_F_PACKED
#define D_AVAIL  ((uint16_t)(1u << VRING_PACKED_DESC_F_AVAIL))
#define D_USED   ((uint16_t)(1u << VRING_PACKED_DESC_F_USED))
#define D_NEXT   VRING_DESC_F_NEXT
#define D_WRITE  VRING_DESC_F_WRITE
#define D_IND    VRING_DESC_F_INDIRECT
#define SLOT     7900 /* some slot straddles GPA_B */
#define BASE(idx, wrap) ((uint32_t)(idx) | (uint32_t)(wrap) << 15)


/* ------------------------------------------------------------------ */
/* Mock packed driver                                                  */

struct seg {
	uint64_t gpa; /* 0: allocate */
	uint32_t len;
	uint16_t flags;
};

/* Driver bookkeeping per buffer id (Linux desc_state / desc_extra). */
struct bufst {
	bool busy;
	uint16_t num; /* ring descriptors */
	uint8_t nseg;
	struct seg seg[MAXSEG];
};

struct pmock {
	struct vsw_mem mem;
	uint8_t *ha, *hb;
	uint16_t size;
	uint32_t flags;
	uint8_t hdr_len;
	uint8_t tx_off, rx_off; /* ring offloads (VSW_NET_OFF_*) */
	const uint8_t *tx_hdr;  /* header post_tx writes; NULL: garbage */
	bool rx; /* used descriptors carry WRITE and a length */
	struct vring_packed_desc *desc;
	struct vring_packed_desc_event *drv; /* driver area: we write it */
	struct vring_packed_desc_event *dev; /* device area: device writes */
	uint16_t next_avail, last_used, num_free;
	bool avail_wrap, used_wrap;
	uint16_t free_ids[MAXRING], nfree_ids;
	uint64_t next_ind, next_buf;
	uint32_t pend_cap[MAXRING]; /* random rx: buffers still offered */
	int npend;
	bool slots; /* rx buffers at a fixed place per id (SLOT apart) */
	struct bufst st[MAXRING];
	struct vsw_vring vr;
};

static uint8_t *
hp(struct pmock *m, uint64_t gpa)
{
	if (gpa >= GPA_A && gpa < GPA_B)
		return m->ha + (gpa - GPA_A);
	if (gpa >= GPA_B && gpa < GPA_END)
		return m->hb + (gpa - GPA_B);
	abort();
}

/* Copy to (@p out false) or from guest memory, across regions. */
static void
gcopy(struct pmock *m, uint64_t gpa, void *buf, uint32_t len, bool out)
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

static struct vsw_vring_config
pm_cfg(struct pmock *m, uint32_t base)
{
	return (struct vsw_vring_config){
		.desc_packed = m->desc, .driver_event = m->drv,
		.device_event = m->dev, .mem = &m->mem, .size = m->size,
		.base = base, .flags = m->flags | F_PK, .hdr_len = m->hdr_len,
		.tx_offloads = m->tx_off, .rx_offloads = m->rx_off,
	};
}

/* Flags a descriptor has once used in the lap with wrap counter @p w. */
static uint16_t
used_bits(bool w)
{
	return w ? (uint16_t)(D_AVAIL | D_USED) : 0;
}

/* Avail flags a driver with wrap counter @p w writes. */
static uint16_t
avail_bits(bool w)
{
	return w ? D_AVAIL : D_USED;
}

/*
 * Reset the ring to @p base (vhost-user encoding, bits 0-15 only) as if
 * every earlier buffer had been used: positions before the base were used
 * in this lap, the others in the previous one.
 */
static int
pm_reset(struct pmock *m, uint32_t base)
{
	struct vsw_vring_config cfg = pm_cfg(m, base);
	uint16_t idx = base & 0x7fff;
	bool w = (base >> 15) & 1;

	memset(m->ha, 0, GPA_BUF - GPA_A);
	for (uint16_t i = 0; i < m->size && m->size <= MAXRING; i++)
		m->desc[i].flags = used_bits(i < idx ? w : !w);
	m->next_avail = m->last_used = idx;
	m->avail_wrap = m->used_wrap = w;
	m->num_free = m->size;
	m->nfree_ids = 0;
	for (int i = (int)RTE_MIN(m->size, MAXRING) - 1; i >= 0; i--) {
		m->free_ids[m->nfree_ids++] = (uint16_t)i;
		m->st[i].busy = false;
	}
	m->next_ind = GPA_IND;
	m->next_buf = GPA_BUF;
	m->npend = 0;
	return vsw_vring_init(&m->vr, &cfg);
}

static struct pmock *
pm_new(uint16_t size, uint32_t flags, uint8_t hdr_len, bool rx)
{
	struct pmock *m = calloc(1, sizeof(*m));

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
		GPA_A, SIZE_A, GPA_A, (uintptr_t)m->ha };
	m->mem.regions[1] = (struct vsw_mem_region){
		GPA_B, SIZE_B, GPA_B, (uintptr_t)m->hb };
	m->size = size;
	m->flags = flags;
	m->hdr_len = hdr_len;
	m->rx = rx;
	m->desc = (void *)hp(m, GPA_DESC);
	m->drv = (void *)hp(m, GPA_DRV);
	m->dev = (void *)hp(m, GPA_DEV);
	if (pm_reset(m, BASE(0, 1)) != 0)
		abort();
	return m;
}

static void
pm_free(struct pmock *m)
{
	free(m->ha);
	free(m->hb);
	free(m);
}

static uint64_t
buf_alloc(struct pmock *m, uint32_t len)
{
	uint64_t g = m->next_buf;

	m->next_buf = (g + len + 7) & ~7ull;
	if (m->next_buf > GPA_END)
		abort();
	return g;
}

/* Next ring position of the driver, flipping its wrap counter at the end. */
static void
avail_step(struct pmock *m)
{
	if (++m->next_avail == m->size) {
		m->next_avail = 0;
		m->avail_wrap = !m->avail_wrap;
	}
}

/*
 * Make a buffer available (Linux virtqueue_add_packed /
 * virtqueue_add_indirect_packed): descriptors from @p s, buffers allocated
 * where gpa is 0, the head's flags stored last with release.
 * @return its id.
 */
static uint16_t
post(struct pmock *m, struct seg *s, int n, bool indirect)
{
	uint16_t head = m->next_avail, head_flags = 0, id;
	int nd = indirect ? 1 : n;

	if (m->nfree_ids == 0 || m->num_free < nd || n > MAXSEG)
		abort();
	id = m->free_ids[--m->nfree_ids];
	for (int i = 0; i < n; i++)
		if (s[i].gpa == 0)
			s[i].gpa = buf_alloc(m, s[i].len);
	if (indirect) {
		struct vring_packed_desc *tbl = (void *)hp(m, m->next_ind);

		for (int i = 0; i < n; i++)
			tbl[i] = (struct vring_packed_desc){
				s[i].gpa, s[i].len, 0, s[i].flags };
		m->desc[head] = (struct vring_packed_desc){
			m->next_ind, 16u * n, id, 0 };
		head_flags = D_IND | avail_bits(m->avail_wrap);
		m->next_ind += 16u * n;
		avail_step(m);
	}
	for (int i = 0; !indirect && i < n; i++) {
		uint16_t f = s[i].flags | (i + 1 < n ? D_NEXT : 0) |
			     avail_bits(m->avail_wrap);

		m->desc[m->next_avail] = (struct vring_packed_desc){
			s[i].gpa, s[i].len, id, i == 0 ? 0 : f };
		if (i == 0)
			head_flags = f;
		avail_step(m);
	}
	m->st[id].busy = true;
	m->st[id].num = (uint16_t)nd;
	m->st[id].nseg = (uint8_t)n;
	memcpy(m->st[id].seg, s, n * sizeof(*s));
	m->num_free = (uint16_t)(m->num_free - nd);
	/* virtio_wmb, then expose the head */
	__atomic_store_n(&m->desc[head].flags, head_flags, __ATOMIC_RELEASE);
	return id;
}

/*
 * Take the next used buffer (Linux virtqueue_get_buf_ctx_packed), checking
 * the used descriptor against the spec: flags exactly AVAIL|USED per the
 * wrap counter plus WRITE iff the device wrote (rx), len 0 on tx.
 * @return 1 (got it), 0 (none) or -1 (malformed used descriptor).
 */
static int
pget(struct pmock *m, uint16_t *id, uint32_t *len)
{
	struct vring_packed_desc *d = &m->desc[m->last_used];
	uint16_t f = __atomic_load_n(&d->flags, __ATOMIC_ACQUIRE);
	bool avail = f & D_AVAIL, used = f & D_USED;

	if (avail != used || used != m->used_wrap)
		return 0;
	*id = d->id;
	*len = d->len;
	if (*id >= m->size || !m->st[*id].busy)
		return -1;
	if (f != (used_bits(m->used_wrap) | (m->rx ? D_WRITE : 0)))
		return -1;
	if (m->rx ? *len == 0 : *len != 0)
		return -1;
	m->st[*id].busy = false;
	m->free_ids[m->nfree_ids++] = *id;
	m->num_free = (uint16_t)(m->num_free + m->st[*id].num);
	m->last_used = (uint16_t)(m->last_used + m->st[*id].num);
	if (m->last_used >= m->size) {
		m->last_used = (uint16_t)(m->last_used - m->size);
		m->used_wrap = !m->used_wrap;
	}
	return 1;
}

/* Take used buffers until none is left; @return how many, -1 if bad. */
static int
pget_all(struct pmock *m)
{
	uint16_t id;
	uint32_t len;
	int n = 0, rc;

	while ((rc = pget(m, &id, &len)) == 1)
		n++;
	return rc < 0 ? -1 : n;
}

/* Post a tx buffer carrying header + payload in descriptors of @p lens
 * (their sum is hdr_len + plen). The header is garbage the device skips. */
static uint16_t
post_tx(struct pmock *m, const uint8_t *payload, uint32_t plen,
	const uint32_t *lens, int n, bool indirect)
{
	uint32_t total = m->hdr_len + plen, off = 0;
	uint8_t *stream = malloc(total);
	struct seg s[MAXSEG];

	if (m->tx_hdr != NULL)
		memcpy(stream, m->tx_hdr, m->hdr_len);
	else
		memset(stream, 0xee, m->hdr_len);
	memcpy(stream + m->hdr_len, payload, plen);
	for (int i = 0; i < n; i++) {
		s[i] = (struct seg){ buf_alloc(m, lens[i]), lens[i], 0 };
		if (off + s[i].len > total)
			abort();
		gcopy(m, s[i].gpa, stream + off, s[i].len, false);
		off += s[i].len;
	}
	if (off != total)
		abort();
	free(stream);
	return post(m, s, n, indirect);
}

static uint16_t
post_tx1(struct pmock *m, const uint8_t *payload, uint32_t plen)
{
	uint32_t len = m->hdr_len + plen;

	return post_tx(m, payload, plen, &len, 1, false);
}

/* Post a device-writable buffer, its memory filled with garbage. */
static uint16_t
post_rx(struct pmock *m, const uint32_t *lens, int n, bool indirect)
{
	struct seg s[MAXSEG];

	/* buffers still offered from earlier rounds must not be reused */
	if (m->slots && m->nfree_ids > 0)
		m->next_buf = GPA_BUF + SLOT * (uint64_t)m->free_ids[m->nfree_ids - 1];
	for (int i = 0; i < n; i++) {
		s[i] = (struct seg){ buf_alloc(m, lens[i]), lens[i], D_WRITE };
		for (uint32_t b = 0; b < s[i].len; b++)
			*hp(m, s[i].gpa + b) = 0xaa;
	}
	return post(m, s, n, indirect);
}

/* Read the first @p len bytes the device wrote into buffer @p id. */
static void
buf_read(struct pmock *m, uint16_t id, uint8_t *out, uint32_t len)
{
	for (int i = 0; i < m->st[id].nseg && len > 0; i++) {
		uint32_t k = RTE_MIN(len, m->st[id].seg[i].len);

		gcopy(m, m->st[id].seg[i].gpa, out, k, true);
		out += k;
		len -= k;
	}
}

/*
 * Take the @p nbufs used buffers of the next received packet and check
 * them: header zeroed with num_buffers == @p nbufs (12-byte header),
 * payload equal to @p data. @return nbufs, or -1.
 */
static int
rx_check(struct pmock *m, const uint8_t *data, uint32_t len, uint16_t nbufs)
{
	uint8_t *buf = malloc(m->hdr_len + len + 1), hdr[12] = { 0 };
	uint32_t off = 0, ulen;
	uint16_t id;
	int rc = -1;

	for (uint16_t c = 0; c < nbufs; c++) {
		uint32_t cap = 0;

		if (pget(m, &id, &ulen) != 1 || off + ulen > m->hdr_len + len)
			goto out;
		for (int i = 0; i < m->st[id].nseg; i++)
			cap += m->st[id].seg[i].len;
		/* all but the last buffer are filled completely */
		if (ulen > cap || (c + 1 < nbufs && ulen != cap))
			goto out;
		buf_read(m, id, buf + off, ulen);
		off += ulen;
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
tx_roundtrip(struct pmock *m, uint32_t plen)
{
	uint8_t data[3000];
	struct rte_mbuf *pkts[4];
	uint16_t id, uid;
	uint32_t ulen;

	pattern(data, plen, plen);
	id = post_tx1(m, data, plen);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 4), 1);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, plen), 0);
	UNIT_CHECK_EQ(pget(m, &uid, &ulen), 1);
	UNIT_CHECK_EQ(uid, id);
	free_pkts(pkts, 1);
	return 0;
}

/* Engine and driver agree on where both stand (ring at rest). */
static int
base_agrees(struct pmock *m)
{
	uint32_t b = vsw_vring_get_base(&m->vr);

	UNIT_CHECK_EQ(b & 0xffff, BASE(m->next_avail, m->avail_wrap));
	UNIT_CHECK_EQ(b >> 16, BASE(m->last_used, m->used_wrap));
	return 0;
}

/* ------------------------------------------------------------------ */
/* Set-up and base encoding                                            */

static int
test_init_checks(void)
{
	struct pmock *m = pm_new(8, 0, 12, false);
	struct vsw_vring_config cfg = pm_cfg(m, BASE(0, 1)), c;
	uint16_t sizes_ok[] = { 1, 3, 5, 8, 100, 1000, 32767, 32768 };
	uint16_t sizes_bad[] = { 0, 32769, 65535 };

	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &cfg), 0);
	for (size_t i = 0; i < RTE_DIM(sizes_ok); i++) {
		c = cfg;
		c.size = sizes_ok[i]; /* not necessarily a power of two */
		UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), 0);
	}
	for (size_t i = 0; i < RTE_DIM(sizes_bad); i++) {
		c = cfg;
		c.size = sizes_bad[i];
		UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), -EINVAL);
	}
	c = cfg;
	c.desc_packed = (void *)((uint8_t *)m->desc + 8);
	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), -EINVAL);
	c = cfg;
	c.driver_event = (void *)((uint8_t *)m->drv + 2);
	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), -EINVAL);
	c = cfg;
	c.device_event = (void *)((uint8_t *)m->dev + 2);
	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), -EINVAL);
	c = cfg;
	c.desc_packed = NULL;
	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), -EINVAL);
	c = cfg;
	c.driver_event = NULL;
	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), -EINVAL);
	c = cfg;
	c.device_event = NULL;
	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), -EINVAL);
	c = cfg;
	c.mem = NULL;
	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), -EINVAL);
	c = cfg;
	c.hdr_len = 11;
	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), -EINVAL);
	c.hdr_len = 10;
	c.flags |= F_MRG;
	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), -EINVAL);
	c.flags &= ~F_MRG;
	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), 0);
	/* the split pointers are not needed */
	c = cfg;
	UNIT_CHECK(c.desc == NULL && c.avail == NULL && c.used == NULL);
	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), 0);
	UNIT_CHECK(!vsw_vring_need_call(&m->vr));
	UNIT_CHECK_EQ(m->vr.broken, VSW_VRING_OK);
	pm_free(m);
	return 0;
}

static int
test_base_encoding(void)
{
	struct pmock *m = pm_new(8, 0, 12, false);
	struct vsw_vring_config c = pm_cfg(m, 0);
	struct {
		uint32_t base, get;
		int rc;
	} cases[] = {
		/* fresh ring (DPDK virtio-user, QEMU): idx 0, wrap 1 */
		{ BASE(0, 1), BASE(0, 1) | BASE(0, 1) << 16, 0 },
		/* only the avail half: used = avail */
		{ BASE(5, 1), BASE(5, 1) | BASE(5, 1) << 16, 0 },
		{ BASE(3, 0), BASE(3, 0) | BASE(3, 0) << 16, 0 },
		/* both halves */
		{ BASE(6, 1) | BASE(2, 0) << 16, BASE(6, 1) | BASE(2, 0) << 16, 0 },
		{ BASE(7, 0) | BASE(7, 1) << 16, BASE(7, 0) | BASE(7, 1) << 16, 0 },
		{ BASE(8, 1), 0, -EINVAL },          /* avail idx == size */
		{ BASE(1, 1) | BASE(9, 1) << 16, 0, -EINVAL },
		{ 0x7fff, 0, -EINVAL },
	};

	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		c.base = cases[i].base;
		UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), cases[i].rc);
		if (cases[i].rc == 0)
			UNIT_CHECK_EQ(vsw_vring_get_base(&m->vr), cases[i].get);
	}
	c.base = BASE(6, 1) | BASE(2, 0) << 16;
	UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), 0);
	UNIT_CHECK_EQ(m->vr.last_avail_idx, 6);
	UNIT_CHECK(m->vr.avail_wrap);
	UNIT_CHECK_EQ(m->vr.last_used_idx, 2);
	UNIT_CHECK(!m->vr.used_wrap);
	pm_free(m);
	return 0;
}

/* Stop and restart the ring through get_base at every point of a wrap. */
static int
test_base_roundtrip(void)
{
	struct pmock *m = pm_new(5, 0, 12, false);

	UNIT_CHECK_EQ(pm_reset(m, BASE(3, 0)), 0);
	UNIT_CHECK_EQ(base_agrees(m), 0);
	for (int i = 0; i < 23; i++) {
		struct vsw_vring_config c = pm_cfg(m, vsw_vring_get_base(&m->vr));

		UNIT_CHECK_EQ(tx_roundtrip(m, 40 + (uint32_t)i), 0);
		UNIT_CHECK_EQ(base_agrees(m), 0);
		c.base = vsw_vring_get_base(&m->vr);
		UNIT_CHECK_EQ(vsw_vring_init(&m->vr, &c), 0);
		UNIT_CHECK_EQ(base_agrees(m), 0);
	}
	/* 23 buffers from position 3, wrap 0: (3 + 23) = 5 * 5 + 1 */
	UNIT_CHECK_EQ(vsw_vring_get_base(&m->vr),
		      BASE(1, 1) | BASE(1, 1) << 16);
	UNIT_CHECK(pool_full());
	pm_free(m);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Dequeue (guest tx)                                                  */

static int
test_tx_single(void)
{
	struct pmock *m = pm_new(16, 0, 12, false);
	struct rte_mbuf *pkts[32];
	uint8_t data[100];
	uint16_t id, uid;
	uint32_t ulen;

	pattern(data, sizeof(data), 1);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 32), 0);
	id = post_tx1(m, data, sizeof(data));
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 32), 1);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, sizeof(data)), 0);
	/* used descriptor at position 0: id, len 0, AVAIL|USED, no WRITE */
	UNIT_CHECK_EQ(m->desc[0].id, id);
	UNIT_CHECK_EQ(m->desc[0].len, 0);
	UNIT_CHECK_EQ(m->desc[0].flags, D_AVAIL | D_USED);
	UNIT_CHECK_EQ(pget(m, &uid, &ulen), 1);
	UNIT_CHECK_EQ(uid, id);
	UNIT_CHECK_EQ(vsw_vring_get_base(&m->vr), BASE(1, 1) | BASE(1, 1) << 16);
	UNIT_CHECK_EQ(m->vr.stats.packets, 1);
	UNIT_CHECK_EQ(m->vr.stats.bytes, 100);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts + 1, 32), 0);
	UNIT_CHECK_EQ(pget(m, &uid, &ulen), 0);
	free_pkts(pkts, 1);
	UNIT_CHECK(pool_full());
	pm_free(m);
	return 0;
}

/* Chains: header in its own descriptor or split, zero-length pieces; the
 * id is the last descriptor's, the used position skips the chain. */
static int
test_tx_chain(void)
{
	struct pmock *m = pm_new(16, 0, 12, false);
	uint32_t lens[] = { 5, 9, 0, 50, 6, 20 }, lens2[] = { 12, 200 };
	uint32_t lens10[] = { 3, 3, 4, 40 };
	struct vring_packed_desc keep[6];
	struct rte_mbuf *pkts[4];
	uint16_t id1, id2, uid;
	uint8_t data[200];
	uint32_t ulen;

	pattern(data, sizeof(data), 3);
	id1 = post_tx(m, data, 78, lens, 6, false);
	id2 = post_tx(m, data, 200, lens2, 2, false);
	/* make the id differ in the head: only the last one counts */
	m->desc[0].id = (uint16_t)(id1 + 7);
	memcpy(keep, m->desc, sizeof(keep));
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 4), 2);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, 78), 0);
	UNIT_CHECK_EQ(pkt_eq(pkts[1], data, 200), 0);
	/* one used descriptor per chain, at its head position */
	UNIT_CHECK_EQ(m->desc[0].id, id1);
	UNIT_CHECK_EQ(m->desc[6].id, id2);
	UNIT_CHECK_EQ(m->desc[6].flags, D_AVAIL | D_USED);
	/* the chain's other descriptors are left alone */
	UNIT_CHECK(memcmp(&m->desc[1], &keep[1], 5 * sizeof(keep[0])) == 0);
	UNIT_CHECK_EQ(m->desc[7].flags, avail_bits(true));
	UNIT_CHECK_EQ(pget(m, &uid, &ulen), 1);
	UNIT_CHECK_EQ(uid, id1);
	UNIT_CHECK_EQ(pget(m, &uid, &ulen), 1);
	UNIT_CHECK_EQ(uid, id2);
	UNIT_CHECK_EQ(vsw_vring_get_base(&m->vr) & 0xffff, BASE(8, 1));
	free_pkts(pkts, 2);
	pm_free(m);

	/* legacy 10-byte header split over three descriptors */
	m = pm_new(16, 0, 10, false);
	post_tx(m, data, 40, lens10, 4, false);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 4), 1);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, 40), 0);
	UNIT_CHECK_EQ(pget_all(m), 1);
	free_pkts(pkts, 1);
	UNIT_CHECK(pool_full());
	pm_free(m);
	return 0;
}

static int
test_tx_indirect(void)
{
	struct pmock *m = pm_new(16, F_IND, 12, false);
	uint32_t lens[] = { 12, 100, 3, 400 }, lens2[] = { 12 + 688 };
	uint32_t lens3[] = { 4, 8, 30 };
	struct rte_mbuf *pkts[4];
	uint16_t id[3], uid;
	uint8_t data[700];
	uint32_t ulen;

	pattern(data, sizeof(data), 4);
	id[0] = post_tx(m, data, 503, lens, 4, true);
	id[1] = post_tx(m, data, 688, lens2, 1, true);
	id[2] = post_tx(m, data, 30, lens3, 3, false); /* mixed with direct */
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 4), 3);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, 503), 0);
	UNIT_CHECK_EQ(pkt_eq(pkts[1], data, 688), 0);
	UNIT_CHECK_EQ(pkt_eq(pkts[2], data, 30), 0);
	for (int i = 0; i < 3; i++) {
		UNIT_CHECK_EQ(pget(m, &uid, &ulen), 1);
		UNIT_CHECK_EQ(uid, id[i]);
	}
	UNIT_CHECK_EQ(base_agrees(m), 0);
	UNIT_CHECK_EQ(vsw_vring_get_base(&m->vr) & 0xffff, BASE(5, 1));
	free_pkts(pkts, 3);
	UNIT_CHECK(pool_full());
	pm_free(m);
	return 0;
}

/* Payloads bigger than one mbuf become chains; buffers straddle regions. */
static int
test_tx_big(void)
{
	struct pmock *m = pm_new(16, F_IND, 12, false);
	static uint8_t data[9000];
	uint32_t lens[] = { 12 + 1000, 3000, 1000 };
	uint32_t room = RTE_MBUF_DEFAULT_DATAROOM;
	struct rte_mbuf *pkts[4];

	pattern(data, sizeof(data), 5);
	post_tx(m, data, 5000, lens, 3, false);
	post_tx1(m, data, 9000);
	m->next_buf = GPA_B - 5; /* header itself straddles, via indirect */
	post_tx(m, data, 1400, (uint32_t[]){ 1412 }, 1, true);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 4), 3);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, 5000), 0);
	UNIT_CHECK_EQ(pkts[0]->nb_segs, (5000 + room - 1) / room);
	UNIT_CHECK_EQ(pkts[0]->data_len, room);
	UNIT_CHECK_EQ(pkt_eq(pkts[1], data, 9000), 0);
	UNIT_CHECK_EQ(pkts[1]->nb_segs, (9000 + room - 1) / room);
	UNIT_CHECK_EQ(pkt_eq(pkts[2], data, 1400), 0);
	UNIT_CHECK_EQ(m->vr.stats.bytes, 15400);
	UNIT_CHECK_EQ(pget_all(m), 3);
	free_pkts(pkts, 3);
	UNIT_CHECK(pool_full());
	pm_free(m);
	return 0;
}

/* Header-only buffers return without a packet; oversized ones drop. */
static int
test_tx_empty_and_oversize(void)
{
	struct pmock *m = pm_new(16, 0, 12, false);
	static uint8_t data[70000];
	struct rte_mbuf *pkts[4];
	uint16_t id[4], uid;
	uint32_t ulen;

	pattern(data, sizeof(data), 7);
	id[0] = post_tx1(m, data, 0);
	id[1] = post_tx1(m, data, 64);
	id[2] = post_tx(m, data, 70000, (uint32_t[]){ 12, 70000 }, 2, false);
	id[3] = post_tx(m, data, 0, (uint32_t[]){ 4, 8 }, 2, false);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 4), 1);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, 64), 0);
	for (int i = 0; i < 4; i++) {
		UNIT_CHECK_EQ(pget(m, &uid, &ulen), 1);
		UNIT_CHECK_EQ(uid, id[i]);
	}
	UNIT_CHECK_EQ(m->vr.stats.packets, 1);
	UNIT_CHECK_EQ(m->vr.stats.drop_bad, 1);
	UNIT_CHECK_EQ(m->vr.broken, VSW_VRING_OK);
	free_pkts(pkts, 1);
	UNIT_CHECK(pool_full());
	pm_free(m);
	return 0;
}

/* Bursts stop at 32 packets; used order is ring order. */
static int
test_tx_burst(void)
{
	struct pmock *m = pm_new(64, 0, 12, false);
	struct rte_mbuf *pkts[32];
	uint16_t ids[40], uid, got;
	uint8_t data[256];
	uint32_t ulen;

	pattern(data, sizeof(data), 9);
	for (int i = 0; i < 40; i++)
		ids[i] = post_tx1(m, data, (uint32_t)i * 5 + 1);
	got = vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 32);
	UNIT_CHECK_EQ(got, 32);
	for (int i = 0; i < 32; i++)
		UNIT_CHECK_EQ(pkt_eq(pkts[i], data, (uint32_t)i * 5 + 1), 0);
	free_pkts(pkts, got);
	got = vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 3);
	UNIT_CHECK_EQ(got, 3);
	free_pkts(pkts, got);
	got = vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 32);
	UNIT_CHECK_EQ(got, 5);
	UNIT_CHECK_EQ(pkt_eq(pkts[4], data, 39 * 5 + 1), 0);
	free_pkts(pkts, got);
	for (int i = 0; i < 40; i++) {
		UNIT_CHECK_EQ(pget(m, &uid, &ulen), 1);
		UNIT_CHECK_EQ(uid, ids[i]);
	}
	UNIT_CHECK(pool_full());
	pm_free(m);
	return 0;
}

/* Mempool empty: stop, leave the buffer in the ring, lose nothing. */
static int
test_tx_mempool_exhaustion(void)
{
	struct rte_mempool *small = rte_pktmbuf_pool_create("vring_pk_small",
				4, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	struct pmock *m = pm_new(16, 0, 12, false);
	struct rte_mbuf *pkts[32], *hold[2];
	static uint8_t data[5000];
	uint16_t got;

	UNIT_CHECK(small != NULL);
	pattern(data, sizeof(data), 10);
	for (int i = 0; i < 6; i++)
		post_tx1(m, data, 100 + (uint32_t)i);
	got = vsw_vring_dequeue_burst(&m->vr, small, pkts, 32);
	UNIT_CHECK_EQ(got, 4);
	UNIT_CHECK_EQ(pget_all(m), 4);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, small, pkts + 4, 32), 0);
	UNIT_CHECK_EQ(pget_all(m), 0);
	free_pkts(pkts, 4);
	got = vsw_vring_dequeue_burst(&m->vr, small, pkts, 32);
	UNIT_CHECK_EQ(got, 2);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, 104), 0);
	UNIT_CHECK_EQ(pkt_eq(pkts[1], data, 105), 0);
	free_pkts(pkts, got);
	UNIT_CHECK_EQ(pget_all(m), 2);

	/* a 3-segment packet with only 2 mbufs free: left for later */
	hold[0] = rte_pktmbuf_alloc(small);
	hold[1] = rte_pktmbuf_alloc(small);
	post_tx1(m, data, 5000);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, small, pkts, 32), 0);
	UNIT_CHECK_EQ(rte_mempool_avail_count(small), 2);
	UNIT_CHECK_EQ(pget_all(m), 0);
	rte_pktmbuf_free(hold[0]);
	rte_pktmbuf_free(hold[1]);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, small, pkts, 32), 1);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, 5000), 0);
	UNIT_CHECK_EQ(pget_all(m), 1);
	UNIT_CHECK_EQ(m->vr.stats.drop_no_mbuf, 0);
	UNIT_CHECK_EQ(m->vr.stats.packets, 7);
	free_pkts(pkts, 1);
	UNIT_CHECK_EQ(rte_mempool_avail_count(small), 4);
	UNIT_CHECK_EQ(base_agrees(m), 0);
	rte_mempool_free(small);
	pm_free(m);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Wrap-around and the batch fast path                                 */

/* Many laps of small rings (odd sizes too) with chains crossing the end. */
static int
test_wrap_many(void)
{
	static const uint16_t sizes[] = { 1, 2, 3, 5, 8, 13 };
	static uint8_t data[4000];

	pattern(data, sizeof(data), 21);
	for (size_t s = 0; s < RTE_DIM(sizes); s++) {
		struct pmock *m = pm_new(sizes[s], F_IND, 12, false);
		int flips = 0;
		bool w = m->avail_wrap;

		for (int round = 0; round < 300; round++) {
			struct rte_mbuf *pkts[32];
			uint32_t plen[32], lens[MAXSEG];
			uint16_t ids[32], uid, got;
			uint32_t ulen;
			int k = 0;

			m->next_buf = GPA_BUF;
			m->next_ind = GPA_IND;
			while (k < 32 && m->num_free > 0 && rnd() % 4 != 0) {
				bool ind = rnd() % 5 == 0;
				/* an indirect table holds at most the
				 * queue size (VIRTIO 1.3 2.8.19) */
				int n = (int)rnd_in(1, RTE_MIN(ind ? m->size :
							       m->num_free, 4));

				plen[k] = rnd_in(1, 1500);
				lens[0] = m->hdr_len + plen[k];
				for (int i = 1; i < n; i++) {
					lens[i] = rnd_in(0, lens[0]);
					lens[0] -= lens[i];
				}
				ids[k] = post_tx(m, data + k, plen[k], lens, n, ind);
				k++;
			}
			got = vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 32);
			UNIT_CHECK_EQ(got, k);
			for (int i = 0; i < k; i++) {
				UNIT_CHECK_EQ(pkt_eq(pkts[i], data + i, plen[i]), 0);
				UNIT_CHECK_EQ(pget(m, &uid, &ulen), 1);
				UNIT_CHECK_EQ(uid, ids[i]);
			}
			free_pkts(pkts, got);
			UNIT_CHECK_EQ(base_agrees(m), 0);
			flips += m->avail_wrap != w;
			w = m->avail_wrap;
		}
		UNIT_CHECK(flips > 20);
		UNIT_CHECK_EQ(m->vr.broken, VSW_VRING_OK);
		pm_free(m);
	}
	UNIT_CHECK(pool_full());
	return 0;
}

/* Four single-descriptor buffers per cache line take the fast path. */
static int
test_batch_tx(void)
{
	struct pmock *m = pm_new(16, 0, 12, false);
	static uint8_t data[3000];
	struct rte_mbuf *pkts[32];
	uint16_t ids[16], uid;
	uint32_t ulen;

	pattern(data, sizeof(data), 22);
	for (int i = 0; i < 8; i++)
		ids[i] = post_tx1(m, data + i, 60 + (uint32_t)i);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 32), 8);
	UNIT_CHECK_EQ(m->vr.batched, 8);
	for (int i = 0; i < 8; i++) {
		UNIT_CHECK_EQ(pkt_eq(pkts[i], data + i, 60 + (uint32_t)i), 0);
		UNIT_CHECK_EQ(pget(m, &uid, &ulen), 1);
		UNIT_CHECK_EQ(uid, ids[i]);
	}
	free_pkts(pkts, 8);

	/* positions 8-9 a chain, 10-11 singles (one by one), 12-15 a batch,
	 * 0 a chain start wrapping... 0-3 singles again after the wrap */
	ids[0] = post_tx(m, data, 100, (uint32_t[]){ 12, 100 }, 2, false);
	for (int i = 1; i < 7; i++)
		ids[i] = post_tx1(m, data + i, 200 + (uint32_t)i);
	/* one too big for an mbuf: the batch at 0-3 falls back */
	ids[7] = post_tx1(m, data, 2500);
	for (int i = 8; i < 11; i++)
		ids[i] = post_tx1(m, data + i, 300 + (uint32_t)i);
	UNIT_CHECK_EQ(m->next_avail, 4);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 32), 11);
	UNIT_CHECK_EQ(m->vr.batched, 12);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, 100), 0);
	for (int i = 1; i < 7; i++)
		UNIT_CHECK_EQ(pkt_eq(pkts[i], data + i, 200 + (uint32_t)i), 0);
	UNIT_CHECK_EQ(pkt_eq(pkts[7], data, 2500), 0);
	UNIT_CHECK_EQ(pkts[7]->nb_segs, 2);
	for (int i = 8; i < 11; i++)
		UNIT_CHECK_EQ(pkt_eq(pkts[i], data + i, 300 + (uint32_t)i), 0);
	for (int i = 0; i < 11; i++) {
		UNIT_CHECK_EQ(pget(m, &uid, &ulen), 1);
		UNIT_CHECK_EQ(uid, ids[i]);
	}
	free_pkts(pkts, 11);
	UNIT_CHECK_EQ(base_agrees(m), 0);

	/* a batch stops at the end of a ring whose size is not 4k */
	pm_free(m);
	m = pm_new(6, 0, 12, false);
	for (int r = 0; r < 5; r++) {
		for (int i = 0; i < 6; i++)
			ids[i] = post_tx1(m, data + i, 70);
		UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 32), 6);
		for (int i = 0; i < 6; i++) {
			UNIT_CHECK_EQ(pkt_eq(pkts[i], data + i, 70), 0);
			UNIT_CHECK_EQ(pget(m, &uid, &ulen), 1);
			UNIT_CHECK_EQ(uid, ids[i]);
		}
		free_pkts(pkts, 6);
	}
	UNIT_CHECK_EQ(m->vr.batched, 20); /* positions 0-3 of each lap */
	UNIT_CHECK(pool_full());
	pm_free(m);
	return 0;
}

/*
 * With offloads negotiated a batch whose headers ask for something falls
 * back to the one-by-one path, which applies or refuses each header.
 */
static int
test_batch_tx_offload(void)
{
	struct pmock *m = pm_new(16, 0, 12, false);
	uint8_t pkt[254], hdr[12];
	uint32_t len = mk_tcp4(pkt, 200);
	struct rte_mbuf *pkts[32];

	m->tx_off = VSW_NET_OFF_CSUM;
	UNIT_CHECK_EQ(pm_reset(m, BASE(0, 1)), 0);
	m->tx_hdr = hdr;
	mk_vhdr(hdr, 0, 0, 0, 0, 0);
	for (int i = 0; i < 4; i++)
		post_tx1(m, pkt, len);                      /* batch */
	post_tx1(m, pkt, len);
	mk_vhdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 34, 16);
	post_tx1(m, pkt, len);                              /* csum */
	mk_vhdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4,
		100, 34, 16);
	post_tx1(m, pkt, len);                              /* not offered */
	mk_vhdr(hdr, 0, 0, 0, 0, 0);
	post_tx1(m, pkt, len);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 32), 7);
	UNIT_CHECK_EQ(m->vr.batched, 4);
	UNIT_CHECK_EQ(m->vr.stats.drop_bad_hdr, 1);
	UNIT_CHECK_EQ(pget_all(m), 8);
	for (int i = 0; i < 7; i++) {
		UNIT_CHECK_EQ(pkt_eq(pkts[i], pkt, len), 0);
		UNIT_CHECK_EQ(pkts[i]->ol_flags != 0, i == 5);
	}
	UNIT_CHECK(pkts[5]->ol_flags & RTE_MBUF_F_TX_TCP_CKSUM);
	free_pkts(pkts, 7);
	UNIT_CHECK(pool_full());
	pm_free(m);
	return 0;
}

static int
test_batch_rx(void)
{
	struct pmock *m = pm_new(16, F_MRG, 12, true);
	struct rte_mbuf *p[12];
	uint8_t data[1500];

	pattern(data, sizeof(data), 23);
	for (int i = 0; i < 12; i++)
		post_rx(m, (uint32_t[]){ 1600 }, 1, false);
	for (int i = 0; i < 12; i++)
		p[i] = i == 9 ? mk_pkt(data + i, 300, (uint32_t[]){ 100, 200 }, 2)
			      : mk_pkt(data + i, 100 + (uint32_t)i, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, p, 12), 12);
	/* 0-3 and 4-7 batched; 8-11 not: packet 9 has two segments */
	UNIT_CHECK_EQ(m->vr.batched, 8);
	for (int i = 0; i < 12; i++)
		UNIT_CHECK_EQ(rx_check(m, data + i, p[i]->pkt_len, 1), 1);
	free_pkts(p, 12);

	/* a buffer straddling two memory regions breaks a batch */
	pm_free(m);
	m = pm_new(16, 0, 12, true);
	for (int i = 0; i < 4; i++) {
		if (i == 2)
			m->next_buf = GPA_B - 50;
		post_rx(m, (uint32_t[]){ 1600 }, 1, false);
	}
	for (int i = 0; i < 4; i++)
		p[i] = mk_pkt(data + i, 100 + (uint32_t)i, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, p, 4), 4);
	UNIT_CHECK_EQ(m->vr.batched, 0);
	for (int i = 0; i < 4; i++)
		UNIT_CHECK_EQ(rx_check(m, data + i, 100 + (uint32_t)i, 1), 1);
	free_pkts(p, 4);

	/* non-mergeable, 10-byte header; a buffer too small breaks a batch */
	pm_free(m);
	m = pm_new(16, 0, 10, true);
	for (int i = 0; i < 8; i++)
		post_rx(m, (uint32_t[]){ i == 6 ? 50 : 600 }, 1, false);
	for (int i = 0; i < 8; i++)
		p[i] = mk_pkt(data + i, i == 7 ? 30 : 500, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, p, 8), 7);
	UNIT_CHECK_EQ(m->vr.batched, 4);
	/* packet 6 does not fit buffer 6, which packet 7 then takes */
	UNIT_CHECK_EQ(m->vr.stats.drop_no_buf, 1);
	for (int i = 0; i < 6; i++)
		UNIT_CHECK_EQ(rx_check(m, data + i, 500, 1), 1);
	UNIT_CHECK_EQ(rx_check(m, data + 7, 30, 1), 1);
	UNIT_CHECK_EQ(pget_all(m), 0);
	/* buffer 7 is still offered */
	UNIT_CHECK_EQ(vsw_vring_get_base(&m->vr), BASE(7, 1) | BASE(7, 1) << 16);
	free_pkts(p, 8);
	UNIT_CHECK(pool_full());
	pm_free(m);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Enqueue (guest rx)                                                  */

static int
test_rx_simple(void)
{
	struct pmock *m = pm_new(16, 0, 12, true);
	uint8_t data[1500];
	struct rte_mbuf *p;
	uint16_t id;

	pattern(data, sizeof(data), 11);
	id = post_rx(m, (uint32_t[]){ 1600 }, 1, false);
	p = mk_pkt(data, 100, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, &p, 1), 1);
	UNIT_CHECK_EQ(m->desc[0].id, id);
	UNIT_CHECK_EQ(m->desc[0].len, 112);
	UNIT_CHECK_EQ(m->desc[0].flags, D_AVAIL | D_USED | D_WRITE);
	UNIT_CHECK_EQ(rx_check(m, data, 100, 1), 1);
	UNIT_CHECK_EQ(m->vr.stats.packets, 1);
	UNIT_CHECK_EQ(m->vr.stats.bytes, 100);
	/* no buffer left: counted, not delivered */
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, &p, 1), 0);
	UNIT_CHECK_EQ(m->vr.stats.drop_no_buf, 1);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, &p, 0), 0);
	UNIT_CHECK_EQ(m->vr.stats.drop_no_buf, 1);
	rte_pktmbuf_free(p);
	pm_free(m);

	/* legacy 10-byte header, header split over descriptors */
	m = pm_new(16, F_IND, 10, true);
	post_rx(m, (uint32_t[]){ 4, 4, 1002 }, 3, false);
	post_rx(m, (uint32_t[]){ 800 }, 1, true);
	p = mk_pkt(data, 1000, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, &p, 1), 1);
	UNIT_CHECK_EQ(m->desc[0].len, 1010);
	UNIT_CHECK_EQ(rx_check(m, data, 1000, 1), 1);
	rte_pktmbuf_free(p);
	p = mk_pkt(data, 700, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, &p, 1), 1);
	UNIT_CHECK_EQ(m->desc[3].len, 710);
	UNIT_CHECK_EQ(rx_check(m, data, 700, 1), 1);
	UNIT_CHECK_EQ(base_agrees(m), 0);
	rte_pktmbuf_free(p);
	UNIT_CHECK(pool_full());
	pm_free(m);
	return 0;
}

/* Without MRG_RXBUF a packet too big for the buffer is skipped. */
static int
test_rx_too_small(void)
{
	struct pmock *m = pm_new(16, F_IND, 12, true);
	struct rte_mbuf *p[3];
	uint8_t data[600];

	pattern(data, sizeof(data), 12);
	post_rx(m, (uint32_t[]){ 30, 30 }, 2, false);
	post_rx(m, (uint32_t[]){ 2000 }, 1, true);
	p[0] = mk_pkt(data, 100, NULL, 0);
	p[1] = mk_pkt(data + 1, 40, NULL, 0);
	p[2] = mk_pkt(data + 2, 500, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, p, 3), 2);
	UNIT_CHECK_EQ(m->vr.stats.drop_no_buf, 1);
	UNIT_CHECK_EQ(m->desc[0].len, 52);
	UNIT_CHECK_EQ(rx_check(m, data + 1, 40, 1), 1);
	UNIT_CHECK_EQ(m->desc[2].len, 512);
	UNIT_CHECK_EQ(rx_check(m, data + 2, 500, 1), 1);
	UNIT_CHECK_EQ(vsw_vring_get_base(&m->vr) & 0xffff, BASE(3, 1));
	UNIT_CHECK_EQ(m->vr.stats.bytes, 540);
	free_pkts(p, 3);
	UNIT_CHECK(pool_full());
	pm_free(m);
	return 0;
}

static int
test_rx_mrg_3(void)
{
	struct pmock *m = pm_new(16, F_MRG, 12, true);
	uint8_t data[1300];
	struct rte_mbuf *p;

	pattern(data, sizeof(data), 13);
	for (int i = 0; i < 4; i++)
		post_rx(m, (uint32_t[]){ 512 }, 1, false);
	p = mk_pkt(data, 1300, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, &p, 1), 1);
	for (int i = 0; i < 3; i++)
		UNIT_CHECK_EQ(m->desc[i].flags, D_AVAIL | D_USED | D_WRITE);
	UNIT_CHECK_EQ(m->desc[0].len, 512);
	UNIT_CHECK_EQ(m->desc[1].len, 512);
	UNIT_CHECK_EQ(m->desc[2].len, 1312 - 1024);
	UNIT_CHECK_EQ(m->desc[3].flags, avail_bits(true) | D_WRITE); /* offered */
	UNIT_CHECK_EQ(rx_check(m, data, 1300, 3), 3);
	UNIT_CHECK_EQ(vsw_vring_get_base(&m->vr) & 0xffff, BASE(3, 1));
	/* a small one takes the last buffer with num_buffers = 1 */
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, &p, 1), 0);
	rte_pktmbuf_free(p);
	p = mk_pkt(data, 20, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, &p, 1), 1);
	UNIT_CHECK_EQ(rx_check(m, data, 20, 1), 1);
	rte_pktmbuf_free(p);
	UNIT_CHECK(pool_full());
	pm_free(m);
	return 0;
}

/* num_buffers itself split over two descriptors; chains and indirect. */
static int
test_rx_mrg_hdr_split(void)
{
	struct pmock *m = pm_new(16, F_MRG | F_IND, 12, true);
	uint8_t data[300];
	struct rte_mbuf *p;

	pattern(data, sizeof(data), 14);
	post_rx(m, (uint32_t[]){ 11, 1, 20 }, 3, false);
	post_rx(m, (uint32_t[]){ 100, 100 }, 2, true);
	post_rx(m, (uint32_t[]){ 60, 60 }, 2, false);
	p = mk_pkt(data, 300, (uint32_t[]){ 7, 0, 293 }, 3);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, &p, 1), 1);
	UNIT_CHECK_EQ(m->desc[0].len, 32);
	UNIT_CHECK_EQ(m->desc[3].len, 200);
	UNIT_CHECK_EQ(m->desc[4].len, 312 - 232);
	UNIT_CHECK_EQ(rx_check(m, data, 300, 3), 3);
	UNIT_CHECK_EQ(base_agrees(m), 0);
	rte_pktmbuf_free(p);
	UNIT_CHECK(pool_full());
	pm_free(m);
	return 0;
}

/* The ring runs out mid-packet: that packet is rolled back, burst stops. */
static int
test_rx_mrg_rollback(void)
{
	struct pmock *m = pm_new(16, F_MRG, 12, true);
	struct vring_packed_desc keep;
	struct rte_mbuf *p[3];
	uint8_t data[1000];

	pattern(data, sizeof(data), 15);
	post_rx(m, (uint32_t[]){ 512 }, 1, false);
	post_rx(m, (uint32_t[]){ 512 }, 1, false);
	keep = m->desc[1];
	p[0] = mk_pkt(data, 100, NULL, 0);
	p[1] = mk_pkt(data, 1000, NULL, 0);
	p[2] = mk_pkt(data, 50, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, p, 3), 1);
	UNIT_CHECK_EQ(vsw_vring_get_base(&m->vr) & 0xffff, BASE(1, 1));
	UNIT_CHECK_EQ(m->vr.nr_shadow, 0);
	UNIT_CHECK_EQ(m->vr.stats.drop_no_buf, 2);
	/* the buffer the rolled-back packet took is untouched in the ring */
	UNIT_CHECK(memcmp(&m->desc[1], &keep, sizeof(keep)) == 0);
	UNIT_CHECK_EQ(rx_check(m, data, 100, 1), 1);
	UNIT_CHECK_EQ(pget_all(m), 0);
	post_rx(m, (uint32_t[]){ 512 }, 1, false);
	post_rx(m, (uint32_t[]){ 512 }, 1, false);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, p + 1, 2), 2);
	UNIT_CHECK_EQ(rx_check(m, data, 1000, 2), 2);
	UNIT_CHECK_EQ(rx_check(m, data, 50, 1), 1);
	UNIT_CHECK_EQ(base_agrees(m), 0);
	free_pkts(p, 3);
	UNIT_CHECK(pool_full());
	pm_free(m);
	return 0;
}

/* Bursts of more buffers than the shadow holds: finished packets are
 * published early; a packet needing more than the shadow is dropped. */
static int
test_rx_mrg_shadow(void)
{
	struct pmock *m = pm_new(1024, F_MRG, 12, true);
	static uint8_t data[9000];
	struct rte_mbuf *p[32];
	uint32_t segs[5] = { 2000, 2000, 2000, 1988 };

	pattern(data, sizeof(data), 16);
	for (int i = 0; i < 700; i++)
		post_rx(m, (uint32_t[]){ 16 }, 1, false);
	/* 32 packets of 20 buffers each: 640 > VSW_VRING_SHADOW */
	for (int i = 0; i < 32; i++)
		p[i] = mk_pkt(data + i, 308, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, p, 32), 32);
	for (int i = 0; i < 32; i++)
		UNIT_CHECK_EQ(rx_check(m, data + i, 308, 20), 20);
	UNIT_CHECK_EQ(pget_all(m), 0);
	free_pkts(p, 32);

	/* 100 buffers, then 500 (7988 + 12 bytes): the first is published
	 * while the second is filled */
	p[0] = mk_pkt(data, 1588, NULL, 0);
	p[1] = mk_pkt(data, 7988, segs, 4);
	for (int i = 0; i < 600; i++)
		post_rx(m, (uint32_t[]){ 16 }, 1, false);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, p, 2), 2);
	UNIT_CHECK_EQ(rx_check(m, data, 1588, 100), 100);
	UNIT_CHECK_EQ(rx_check(m, data, 7988, 500), 500);
	free_pkts(p, 2);

	/* 564 buffers needed, 600 offered: dropped, buffers kept */
	segs[4] = 1000;
	segs[3] = 2000;
	p[0] = mk_pkt(data, 9000, segs, 5);
	p[1] = mk_pkt(data, 4, NULL, 0);
	UNIT_CHECK_EQ(m->num_free, 1024 - 60);
	for (int i = 0; i < 600 - 60; i++)
		post_rx(m, (uint32_t[]){ 16 }, 1, false);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, p, 2), 1);
	UNIT_CHECK_EQ(m->vr.stats.drop_no_buf, 1);
	UNIT_CHECK_EQ(rx_check(m, data, 4, 1), 1);
	UNIT_CHECK_EQ(pget_all(m), 0);
	/* 640 + 600 + 1 buffers used: 1241 = 1024 + 217, one wrap */
	UNIT_CHECK_EQ(vsw_vring_get_base(&m->vr),
		      BASE(217, 0) | BASE(217, 0) << 16);
	UNIT_CHECK_EQ(m->vr.broken, VSW_VRING_OK);
	free_pkts(p, 2);

	/* 509 buffers staged, then a cache line of four: the shadow is
	 * published before the fast path stages them */
	UNIT_CHECK_EQ(pm_reset(m, BASE(3, 1)), 0);
	for (int i = 0; i < 509; i++)
		post_rx(m, (uint32_t[]){ 16 }, 1, false);
	for (int i = 0; i < 4; i++)
		post_rx(m, (uint32_t[]){ 1600 }, 1, false);
	p[0] = mk_pkt(data, 509 * 16 - 12,
		      (uint32_t[]){ 2000, 2000, 2000, 2000, 132 }, 5);
	for (int i = 1; i < 5; i++)
		p[i] = mk_pkt(data + i, 100, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, p, 5), 5);
	UNIT_CHECK_EQ(m->vr.batched, 4);
	UNIT_CHECK_EQ(rx_check(m, data, 509 * 16 - 12, 509), 509);
	for (int i = 1; i < 5; i++)
		UNIT_CHECK_EQ(rx_check(m, data + i, 100, 1), 1);
	UNIT_CHECK_EQ(base_agrees(m), 0);
	free_pkts(p, 5);
	UNIT_CHECK(pool_full());
	pm_free(m);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Regressions (issue 14)                                              */

/* A tx header in pieces of uneven sizes lands where each piece belongs. */
static int
test_tx_hdr_uneven_pieces(void)
{
	static const uint32_t cuts[][2] = {
		{ 2, 0 }, { 1, 0 }, { 11, 0 }, { 5, 4 }, { 2, 2 },
	};
	struct pmock *m = pm_new(32, F_IND, 12, false);
	uint8_t pkt[1054], hdr[12];
	uint32_t len = mk_tcp4(pkt, 1000);
	struct rte_mbuf *pkts[8];

	m->tx_off = VSW_NET_OFF_CSUM;
	m->tx_hdr = hdr;
	UNIT_CHECK_EQ(pm_reset(m, BASE(0, 1)), 0);
	mk_vhdr(hdr, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 34, 16);
	for (unsigned int i = 0; i < RTE_DIM(cuts); i++) {
		uint32_t lens[3], n = 0, at = 0;

		for (unsigned int k = 0; k < 2 && cuts[i][k] != 0; k++) {
			lens[n++] = cuts[i][k];
			at += cuts[i][k];
		}
		lens[n++] = 12 - at + len; /* header rest + payload */
		post_tx(m, pkt, len, lens, (int)n, i % 2 == 1);
	}
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
	pm_free(m);
	return 0;
}

/* Mergeable rx: only the first buffer must hold the header. */
static int
test_rx_mrg_small_later(void)
{
	struct pmock *m = pm_new(16, F_MRG | F_IND, 12, true);
	uint8_t data[200];
	struct rte_mbuf *p;

	pattern(data, sizeof(data), 16);
	post_rx(m, (uint32_t[]){ 100 }, 1, false);
	post_rx(m, (uint32_t[]){ 4 }, 1, false);
	post_rx(m, (uint32_t[]){ 3, 5 }, 2, true);
	post_rx(m, (uint32_t[]){ 1, 7 }, 2, false);
	post_rx(m, (uint32_t[]){ 1000 }, 1, false);
	p = mk_pkt(data, 200, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, &p, 1), 1);
	UNIT_CHECK_EQ(m->vr.broken, VSW_VRING_OK);
	UNIT_CHECK_EQ(rx_check(m, data, 200, 5), 5);
	UNIT_CHECK_EQ(base_agrees(m), 0);
	rte_pktmbuf_free(p);
	UNIT_CHECK(pool_full());
	pm_free(m);
	return 0;
}

/*
 * A buffer too small for a packet is walked once per burst, not once per
 * packet: without MRG_RXBUF (a 64-byte buffer in 16 descriptors), and
 * with it (more small buffers than the shadow holds).
 */
static int
test_rx_short_walked_once(void)
{
	struct pmock *m = pm_new(256, 0, 12, true);
	uint32_t lens[MAXSEG];
	struct rte_mbuf *p[4];
	uint8_t a[1000], b[1000], got[60];
	uint16_t id;

	pattern(a, sizeof(a), 1);
	pattern(b, sizeof(b), 2);
	for (int i = 0; i < MAXSEG; i++)
		lens[i] = 4;
	id = post_rx(m, lens, MAXSEG, false);
	p[0] = mk_pkt(a, 1000, NULL, 0);
	p[1] = mk_pkt(b, 999, NULL, 0);
	p[2] = mk_pkt(b, 53, NULL, 0);
	p[3] = mk_pkt(b + 1, 52, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, p, 3), 0);
	UNIT_CHECK_EQ(m->vr.stats.drop_no_buf, 3);
	buf_read(m, id, got, sizeof(got));
	UNIT_CHECK(memcmp(got + 12, a, sizeof(got) - 12) == 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, p, 4), 1);
	UNIT_CHECK_EQ(rx_check(m, b + 1, 52, 1), 1);
	free_pkts(p, 4);
	pm_free(m);

	/* a header buffer, then 599 of 1 byte: 1000 bytes need more
	 * buffers than the shadow holds */
	m = pm_new(1024, F_MRG, 12, true);
	post_rx(m, (uint32_t[]){ 12 }, 1, false);
	for (int i = 1; i < 600; i++)
		post_rx(m, (uint32_t[]){ 1 }, 1, false);
	p[0] = mk_pkt(a, 1000, NULL, 0);
	p[1] = mk_pkt(b, 999, NULL, 0);
	p[2] = mk_pkt(b + 1, 20, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, p, 2), 0);
	UNIT_CHECK_EQ(m->vr.stats.drop_no_buf, 2);
	/* the 999-byte packet was not walked: buffer 1 still holds a[0] */
	buf_read(m, m->desc[1].id, got, 1);
	UNIT_CHECK_EQ(got[0], a[0]);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, p + 2, 1), 1);
	UNIT_CHECK_EQ(rx_check(m, b + 1, 20, 21), 21);
	free_pkts(p, 3);
	UNIT_CHECK(pool_full());
	pm_free(m);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Notifications                                                       */

static void
drv_event(struct pmock *m, uint16_t flags, uint16_t off, bool wrap)
{
	m->drv->off_wrap = (uint16_t)(off | (wrap ? 1u << 15 : 0));
	__atomic_store_n(&m->drv->flags, flags, __ATOMIC_RELEASE);
}

static int
test_need_call(void)
{
	struct pmock *m = pm_new(16, 0, 12, false);

	UNIT_CHECK(!vsw_vring_need_call(&m->vr)); /* nothing published */
	drv_event(m, VRING_PACKED_EVENT_FLAG_ENABLE, 0, false);
	UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);
	UNIT_CHECK(vsw_vring_need_call(&m->vr));
	UNIT_CHECK(!vsw_vring_need_call(&m->vr)); /* nothing new */
	drv_event(m, VRING_PACKED_EVENT_FLAG_DISABLE, 0, false);
	UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);
	UNIT_CHECK(!vsw_vring_need_call(&m->vr));
	drv_event(m, VRING_PACKED_EVENT_FLAG_ENABLE, 0, false);
	UNIT_CHECK(!vsw_vring_need_call(&m->vr)); /* nothing new since */
	UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);
	UNIT_CHECK(vsw_vring_need_call(&m->vr));
	/* DESC without EVENT_IDX is invalid: treated as enabled */
	drv_event(m, VRING_PACKED_EVENT_FLAG_DESC, 9, true);
	UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);
	UNIT_CHECK(vsw_vring_need_call(&m->vr));
	UNIT_CHECK_EQ(m->vr.stats.calls, 3);
	UNIT_CHECK_EQ(m->vr.stats.calls_suppressed, 1);
	pm_free(m);
	return 0;
}

/* Ask for a call once the used descriptor @p ahead positions on is used
 * (Linux virtqueue_enable_cb_prepare_packed / _delayed_packed). */
static void
drv_event_at(struct pmock *m, uint16_t ahead)
{
	uint32_t at = (uint32_t)m->last_used + ahead;
	bool w = m->used_wrap;

	if (at >= m->size) {
		at -= m->size;
		w = !w;
	}
	drv_event(m, VRING_PACKED_EVENT_FLAG_DESC, (uint16_t)at, w);
}

static int
test_need_call_event_idx(void)
{
	struct pmock *m = pm_new(8, F_EVT, 12, false);
	uint8_t data[64];
	struct rte_mbuf *pkts[8];

	pattern(data, sizeof(data), 30);
	drv_event(m, VRING_PACKED_EVENT_FLAG_DESC, 0, true);
	UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);          /* used pos 0 */
	UNIT_CHECK(vsw_vring_need_call(&m->vr));   /* first: always */
	drv_event_at(m, 0);                         /* pos 1 */
	UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);
	UNIT_CHECK(vsw_vring_need_call(&m->vr));
	drv_event_at(m, 3);                         /* pos 2 + 3 = 5 */
	for (int i = 0; i < 3; i++) {               /* pos 2, 3, 4 */
		UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);
		UNIT_CHECK(!vsw_vring_need_call(&m->vr));
	}
	UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);          /* pos 5 */
	UNIT_CHECK(vsw_vring_need_call(&m->vr));
	/* next lap (wrap 0): event at pos 1 of it, we are at 6 */
	drv_event_at(m, 3);
	for (int i = 0; i < 3; i++) {               /* pos 6, 7, 0 */
		UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);
		UNIT_CHECK(!vsw_vring_need_call(&m->vr));
	}
	UNIT_CHECK(!m->vr.used_wrap);
	UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);          /* pos 1 */
	UNIT_CHECK(vsw_vring_need_call(&m->vr));
	/* a burst over the end whose event is in the previous lap: 2 chains
	 * of 3 at pos 2-4, 5-7, one at 0 (wrap 1); event at 7 (wrap 0) */
	drv_event(m, VRING_PACKED_EVENT_FLAG_DESC, 7, false);
	post_tx(m, data, 30, (uint32_t[]){ 12, 10, 20 }, 3, false);
	post_tx(m, data, 30, (uint32_t[]){ 12, 10, 20 }, 3, false);
	post_tx1(m, data, 30);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 8), 3);
	free_pkts(pkts, 3);
	UNIT_CHECK_EQ(pget_all(m), 3);
	UNIT_CHECK(m->vr.used_wrap);
	UNIT_CHECK(vsw_vring_need_call(&m->vr));
	/* event behind (pos 0, used last burst): no new call */
	drv_event(m, VRING_PACKED_EVENT_FLAG_DESC, 0, true);
	UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);          /* pos 1 */
	UNIT_CHECK(!vsw_vring_need_call(&m->vr));
	/* ENABLE and DISABLE hold with EVENT_IDX too */
	drv_event(m, VRING_PACKED_EVENT_FLAG_ENABLE, 0, false);
	UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);          /* pos 2 */
	UNIT_CHECK(vsw_vring_need_call(&m->vr));
	drv_event(m, VRING_PACKED_EVENT_FLAG_DISABLE, 3, true);
	UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);          /* pos 3 */
	UNIT_CHECK(!vsw_vring_need_call(&m->vr));
	/* a whole lap in one burst passes any position */
	drv_event_at(m, 5);
	for (int i = 0; i < 8; i++)
		post_tx1(m, data, 20);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 8), 8);
	free_pkts(pkts, 8);
	UNIT_CHECK_EQ(pget_all(m), 8);
	UNIT_CHECK(vsw_vring_need_call(&m->vr));
	UNIT_CHECK_EQ(m->vr.stats.calls, 7);
	UNIT_CHECK_EQ(m->vr.stats.calls_suppressed, 8);
	UNIT_CHECK(pool_full());
	pm_free(m);
	return 0;
}

static int
test_disable_kicks(void)
{
	struct pmock *m = pm_new(16, F_EVT, 12, false);

	m->dev->off_wrap = 0x1234;
	UNIT_CHECK_EQ(m->dev->flags, VRING_PACKED_EVENT_FLAG_ENABLE);
	vsw_vring_disable_kicks(&m->vr);
	UNIT_CHECK_EQ(m->dev->flags, VRING_PACKED_EVENT_FLAG_DISABLE);
	UNIT_CHECK_EQ(m->dev->off_wrap, 0x1234);
	UNIT_CHECK_EQ(tx_roundtrip(m, 60), 0);
	UNIT_CHECK_EQ(m->dev->flags, VRING_PACKED_EVENT_FLAG_DISABLE);
	pm_free(m);
	return 0;
}

/* A device that sleeps until kicked: ENABLE, and the race check. */
static int
test_enable_kicks(void)
{
	struct pmock *m = pm_new(16, F_EVT, 12, false);
	struct rte_mbuf *pkts[2];
	uint8_t data[64];

	pattern(data, sizeof(data), 3);
	vsw_vring_disable_kicks(&m->vr);
	UNIT_CHECK(!vsw_vring_enable_kicks(&m->vr));
	UNIT_CHECK_EQ(m->dev->flags, VRING_PACKED_EVENT_FLAG_ENABLE);
	UNIT_CHECK(!vsw_vring_pending(&m->vr));
	post_tx1(m, data, sizeof(data));
	UNIT_CHECK(vsw_vring_pending(&m->vr));
	UNIT_CHECK(vsw_vring_enable_kicks(&m->vr));
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 2), 1);
	UNIT_CHECK(!vsw_vring_pending(&m->vr));
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, sizeof(data)), 0);
	free_pkts(pkts, 1);
	UNIT_CHECK(!vsw_vring_enable_kicks(&m->vr));
	pm_free(m);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Hostile rings                                                       */

/* Write a raw descriptor at the driver's next position, available. */
static void
raw(struct pmock *m, uint64_t addr, uint32_t len, uint16_t id, uint16_t flags)
{
	m->desc[m->next_avail] = (struct vring_packed_desc){
		addr, len, id, flags | avail_bits(m->avail_wrap) };
	m->num_free--;
	avail_step(m);
}

/* A raw descriptor referring to a table of @p n entries at GPA_IND. */
static struct vring_packed_desc *
ind(struct pmock *m, uint32_t len, uint16_t flags)
{
	raw(m, GPA_IND, len, 0, D_IND | flags);
	return (void *)hp(m, GPA_IND);
}

static void
bad_id(struct pmock *m)
{
	raw(m, GPA_BUF, 64, m->size, m->rx ? D_WRITE : 0);
}

static void
bad_chain_id(struct pmock *m)
{
	uint16_t w = m->rx ? D_WRITE : 0;

	raw(m, GPA_BUF, 12, 0, D_NEXT | w);
	raw(m, GPA_BUF + 64, 64, 0xffff, w);
}

static void
bad_loop(struct pmock *m)
{
	while (m->num_free > 0)
		raw(m, GPA_BUF, 64, 0, D_NEXT | (m->rx ? D_WRITE : 0));
}

static void
bad_ind_not_negotiated(struct pmock *m)
{
	struct vring_packed_desc *t = ind(m, 16, 0);

	t[0] = (struct vring_packed_desc){ GPA_BUF, 1500, 0,
					   m->rx ? D_WRITE : 0 };
}

static void
bad_ind_len(struct pmock *m)
{
	struct vring_packed_desc *t = ind(m, 24, 0);

	t[0] = (struct vring_packed_desc){ GPA_BUF, 64, 0, 0 };
}

static void
bad_ind_len0(struct pmock *m)
{
	ind(m, 0, 0);
}

static void
bad_ind_huge(struct pmock *m)
{
	ind(m, 16 * VSW_VRING_MAX_SIZE + 16, 0);
}

/* A table of valid entries, one more than the queue size (8). */
static void
bad_ind_over_queue(struct pmock *m)
{
	struct vring_packed_desc *t = ind(m, 9 * 16, 0);

	for (int i = 0; i < 9; i++)
		t[i] = (struct vring_packed_desc){ GPA_BUF + 64 * i, 64, 0,
						   m->rx ? D_WRITE : 0 };
}

static void
bad_ind_with_next(struct pmock *m)
{
	struct vring_packed_desc *t = ind(m, 16, D_NEXT);

	t[0] = (struct vring_packed_desc){ GPA_BUF, 64, 0, 0 };
	raw(m, GPA_BUF, 64, 0, 0);
}

static void
bad_ind_nested(struct pmock *m)
{
	struct vring_packed_desc *t = ind(m, 32, 0);

	t[0] = (struct vring_packed_desc){ GPA_BUF, 64, 0, 0 };
	t[1] = (struct vring_packed_desc){ GPA_IND + 64, 16, 0, D_IND };
}

static void
bad_ind_nested_first(struct pmock *m)
{
	struct vring_packed_desc *t = ind(m, 16, 0);

	t[0] = (struct vring_packed_desc){ GPA_IND + 64, 16, 0, D_IND };
}

static void
bad_ind_outside(struct pmock *m)
{
	raw(m, GPA_END - 16, 32, 0, D_IND);
}

static void
bad_ind_straddle(struct pmock *m)
{
	raw(m, GPA_B - 16, 32, 0, D_IND);
}

static void
bad_ind_in_chain(struct pmock *m)
{
	uint16_t w = m->rx ? D_WRITE : 0;
	struct vring_packed_desc *t = (void *)hp(m, GPA_IND);

	t[0] = (struct vring_packed_desc){ GPA_BUF + 64, 1500, 0, w };
	raw(m, GPA_BUF, 12, 0, D_NEXT | w);
	raw(m, GPA_IND, 16, 0, D_IND);
}

/*
 * DPDK 22.11's packed virtio-user leaves VRING_DESC_F_WRITE on the entries
 * of its tx indirect tables: the device reads them anyway (it only reads).
 */
static int
test_tx_indirect_write_flag(void)
{
	struct pmock *m = pm_new(8, F_IND, 12, false);
	struct vring_packed_desc *t = ind(m, 32, 0);
	struct rte_mbuf *pkts[2];
	uint8_t *buf = (uint8_t *)hp(m, GPA_BUF);
	uint8_t data[64];

	pattern(data, sizeof(data), 23);
	memset(buf, 0, 12);
	memcpy(buf + 64, data, sizeof(data));
	t[0] = (struct vring_packed_desc){ GPA_BUF, 12, 0, D_WRITE };
	t[1] = (struct vring_packed_desc){ GPA_BUF + 64, 64, 1, D_WRITE | D_NEXT };
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 2), 1);
	UNIT_CHECK_EQ(m->vr.broken, VSW_VRING_OK);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, sizeof(data)), 0);
	free_pkts(pkts, 1);
	UNIT_CHECK(pool_full());
	pm_free(m);
	return 0;
}

static void
bad_ind_read_rx(struct pmock *m)
{
	struct vring_packed_desc *t = ind(m, 32, 0);

	t[0] = (struct vring_packed_desc){ GPA_BUF, 12, 0, D_WRITE };
	t[1] = (struct vring_packed_desc){ GPA_BUF + 64, 1500, 0, 0 };
}

static void
bad_addr(struct pmock *m)
{
	raw(m, 0x10, 1500, 0, m->rx ? D_WRITE : 0);
}

static void
bad_addr_tail(struct pmock *m)
{
	uint16_t w = m->rx ? D_WRITE : 0;

	raw(m, GPA_BUF, 12, 0, D_NEXT | w);
	raw(m, GPA_END - 10, 1500, 0, w);
}

static void
bad_addr_wrap(struct pmock *m)
{
	raw(m, UINT64_MAX - 5, 1500, 0, m->rx ? D_WRITE : 0);
}

static void
bad_direction(struct pmock *m)
{
	raw(m, GPA_BUF, 12, 0, D_NEXT | (m->rx ? D_WRITE : 0));
	raw(m, GPA_BUF + 64, 1500, 0, m->rx ? 0 : D_WRITE);
}

static void
bad_short(struct pmock *m)
{
	uint16_t w = m->rx ? D_WRITE : 0;

	raw(m, GPA_BUF, 4, 0, D_NEXT | w);
	raw(m, GPA_BUF + 64, 4, 0, w);
}

struct bad_case {
	const char *name;
	void (*setup)(struct pmock *m);
	uint32_t flags;
	bool rx;
	enum vsw_vring_err err;
};

static const struct bad_case bad_cases[] = {
	{ "id out of range", bad_id, F_IND, false, VSW_VRING_E_DESC_IDX },
	{ "id out of range rx", bad_id, 0, true, VSW_VRING_E_DESC_IDX },
	{ "id out of range rx mrg", bad_id, F_MRG, true, VSW_VRING_E_DESC_IDX },
	{ "last id out of range", bad_chain_id, F_IND, false,
	  VSW_VRING_E_DESC_IDX },
	{ "last id out of range rx", bad_chain_id, 0, true,
	  VSW_VRING_E_DESC_IDX },
	{ "chain longer than ring", bad_loop, F_IND, false,
	  VSW_VRING_E_CHAIN_LEN },
	{ "chain longer than ring rx", bad_loop, 0, true, VSW_VRING_E_CHAIN_LEN },
	{ "chain longer than ring rx mrg", bad_loop, F_MRG, true,
	  VSW_VRING_E_CHAIN_LEN },
	{ "indirect not negotiated", bad_ind_not_negotiated, 0, false,
	  VSW_VRING_E_INDIRECT },
	{ "indirect not negotiated rx", bad_ind_not_negotiated, F_MRG, true,
	  VSW_VRING_E_INDIRECT },
	{ "indirect len % 16", bad_ind_len, F_IND, false, VSW_VRING_E_INDIRECT },
	{ "indirect len 0", bad_ind_len0, F_IND, false, VSW_VRING_E_INDIRECT },
	{ "indirect too long", bad_ind_huge, F_IND, false, VSW_VRING_E_INDIRECT },
	{ "indirect longer than the queue", bad_ind_over_queue, F_IND, false,
	  VSW_VRING_E_INDIRECT },
	{ "indirect longer than the queue rx", bad_ind_over_queue, F_IND, true,
	  VSW_VRING_E_INDIRECT },
	{ "indirect + next", bad_ind_with_next, F_IND, false,
	  VSW_VRING_E_INDIRECT },
	{ "nested indirect", bad_ind_nested, F_IND, false, VSW_VRING_E_INDIRECT },
	{ "nested indirect first", bad_ind_nested_first, F_IND, false,
	  VSW_VRING_E_INDIRECT },
	{ "indirect table outside", bad_ind_outside, F_IND, false,
	  VSW_VRING_E_INDIRECT },
	{ "indirect table straddles", bad_ind_straddle, F_IND, false,
	  VSW_VRING_E_INDIRECT },
	{ "indirect inside a chain", bad_ind_in_chain, F_IND, false,
	  VSW_VRING_E_INDIRECT },
	{ "indirect inside a chain rx", bad_ind_in_chain, F_IND | F_MRG, true,
	  VSW_VRING_E_INDIRECT },
	{ "rx indirect outside", bad_ind_outside, F_IND, true,
	  VSW_VRING_E_INDIRECT },
	{ "addr outside", bad_addr, F_IND, false, VSW_VRING_E_ADDR },
	{ "addr tail outside", bad_addr_tail, F_IND, false, VSW_VRING_E_ADDR },
	{ "addr wraps", bad_addr_wrap, F_IND, false, VSW_VRING_E_ADDR },
	{ "rx addr outside", bad_addr, F_MRG, true, VSW_VRING_E_ADDR },
	{ "rx addr tail outside", bad_addr_tail, 0, true, VSW_VRING_E_ADDR },
	{ "write desc in tx", bad_direction, F_IND, false,
	  VSW_VRING_E_DIRECTION },
	{ "read-only desc in rx", bad_direction, 0, true, VSW_VRING_E_DIRECTION },
	{ "read-only desc in rx mrg", bad_direction, F_MRG, true,
	  VSW_VRING_E_DIRECTION },
	{ "read-only desc in rx table", bad_ind_read_rx, F_IND, true,
	  VSW_VRING_E_DIRECTION },
	{ "tx header short", bad_short, F_IND, false, VSW_VRING_E_HEADER },
	{ "rx header short", bad_short, 0, true, VSW_VRING_E_HEADER },
	{ "rx header short mrg", bad_short, F_MRG, true, VSW_VRING_E_HEADER },
};

static int
run_bad(const struct bad_case *c, struct pmock *good)
{
	struct pmock *m = pm_new(8, c->flags, 12, c->rx);
	struct vring_packed_desc head;
	struct rte_mbuf *pkts[3];
	uint8_t data[2000];

	pattern(data, sizeof(data), 19);
	c->setup(m);
	head = m->desc[0];
	for (int round = 0; round < 2; round++) {
		if (c->rx) {
			for (int i = 0; i < 3; i++)
				pkts[i] = mk_pkt(data, 1500, NULL, 0);
			UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, pkts, 3), 0);
			UNIT_CHECK_EQ(m->vr.stats.drop_bad, 3 * (round + 1));
			free_pkts(pkts, 3);
		} else {
			UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 3), 0);
			UNIT_CHECK_EQ(m->vr.stats.drop_bad, 1);
		}
		UNIT_CHECK_EQ(m->vr.broken, c->err);
		UNIT_CHECK(memcmp(&m->desc[0], &head, sizeof(head)) == 0);
		UNIT_CHECK_EQ(m->vr.stats.packets, 0);
		UNIT_CHECK_EQ(vsw_vring_get_base(&m->vr), BASE(0, 1) | BASE(0, 1) << 16);
		/* sticky: a healthy buffer posted afterwards is not touched */
		if (m->num_free > 0 && c->rx)
			post_rx(m, (uint32_t[]){ 2000 }, 1, false);
		else if (m->num_free > 0)
			post_tx1(m, data, 100);
	}
	UNIT_CHECK(!vsw_vring_need_call(&m->vr));
	UNIT_CHECK_EQ(tx_roundtrip(good, 77), 0);
	UNIT_CHECK(pool_full());
	/* re-initialisation clears the state */
	UNIT_CHECK_EQ(pm_reset(m, BASE(0, 1)), 0);
	UNIT_CHECK_EQ(m->vr.broken, VSW_VRING_OK);
	pm_free(m);
	return 0;
}

static int
test_malformed(void)
{
	struct pmock *good = pm_new(64, F_IND, 12, false);

	for (size_t i = 0; i < RTE_DIM(bad_cases); i++) {
		if (run_bad(&bad_cases[i], good) != 0) {
			fprintf(stderr, "  case \"%s\" failed\n", bad_cases[i].name);
			return -1;
		}
	}
	UNIT_CHECK_EQ(good->vr.broken, VSW_VRING_OK);
	UNIT_CHECK_EQ(good->vr.stats.packets, RTE_DIM(bad_cases));
	pm_free(good);
	return 0;
}

/* Good buffers before a bad one in the same burst still complete, also
 * when the bad one sits in a cache line the fast path first looked at. */
static int
test_malformed_mid_burst(void)
{
	struct pmock *m = pm_new(16, 0, 12, false);
	struct rte_mbuf *pkts[8];
	uint16_t ids[2], uid;
	uint8_t data[400];
	uint32_t ulen;

	pattern(data, sizeof(data), 20);
	ids[0] = post_tx1(m, data, 100);
	ids[1] = post_tx1(m, data, 200);
	raw(m, GPA_BUF, 64, 5, D_WRITE);
	post_tx1(m, data, 50);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts, 8), 2);
	UNIT_CHECK_EQ(m->vr.batched, 0);
	UNIT_CHECK_EQ(pkt_eq(pkts[0], data, 100), 0);
	UNIT_CHECK_EQ(pkt_eq(pkts[1], data, 200), 0);
	for (int i = 0; i < 2; i++) {
		UNIT_CHECK_EQ(pget(m, &uid, &ulen), 1);
		UNIT_CHECK_EQ(uid, ids[i]);
	}
	UNIT_CHECK_EQ(pget_all(m), 0);
	UNIT_CHECK_EQ(m->vr.broken, VSW_VRING_E_DIRECTION);
	UNIT_CHECK_EQ(m->vr.stats.drop_bad, 1);
	UNIT_CHECK_EQ(vsw_vring_dequeue_burst(&m->vr, g_pool, pkts + 2, 8), 0);
	free_pkts(pkts, 2);
	pm_free(m);

	/* rx: a batch of four whose third id is out of range */
	m = pm_new(16, F_MRG, 12, true);
	post_rx(m, (uint32_t[]){ 300 }, 1, false);
	post_rx(m, (uint32_t[]){ 300 }, 1, false);
	post_rx(m, (uint32_t[]){ 300 }, 1, false);
	post_rx(m, (uint32_t[]){ 300 }, 1, false);
	m->desc[2].id = 16;
	for (int i = 0; i < 4; i++)
		pkts[i] = mk_pkt(data, 100, NULL, 0);
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, pkts, 4), 2);
	UNIT_CHECK_EQ(m->vr.batched, 0);
	UNIT_CHECK_EQ(rx_check(m, data, 100, 1), 1);
	UNIT_CHECK_EQ(rx_check(m, data, 100, 1), 1);
	UNIT_CHECK_EQ(pget_all(m), 0);
	UNIT_CHECK_EQ(m->vr.broken, VSW_VRING_E_DESC_IDX);
	UNIT_CHECK_EQ(m->vr.stats.drop_bad, 2);
	free_pkts(pkts, 4);
	UNIT_CHECK(pool_full());
	pm_free(m);
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

/* A random base: any position, either wrap counter. */
static uint32_t
rnd_base(struct pmock *m)
{
	return BASE(rnd() % m->size, rnd() & 1);
}

/* @p simple: single-descriptor buffers of one-mbuf packets, the fast
 * path's case, still mixed with header-only ones. */
static int
random_tx_round(struct pmock *m, uint8_t *data, bool simple)
{
	struct rte_mbuf *pkts[32];
	uint32_t plen[48], want = 0, seen = 0;
	uint16_t ids[48], uid;
	uint32_t ulen;
	int k = (int)rnd_in(1, 48), posted = 0, used = 0;

	m->next_buf = GPA_B - rnd_in(0, 65536); /* straddle the boundary */
	for (int i = 0; i < k; i++) {
		uint32_t lens[MAXSEG];
		bool indirect = rnd() % 4 == 0;
		int n = (int)rnd_in(1, indirect ? 8 : 4);

		if (simple || rnd() % 3 == 0) /* the fast path's favourite */
			n = 1, indirect = false;
		if (m->num_free < (indirect ? 1 : n))
			break;
		plen[i] = simple ? rnd() % 50 != 0 ? rnd_in(1, 2048) : 0
				 : rnd_len(9000);
		want += plen[i] > 0;
		cut_tx(m->hdr_len, plen[i], lens, n);
		ids[i] = post_tx(m, data + i, plen[i], lens, n, indirect);
		m->next_buf += rnd_in(0, 64);
		posted++;
	}
	/* header-only buffers are returned without a packet */
	for (int i = 0, loops = 0; used < posted; loops++) {
		uint16_t got = vsw_vring_dequeue_burst(&m->vr, g_pool, pkts,
						       (uint16_t)rnd_in(1, 32));

		UNIT_CHECK(loops < 100);
		for (uint16_t j = 0; j < got; j++, i++) {
			while (plen[i] == 0)
				i++;
			UNIT_CHECK(i < posted);
			UNIT_CHECK_EQ(pkt_eq(pkts[j], data + i, plen[i]), 0);
		}
		seen += got;
		free_pkts(pkts, got);
		while (pget(m, &uid, &ulen) == 1) {
			UNIT_CHECK_EQ(uid, ids[used]);
			used++;
		}
	}
	UNIT_CHECK_EQ(seen, want);
	UNIT_CHECK_EQ(pget_all(m), 0);
	UNIT_CHECK_EQ(base_agrees(m), 0);
	UNIT_CHECK_EQ(m->vr.broken, VSW_VRING_OK);
	return 0;
}

/* What the engine should do with the offered buffers: a reference model.
 * @return packets delivered; *taken: buffers they took. */
static int
rx_model(const uint32_t *cap, int nc, const uint32_t *plen, int np,
	 uint8_t hdr, bool mrg, int *bufs, int *taken)
{
	int c = 0, sent = 0;

	memset(bufs, 0, np * sizeof(*bufs));
	for (int i = 0; i < np; i++) {
		uint32_t need = hdr + plen[i];
		int n = 0;

		if (c == nc)
			break;
		if (!mrg) {
			if (need > cap[c])
				continue;
			c++;
			bufs[i] = 1;
			sent++;
			continue;
		}
		while (c + n < nc && need > 0) {
			need -= RTE_MIN(need, cap[c + n]);
			n++;
		}
		if (need > 0)
			break;
		bufs[i] = n;
		c += n;
		sent++;
	}
	*taken = c;
	return sent;
}

static int
random_rx_round(struct pmock *m, uint8_t *data, bool simple)
{
	bool mrg = m->flags & F_MRG;
	struct rte_mbuf *pkts[32];
	uint32_t cap[MAXRING], plen[32];
	int nc = m->npend, np = (int)rnd_in(1, 32);
	int want = nc + (int)rnd_in(1, 64), bufs[32], sent, taken;
	uint64_t drops = m->vr.stats.drop_no_buf;

	/* buffers left over from the last round come first */
	memcpy(cap, m->pend_cap, nc * sizeof(cap[0]));
	m->slots = true;
	for (; nc < want; nc++) {
		uint32_t lens[MAXSEG];
		bool indirect = rnd() % 4 == 0;
		int n = (int)rnd_in(1, indirect ? 6 : 3);

		if (simple || rnd() % 3 == 0)
			n = 1, indirect = false;
		if (m->num_free < (indirect ? 1 : n))
			break;
		cap[nc] = rnd_in(m->hdr_len, mrg ? 1600 : 4000);
		if (simple && rnd() % 8 != 0)
			cap[nc] = 1600;
		cut(cap[nc], lens, n);
		post_rx(m, lens, n, indirect);
	}
	for (int i = 0; i < np; i++) {
		uint32_t segl[4];
		int ns = (int)rnd_in(1, 4);

		plen[i] = rnd() % 3 == 0 ? rnd_in(0, 1400) : rnd_len(6000);
		if (simple || rnd() % 2 == 0)
			ns = 1, plen[i] = RTE_MIN(plen[i], simple ? 1500u : 2000u);
		cut(plen[i], segl, ns);
		for (int s = 0; s < ns; s++) /* keep every segment within one mbuf */
			if (segl[s] > 2000) {
				plen[i] -= segl[s] - 2000;
				segl[s] = 2000;
			}
		pkts[i] = mk_pkt(data + i, plen[i], segl, ns);
	}
	sent = rx_model(cap, nc, plen, np, m->hdr_len, mrg, bufs, &taken);
	m->npend = nc - taken;
	memcpy(m->pend_cap, cap + taken, m->npend * sizeof(cap[0]));
	UNIT_CHECK_EQ(vsw_vring_enqueue_burst(&m->vr, pkts, (uint16_t)np), sent);
	UNIT_CHECK_EQ(m->vr.stats.drop_no_buf - drops, np - sent);
	for (int i = 0; i < np; i++) {
		if (bufs[i] == 0)
			continue;
		UNIT_CHECK_EQ(rx_check(m, data + i, plen[i], (uint16_t)bufs[i]),
			      bufs[i]);
	}
	UNIT_CHECK_EQ(pget_all(m), 0);
	UNIT_CHECK_EQ(m->vr.broken, VSW_VRING_OK);
	free_pkts(pkts, (uint16_t)np);
	return 0;
}

static int
test_random(void)
{
	static uint8_t data[10000];
	struct pmock *tx[3] = { pm_new(256, F_IND, 12, false),
				pm_new(200, F_IND, 10, false),
				pm_new(97, F_IND, 12, false) };
	struct pmock *rx[4] = { pm_new(256, F_IND, 12, true),
				pm_new(255, F_IND, 10, true),
				pm_new(256, F_IND | F_MRG, 12, true),
				pm_new(130, F_IND | F_MRG, 12, true) };
	uint64_t batched = 0;

	rng = 0x243f6a8885a308d3ull; /* fixed seed: reproducible */
	for (uint32_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)rnd();
	for (int round = 0; round < 400; round++) {
		struct pmock *t = tx[round % 3], *r = rx[round % 4];

		/* half the rounds go on from where the last one stopped */
		if (round % 2 == 0) {
			batched += t->vr.batched + r->vr.batched;
			UNIT_CHECK_EQ(pm_reset(t, rnd_base(t)), 0);
			UNIT_CHECK_EQ(pm_reset(r, rnd_base(r)), 0);
		}
		bool simple = round % 3 == 1;

		if (random_tx_round(t, data, simple) != 0 ||
		    random_rx_round(r, data, simple) != 0) {
			fprintf(stderr, "  round %d failed\n", round);
			return -1;
		}
	}
	for (int i = 0; i < 4; i++)
		batched += (i < 3 ? tx[i]->vr.batched : 0) + rx[i]->vr.batched;
	UNIT_CHECK(batched > 1000);
	UNIT_CHECK(pool_full());
	for (int i = 0; i < 3; i++)
		pm_free(tx[i]);
	for (int i = 0; i < 4; i++)
		pm_free(rx[i]);
	return 0;
}

/* ------------------------------------------------------------------ */

static const struct unit_test tests[] = {
	UNIT_TEST(test_init_checks),
	UNIT_TEST(test_base_encoding),
	UNIT_TEST(test_base_roundtrip),
	UNIT_TEST(test_tx_single),
	UNIT_TEST(test_tx_chain),
	UNIT_TEST(test_tx_indirect),
	UNIT_TEST(test_tx_indirect_write_flag),
	UNIT_TEST(test_tx_big),
	UNIT_TEST(test_tx_empty_and_oversize),
	UNIT_TEST(test_tx_burst),
	UNIT_TEST(test_tx_mempool_exhaustion),
	UNIT_TEST(test_wrap_many),
	UNIT_TEST(test_batch_tx),
	UNIT_TEST(test_batch_tx_offload),
	UNIT_TEST(test_batch_rx),
	UNIT_TEST(test_rx_simple),
	UNIT_TEST(test_rx_too_small),
	UNIT_TEST(test_rx_mrg_3),
	UNIT_TEST(test_rx_mrg_hdr_split),
	UNIT_TEST(test_rx_mrg_rollback),
	UNIT_TEST(test_rx_mrg_shadow),
	UNIT_TEST(test_need_call),
	UNIT_TEST(test_need_call_event_idx),
	UNIT_TEST(test_disable_kicks),
	UNIT_TEST(test_enable_kicks),
	UNIT_TEST(test_tx_hdr_uneven_pieces),
	UNIT_TEST(test_rx_mrg_small_later),
	UNIT_TEST(test_rx_short_walked_once),
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
	g_pool = rte_pktmbuf_pool_create("vring_pk_pool", POOL_N, 0, 0,
					 RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (g_pool == NULL) {
		fprintf(stderr, "mempool: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	return unit_main("vring_packed", tests, RTE_DIM(tests));
}
