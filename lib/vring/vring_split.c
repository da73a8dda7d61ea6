/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split virtqueue engine (VIRTIO 1.3 section 2.7).
 *
 * A burst reads avail->idx once, reads the avail entries it will use once
 * into a local array, copies each head descriptor into local memory and
 * prefetches descriptors and first buffers of the whole batch before it
 * copies anything (the avail entry -> descriptor -> payload chain would
 * otherwise serialise three cache misses per packet). Chains are then walked
 * one descriptor at a time; each descriptor is copied into a local struct
 * before any field is used and buffers are translated piecewise through the
 * memory table, so a buffer may straddle two regions. Used entries are
 * staged in vr->shadow and published with one release store of used->idx
 * at the end of the burst; completion order is avail order (IN_ORDER safe).
 *
 * Choices where the spec leaves one:
 * - tx, header-only chain (no payload): returned with used len 0, no mbuf,
 *   not counted.
 * - tx, payload > VRING_TX_MAX_PKT: chain returned, packet dropped and
 *   counted in drop_bad; the ring stays healthy.
 * - tx, mempool empty (also mid-packet): the burst stops and the chain
 *   stays in the ring for the next burst; nothing is lost, so drop_no_mbuf
 *   is never incremented.
 * - rx chains are walked only as far as the packet needs; without
 *   MRG_RXBUF a too-small chain is kept for the next packet, which walks
 *   it again (every descriptor re-read and re-checked) only if it fits in
 *   the capacity the first walk found (struct rx_short).
 * - A chain, indirect entries included, has at most queue-size buffers;
 *   an indirect table at most queue-size entries (VIRTIO 1.3 2.7.5.3.1).
 * - Only a packet's first rx chain must hold the virtio-net header.
 * - The burst that finds a malformed chain still completes and publishes
 *   the good chains before it; the bad tx chain counts 1 in drop_bad, on
 *   rx every packet of the burst not delivered does.
 *
 * Internal functions return 0 or a positive soft outcome (RC_*), or the
 * negated enum vsw_vring_err that breaks the ring. The copy helpers shared
 * with the packed engine live in vring_priv.h; each public function
 * branches once, at its top, to vring_packed.c for packed rings.
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

/* ------------------------------------------------------------------ */
/* Ring state                                                          */

/* Number of entries the driver offers, or -1 after breaking the ring. */
static __rte_always_inline int
avail_count(struct vsw_vring *vr)
{
	/*
	 * Read once per burst. Acquire: pairs with the driver's write
	 * barrier between filling descriptors/avail->ring and publishing
	 * avail->idx (Linux virtqueue_add_split, virtio_wmb), so every entry
	 * below idx is visible once we see idx.
	 */
	uint16_t idx = __atomic_load_n(&vr->avail->idx, __ATOMIC_ACQUIRE);
	uint16_t n = (uint16_t)(idx - vr->last_avail_idx);

	if (unlikely(n > vr->size)) {
		ring_break(vr, -VSW_VRING_E_AVAIL_IDX);
		return -1;
	}
	return n;
}

/* The head index in avail entry last_avail_idx + @p k (read once). */
static __rte_always_inline uint16_t
avail_head(const struct vsw_vring *vr, uint16_t k)
{
	uint16_t slot = (uint16_t)(vr->last_avail_idx + k) & vr->mask;

	return __atomic_load_n(&vr->avail->ring[slot], __ATOMIC_RELAXED);
}

/*
 * Copy a guest descriptor into local memory. The compiler barrier makes
 * every later use read the local copy, never the guest's table again (no
 * double fetch); memcpy because an indirect table need not be aligned.
 */
static __rte_always_inline void
desc_load(struct vring_desc *d, const struct vring_desc *src)
{
	memcpy(d, src, sizeof(*d));
	rte_compiler_barrier();
}

/* ------------------------------------------------------------------ */
/* Used ring                                                           */

