/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ring fuzzers' harness (input format in fuzz_vring.h): guest memory
 * from the input, one ring on it, then a stream of operations a PMD and a
 * misbehaving driver would perform, with the engine's promises checked
 * after each:
 * - every mbuf chain it returns adds up (pkt_len, nb_segs), fits its
 *   buffers, is not empty and not over VRING_TX_MAX_PKT, and asks only
 *   for offloads the ring negotiated;
 * - burst results agree with the counters: dequeue adds what it returned
 *   to packets and bytes; enqueue accounts for every packet it was given
 *   as delivered, drop_no_buf or drop_bad;
 * - enqueue leaves the caller's mbufs alone and every mbuf comes back to
 *   its pool (a leak or a double free shows as a pool count off by one);
 * - a broken ring stays broken and still;
 * - need_call asked twice in a row says no the second time;
 * - a ring re-initialised from its own get_base is accepted;
 * - plus each layout's index invariants (fv_layout.check).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_vring.h"
#include "vring_priv.h" /* VRING_TX_MAX_PKT */
#include "vsw_net.h"

#define FV_POOL_N 4095  /* a burst of 32 64 KiB packets needs 1056 */
#define FV_SMALL_N 40   /* runs dry mid-burst, mid-packet */
#define FV_REGION_MAX (256u * 1024)
#define FV_MAX_OPS 256

enum fv_op {
	OP_DEQUEUE,   /* u8: n (0..32), bit 6 the small pool */
	OP_ENQUEUE,   /* u8 count, then per packet: see fv_pkt() */
	OP_LOOPBACK,  /* enqueue what dequeue returned, then free it */
	OP_CALL,      /* need_call, twice */
	OP_POKE,      /* the driver writes: u8 region, u32 off, u8 len, bytes */
	OP_REINIT,    /* u8: bit 0 from get_base, else u32 base from input */
	OP_KICKS,     /* disable_kicks */
	OP_FREE,      /* free what dequeue returned */
	OP__MAX,
};

static struct rte_mempool *fv_pool, *fv_small;
static bool fv_verbose; /* VSW_FUZZ_VERBOSE: a line per input (seed checks) */

void
fv_init(const char *prog)
{
	fv_verbose = getenv("VSW_FUZZ_VERBOSE") != NULL;
	fzd_eal_init(prog);
	fv_pool = fzd_pool("fv_pool", FV_POOL_N);
	fv_small = fzd_pool("fv_small", FV_SMALL_N);
}

void *
fv_region0(const struct fv *v, uint64_t off, uint64_t len)
{
	if (off > v->mem.regions[0].size || len > v->mem.regions[0].size - off)
		return NULL;
	return v->host[0] + off;
}

/* ------------------------------------------------------------------ */
/* Guest memory and ring                                               */

static uint64_t
region_size(struct fz *f)
{
	return ((uint64_t)fz_u16(f) % (FV_REGION_MAX / 16) + 1) * 16;
}

/*
 * Region @p i's memory, exactly @p size bytes so that AddressSanitizer
 * flags any access past its end. The block of the previous input is kept
 * while the size stays the same: fresh blocks (the freed ones wait in
 * ASan's quarantine) cost a page fault per page, most of the run time.
 */
static void *
region_mem(unsigned int i, uint64_t size)
{
	static void *mem[2];
	static uint64_t len[2];

	if (mem[i] != NULL && len[i] == size)
		return mem[i];
	free(mem[i]);
	len[i] = 0;
	if (posix_memalign(&mem[i], 16, size) != 0) {
		mem[i] = NULL;
		return NULL;
	}
	len[i] = size;
	return mem[i];
}

