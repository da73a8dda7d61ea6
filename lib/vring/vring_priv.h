/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_VRING_PRIV_H
#define VSW_VRING_PRIV_H

/*
 * Engine internals shared by the vring_*.c files. Not installed.
 *
 * The pieces both ring layouts use live here as always-inline helpers:
 * ring state (broken), buffer checks, the tx copy context (guest buffer ->
 * mbuf chain, header skipped) and the rx copy context (mbuf chain -> guest
 * buffers, header and num_buffers written). A buffer is handed to them as
 * (addr, len, flags); only VRING_DESC_F_WRITE is read from flags, whose
 * value is the same in split and packed descriptors.
 *
 * Internal functions return 0 or a positive soft outcome (RC_*), or the
 * negated enum vsw_vring_err that breaks the ring.
 */

#include <string.h>

#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include <rte_atomic.h>
#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>

#include "vsw_net.h"
#include "vsw_vring.h"

/*
 * Ring words are little-endian (VIRTIO 1.x) or guest-native (legacy); both
 * are the host's order only on a little-endian host, which is all we build
 * for. Fail the build rather than byte-swap on the hot path.
 */
#if RTE_BYTE_ORDER != RTE_LITTLE_ENDIAN
#error "vsw vring engine supports little-endian hosts only"
#endif

_Static_assert(sizeof(struct vring_desc) == 16, "vring_desc layout");
_Static_assert(sizeof(struct vring_packed_desc) == 16,
	       "vring_packed_desc layout");
_Static_assert(sizeof(struct vring_used_elem) == 8, "vring_used_elem layout");
_Static_assert(sizeof(struct vsw_vring_used_packed) == 8,
	       "shadow entries of both layouts share storage");
_Static_assert(sizeof(struct virtio_net_hdr_mrg_rxbuf) == 12,
	       "virtio_net_hdr_mrg_rxbuf layout");
_Static_assert(VSW_VRING_SHADOW >= 2 * VSW_VRING_BURST,
	       "a burst's single-buffer packets always fit the shadow");

/*
 * Largest payload a guest may hand us on tx: a 64 KiB GSO frame plus L2
 * headers, with margin. Bigger chains are consumed and dropped (drop_bad)
 * so that one chain can neither drain the mempool nor make the PMD copy
 * gigabytes; walking them stays bounded by the ring size.
 */
#define VRING_TX_MAX_PKT (65u * 1024u)

/*
 * A tx header spread over more buffer pieces than this is dropped as a
 * bad header. VIRTIO 1.3 2.6.4 lets the driver frame messages freely;
 * Linux, DPDK and Windows drivers use one piece, two at most, and a
 * header in dozens of one-byte pieces is only a way to make us work.
 */
#define VRING_HDR_MAX_PIECES 4

/* Offset of num_buffers in struct virtio_net_hdr_mrg_rxbuf. */
#define VRING_HDR_NUM_BUFFERS_OFF 10

#define RC_NOMBUF 1 /* tx: mempool empty, chain left in the ring */
#define RC_EMPTY  2 /* tx: header-only chain, returned, no packet */
#define RC_DROP   3 /* tx: packet dropped (counted), chain returned */
#define RC_FULL   4 /* rx: chain ended before the packet */
#define RC_SKIP   5 /* rx: packet dropped, chain kept for the next one */
#define RC_NOROOM 6 /* rx: no guest buffers left */

/* ------------------------------------------------------------------ */
/* Ring state                                                          */

static __rte_always_inline bool
ring_is_broken(const struct vsw_vring *vr)
{
	/* Relaxed: only this thread writes it; the control thread polls it. */
	return __atomic_load_n(&vr->broken, __ATOMIC_RELAXED) != VSW_VRING_OK;
}

/* Out of line (cold); __rte_unused: not every includer calls it. */
static __rte_noinline __rte_unused void
ring_break(struct vsw_vring *vr, int rc)
{
	if (!ring_is_broken(vr))
		__atomic_store_n(&vr->broken, (enum vsw_vring_err)-rc,
				 __ATOMIC_RELAXED);
}