/* Write the staged entries into the used ring, behind the published idx. */
static void
shadow_write(struct vsw_vring *vr, uint16_t *flushed)
{
	uint16_t n = vr->nr_shadow;
	uint16_t pos = (uint16_t)(vr->last_used_idx + *flushed) & vr->mask;
	uint16_t first = RTE_MIN(n, (uint16_t)(vr->size - pos));

	memcpy(&vr->used->ring[pos], vr->shadow, first * sizeof(vr->shadow[0]));
	memcpy(&vr->used->ring[0], vr->shadow + first,
	       (size_t)(n - first) * sizeof(vr->shadow[0]));
	*flushed = (uint16_t)(*flushed + n);
	vr->nr_shadow = 0;
}

/*
 * Stage a used entry. When the shadow is full its entries are written to
 * the used ring early, still unpublished, so that a rollback stays possible.
 */
static __rte_always_inline void
shadow_add(struct vsw_vring *vr, uint16_t head, uint32_t len, uint16_t *flushed)
{
	if (unlikely(vr->nr_shadow == RTE_DIM(vr->shadow)))
		shadow_write(vr, flushed);
	vr->shadow[vr->nr_shadow].id = head;
	vr->shadow[vr->nr_shadow].len = len;
	vr->nr_shadow++;
}

/* Forget the entries staged after the first @p keep of this burst. */
static __rte_always_inline void
shadow_rollback(struct vsw_vring *vr, uint32_t keep, uint16_t *flushed)
{
	if (*flushed <= keep) {
		vr->nr_shadow = (uint16_t)(keep - *flushed);
	} else {
		/* An early write covered part of the packet: everything
		 * before @p keep is in the ring, the rest is invisible. */
		*flushed = (uint16_t)keep;
		vr->nr_shadow = 0;
	}
}

static __rte_always_inline void
used_publish(struct vsw_vring *vr, uint16_t flushed)
{
	if (vr->nr_shadow > 0)
		shadow_write(vr, &flushed);
	if (flushed == 0)
		return;
	vr->last_used_idx = (uint16_t)(vr->last_used_idx + flushed);
	/*
	 * One store per burst. Release: the used elements, and every read or
	 * write of the buffers they return, happen before the driver can see
	 * the new idx. Pairs with the driver's read barrier after it reads
	 * used->idx (Linux virtqueue_get_buf_ctx_split, virtio_rmb).
	 */
	__atomic_store_n(&vr->used->idx, vr->last_used_idx, __ATOMIC_RELEASE);
}

/* ------------------------------------------------------------------ */
/* Batch prologue and chain walk                                       */

/*
 * Read @p cnt avail entries once and copy their head descriptors, with
 * prefetches so that the misses of the whole batch overlap. A bad head is
 * left for the walk to reject when it is reached.
 */
static __rte_always_inline void
batch_load(struct vsw_vring *vr, uint16_t cnt, uint16_t *heads,
	   struct vring_desc *d0)
{
	uint16_t i;

	for (i = 0; i < cnt; i++) {
		heads[i] = avail_head(vr, i);
		if (likely(heads[i] < vr->size))
			rte_prefetch0(&vr->desc[heads[i]]);
	}
	for (i = 0; i < cnt; i++) {
		uint64_t len = 128;
		const uint8_t *p;

		if (unlikely(heads[i] >= vr->size)) {
			memset(&d0[i], 0, sizeof(d0[i]));
			continue;
		}
		desc_load(&d0[i], &vr->desc[heads[i]]);
		p = vsw_mem_gpa_map(vr->mem, d0[i].addr, &len, &vr->mem_hint);
		if (p == NULL)
			continue;
		rte_prefetch0(p);
		if (len > 64 && d0[i].len > 64)
			rte_prefetch0(p + 64);
	}
}

struct walk {
	const struct vring_desc *tbl; /* table of the current descriptor */
	uint32_t tbl_n;               /* its entries */
	/* buffers of the chain so far, ring and indirect entries together:
	 * at most the queue size (VIRTIO 1.3 2.7.5.3.1), which also ends a
	 * loop in either table */
	uint32_t steps;
	bool indirect;
};

static __rte_always_inline void
walk_prefetch(const struct walk *w, const struct vring_desc *d)
{
	if ((d->flags & VRING_DESC_F_NEXT) && d->next < w->tbl_n)
		rte_prefetch0(&w->tbl[d->next]);
}