/* Set up region @p i and fill its first bytes from the input. */
static bool
region_add(struct fv *v, unsigned int i, uint64_t gpa, uint64_t size)
{
	size_t len = fz_u16(&v->in);
	const uint8_t *src;
	uint8_t *p = region_mem(i, size);

	if (p == NULL)
		return false;
	if (len > size)
		len = size;
	src = fz_take(&v->in, &len);
	memcpy(p, src, len);
	memset(p + len, 0, size - len);
	v->host[i] = p;
	v->mem.regions[i] = (struct vsw_mem_region){
		.gpa = gpa, .size = size, .qva = gpa + 0x7f0000000000ull,
		.hva = (uint64_t)(uintptr_t)p,
	};
	v->mem.nregions = i + 1;
	return true;
}

/* Decode the header, build memory and ring. false: reject the input. */
static bool
fv_setup(struct fv *v)
{
	struct fz *f = &v->in;
	uint8_t feat = fz_u8(f), off = fz_u8(f);
	uint16_t sel = fz_u16(f);
	uint32_t base = fz_u32(f), ring_off[3];
	uint64_t r0 = region_size(f), r1 = region_size(f);
	uint64_t gpa0 = fz_u32(f), gap = (uint64_t)fz_u16(f) * 4096;

	for (int i = 0; i < 3; i++)
		ring_off[i] = (uint32_t)fz_u16(f) * v->lay->align[i];
	if (!region_add(v, 0, gpa0, r0))
		return false;
	if ((feat & 0x10) &&
	    !region_add(v, 1, gpa0 + r0 + ((feat & 0x20) ? gap : 0), r1))
		return false;
	v->cfg = (struct vsw_vring_config){
		.mem = &v->mem,
		.size = v->lay->size(sel),
		.base = base,
		.flags = v->lay->flags | ((feat & 0x01) ? VSW_VRING_F_INDIRECT : 0) |
			 ((feat & 0x02) ? VSW_VRING_F_MRG_RXBUF : 0) |
			 ((feat & 0x04) ? VSW_VRING_F_EVENT_IDX : 0),
		.hdr_len = (feat & 0x08) ? 12 : 10,
		.tx_offloads = off & 7,
		.rx_offloads = (off >> 3) & 7,
	};
	if (!v->lay->place(v, ring_off))
		return false;
	return vsw_vring_init(&v->vr, &v->cfg) == 0;
}

/* ------------------------------------------------------------------ */
/* Checks                                                              */

static void
snap(const struct fv *v, struct fv_snap *s)
{
	s->last_avail = v->vr.last_avail_idx;
	s->last_used = v->vr.last_used_idx;
	s->avail_wrap = v->vr.avail_wrap;
	s->used_wrap = v->vr.used_wrap;
	s->avail_idx = (v->vr.flags & VSW_VRING_F_PACKED) ? 0 :
		       __atomic_load_n(&v->vr.avail->idx, __ATOMIC_RELAXED);
	s->broken = v->vr.broken;
	s->stats = v->vr.stats;
}

/* Every mbuf is in its pool or held by us. */
static void
pools_check(const struct fv *v)
{
	uint32_t big = 0, small = 0;

	for (unsigned int i = 0; i < v->nheld; i++) {
		if (v->held[i]->pool == fv_pool)
			big += fzd_segs(v->held[i]);
		else
			small += fzd_segs(v->held[i]);
	}
	FZ_CHECK(rte_mempool_avail_count(fv_pool) + big == FV_POOL_N);
	FZ_CHECK(rte_mempool_avail_count(fv_small) + small == FV_SMALL_N);
}

static void
free_held(struct fv *v, unsigned int n)
{
	rte_pktmbuf_free_bulk(v->held, n);
	memmove(v->held, v->held + n, (v->nheld - n) * sizeof(v->held[0]));
	v->nheld -= n;
}

/* A packet dequeue returned. */
static void
tx_pkt_check(const struct fv *v, const struct rte_mbuf *m,
	     const struct rte_mempool *mp)
{
	fzd_chain_check(m);
	FZ_CHECK(m->pool == mp);
	FZ_CHECK(m->pkt_len > 0 && m->pkt_len <= VRING_TX_MAX_PKT);
	/* Offload requests the ring did not negotiate are refused, and
	 * without tx offloads the header is not read at all. */
	FZ_CHECK(!vsw_net_tx_needs_fixup(m, v->vr.tx_off));
	FZ_CHECK(v->vr.tx_off != 0 || !(m->ol_flags & VSW_NET_TX_WORK));
}