/* The virtio-net header is 10 or 12 bytes; num_buffers needs 12. */
static inline bool
cfg_hdr_ok(const struct vsw_vring_config *cfg)
{
	if (cfg->hdr_len != sizeof(struct virtio_net_hdr) &&
	    cfg->hdr_len != sizeof(struct virtio_net_hdr_mrg_rxbuf))
		return false;
	return !(cfg->flags & VSW_VRING_F_MRG_RXBUF) ||
	       cfg->hdr_len == sizeof(struct virtio_net_hdr_mrg_rxbuf);
}

/* ------------------------------------------------------------------ */
/* Buffer checks                                                       */

/* [addr, addr + len) must not wrap around the guest address space. */
static __rte_always_inline bool
buf_wraps(uint64_t addr, uint32_t len)
{
	return len != 0 && addr + (len - 1) < addr;
}

/*
 * A descriptor with INDIRECT: check the table it refers to (feature
 * negotiated, not combined with NEXT, a whole number of 16-byte entries,
 * no more of them than the queue size, inside one memory region).
 * VIRTIO 1.3 2.7.5.3.1 / 2.8.19: no chain, indirect entries included, is
 * longer than the Queue Size; a bigger table only makes the device work.
 * Nesting is the caller's check. @return the table or NULL.
 */
static __rte_always_inline const void *
indirect_map(struct vsw_vring *vr, uint64_t addr, uint32_t len, uint16_t flags)
{
	if (!(vr->flags & VSW_VRING_F_INDIRECT) ||
	    (flags & VRING_DESC_F_NEXT) || len == 0 || len % 16 != 0 ||
	    len / 16u > vr->size)
		return NULL;
	return vsw_mem_gpa_to_hva(vr->mem, addr, len, &vr->mem_hint);
}

/* ------------------------------------------------------------------ */
/* Dequeue (guest tx): guest buffers -> mbuf chain                     */

struct txc {
	struct rte_mbuf *head; /* packet being built */
	struct rte_mbuf *seg;  /* its last segment */
	uint8_t *dst;          /* next byte of seg */
	uint32_t room;         /* bytes left in seg */
	uint32_t skip;         /* header bytes still to read */
	uint32_t len;          /* payload bytes seen */
	uint8_t hdr_len;
	uint8_t hdr_pieces;    /* buffer pieces the header came in */
	/* read as struct virtio_net_hdr: keep it aligned */
	uint8_t hdr[sizeof(struct virtio_net_hdr_mrg_rxbuf)] __rte_aligned(8);
};

static __rte_always_inline void
txc_init(struct txc *c, struct rte_mbuf *m, uint8_t hdr_len)
{
	c->head = m;
	c->seg = m;
	c->dst = rte_pktmbuf_mtod(m, uint8_t *);
	c->room = rte_pktmbuf_tailroom(m);
	c->skip = hdr_len;
	c->len = 0;
	c->hdr_len = hdr_len;
	c->hdr_pieces = 0;
}

static __rte_noinline __rte_unused int
txc_grow(struct txc *c, struct rte_mempool *mp)
{
	struct rte_mbuf *s = rte_pktmbuf_alloc(mp);

	if (s == NULL)
		return -1;
	c->seg->next = s;
	c->seg = s;
	c->head->nb_segs++;
	c->dst = rte_pktmbuf_mtod(s, uint8_t *);
	c->room = rte_pktmbuf_tailroom(s);
	return 0;
}