/* @p d refers to an indirect table: check it and load its first entry. */
static int
walk_indirect(struct vsw_vring *vr, struct walk *w, struct vring_desc *d)
{
	const struct vring_desc *tbl;

	if (w->indirect)
		return -VSW_VRING_E_INDIRECT; /* nested */
	tbl = indirect_map(vr, d->addr, d->len, d->flags);
	if (tbl == NULL)
		return -VSW_VRING_E_INDIRECT;
	w->tbl = tbl;
	w->tbl_n = d->len / sizeof(*d);
	w->indirect = true;
	/* tbl[0] takes the place of the descriptor that pointed to it:
	 * steps is unchanged. */
	desc_load(d, &tbl[0]);
	if (d->flags & VRING_DESC_F_INDIRECT)
		return -VSW_VRING_E_INDIRECT; /* nested */
	walk_prefetch(w, d);
	return 0;
}

/* Start a chain whose head (already copied to @p d) is valid. */
static __rte_always_inline int
walk_begin(struct vsw_vring *vr, struct walk *w, struct vring_desc *d)
{
	w->tbl = vr->desc;
	w->tbl_n = vr->size;
	w->steps = 1;
	w->indirect = false;
	if (unlikely(d->flags & VRING_DESC_F_INDIRECT))
		return walk_indirect(vr, w, d);
	walk_prefetch(w, d);
	return 0;
}