/* ------------------------------------------------------------------ */
/* Operations                                                          */

static void
op_dequeue(struct fv *v)
{
	uint8_t b = fz_u8(&v->in);
	struct rte_mempool *mp = (b & 0x40) ? fv_small : fv_pool;
	uint16_t n = b % (VSW_VRING_BURST + 1), got;
	struct rte_mbuf *pkts[VSW_VRING_BURST];
	struct fv_snap s;
	uint64_t bytes = 0;

	snap(v, &s);
	got = vsw_vring_dequeue_burst(&v->vr, mp, pkts, n);
	FZ_CHECK(got <= n);
	FZ_CHECK(s.broken == VSW_VRING_OK || got == 0);
	for (uint16_t i = 0; i < got; i++) {
		tx_pkt_check(v, pkts[i], mp);
		bytes += pkts[i]->pkt_len;
	}
	FZ_CHECK(v->vr.stats.packets - s.stats.packets == got);
	FZ_CHECK(v->vr.stats.bytes - s.stats.bytes == bytes);
	v->lay->check(v, &s);
	for (uint16_t i = 0; i < got; i++) {
		if (v->nheld == FV_HELD_MAX)
			free_held(v, 1);
		v->held[v->nheld++] = pkts[i];
	}
}

/* Enqueue @p n caller-owned packets and check the accounting. */
static void
enqueue_check(struct fv *v, struct rte_mbuf *const *pkts, uint16_t n)
{
	unsigned int big = rte_mempool_avail_count(fv_pool);
	unsigned int small = rte_mempool_avail_count(fv_small);
	uint16_t want = RTE_MIN(n, VSW_VRING_BURST), sent;
	struct fv_snap s;

	snap(v, &s);
	sent = vsw_vring_enqueue_burst(&v->vr, pkts, n);
	FZ_CHECK(sent <= want);
	FZ_CHECK(s.broken == VSW_VRING_OK || sent == 0);
	FZ_CHECK(v->vr.stats.packets - s.stats.packets == sent);
	FZ_CHECK(sent + (v->vr.stats.drop_no_buf - s.stats.drop_no_buf) +
		 (v->vr.stats.drop_bad - s.stats.drop_bad) == want);
	FZ_CHECK(rte_mempool_avail_count(fv_pool) == big);
	FZ_CHECK(rte_mempool_avail_count(fv_small) == small);
	v->lay->check(v, &s);
}

/*
 * One packet for enqueue: u16 length (at most 9216 unless flags bit 7),
 * u8 segment size (fzd_pkt()), u8 flags: bit 0 RX_L4_CKSUM_GOOD, bits 1-2
 * the TX_L4 request, bit 3 TCP_SEG, bit 4 IPV6 (else IPV4); with any of
 * bits 1-3, u8 l2_len, u8 l3_len, u8 l4_len, u16 tso_segsz.
 */
static struct rte_mbuf *
fv_pkt(struct fv *v)
{
	uint32_t len = fz_u16(&v->in);
	uint8_t seg = fz_u8(&v->in), fl = fz_u8(&v->in);
	struct rte_mbuf *m;

	if (!(fl & 0x80))
		len %= 9217;
	m = fzd_pkt(fv_pool, len, NULL, 0, seg);
	if (m == NULL)
		return NULL;
	if (fl & 0x01)
		m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	m->ol_flags |= (uint64_t)((fl >> 1) & 3) << 52; /* RTE_MBUF_F_TX_L4_MASK */
	if (fl & 0x08)
		m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
	m->ol_flags |= (fl & 0x10) ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4;
	if (fl & 0x0e) {
		m->l2_len = fz_u8(&v->in);
		m->l3_len = fz_u8(&v->in);
		m->l4_len = fz_u8(&v->in);
		m->tso_segsz = fz_u16(&v->in);
	}
	return m;
}