/* Copy one piece of guest buffer into the packet. */
static __rte_always_inline int
txc_put(struct txc *c, struct rte_mempool *mp, const uint8_t *src, uint32_t n)
{
	if (unlikely(c->skip > 0)) {
		uint32_t k = RTE_MIN(c->skip, n);

		/* k == hdr_len only for a whole header in one piece, at
		 * offset 0; any other piece lands after what came before. */
		if (likely(k == sizeof(struct virtio_net_hdr_mrg_rxbuf)))
			memcpy(c->hdr, src, sizeof(struct virtio_net_hdr_mrg_rxbuf));
		else if (k == c->hdr_len)
			memcpy(c->hdr, src, sizeof(struct virtio_net_hdr));
		else
			memcpy(c->hdr + (c->hdr_len - c->skip), src, k);
		if (c->hdr_pieces < UINT8_MAX)
			c->hdr_pieces++;
		c->skip -= k;
		src += k;
		n -= k;
	}
	if (n == 0)
		return 0;
	if (unlikely(n > VRING_TX_MAX_PKT - c->len ||
		     c->len > VRING_TX_MAX_PKT)) {
		/* Too big: stop copying (saturated, never wraps) and drop
		 * it at the end of the chain. */
		c->len = VRING_TX_MAX_PKT + 1;
		return 0;
	}
	c->len += n;
	while (n > 0) {
		uint32_t k;

		if (unlikely(c->room == 0) && txc_grow(c, mp) != 0)
			return RC_NOMBUF;
		k = RTE_MIN(n, c->room);
		rte_memcpy(c->dst, src, k);
		c->dst += k;
		c->room -= k;
		c->seg->data_len = (uint16_t)(c->seg->data_len + k);
		c->head->pkt_len += k;
		src += k;
		n -= k;
	}
	return 0;
}

/* Copy a device-readable buffer (one descriptor's addr/len/flags). */
static __rte_always_inline int
tx_buf(struct vsw_vring *vr, struct rte_mempool *mp, uint64_t addr,
       uint32_t left, uint16_t flags, struct txc *c)
{
	if (unlikely(flags & VRING_DESC_F_WRITE))
		return -VSW_VRING_E_DIRECTION;
	if (unlikely(buf_wraps(addr, left)))
		return -VSW_VRING_E_ADDR;
	while (left > 0) {
		uint64_t n = left;
		const uint8_t *p = vsw_mem_gpa_map(vr->mem, addr, &n,
						   &vr->mem_hint);
		int rc;

		if (unlikely(p == NULL))
			return -VSW_VRING_E_ADDR;
		addr += n;
		left -= (uint32_t)n;
		rc = txc_put(c, mp, p, (uint32_t)n);
		if (unlikely(rc != 0))
			return rc;
	}
	return 0;
}

/* The packet has a header with offload requests: apply or refuse them. */
static __rte_noinline __rte_unused int
txc_offload(struct vsw_vring *vr, const struct txc *c)
{
	const struct virtio_net_hdr *h = (const void *)c->hdr;

	if (vsw_net_vhdr_to_mbuf(c->head, h, vr->tx_off) != 0) {
		vr->stats.drop_bad_hdr++;
		return RC_DROP;
	}
	return 0;
}

/*
 * What a finished tx walk means: 0 (packet), RC_EMPTY, RC_DROP (counted)
 * or -error. Without tx offloads negotiated the header is not read.
 */
static __rte_always_inline int
txc_end(struct vsw_vring *vr, const struct txc *c)
{
	const struct virtio_net_hdr *h = (const void *)c->hdr;

	if (unlikely(c->skip > 0))
		return -VSW_VRING_E_HEADER;
	if (unlikely(c->len > VRING_TX_MAX_PKT)) {
		vr->stats.drop_bad++;
		return RC_DROP;
	}
	if (unlikely(c->hdr_pieces > VRING_HDR_MAX_PIECES)) {
		vr->stats.drop_bad_hdr++;
		return RC_DROP;
	}
	if (c->len == 0)
		return RC_EMPTY;
	if (unlikely(vr->tx_off != 0 && (h->flags | h->gso_type) != 0))
		return txc_offload(vr, c);
	return 0;
}

/* Mbufs for a burst: one bulk get, else as many as the pool gives. */
static __rte_always_inline uint16_t
tx_mbufs(struct rte_mempool *mp, struct rte_mbuf **pre, uint16_t cnt)
{
	uint16_t i;

	if (likely(rte_pktmbuf_alloc_bulk(mp, pre, cnt) == 0))
		return cnt;
	for (i = 0; i < cnt; i++) {
		pre[i] = rte_pktmbuf_alloc(mp);
		if (pre[i] == NULL)
			break;
	}
	return i;
}