/* Replace @p d (which has NEXT) by the next descriptor of the chain. */
static __rte_always_inline int
walk_next(struct vsw_vring *vr, struct walk *w, struct vring_desc *d)
{
	uint16_t next = d->next;

	if (unlikely(next >= w->tbl_n))
		return -VSW_VRING_E_DESC_IDX;
	if (unlikely(++w->steps > vr->size))
		return -VSW_VRING_E_CHAIN_LEN;
	desc_load(d, &w->tbl[next]);
	if (unlikely(d->flags & VRING_DESC_F_INDIRECT))
		return walk_indirect(vr, w, d);
	walk_prefetch(w, d);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Dequeue (guest tx)                                                  */

/* Copy the device-readable buffer of descriptor @p d. */
static __rte_always_inline int
tx_desc(struct vsw_vring *vr, struct rte_mempool *mp, const struct vring_desc *d,
	struct txc *c)
{
	return tx_buf(vr, mp, d->addr, d->len, d->flags, c);
}

/*
 * Copy the payload of the chain whose head descriptor is @p d into @p m.
 * @return 0 (packet in m), RC_EMPTY (m untouched), RC_DROP, RC_NOMBUF or
 * -error; on anything but 0 and RC_EMPTY the caller frees m.
 */
static __rte_always_inline int
tx_chain(struct vsw_vring *vr, struct rte_mempool *mp, uint16_t head,
	 struct vring_desc *d, struct rte_mbuf *m)
{
	struct walk w;
	struct txc c;
	int rc;

	txc_init(&c, m, vr->hdr_len);
	if (unlikely(head >= vr->size))
		return -VSW_VRING_E_DESC_IDX;
	rc = walk_begin(vr, &w, d);
	while (rc == 0) {
		rc = tx_desc(vr, mp, d, &c);
		if (rc != 0 || !(d->flags & VRING_DESC_F_NEXT))
			break;
		rc = walk_next(vr, &w, d);
	}
	if (rc != 0)
		return rc;
	return txc_end(vr, &c);
}

uint16_t
vsw_vring_dequeue_burst(struct vsw_vring *vr, struct rte_mempool *mp,
			struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t heads[VSW_VRING_BURST];
	struct vring_desc d0[VSW_VRING_BURST];
	struct rte_mbuf *pre[VSW_VRING_BURST];
	uint16_t cnt, npre, ipre = 0, got = 0, taken = 0, flushed = 0;
	uint64_t bytes = 0;
	int avail, rc = 0;

	if (vr->flags & VSW_VRING_F_PACKED)
		return vring_packed_dequeue(vr, mp, pkts, n);
	if (unlikely(ring_is_broken(vr)))
		return 0;
	avail = avail_count(vr);
	if (avail <= 0 || n == 0)
		return 0;
	cnt = RTE_MIN(n, (uint16_t)VSW_VRING_BURST);
	cnt = RTE_MIN(cnt, (uint16_t)avail);
	batch_load(vr, cnt, heads, d0);
	npre = tx_mbufs(mp, pre, cnt);
	for (; taken < cnt && ipre < npre; taken++) {
		struct rte_mbuf *m = pre[ipre];

		if (ipre + 1 < npre) /* destination of the next packet */
			rte_prefetch0(rte_pktmbuf_mtod(pre[ipre + 1], void *));
		rc = tx_chain(vr, mp, heads[taken], &d0[taken], m);
		if (rc == 0) {
			pkts[got++] = m;
			bytes += m->pkt_len;
			ipre++;
		} else if (rc != RC_EMPTY) {
			rte_pktmbuf_free(m);
			ipre++;
			if (rc != RC_DROP)
				break; /* RC_DROP was counted */
		}
		shadow_add(vr, heads[taken], 0, &flushed);
	}
	if (ipre < npre)
		rte_pktmbuf_free_bulk(&pre[ipre], npre - ipre);
	if (unlikely(rc < 0)) {
		ring_break(vr, rc);
		vr->stats.drop_bad++;
	}
	vr->last_avail_idx = (uint16_t)(vr->last_avail_idx + taken);
	used_publish(vr, flushed);
	vr->stats.packets += got;
	vr->stats.bytes += bytes;
	return got;
}

/* ------------------------------------------------------------------ */
/* Enqueue (guest rx)                                                  */

/* Fill the device-writable buffer of descriptor @p d. */
static __rte_always_inline int
rx_desc(struct vsw_vring *vr, const struct vring_desc *d, struct rxc *x,
	uint32_t *written)
{
	return rx_buf(vr, d->addr, d->len, d->flags, x, written);
}

/*
 * Fill one chain (head descriptor copied in @p d) with what is left of the
 * packet. Walks only as far as the packet needs.
 * @return 0 (packet complete), RC_FULL (chain ended first; *@p cap is its
 * capacity) or -error. Only the first chain of a packet must hold the whole
 * virtio-net header; later (mergeable) chains may be any size.
 */
static __rte_always_inline int
rx_chain(struct vsw_vring *vr, uint16_t head, struct vring_desc *d,
	 struct rxc *x, uint32_t *written, uint64_t *cap)
{
	struct walk w;
	int rc;

	*written = 0;
	*cap = 0;
	if (unlikely(head >= vr->size))
		return -VSW_VRING_E_DESC_IDX;
	rc = walk_begin(vr, &w, d);
	while (rc == 0) {
		rc = rx_desc(vr, d, x, written);
		if (rc != 0 || rxc_done(x))
			return rc;
		*cap += d->len;
		if (!(d->flags & VRING_DESC_F_NEXT))
			return x->hdr_left > 0 ? -VSW_VRING_E_HEADER : RC_FULL;
		rc = walk_next(vr, &w, d);
	}
	return rc;
}

/* The chains a burst may take: the first cnt were read by batch_load(). */
struct rxb {
	uint16_t heads[VSW_VRING_BURST];
	struct vring_desc d0[VSW_VRING_BURST];
	uint16_t cnt;     /* entries in heads/d0 */
	uint16_t avail;   /* entries the driver offers */
	uint16_t taken;   /* entries consumed so far */
	uint16_t flushed; /* used entries written to the ring early */
	struct rx_short short_chain; /* at: chain number */
};

/* Head and local head descriptor of chain number b->taken. */
static __rte_always_inline uint16_t
rxb_chain(struct vsw_vring *vr, const struct rxb *b, struct vring_desc *d)
{
	uint16_t head;

	if (likely(b->taken < b->cnt)) {
		*d = b->d0[b->taken];
		return b->heads[b->taken];
	}
	head = avail_head(vr, b->taken);
	if (likely(head < vr->size))
		desc_load(d, &vr->desc[head]);
	return head;
}

/* Without MRG_RXBUF: the packet takes exactly one chain or is skipped. */
static __rte_always_inline int
rx_one(struct vsw_vring *vr, const struct rte_mbuf *m, struct rxb *b)
{
	struct vring_desc d;
	uint32_t written;
	uint64_t cap;
	uint16_t head;
	struct rxc x;
	int rc;

	if (b->taken == b->avail)
		return RC_NOROOM;
	if (rx_short_skip(&b->short_chain, b->taken, m, vr->hdr_len))
		return RC_SKIP;
	rxc_init(&x, m, vr->hdr_len, vr->rx_off);
	head = rxb_chain(vr, b, &d);
	rc = rx_chain(vr, head, &d, &x, &written, &cap);
	if (rc == RC_FULL) {
		/* What we wrote is not returned: harmless. */
		b->short_chain = (struct rx_short){ b->taken, cap };
		return RC_SKIP;
	}
	if (rc != 0)
		return rc;
	b->taken++;
	shadow_add(vr, head, written, &b->flushed);
	return 0;
}

/* With MRG_RXBUF: the packet takes as many chains as it needs, or none. */
static __rte_always_inline int
rx_mrg(struct vsw_vring *vr, const struct rte_mbuf *m, struct rxb *b)
{
	uint16_t start = b->taken, nbufs = 0;
	uint32_t staged = (uint32_t)b->flushed + vr->nr_shadow;
	struct vring_desc d;
	uint32_t written;
	uint64_t cap;
	struct rxc x;
	int rc;

	rxc_init(&x, m, vr->hdr_len, vr->rx_off);
	do {
		uint16_t head;

		if (b->taken == b->avail) {
			rc = RC_NOROOM;
			break;
		}
		head = rxb_chain(vr, b, &d);
		rc = rx_chain(vr, head, &d, &x, &written, &cap);
		if (rc < 0)
			break;
		b->taken++;
		nbufs++;
		shadow_add(vr, head, written, &b->flushed);
	} while (rc == RC_FULL);
	if (rc != 0) {
		b->taken = start;
		shadow_rollback(vr, staged, &b->flushed);
		return rc;
	}
	rxc_set_nbufs(&x, nbufs);
	return 0;
}

static __rte_always_inline uint16_t
enqueue(struct vsw_vring *vr, struct rte_mbuf *const *pkts, uint16_t n,
	uint16_t avail, const bool mrg)
{
	struct rxb b = {
		.avail = avail, .taken = 0, .flushed = 0,
		.short_chain = { .at = UINT32_MAX },
	};
	uint16_t i, sent = 0;
	uint64_t bytes = 0;
	int rc = 0;

	b.cnt = RTE_MIN(n, avail);
	batch_load(vr, b.cnt, b.heads, b.d0);
	for (i = 0; i < n; i++) {
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		rc = mrg ? rx_mrg(vr, pkts[i], &b) : rx_one(vr, pkts[i], &b);
		if (rc == 0) {
			sent++;
			bytes += pkts[i]->pkt_len;
		} else if (rc == RC_SKIP) {
			vr->stats.drop_no_buf++;
		} else {
			break;
		}
	}
	if (unlikely(rc < 0)) {
		ring_break(vr, rc);
		vr->stats.drop_bad += n - i;
	} else {
		vr->stats.drop_no_buf += n - i;
	}
	vr->last_avail_idx = (uint16_t)(vr->last_avail_idx + b.taken);
	used_publish(vr, b.flushed);
	vr->stats.packets += sent;
	vr->stats.bytes += bytes;
	return sent;
}

static __rte_noinline uint16_t
enqueue_mrg(struct vsw_vring *vr, struct rte_mbuf *const *pkts, uint16_t n,
	    uint16_t avail)
{
	return enqueue(vr, pkts, n, avail, true);
}

static __rte_noinline uint16_t
enqueue_one(struct vsw_vring *vr, struct rte_mbuf *const *pkts, uint16_t n,
	    uint16_t avail)
{
	return enqueue(vr, pkts, n, avail, false);
}

uint16_t
vsw_vring_enqueue_burst(struct vsw_vring *vr, struct rte_mbuf *const *pkts,
			uint16_t n)
{
	int avail;

	if (vr->flags & VSW_VRING_F_PACKED)
		return vring_packed_enqueue(vr, pkts, n);
	n = RTE_MIN(n, VSW_VRING_BURST);
	if (unlikely(ring_is_broken(vr))) {
		vr->stats.drop_bad += n;
		return 0;
	}
	if (n == 0)
		return 0;
	avail = avail_count(vr);
	if (unlikely(avail < 0)) {
		vr->stats.drop_bad += n;
		return 0;
	}
	if (avail == 0) {
		vr->stats.drop_no_buf += n;
		return 0;
	}
	if (vr->flags & VSW_VRING_F_MRG_RXBUF)
		return enqueue_mrg(vr, pkts, n, (uint16_t)avail);
	return enqueue_one(vr, pkts, n, (uint16_t)avail);
}

/* ------------------------------------------------------------------ */
/* Notifications, set-up                                               */

bool
vsw_vring_need_call(struct vsw_vring *vr)
{
	uint16_t new_idx = vr->last_used_idx, old = vr->signalled_used;
	bool valid = vr->signalled_used_valid, need;

	if (vr->flags & VSW_VRING_F_PACKED)
		return vring_packed_need_call(vr);
	if (new_idx == old)
		return false; /* nothing published since the last answer */
	/*
	 * Full fence: our used->idx store must be visible before we read
	 * used_event / avail->flags. Pairs with the driver's full barrier
	 * between writing used_event (or clearing NO_INTERRUPT) and reading
	 * used->idx again (Linux virtqueue_enable_cb_delayed_split +
	 * virtqueue_poll; the device side is vhost_notify in
	 * drivers/vhost/vhost.c). Without it both sides may miss each other.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vr->flags & VSW_VRING_F_EVENT_IDX) {
		/* used_event lives in avail->ring[size]. */
		uint16_t ev = __atomic_load_n(&vr->avail->ring[vr->size],
					      __ATOMIC_RELAXED);

		/* Before the first answer we do not know what the driver saw. */
		need = !valid || vring_need_event(ev, new_idx, old);
	} else {
		need = !(__atomic_load_n(&vr->avail->flags, __ATOMIC_RELAXED) &
			 VRING_AVAIL_F_NO_INTERRUPT);
	}
	vr->signalled_used = new_idx;
	vr->signalled_used_valid = true;
	if (need)
		vr->stats.calls++;
	else
		vr->stats.calls_suppressed++;
	return need;
}