static void
op_enqueue(struct fv *v)
{
	uint16_t n = fz_u8(&v->in) % (VSW_VRING_BURST + 1), k = 0;
	struct rte_mbuf *pkts[VSW_VRING_BURST];

	while (k < n) {
		struct rte_mbuf *m = fv_pkt(v);

		if (m == NULL)
			break;
		pkts[k++] = m;
	}
	enqueue_check(v, pkts, k);
	rte_pktmbuf_free_bulk(pkts, k);
}

static void
op_loopback(struct fv *v)
{
	uint16_t n = (uint16_t)RTE_MIN(v->nheld, (unsigned int)VSW_VRING_BURST);

	enqueue_check(v, v->held, n);
	free_held(v, n);
}

static void
op_call(struct fv *v)
{
	vsw_vring_need_call(&v->vr);
	/* Nothing was published since: no second interrupt. */
	FZ_CHECK(!vsw_vring_need_call(&v->vr));
}

/* The driver writes into its memory between bursts. */
static void
op_poke(struct fv *v)
{
	unsigned int r = fz_u8(&v->in) % v->mem.nregions;
	uint64_t size = v->mem.regions[r].size;
	uint64_t off = fz_u32(&v->in) % size;
	size_t len = fz_u8(&v->in);
	const uint8_t *src;

	if (len > size - off)
		len = size - off;
	src = fz_take(&v->in, &len);
	memcpy(v->host[r] + off, src, len);
}

/* GET_VRING_BASE, then SET_VRING_BASE with it or with the input's. */
static void
op_reinit(struct fv *v)
{
	uint8_t b = fz_u8(&v->in);

	if (b & 1) {
		v->cfg.base = vsw_vring_get_base(&v->vr);
		FZ_CHECK(vsw_vring_init(&v->vr, &v->cfg) == 0);
		return;
	}
	v->cfg.base = fz_u32(&v->in);
	if (vsw_vring_init(&v->vr, &v->cfg) != 0) /* unchanged: put it back */
		v->cfg.base = vsw_vring_get_base(&v->vr);
}

static void
fv_run(struct fv *v)
{
	for (int i = 0; i < FV_MAX_OPS && fz_left(&v->in) > 0; i++) {
		switch (fz_u8(&v->in) % OP__MAX) {
		case OP_DEQUEUE:
			op_dequeue(v);
			break;
		case OP_ENQUEUE:
			op_enqueue(v);
			break;
		case OP_LOOPBACK:
			op_loopback(v);
			break;
		case OP_CALL:
			op_call(v);
			break;
		case OP_POKE:
			op_poke(v);
			break;
		case OP_REINIT:
			op_reinit(v);
			break;
		case OP_KICKS:
			vsw_vring_disable_kicks(&v->vr);
			break;
		case OP_FREE:
			free_held(v, v->nheld);
			break;
		}
		pools_check(v);
	}
}

int
fv_one(const struct fv_layout *lay, const uint8_t *data, size_t size)
{
	static struct fv state;
	struct fv *v = &state;
	bool ok;

	memset(v, 0, sizeof(*v));
	v->lay = lay;
	v->in = (struct fz){ data, size };
	ok = fv_setup(v);
	if (ok)
		fv_run(v);
	if (fv_verbose)
		fprintf(stderr, "fv: %s, size %u: %" PRIu64 " packets %" PRIu64
			" bytes, broken %d (%s), no_buf %" PRIu64 " bad %" PRIu64
			" bad_hdr %" PRIu64 " calls %" PRIu64 "\n",
			ok ? "ring up" : "rejected", v->vr.size, v->vr.stats.packets,
			v->vr.stats.bytes, v->vr.broken,
			vsw_vring_strerror(v->vr.broken), v->vr.stats.drop_no_buf,
			v->vr.stats.drop_bad, v->vr.stats.drop_bad_hdr,
			v->vr.stats.calls);
	free_held(v, v->nheld);
	pools_check(v);
	return ok ? 0 : -1;
}
