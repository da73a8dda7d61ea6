/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packed virtqueue engine (VIRTIO 1.3 section 2.8).
 *
 * One ring of 16-byte descriptors is shared both ways: the driver makes a
 * buffer available by writing its descriptors in ring order and storing the
 * head's flags last (AVAIL bit = its wrap counter, USED bit = the inverse);
 * the device returns it by writing one used descriptor (id, len, AVAIL =
 * USED = its own wrap counter) at its used position, which then skips as
 * many positions as the buffer had descriptors. Positions run 0..size-1,
 * any size 1..32768; each side flips its wrap counter when it passes the end.
 *
 * A burst first scans the flags of what is offered (a hint: how many mbufs
 * to allocate, which payloads to prefetch), then walks buffer by buffer:
 * each head's flags are loaded once with acquire and every descriptor is
 * copied into local memory before use (no double fetch decides anything).
 * A cache line of four available single-descriptor buffers whose payload
 * fits one mbuf / one guest buffer takes a fast path (DPDK
 * virtio_dev_tx_batch_packed / virtio_dev_rx_batch_packed): four flags,
 * one acquire fence, four straight copies. Anything unusual falls back to
 * the buffer-by-buffer walk, which repeats every check.
 *
 * Used descriptors are staged in vr->shadow_packed and written in
 * completion (= ring) order at the end of the burst: ids and lens first,
 * then the flags of all but the first, then the first one's flags with a
 * release store, so the driver, which polls only that position, sees the
 * batch at once (DPDK flush_shadow_used_ring_packed; 2.8.9 multi-buffer).
 *
 * Same choices as the split engine (vring_split.c) for header-only, over-
 * sized, mempool-exhausted, too-small and malformed chains, plus:
 * - The buffer id comes from the last descriptor of a chain (2.8.6); an id
 *   >= size breaks the ring (VSW_VRING_E_DESC_IDX). Indirect tables are
 *   linear (NEXT in them is ignored, as the spec says), INDIRECT in a table
 *   entry (nested) or in a NEXT chain breaks the ring.
 * - rx walks each buffer to its last descriptor (for its id and length)
 *   but fills only as much as the packet needs. A packet skipped for want
 *   of room leaves what it learned (struct rx_short) so that no later
 *   packet of the burst walks the same buffers again unless it fits.
 * - With MRG_RXBUF, a packet that needs more than VSW_VRING_SHADOW buffers
 *   is dropped (drop_no_buf) and its buffers are kept: staged entries of a
 *   packet still being filled cannot be written early, because a used
 *   descriptor overwrites an available one that a rollback must keep. When
 *   the shadow fills up, the finished packets before it are published.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_atomic.h>
#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_prefetch.h>

#include "vring_priv.h"

#define F_AVAIL  ((uint16_t)(1u << VRING_PACKED_DESC_F_AVAIL))
#define F_USED   ((uint16_t)(1u << VRING_PACKED_DESC_F_USED))
#define F_SINGLE ((uint16_t)(VRING_DESC_F_NEXT | VRING_DESC_F_INDIRECT))
#define F_EVT_WRAP ((uint16_t)(1u << VRING_PACKED_EVENT_F_WRAP_CTR))
#define BATCH 4 /* descriptors per cache line */

/* A ring position and the wrap counter that goes with it. */
struct pos {
	uint16_t idx;
	bool wrap;
};

/* Move @p p on by @p n <= size positions. */
static __rte_always_inline void
pos_advance(const struct vsw_vring *vr, struct pos *p, uint32_t n)
{
	uint32_t i = (uint32_t)p->idx + n;

	if (i >= vr->size) {
		i -= vr->size;
		p->wrap = !p->wrap;
	}
	p->idx = (uint16_t)i;
}

static __rte_always_inline struct pos
avail_pos(const struct vsw_vring *vr)
{
	return (struct pos){ vr->last_avail_idx, vr->avail_wrap };
}

/* Available: AVAIL bit == the wrap counter, USED bit != it (2.8.1). */
static __rte_always_inline bool
desc_avail(uint16_t flags, bool wrap)
{
	return (flags & (F_AVAIL | F_USED)) == (wrap ? F_AVAIL : F_USED);
}

/*
 * Copy a descriptor into local memory. The compiler barrier makes every
 * later use read the copy, never the guest's ring again (no double fetch);
 * memcpy because an indirect table need not be aligned.
 */
static __rte_always_inline void
desc_load(struct vring_packed_desc *d, const struct vring_packed_desc *src)
{
	memcpy(d, src, sizeof(*d));
	rte_compiler_barrier();
}

/*
 * Load the head descriptor at @p p into @p d if the driver made it
 * available. @return false when it did not.
 */