void
vsw_vring_disable_kicks(struct vsw_vring *vr)
{
	uint16_t f;

	if (vr->flags & VSW_VRING_F_PACKED) {
		vring_packed_disable_kicks(vr);
		return;
	}
	f = __atomic_load_n(&vr->used->flags, __ATOMIC_RELAXED);
	/* No ordering needed: a late-seen flag only costs a spare kick. */
	__atomic_store_n(&vr->used->flags, f | VRING_USED_F_NO_NOTIFY,
			 __ATOMIC_RELAXED);
	if (vr->flags & VSW_VRING_F_EVENT_IDX) {
		/*
		 * With EVENT_IDX the driver ignores the flag and kicks when
		 * its avail idx crosses avail_event (used->ring[size]). Park
		 * it one behind what we consumed: the driver only moves
		 * forward, so it crosses it again only after 65535 more
		 * buffers, one spare kick per 64 Ki buffers.
		 */
		uint16_t *avail_event = (uint16_t *)(void *)&vr->used->ring[vr->size];

		__atomic_store_n(avail_event, (uint16_t)(vr->last_avail_idx - 1),
				 __ATOMIC_RELAXED);
	}
}

bool
vsw_vring_pending(const struct vsw_vring *vr)
{
	if (ring_is_broken(vr))
		return false;
	if (vr->flags & VSW_VRING_F_PACKED)
		return vring_packed_pending(vr);
	/* Acquire: as avail_count(), the entries below idx are visible. */
	return __atomic_load_n(&vr->avail->idx, __ATOMIC_ACQUIRE) !=
	       vr->last_avail_idx;
}