/* ------------------------------------------------------------------ */
/* Enqueue (guest rx): mbuf chain -> guest buffers                     */

/* mbuf flags that may give a guest rx packet a non-zero header. */
#define VRING_RX_HDR_FLAGS (VSW_NET_TX_WORK | RTE_MBUF_F_RX_L4_CKSUM_MASK)

struct rxc {
	const struct rte_mbuf *seg; /* source segment */
	const uint8_t *src;         /* next byte of seg */
	uint32_t left;              /* bytes left in seg */
	uint32_t total;             /* bytes left in the packet */
	uint32_t hdr_left;          /* header bytes still to write */
	uint8_t hdr_len;
	/* read as struct virtio_net_hdr: keep it aligned */
	uint8_t hdr[sizeof(struct virtio_net_hdr_mrg_rxbuf)] __rte_aligned(8);
	uint8_t *nb[2];             /* where num_buffers' two bytes went */
};

/* Move to the next non-empty source segment if this one is used up. */
static __rte_always_inline void
rxc_fix(struct rxc *x)
{
	while (unlikely(x->left == 0) && x->total > 0) {
		x->seg = x->seg->next;
		if (x->seg == NULL) {
			x->total = 0; /* pkt_len larger than its segments */
			return;
		}
		x->src = rte_pktmbuf_mtod(x->seg, const uint8_t *);
		x->left = RTE_MIN((uint32_t)x->seg->data_len, x->total);
	}
}

static __rte_always_inline void
rxc_init(struct rxc *x, const struct rte_mbuf *m, uint8_t hdr_len,
	 uint32_t rx_off)
{
	x->seg = m;
	x->src = rte_pktmbuf_mtod(m, const uint8_t *);
	x->total = m->pkt_len;
	x->left = RTE_MIN((uint32_t)m->data_len, x->total);
	x->hdr_left = hdr_len;
	x->hdr_len = hdr_len;
	memset(x->hdr, 0, sizeof(x->hdr));
	/* num_buffers = 1; patched when a mergeable packet takes more. */
	x->hdr[VRING_HDR_NUM_BUFFERS_OFF] = 1;
	if (unlikely(m->ol_flags & VRING_RX_HDR_FLAGS) && rx_off != 0)
		vsw_net_vhdr_from_mbuf(m, (struct virtio_net_hdr *)x->hdr,
				       rx_off);
	x->nb[0] = x->nb[1] = NULL;
	rxc_fix(x);
}

static __rte_always_inline bool
rxc_done(const struct rxc *x)
{
	return x->hdr_left == 0 && x->total == 0;
}

/*
 * Store the virtio-net header @p n bytes at @p dst only where they differ.
 * A driver that recycles its buffers (DPDK's virtio PMD, Linux's page
 * pool) mostly finds the same zeroed header it had: reading the line
 * leaves it shared in the driver's cache, writing it would steal it and
 * cost the driver a miss on its next touch (DPDK's rte_vhost does the
 * same with ASSIGN_UNLESS_EQUAL).
 */
static __rte_always_inline void
hdr_store(uint8_t *dst, const uint8_t *src, uint32_t n)
{
	if (likely(n == sizeof(struct virtio_net_hdr_mrg_rxbuf))) {
		uint64_t a, b;
		uint32_t c, d;

		memcpy(&a, dst, 8);
		memcpy(&b, src, 8);
		memcpy(&c, dst + 8, 4);
		memcpy(&d, src + 8, 4);
		if (a != b)
			memcpy(dst, src, 8);
		if (c != d)
			memcpy(dst + 8, src + 8, 4);
		return;
	}
	if (memcmp(dst, src, n) != 0)
		memcpy(dst, src, n);
}