static __rte_always_inline bool
head_load(const struct vsw_vring *vr, struct pos p, struct vring_packed_desc *d)
{
	/*
	 * Acquire: pairs with the driver's write barrier between writing a
	 * buffer's descriptors (the head's addr/len/id and all the later
	 * descriptors of its chain) and storing the head's flags (Linux
	 * virtqueue_add_packed: virtio_wmb, then the head's flags). Once
	 * these flags say available, the whole chain is visible.
	 */
	uint16_t f = __atomic_load_n(&vr->desc_packed[p.idx].flags,
				     __ATOMIC_ACQUIRE);

	if (!desc_avail(f, p.wrap))
		return false;
	desc_load(d, &vr->desc_packed[p.idx]);
	d->flags = f; /* decide on the flags we checked, not a re-read */
	return true;
}

/* ------------------------------------------------------------------ */
/* Used descriptors                                                    */

static __rte_always_inline uint16_t
used_flags(bool wrap, uint32_t len)
{
	/* WRITE in a used descriptor: len counts bytes written (2.8.3). */
	return (uint16_t)((wrap ? F_AVAIL | F_USED : 0) |
			  (len != 0 ? VRING_DESC_F_WRITE : 0));
}

/*
 * Write the first @p n (> 0) staged entries at the used position and hand
 * them to the driver.
 */
static void
used_write(struct vsw_vring *vr, uint16_t n)
{
	struct vring_packed_desc *ring = vr->desc_packed;
	const struct vsw_vring_used_packed *s = vr->shadow_packed;
	struct pos first = { vr->last_used_idx, vr->used_wrap }, p = first;
	uint32_t descs = 0;
	uint16_t i;

	for (i = 0; i < n; i++) {
		ring[p.idx].id = s[i].id;
		ring[p.idx].len = s[i].len;
		pos_advance(vr, &p, s[i].count);
		descs += s[i].count;
	}
	/*
	 * Release fence: each descriptor's id/len before its flags, for a
	 * driver that looks at a later used descriptor before the first one
	 * (the spec's driver does not; DPDK orders them the same way).
	 */
	if (n > 1)
		__atomic_thread_fence(__ATOMIC_RELEASE);
	p = first;
	pos_advance(vr, &p, s[0].count);
	for (i = 1; i < n; i++) {
		__atomic_store_n(&ring[p.idx].flags, used_flags(p.wrap, s[i].len),
				 __ATOMIC_RELAXED);
		pos_advance(vr, &p, s[i].count);
	}
	/*
	 * Release: everything above, and every read or write of the buffers
	 * these entries return, happens before the driver sees the first
	 * used descriptor's flags. Pairs with the driver's read barrier after
	 * it finds its next descriptor used (Linux
	 * virtqueue_get_buf_ctx_packed: more_used_packed, virtio_rmb).
	 */
	__atomic_store_n(&ring[first.idx].flags, used_flags(first.wrap, s[0].len),
			 __ATOMIC_RELEASE);
	vr->last_used_idx = p.idx;
	vr->used_wrap = p.wrap;
	descs += vr->used_unsignalled;
	vr->used_unsignalled = RTE_MIN(descs, (uint32_t)vr->size);
}

/* Publish what the burst staged. */
static __rte_always_inline void
used_publish(struct vsw_vring *vr)
{
	if (vr->nr_shadow > 0)
		used_write(vr, vr->nr_shadow);
	vr->nr_shadow = 0;
}

/*
 * The shadow is full: publish the @p *keep entries of finished packets
 * before the current one and keep the current one's. @return -1 when the
 * current packet alone fills the shadow.
 */
static __rte_noinline int
shadow_make_room(struct vsw_vring *vr, uint16_t *keep)
{
	uint16_t k = *keep;

	if (k == 0)
		return -1;
	used_write(vr, k);
	memmove(vr->shadow_packed, vr->shadow_packed + k,
		(size_t)(vr->nr_shadow - k) * sizeof(vr->shadow_packed[0]));
	vr->nr_shadow = (uint16_t)(vr->nr_shadow - k);
	*keep = 0;
	return 0;
}

/*
 * Stage a used entry of the current packet; @p keep is where that packet's
 * entries start in the shadow. @return 0 or -1 (no room, see above).
 */