bool
vsw_vring_enable_kicks(struct vsw_vring *vr)
{
	uint16_t f;

	if (vr->flags & VSW_VRING_F_PACKED)
		return vring_packed_enable_kicks(vr);
	if (vr->flags & VSW_VRING_F_EVENT_IDX) {
		/* Kick when avail->idx passes the entry we consume next. */
		uint16_t *avail_event = (uint16_t *)(void *)&vr->used->ring[vr->size];

		__atomic_store_n(avail_event, vr->last_avail_idx, __ATOMIC_RELAXED);
	}
	f = __atomic_load_n(&vr->used->flags, __ATOMIC_RELAXED);
	__atomic_store_n(&vr->used->flags, (uint16_t)(f & ~VRING_USED_F_NO_NOTIFY),
			 __ATOMIC_RELAXED);
	/*
	 * Full fence: the request above before the avail->idx read below.
	 * Pairs with the driver's full barrier between publishing avail->idx
	 * and reading used->flags / avail_event (Linux
	 * virtqueue_kick_prepare_split: virtio_mb). Either the driver sees
	 * the request and kicks, or we see its buffer here.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&vr->avail->idx, __ATOMIC_ACQUIRE) !=
	       vr->last_avail_idx;
}

int
vsw_vring_init(struct vsw_vring *vr, const struct vsw_vring_config *cfg)
{
	uint16_t used_idx, base;

	if (vr != NULL && cfg != NULL && (cfg->flags & VSW_VRING_F_PACKED))
		return vring_packed_init(vr, cfg);
	if (vr == NULL || cfg == NULL || cfg->desc == NULL ||
	    cfg->avail == NULL || cfg->used == NULL || cfg->mem == NULL)
		return -EINVAL;
	if (cfg->size == 0 || cfg->size > VSW_VRING_MAX_SIZE ||
	    (cfg->size & (cfg->size - 1)) != 0)
		return -EINVAL;
	if ((uintptr_t)cfg->desc % 16 != 0 || (uintptr_t)cfg->avail % 2 != 0 ||
	    (uintptr_t)cfg->used % 4 != 0)
		return -EINVAL;
	if (!cfg_hdr_ok(cfg))
		return -EINVAL;

	base = (uint16_t)cfg->base; /* bits 16-31: packed only */
	memset(vr, 0, sizeof(*vr));
	vr->desc = cfg->desc;
	vr->avail = cfg->avail;
	vr->used = cfg->used;
	vr->mem = cfg->mem;
	vr->size = cfg->size;
	vr->mask = (uint16_t)(cfg->size - 1);
	vr->hdr_len = cfg->hdr_len;
	vr->tx_off = cfg->tx_offloads;
	vr->rx_off = cfg->rx_offloads;
	vr->flags = cfg->flags;
	vr->last_avail_idx = base;
	vr->last_used_idx = base;
	/*
	 * As DPDK does: if the used ring disagrees with the base we were
	 * given, trust the ring; buffers in flight with the previous owner
	 * are lost (tx) or re-filled (rx).
	 */
	/* Control path, ring stopped: acquire only for tidiness. */
	used_idx = __atomic_load_n(&vr->used->idx, __ATOMIC_ACQUIRE);
	if (used_idx != base) {
		vr->last_avail_idx = used_idx;
		vr->last_used_idx = used_idx;
	}
	vr->signalled_used = vr->last_used_idx;
	vr->signalled_used_valid = false;
	return 0;
}

const char *
vsw_vring_strerror(enum vsw_vring_err err)
{
	static const char *const msg[VSW_VRING_E__MAX] = {
		[VSW_VRING_OK] = "ok",
		[VSW_VRING_E_AVAIL_IDX] = "avail index moved by more than the ring size",
		[VSW_VRING_E_DESC_IDX] = "descriptor index out of range",
		[VSW_VRING_E_CHAIN_LEN] = "descriptor chain longer than the ring (loop)",
		[VSW_VRING_E_INDIRECT] = "bad indirect descriptor table",
		[VSW_VRING_E_ADDR] = "buffer not inside guest memory",
		[VSW_VRING_E_DIRECTION] = "buffer flows the wrong way",
		[VSW_VRING_E_HEADER] = "chain too short for the virtio-net header",
	};

	if ((unsigned int)err >= VSW_VRING_E__MAX || msg[err] == NULL)
		return "unknown error";
	return msg[err];
}