/* Write header bytes into @p p, noting where num_buffers lands. */
static __rte_always_inline uint32_t
rxc_put_hdr(struct rxc *x, uint8_t *p, uint32_t n)
{
	uint32_t off = x->hdr_len - x->hdr_left;
	uint32_t k = RTE_MIN(x->hdr_left, n);

	hdr_store(p, x->hdr + off, k);
	for (uint32_t b = 0; b < 2; b++) {
		uint32_t at = VRING_HDR_NUM_BUFFERS_OFF + b;

		if (at >= off && at < off + k)
			x->nb[b] = p + (at - off);
	}
	x->hdr_left -= k;
	return k;
}

/* Fill one piece of guest buffer; @return bytes written. */
static __rte_always_inline uint32_t
rxc_put(struct rxc *x, uint8_t *p, uint32_t n)
{
	uint32_t done = 0;

	if (unlikely(x->hdr_left > 0))
		done = rxc_put_hdr(x, p, n);
	while (done < n && x->total > 0) {
		uint32_t k = RTE_MIN(n - done, x->left);

		rte_memcpy(p + done, x->src, k);
		done += k;
		x->src += k;
		x->left -= k;
		x->total -= k;
		rxc_fix(x);
	}
	return done;
}

/* Patch num_buffers once a mergeable packet took @p nbufs buffers. */
static __rte_always_inline void
rxc_set_nbufs(struct rxc *x, uint16_t nbufs)
{
	if (nbufs > 1) {
		*x->nb[0] = (uint8_t)nbufs;
		*x->nb[1] = (uint8_t)(nbufs >> 8);
	}
}

/*
 * A packet skipped for want of room at ring position @c at (split: the
 * burst's chain number; packed: position | wrap << 15) leaves there a
 * chain or run of buffers that takes @c fits bytes (header included) at
 * most. Later packets of the burst that need more are skipped without
 * walking it again: a chain may be as long as the ring, and a walk per
 * packet would let one guest burn the PMD.
 */
struct rx_short {
	uint32_t at;   /* UINT32_MAX: nothing known */
	uint64_t fits;
};

static __rte_always_inline bool
rx_short_skip(const struct rx_short *s, uint32_t at, const struct rte_mbuf *m,
	      uint8_t hdr_len)
{
	return unlikely(s->at == at) && (uint64_t)hdr_len + m->pkt_len > s->fits;
}

/* Fill a device-writable buffer (one descriptor's addr/len/flags). */
static __rte_always_inline int
rx_buf(struct vsw_vring *vr, uint64_t addr, uint32_t left, uint16_t flags,
       struct rxc *x, uint32_t *written)
{
	if (unlikely(!(flags & VRING_DESC_F_WRITE)))
		return -VSW_VRING_E_DIRECTION;
	if (unlikely(buf_wraps(addr, left)))
		return -VSW_VRING_E_ADDR;
	while (left > 0 && !rxc_done(x)) {
		uint64_t n = left;
		uint8_t *p = vsw_mem_gpa_map(vr->mem, addr, &n, &vr->mem_hint);

		if (unlikely(p == NULL))
			return -VSW_VRING_E_ADDR;
		addr += n;
		left -= (uint32_t)n;
		*written += rxc_put(x, p, (uint32_t)n);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Packed engine, called once per public call by the dispatch in       */
/* vring_split.c when VSW_VRING_F_PACKED is set.                       */

int vring_packed_init(struct vsw_vring *vr, const struct vsw_vring_config *cfg);
uint16_t vring_packed_dequeue(struct vsw_vring *vr, struct rte_mempool *mp,
			      struct rte_mbuf **pkts, uint16_t n);
uint16_t vring_packed_enqueue(struct vsw_vring *vr,
			      struct rte_mbuf *const *pkts, uint16_t n);
bool vring_packed_need_call(struct vsw_vring *vr);
void vring_packed_disable_kicks(struct vsw_vring *vr);
bool vring_packed_enable_kicks(struct vsw_vring *vr);
bool vring_packed_pending(const struct vsw_vring *vr);

#endif /* VSW_VRING_PRIV_H */