static __rte_always_inline int
shadow_add(struct vsw_vring *vr, uint16_t *keep, uint16_t id, uint32_t len,
	   uint16_t count)
{
	struct vsw_vring_used_packed *e;

	if (unlikely(vr->nr_shadow == VSW_VRING_SHADOW) &&
	    shadow_make_room(vr, keep) != 0)
		return -1;
	e = &vr->shadow_packed[vr->nr_shadow++];
	e->id = id;
	e->len = len;
	e->count = count;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Scan and batch load                                                 */

/*
 * Count up to @p max buffers offered from the avail position on and
 * prefetch their first descriptor's buffer, so that the misses of the
 * whole burst overlap. Only a hint: the walk re-reads every head.
 */
static __rte_always_inline uint16_t
scan(struct vsw_vring *vr, uint16_t max)
{
	uint16_t heads[VSW_VRING_BURST], cnt = 0;
	struct pos p = avail_pos(vr);
	bool head = true;

	for (uint32_t steps = 0; steps < vr->size; steps++) {
		/* Relaxed: a hint; the fence below orders what follows. */
		uint16_t f = __atomic_load_n(&vr->desc_packed[p.idx].flags,
					     __ATOMIC_RELAXED);

		if (!desc_avail(f, p.wrap))
			break;
		if (head) {
			if (cnt == max)
				break;
			heads[cnt++] = p.idx;
		}
		head = !(f & VRING_DESC_F_NEXT);
		pos_advance(vr, &p, 1);
	}
	/*
	 * Acquire: pairs with the driver's write barrier before each head's
	 * flags store (see head_load), so that the addresses read for the
	 * prefetches are the ones the driver wrote.
	 */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	for (uint16_t i = 0; i < cnt; i++) {
		struct vring_packed_desc d;
		uint64_t len = 128;
		const uint8_t *b;

		desc_load(&d, &vr->desc_packed[heads[i]]);
		b = vsw_mem_gpa_map(vr->mem, d.addr, &len, &vr->mem_hint);
		if (b == NULL)
			continue;
		rte_prefetch0(b);
		if (len > 64 && d.len > 64)
			rte_prefetch0(b + 64);
	}
	return cnt;
}

/*
 * Load the cache line of BATCH descriptors at @p p if each is an available
 * single-descriptor buffer whose WRITE flag is @p write. Nothing is
 * consumed; @return false to take the one-by-one walk.
 */
static __rte_always_inline bool
batch_load(const struct vsw_vring *vr, struct pos p,
	   struct vring_packed_desc *d, uint16_t write)
{
	const struct vring_packed_desc *line = &vr->desc_packed[p.idx];
	uint16_t f[BATCH], i;

	if ((p.idx & (BATCH - 1)) != 0 || p.idx + BATCH > vr->size)
		return false;
	for (i = 0; i < BATCH; i++) {
		/* Relaxed: ordered by the fence below. */
		f[i] = __atomic_load_n(&line[i].flags, __ATOMIC_RELAXED);
		if (!desc_avail(f[i], p.wrap) ||
		    (f[i] & (F_SINGLE | VRING_DESC_F_WRITE)) != write)
			return false;
	}
	/*
	 * Acquire fence: pairs with the driver's write barrier before each
	 * of these four flags stores (virtqueue_add_packed), so all four
	 * descriptors' addr/len/id are visible.
	 */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	memcpy(d, line, BATCH * sizeof(*d));
	rte_compiler_barrier();
	for (i = 0; i < BATCH; i++)
		d[i].flags = f[i];
	return true;
}

/* ------------------------------------------------------------------ */
/* Dequeue (guest tx)                                                  */

/* Copy the buffers of the indirect table @p d refers to. */
static __rte_noinline int
tx_indirect(struct vsw_vring *vr, struct rte_mempool *mp,
	    const struct vring_packed_desc *d, struct txc *c)
{
	const struct vring_packed_desc *tbl =
		indirect_map(vr, d->addr, d->len, d->flags);
	uint32_t n = d->len / sizeof(*d);

	if (tbl == NULL)
		return -VSW_VRING_E_INDIRECT;
	for (uint32_t i = 0; i < n; i++) {
		struct vring_packed_desc e;
		int rc;

		desc_load(&e, &tbl[i]);
		if (unlikely(e.flags & VRING_DESC_F_INDIRECT))
			return -VSW_VRING_E_INDIRECT; /* nested */
		/*
		 * WRITE is ignored here: DPDK 22.11's packed virtio-user
		 * pre-sets VRING_DESC_F_WRITE on every entry of its tx
		 * indirect tables (vring_desc_init_indirect_packed) and never
		 * clears it on the header entry. The device only reads these
		 * buffers, and each is still checked against guest memory.
		 */
		rc = tx_buf(vr, mp, e.addr, e.len,
			    e.flags & ~VRING_DESC_F_WRITE, c);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/*
 * Copy the payload of the buffer whose head (available) is at @p p into
 * @p c. @p *id and @p *count get its id and number of ring descriptors.
 */
static __rte_always_inline int
tx_walk(struct vsw_vring *vr, struct rte_mempool *mp, struct pos p,
	struct vring_packed_desc *d, struct txc *c, uint16_t *id,
	uint16_t *count)
{
	uint16_t n = 1;
	int rc;

	if (unlikely(d->flags & VRING_DESC_F_INDIRECT)) {
		rc = tx_indirect(vr, mp, d, c);
	} else {
		for (;;) {
			rc = tx_buf(vr, mp, d->addr, d->len, d->flags, c);
			if (rc != 0 || !(d->flags & VRING_DESC_F_NEXT))
				break;
			/* No list is longer than the Queue Size (spec). */
			if (unlikely(n == vr->size))
				return -VSW_VRING_E_CHAIN_LEN;
			n++;
			pos_advance(vr, &p, 1);
			desc_load(d, &vr->desc_packed[p.idx]);
			if (unlikely(d->flags & VRING_DESC_F_INDIRECT))
				return -VSW_VRING_E_INDIRECT; /* in a chain */
		}
	}
	*id = d->id; /* the last descriptor's (2.8.6) */
	*count = n;
	return rc;
}

/*
 * Dequeue the buffer at @p p into @p m and move @p p past it.
 * @return 0, RC_EMPTY, RC_DROP (buffer consumed), RC_NOROOM (nothing
 * offered), RC_NOMBUF (left in the ring) or -error.
 */
static __rte_always_inline int
tx_one(struct vsw_vring *vr, struct rte_mempool *mp, struct pos *p,
       struct rte_mbuf *m)
{
	struct vring_packed_desc d;
	uint16_t id, count, keep = vr->nr_shadow;
	struct txc c;
	int rc;

	if (!head_load(vr, *p, &d))
		return RC_NOROOM;
	txc_init(&c, m, vr->hdr_len);
	rc = tx_walk(vr, mp, *p, &d, &c, &id, &count);
	if (rc != 0)
		return rc;
	if (unlikely(id >= vr->size))
		return -VSW_VRING_E_DESC_IDX;
	rc = txc_end(vr, &c);
	if (rc < 0)
		return rc;
	shadow_add(vr, &keep, id, 0, count); /* <= 32 entries: fits */
	pos_advance(vr, p, count);
	return rc;
}

/*
 * Fast path: four single-descriptor buffers at @p p, each payload fitting
 * its mbuf of @p m. @return 0 (four packets in m, @p p moved) or -1
 * (nothing done).
 */
static __rte_always_inline int
tx_batch(struct vsw_vring *vr, struct pos *p, struct rte_mbuf **m)
{
	struct vring_packed_desc d[BATCH];
	const uint8_t *src[BATCH];
	uint16_t keep = vr->nr_shadow, i;

	if (!batch_load(vr, *p, d, 0))
		return -1;
	for (i = 0; i < BATCH; i++) {
		uint64_t len = d[i].len;

		if (d[i].id >= vr->size || d[i].len <= vr->hdr_len ||
		    d[i].len - vr->hdr_len > rte_pktmbuf_tailroom(m[i]))
			return -1;
		src[i] = vsw_mem_gpa_map(vr->mem, d[i].addr, &len,
					 &vr->mem_hint);
		if (src[i] == NULL || len != d[i].len)
			return -1;
		/* Offload requests take the one-by-one path (read once
		 * there: this peek only picks the path). */
		if (vr->tx_off != 0 && (src[i][0] | src[i][1]) != 0)
			return -1;
	}
	for (i = 0; i < BATCH; i++) {
		uint32_t plen = d[i].len - vr->hdr_len;

		rte_memcpy(rte_pktmbuf_mtod(m[i], void *), src[i] + vr->hdr_len,
			   plen);
		m[i]->data_len = (uint16_t)plen;
		m[i]->pkt_len = plen;
		shadow_add(vr, &keep, d[i].id, 0, 1);
	}
	pos_advance(vr, p, BATCH);
	vr->batched += BATCH;
	return 0;
}

/* The packets of a dequeue burst. */
struct txb {
	struct rte_mbuf *pre[VSW_VRING_BURST];
	uint16_t cnt;  /* buffers the scan found */
	uint16_t npre; /* mbufs in pre */
	uint16_t ipre; /* next unused mbuf */
	uint16_t got;  /* packets delivered */
	uint64_t bytes;
};

/* Walk the burst's buffers. @return the last outcome (see tx_one). */
static __rte_always_inline int
tx_loop(struct vsw_vring *vr, struct rte_mempool *mp, struct pos *p,
	struct txb *b, struct rte_mbuf **pkts)
{
	uint16_t taken = 0;
	int rc = 0;

	while (taken < b->cnt && b->ipre < b->npre) {
		struct rte_mbuf *m = b->pre[b->ipre];

		if (b->cnt - taken >= BATCH && b->npre - b->ipre >= BATCH &&
		    tx_batch(vr, p, &b->pre[b->ipre]) == 0) {
			for (uint16_t i = 0; i < BATCH; i++) {
				m = b->pre[b->ipre++];
				pkts[b->got++] = m;
				b->bytes += m->pkt_len;
			}
			taken += BATCH;
			continue;
		}
		if (b->ipre + 1 < b->npre) /* destination of the next packet */
			rte_prefetch0(rte_pktmbuf_mtod(b->pre[b->ipre + 1], void *));
		rc = tx_one(vr, mp, p, m);
		if (rc == 0) {
			pkts[b->got++] = m;
			b->bytes += m->pkt_len;
			b->ipre++;
		} else if (rc != RC_EMPTY) {
			if (rc == RC_NOROOM)
				break; /* m unused */
			rte_pktmbuf_free(m);
			b->ipre++;
			if (rc != RC_DROP)
				break; /* RC_DROP was counted */
		}
		taken++;
	}
	return rc;
}

uint16_t
vring_packed_dequeue(struct vsw_vring *vr, struct rte_mempool *mp,
		     struct rte_mbuf **pkts, uint16_t n)
{
	struct pos p = avail_pos(vr);
	struct txb b;
	int rc;

	if (unlikely(ring_is_broken(vr)) || n == 0)
		return 0;
	b.cnt = scan(vr, RTE_MIN(n, (uint16_t)VSW_VRING_BURST));
	if (b.cnt == 0)
		return 0;
	b.npre = tx_mbufs(mp, b.pre, b.cnt);
	b.ipre = 0;
	b.got = 0;
	b.bytes = 0;
	rc = tx_loop(vr, mp, &p, &b, pkts);
	if (b.ipre < b.npre)
		rte_pktmbuf_free_bulk(&b.pre[b.ipre], b.npre - b.ipre);
	if (unlikely(rc < 0)) {
		ring_break(vr, rc);
		vr->stats.drop_bad++;
	}
	vr->last_avail_idx = p.idx;
	vr->avail_wrap = p.wrap;
	used_publish(vr);
	vr->stats.packets += b.got;
	vr->stats.bytes += b.bytes;
	return b.got;
}

/* ------------------------------------------------------------------ */
/* Enqueue (guest rx)                                                  */

/* Fill the buffers of the indirect table @p d refers to. */
static __rte_noinline int
rx_indirect(struct vsw_vring *vr, const struct vring_packed_desc *d,
	    struct rxc *x, uint32_t *written, uint64_t *cap)
{
	const struct vring_packed_desc *tbl =
		indirect_map(vr, d->addr, d->len, d->flags);
	uint32_t n = d->len / sizeof(*d);

	if (tbl == NULL)
		return -VSW_VRING_E_INDIRECT;
	for (uint32_t i = 0; i < n; i++) {
		struct vring_packed_desc e;
		int rc;

		desc_load(&e, &tbl[i]);
		if (unlikely(e.flags & VRING_DESC_F_INDIRECT))
			return -VSW_VRING_E_INDIRECT; /* nested */
		rc = rx_buf(vr, e.addr, e.len, e.flags, x, written);
		if (rc != 0)
			return rc;
		*cap += e.len;
	}
	return 0;
}

/* Fill the descriptors of a chain starting with head @p d at @p p. */
static __rte_always_inline int
rx_chain(struct vsw_vring *vr, struct pos p, struct vring_packed_desc *d,
	 struct rxc *x, uint32_t *written, uint64_t *cap, uint16_t *count)
{
	uint16_t n = 1;
	int rc;

	for (;;) {
		rc = rx_buf(vr, d->addr, d->len, d->flags, x, written);
		if (rc != 0)
			return rc;
		*cap += d->len;
		if (!(d->flags & VRING_DESC_F_NEXT))
			break;
		/* No list is longer than the Queue Size (spec). */
		if (unlikely(n == vr->size))
			return -VSW_VRING_E_CHAIN_LEN;
		n++;
		pos_advance(vr, &p, 1);
		desc_load(d, &vr->desc_packed[p.idx]);
		if (unlikely(d->flags & VRING_DESC_F_INDIRECT))
			return -VSW_VRING_E_INDIRECT; /* in a chain */
	}
	*count = n;
	return 0;
}

/*
 * Fill the buffer at @p p with what is left of the packet, walking it to
 * its last descriptor for its id and length. @return 0 (packet complete),
 * RC_FULL (the buffer ended first; it is still described by *id, *count,
 * *written, and *cap is its capacity), RC_NOROOM (nothing offered) or
 * -error. Only a packet's first buffer must hold the whole virtio-net
 * header; later (mergeable) buffers may be any size.
 */
static __rte_always_inline int
rx_walk(struct vsw_vring *vr, struct pos p, struct rxc *x, uint32_t *written,
	uint16_t *id, uint16_t *count, uint64_t *cap)
{
	struct vring_packed_desc d;
	int rc;

	if (!head_load(vr, p, &d))
		return RC_NOROOM;
	*written = 0;
	*count = 1;
	*cap = 0;
	if (unlikely(d.flags & VRING_DESC_F_INDIRECT))
		rc = rx_indirect(vr, &d, x, written, cap);
	else
		rc = rx_chain(vr, p, &d, x, written, cap, count);
	if (rc != 0)
		return rc;
	if (unlikely(d.id >= vr->size))
		return -VSW_VRING_E_DESC_IDX;
	*id = d.id; /* the last descriptor's (2.8.6) */
	if (rxc_done(x))
		return 0;
	return x->hdr_left > 0 ? -VSW_VRING_E_HEADER : RC_FULL;
}

static __rte_always_inline uint32_t
pos_key(struct pos p)
{
	return (uint32_t)p.idx | (uint32_t)p.wrap << 15;
}

/* Without MRG_RXBUF: the packet takes exactly one buffer or is skipped. */
static __rte_always_inline int
rx_one(struct vsw_vring *vr, const struct rte_mbuf *m, struct pos *p,
       struct rx_short *sh)
{
	uint16_t id, count, keep = vr->nr_shadow;
	uint32_t written;
	uint64_t cap;
	struct rxc x;
	int rc;

	if (rx_short_skip(sh, pos_key(*p), m, vr->hdr_len))
		return RC_SKIP;
	rxc_init(&x, m, vr->hdr_len, vr->rx_off);
	rc = rx_walk(vr, *p, &x, &written, &id, &count, &cap);
	if (rc == RC_FULL) {
		/* What we wrote is not returned: harmless. */
		*sh = (struct rx_short){ pos_key(*p), cap };
		return RC_SKIP;
	}
	if (rc != 0)
		return rc;
	shadow_add(vr, &keep, id, written, count); /* <= 32 entries: fits */
	pos_advance(vr, p, count);
	return 0;
}

/* With MRG_RXBUF: the packet takes as many buffers as it needs, or none. */
static __rte_always_inline int
rx_mrg(struct vsw_vring *vr, const struct rte_mbuf *m, struct pos *p,
       struct rx_short *sh)
{
	struct pos start = *p;
	uint16_t keep = vr->nr_shadow, nbufs = 0, id = 0, count = 0;
	uint32_t written = 0, descs = 0;
	uint64_t cap, room = 0;
	struct rxc x;
	int rc;

	if (rx_short_skip(sh, pos_key(start), m, vr->hdr_len))
		return RC_SKIP;
	rxc_init(&x, m, vr->hdr_len, vr->rx_off);
	do {
		rc = rx_walk(vr, *p, &x, &written, &id, &count, &cap);
		if (rc < 0 || rc == RC_NOROOM)
			break;
		/* One packet cannot span more than the whole ring. */
		descs += count;
		if (unlikely(descs > vr->size)) {
			rc = -VSW_VRING_E_CHAIN_LEN;
			break;
		}
		if (unlikely(shadow_add(vr, &keep, id, written, count) != 0)) {
			/* More buffers than the shadow holds: so would any
			 * packet bigger than the ones it took. */
			*sh = (struct rx_short){ pos_key(start), room };
			rc = RC_SKIP;
			break;
		}
		room += cap;
		nbufs++;
		pos_advance(vr, p, count);
	} while (rc == RC_FULL);
	if (rc != 0) {
		*p = start;
		vr->nr_shadow = keep;
		return rc;
	}
	rxc_set_nbufs(&x, nbufs);
	return 0;
}

/*
 * Fast path: four single-descriptor buffers at @p p, each big enough for
 * the header and the one-segment packet of @p m. @return 0 (delivered,
 * @p p moved) or -1 (nothing done).
 */
static __rte_always_inline int
rx_batch(struct vsw_vring *vr, struct pos *p, struct rte_mbuf *const *m)
{
	/* Zeroed header, num_buffers = 1 (when hdr_len is 12). */
	static const uint8_t hdr[sizeof(struct virtio_net_hdr_mrg_rxbuf)] = {
		[VRING_HDR_NUM_BUFFERS_OFF] = 1,
	};
	struct vring_packed_desc d[BATCH];
	uint8_t *dst[BATCH];
	uint16_t keep, i;

	for (i = 0; i < BATCH; i++)
		if (m[i]->nb_segs != 1 || m[i]->data_len != m[i]->pkt_len ||
		    (vr->rx_off != 0 && (m[i]->ol_flags & VRING_RX_HDR_FLAGS)))
			return -1;
	if (!batch_load(vr, *p, d, VRING_DESC_F_WRITE))
		return -1;
	for (i = 0; i < BATCH; i++) {
		uint64_t need = (uint64_t)vr->hdr_len + m[i]->pkt_len, len = need;

		if (d[i].id >= vr->size || need > d[i].len)
			return -1;
		dst[i] = vsw_mem_gpa_map(vr->mem, d[i].addr, &len, &vr->mem_hint);
		if (dst[i] == NULL || len != need)
			return -1;
	}
	if (vr->nr_shadow > VSW_VRING_SHADOW - BATCH)
		used_publish(vr); /* finished packets only */
	keep = vr->nr_shadow;
	for (i = 0; i < BATCH; i++) {
		hdr_store(dst[i], hdr, vr->hdr_len);
		rte_memcpy(dst[i] + vr->hdr_len,
			   rte_pktmbuf_mtod(m[i], const void *), m[i]->pkt_len);
		shadow_add(vr, &keep, d[i].id, vr->hdr_len + m[i]->pkt_len, 1);
	}
	pos_advance(vr, p, BATCH);
	vr->batched += BATCH;
	return 0;
}

static __rte_always_inline uint16_t
enqueue(struct vsw_vring *vr, struct rte_mbuf *const *pkts, uint16_t n,
	const bool mrg)
{
	struct rx_short sh = { .at = UINT32_MAX };
	struct pos p = avail_pos(vr);
	uint16_t i = 0, sent = 0;
	uint64_t bytes = 0;
	int rc = 0;

	while (i < n) {
		if (n - i >= BATCH && rx_batch(vr, &p, &pkts[i]) == 0) {
			for (uint16_t k = 0; k < BATCH; k++)
				bytes += pkts[i + k]->pkt_len;
			sent += BATCH;
			i += BATCH;
			continue;
		}
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		rc = mrg ? rx_mrg(vr, pkts[i], &p, &sh) :
			   rx_one(vr, pkts[i], &p, &sh);
		if (rc == 0) {
			sent++;
			bytes += pkts[i]->pkt_len;
		} else if (rc == RC_SKIP) {
			vr->stats.drop_no_buf++;
		} else {
			break;
		}
		i++;
	}
	if (unlikely(rc < 0)) {
		ring_break(vr, rc);
		vr->stats.drop_bad += n - i;
	} else {
		vr->stats.drop_no_buf += n - i;
	}
	vr->last_avail_idx = p.idx;
	vr->avail_wrap = p.wrap;
	used_publish(vr);
	vr->stats.packets += sent;
	vr->stats.bytes += bytes;
	return sent;
}

static __rte_noinline uint16_t
enqueue_mrg(struct vsw_vring *vr, struct rte_mbuf *const *pkts, uint16_t n)
{
	return enqueue(vr, pkts, n, true);
}

static __rte_noinline uint16_t
enqueue_one(struct vsw_vring *vr, struct rte_mbuf *const *pkts, uint16_t n)
{
	return enqueue(vr, pkts, n, false);
}

uint16_t
vring_packed_enqueue(struct vsw_vring *vr, struct rte_mbuf *const *pkts,
		     uint16_t n)
{
	n = RTE_MIN(n, VSW_VRING_BURST);
	if (unlikely(ring_is_broken(vr))) {
		vr->stats.drop_bad += n;
		return 0;
	}
	if (n == 0)
		return 0;
	/* Prefetch the first buffers; none at all: nothing to do. */
	if (scan(vr, n) == 0) {
		vr->stats.drop_no_buf += n;
		return 0;
	}
	if (vr->flags & VSW_VRING_F_MRG_RXBUF)
		return enqueue_mrg(vr, pkts, n);
	return enqueue_one(vr, pkts, n);
}

/* ------------------------------------------------------------------ */
/* Notifications, set-up                                               */

/*
 * RING_EVENT_FLAGS_DESC: did the used descriptors written since the last
 * answer (@p n positions, ending at the used position) pass the one the
 * driver named in off_wrap? As Linux virtqueue_kick_prepare_packed and
 * DPDK vhost_vring_call_packed: positions of the previous lap count from
 * -size, and vring_need_event() works modulo 2^16.
 */
static bool
event_passed(const struct vsw_vring *vr, uint32_t n)
{
	uint16_t off_wrap = __atomic_load_n(&vr->driver_event->off_wrap,
					    __ATOMIC_RELAXED);
	uint16_t ev = off_wrap & (uint16_t)~F_EVT_WRAP;
	uint16_t new_idx = vr->last_used_idx;
	uint16_t old = (uint16_t)(new_idx - n);

	if (n >= vr->size)
		return true; /* a whole lap: every position was written */
	if (!!(off_wrap & F_EVT_WRAP) != vr->used_wrap)
		ev = (uint16_t)(ev - vr->size);
	return vring_need_event(ev, new_idx, old);
}

bool
vring_packed_need_call(struct vsw_vring *vr)
{
	uint32_t n = vr->used_unsignalled;
	uint16_t flags;
	bool need;

	if (n == 0)
		return false; /* nothing published since the last answer */
	/*
	 * Full fence: our used flags stores must be visible before we read
	 * the driver event area. Pairs with the driver's full barrier between
	 * writing it (ENABLE / DESC) and checking its next used descriptor
	 * again (Linux virtqueue_enable_cb_prepare_packed +
	 * virtqueue_poll_packed, virtqueue_enable_cb_delayed_packed's
	 * virtio_mb). Without it both sides may miss each other.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/*
	 * Acquire: pairs with the driver's write barrier between storing
	 * off_wrap and storing flags = DESC (virtqueue_enable_cb_*_packed),
	 * so the off_wrap read below is at least as new as these flags.
	 */
	flags = __atomic_load_n(&vr->driver_event->flags, __ATOMIC_ACQUIRE);
	if (flags == VRING_PACKED_EVENT_FLAG_DESC &&
	    (vr->flags & VSW_VRING_F_EVENT_IDX))
		/* Before the first answer we do not know what the driver saw. */
		need = !vr->signalled_used_valid || event_passed(vr, n);
	else /* ENABLE; DESC without EVENT_IDX and reserved values: enable */
		need = flags != VRING_PACKED_EVENT_FLAG_DISABLE;
	vr->used_unsignalled = 0;
	vr->signalled_used = vr->last_used_idx;
	vr->signalled_used_valid = true;
	if (need)
		vr->stats.calls++;
	else
		vr->stats.calls_suppressed++;
	return need;
}

void
vring_packed_disable_kicks(struct vsw_vring *vr)
{
	/*
	 * No ordering needed: a late-seen flag only costs a spare kick.
	 * RING_EVENT_FLAGS_DISABLE holds with or without EVENT_IDX, so
	 * off_wrap is left alone (Linux virtqueue_kick_prepare_packed).
	 */
	__atomic_store_n(&vr->device_event->flags,
			 (uint16_t)VRING_PACKED_EVENT_FLAG_DISABLE,
			 __ATOMIC_RELAXED);
}

bool
vring_packed_pending(const struct vsw_vring *vr)
{
	struct pos p = avail_pos(vr);

	/* Acquire: pairs with the driver's store of the head's flags. */
	return desc_avail(__atomic_load_n(&vr->desc_packed[p.idx].flags,
					  __ATOMIC_ACQUIRE), p.wrap);
}

bool
vring_packed_enable_kicks(struct vsw_vring *vr)
{
	struct pos p = avail_pos(vr);

	/* ENABLE holds with or without EVENT_IDX (2.8.10): off_wrap unused. */
	__atomic_store_n(&vr->device_event->flags,
			 (uint16_t)VRING_PACKED_EVENT_FLAG_ENABLE, __ATOMIC_RELAXED);
	/*
	 * Full fence: the request above before the descriptor read below.
	 * Pairs with the driver's full barrier between making a buffer
	 * available and reading the device event area (Linux
	 * virtqueue_kick_prepare_packed: virtio_mb). Either it kicks, or we
	 * see the buffer here.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return desc_avail(__atomic_load_n(&vr->desc_packed[p.idx].flags,
					  __ATOMIC_ACQUIRE), p.wrap);
}

int
vring_packed_init(struct vsw_vring *vr, const struct vsw_vring_config *cfg)
{
	uint32_t avail = cfg->base & 0xffff, used = cfg->base >> 16;

	if (cfg->desc_packed == NULL || cfg->driver_event == NULL ||
	    cfg->device_event == NULL || cfg->mem == NULL)
		return -EINVAL;
	if (cfg->size == 0 || cfg->size > VSW_VRING_MAX_SIZE)
		return -EINVAL;
	if ((uintptr_t)cfg->desc_packed % 16 != 0 ||
	    (uintptr_t)cfg->driver_event % 4 != 0 ||
	    (uintptr_t)cfg->device_event % 4 != 0)
		return -EINVAL;
	if (!cfg_hdr_ok(cfg))
		return -EINVAL;
	/* Front-ends that send only the avail half: used = avail. */
	if (used == 0)
		used = avail;
	if ((avail & 0x7fff) >= cfg->size || (used & 0x7fff) >= cfg->size)
		return -EINVAL;

	memset(vr, 0, sizeof(*vr));
	vr->desc_packed = cfg->desc_packed;
	vr->driver_event = cfg->driver_event;
	vr->device_event = cfg->device_event;
	vr->mem = cfg->mem;
	vr->size = cfg->size;
	vr->mask = (uint16_t)(cfg->size - 1); /* unused by the packed engine */
	vr->hdr_len = cfg->hdr_len;
	vr->tx_off = cfg->tx_offloads;
	vr->rx_off = cfg->rx_offloads;
	vr->flags = cfg->flags;
	vr->last_avail_idx = (uint16_t)(avail & 0x7fff);
	vr->avail_wrap = (avail >> 15) & 1;
	vr->last_used_idx = (uint16_t)(used & 0x7fff);
	vr->used_wrap = (used >> 15) & 1;
	vr->signalled_used = vr->last_used_idx;
	vr->signalled_used_valid = false;
	return 0;
}
