/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/net: a guest's virtio-net header turned into mbuf offload flags
 * (vsw_net_vhdr_to_mbuf), the header for a receiving guest
 * (vsw_net_vhdr_from_mbuf) and the software fallbacks of an egress that
 * cannot offload (vsw_net_tx_fixup: checksum, TCP segmentation), on a
 * packet and header the fuzzer writes.
 *
 * Input: u8 offloads (bits 0-2 what the guest negotiated for tx, bits
 * 3-5 what the egress offers), u8 mode (bit 0: the packet is shared, as
 * a flooded frame is), u8 segment size (fzd_pkt()), u16 filler bytes
 * appended to the packet (big TSO frames from small inputs), 10 bytes
 * struct virtio_net_hdr, then the packet.
 *
 * Checked: completed checksums verify (the sum over the covered bytes
 * cancels the pseudo-header sum the field held), the flags describe
 * headers inside the first segment, a header round trip keeps what was
 * asked, segmentation cuts the payload into segments that add up to it
 * byte for byte with correct IPv4 and TCP checksums, a shared packet is
 * left untouched, and every mbuf returns to the pool.
 */
#include <netinet/in.h>

#include <rte_ip.h>

#include "fuzz_dpdk.h"
#include "net_priv.h" /* NET_TCP_CSUM_OFF, NET_UDP_CSUM_OFF */
#include "vsw_net.h"

#define POOL_N 8191 /* 128 GSO segments of up to 33 mbufs */
#define PKT_MAX (64 * 1024 + 512)

static struct rte_mempool *pool;
static uint8_t orig[PKT_MAX]; /* the packet before any change */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fzd_eal_init((*argv)[0]);
	pool = fzd_pool("fuzz_net", POOL_N);
	return 0;
}

/*
 * Ones' complement sum of @p m's bytes [off, off + len) as 16-bit words
 * of host order, folded to 16 bits. Written out byte by byte on a linear copy, an
 * oracle independent of DPDK's rte_raw_cksum_mbuf() (whose segment
 * handling this target found wrong, docs/testing.md).
 */
static uint32_t
raw_sum(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	static uint8_t lin[PKT_MAX];
	const uint8_t *p = rte_pktmbuf_read(m, off, len, lin);
	uint64_t s = 0;

	FZ_CHECK(p != NULL || len == 0);
	for (uint32_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;
	if (len % 2 != 0)
		s += p[len - 1];
	while (s > 0xffff)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

/* Does a ones' complement sum come out as zero (0 or 0xffff)? */
static bool
sum_is_zero(uint32_t s)
{
	while (s > 0xffff)
		s = (s & 0xffff) + (s >> 16);
	return s == 0 || s == 0xffff;
}

/*
 * A checksum completed at @p field over [@p start, end) of @p m, whose
 * field held @p before (the pseudo-header sum): the covered bytes now
 * sum to its complement. Holds when the field is word-aligned within
 * the range, as every real checksum field is.
 */
static void
csum_check(const struct rte_mbuf *m, uint32_t start, uint32_t field,
	   uint16_t before)
{
	if ((field - start) % 2 != 0)
		return;
	FZ_CHECK(sum_is_zero(raw_sum(m, start, m->pkt_len - start) + before));
}

static uint16_t
orig16(uint32_t off)
{
	uint16_t v;

	memcpy(&v, orig + off, sizeof(v));
	return v;
}

/* Offload flags describe headers inside the first segment. */
static void
flags_check(const struct rte_mbuf *m)
{
	uint64_t f = m->ol_flags;

	if (!(f & VSW_NET_TX_WORK))
		return;
	FZ_CHECK((uint32_t)m->l2_len + m->l3_len + m->l4_len <= m->data_len);
	FZ_CHECK(!!(f & RTE_MBUF_F_TX_IPV4) != !!(f & RTE_MBUF_F_TX_IPV6));
	if (f & RTE_MBUF_F_TX_TCP_SEG) {
		FZ_CHECK(m->tso_segsz > 0 && m->l4_len >= 20);
		FZ_CHECK((f & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_TCP_CKSUM);
	}
}

/* A receiving guest that offers all of @p tx_off gets the request back. */
static void
roundtrip_check(const struct rte_mbuf *m, const struct virtio_net_hdr *h,
		uint32_t off)
{
	struct virtio_net_hdr_mrg_rxbuf r;

	memset(&r, 0xa5, sizeof(r));
	vsw_net_vhdr_from_mbuf(m, &r.hdr, off);
	FZ_CHECK(r.num_buffers == 0xa5a5); /* past the basic header: untouched */
	if (r.hdr.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		FZ_CHECK((uint32_t)r.hdr.csum_start + r.hdr.csum_offset + 2 <=
			 m->pkt_len);
	if (!(m->ol_flags & VSW_NET_TX_WORK) ||
	    off != (VSW_NET_OFF_CSUM | VSW_NET_OFF_TSO4 | VSW_NET_OFF_TSO6))
		return;
	FZ_CHECK(r.hdr.flags == VIRTIO_NET_HDR_F_NEEDS_CSUM);
	FZ_CHECK(r.hdr.csum_start == h->csum_start);
	FZ_CHECK(r.hdr.csum_offset == h->csum_offset);
	FZ_CHECK(r.hdr.gso_type == h->gso_type);
	if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE)
		FZ_CHECK(r.hdr.gso_size == h->gso_size);
}

/* Segment @p i of a software TSO of @p m (headers @p hl bytes). */
static uint32_t
gso_seg_check(const struct rte_mbuf *m, const struct rte_mbuf *s, uint32_t hl,
	      uint32_t done)
{
	uint32_t l3 = m->l2_len, l4 = l3 + m->l3_len, len = s->pkt_len - hl;
	uint8_t ip[60], buf[2048];
	const uint8_t *p;
	uint32_t phdr;

	fzd_chain_check(s);
	FZ_CHECK(!(s->ol_flags & VSW_NET_TX_WORK));
	FZ_CHECK(s->pkt_len > hl || (done == 0 && s->pkt_len == hl));
	FZ_CHECK(len <= m->tso_segsz && done + len <= m->pkt_len - hl);
	/* its payload is the next piece of the original payload */
	for (uint32_t off = 0; off < len; off += sizeof(buf)) {
		uint32_t k = RTE_MIN(len - off, (uint32_t)sizeof(buf));

		p = rte_pktmbuf_read(s, hl + off, k, buf);
		FZ_CHECK(p != NULL && memcmp(p, orig + hl + done + off, k) == 0);
	}
	p = rte_pktmbuf_read(s, l3, m->l3_len, ip);
	FZ_CHECK(p != NULL);
	if (m->ol_flags & RTE_MBUF_F_TX_IPV6) {
		phdr = rte_ipv6_phdr_cksum((const void *)p, 0);
	} else {
		FZ_CHECK(sum_is_zero(raw_sum(s, l3, m->l3_len)));
		phdr = rte_ipv4_phdr_cksum((const void *)p, 0);
	}
	FZ_CHECK(sum_is_zero(raw_sum(s, l4, s->pkt_len - l4) + phdr));
	return len;
}

/* Software TSO: the segments carry the payload, in order, complete. */
static void
gso_check(const struct rte_mbuf *m, struct rte_mbuf **out, int k)
{
	uint32_t hl = m->l2_len + m->l3_len + m->l4_len, done = 0;

	FZ_CHECK(k >= 1 && k <= VSW_NET_GSO_MAX_SEGS);
	for (int i = 0; i < k; i++)
		done += gso_seg_check(m, out[i], hl, done);
	FZ_CHECK(done == m->pkt_len - hl);
}

/*
 * Checksum fallback: completed in @p out at @p field (from @p start),
 * @p m untouched when shared.
 */
static void
csum_fixup_check(const struct rte_mbuf *m, const struct rte_mbuf *out,
		 uint32_t start, uint32_t field, bool shared)
{
	fzd_chain_check(out);
	FZ_CHECK(!(out->ol_flags & VSW_NET_TX_WORK));
	FZ_CHECK(out->pkt_len == m->pkt_len);
	FZ_CHECK(shared ? out != m : out == m);
	csum_check(out, start, field, orig16(field));
	if (shared) {
		uint8_t b[2];

		FZ_CHECK(memcmp(rte_pktmbuf_read(m, field, 2, b), orig + field,
				2) == 0);
	}
}

/* The egress cannot take @p m's offloads: finish them in software. */
static void
fixup(struct rte_mbuf *m, uint32_t off, bool shared)
{
	struct rte_mbuf *out[VSW_NET_GSO_MAX_SEGS];
	unsigned int before = rte_mempool_avail_count(pool);
	bool tso = m->ol_flags & RTE_MBUF_F_TX_TCP_SEG;
	uint32_t start = m->l2_len + m->l3_len;
	/* Read now: the fallback clears the flags of what it completed. */
	uint32_t field = start + ((m->ol_flags & RTE_MBUF_F_TX_L4_MASK) ==
				  RTE_MBUF_F_TX_TCP_CKSUM ? NET_TCP_CSUM_OFF :
							    NET_UDP_CSUM_OFF);
	int k = vsw_net_tx_fixup(m, off, pool, out);

	if (k < 0) {
		FZ_CHECK(rte_mempool_avail_count(pool) == before);
		return;
	}
	if (tso) {
		gso_check(m, out, k);
	} else {
		FZ_CHECK(k == 1);
		csum_fixup_check(m, out[0], start, field, shared);
	}
	for (int i = 0; i < k; i++)
		if (out[i] != m)
			rte_pktmbuf_free(out[i]);
}

/* Keep the packet's bytes as they were before any library call. */
static void
snapshot(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_read(m, 0, m->pkt_len, orig);

	FZ_CHECK(p != NULL || m->pkt_len == 0);
	if (p != NULL && p != orig)
		memcpy(orig, p, m->pkt_len);
}

/* The guest's header accepted: check, then hand to an egress. */
static void
egress(struct rte_mbuf *m, const struct virtio_net_hdr *h, uint32_t off,
       bool shared)
{
	flags_check(m);
	/* Not TCP/UDP: completed at once, the field cancels out. */
	if (!(m->ol_flags & VSW_NET_TX_WORK) &&
	    (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		csum_check(m, h->csum_start, h->csum_start + h->csum_offset,
			   orig16(h->csum_start + h->csum_offset));
	roundtrip_check(m, h, off);
	if (shared)
		rte_mbuf_refcnt_update(m, 1); /* another egress has it too */
	if (vsw_net_tx_needs_fixup(m, off))
		fixup(m, off, shared);
	if (shared)
		rte_pktmbuf_free(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = { data, size };
	uint8_t offs = fz_u8(&in), mode = fz_u8(&in), seg = fz_u8(&in);
	uint32_t pad = fz_u16(&in), len;
	struct virtio_net_hdr h;
	const uint8_t *bytes;
	size_t blen = PKT_MAX;
	struct rte_mbuf *m;

	fz_bytes(&in, &h, sizeof(h));
	bytes = fz_take(&in, &blen);
	len = (uint32_t)RTE_MIN(blen + pad, (size_t)PKT_MAX);
	m = fzd_pkt(pool, len, bytes, blen, seg);
	FZ_CHECK(m != NULL);
	snapshot(m);
	if (vsw_net_vhdr_to_mbuf(m, &h, offs & 7) == 0)
		egress(m, &h, (offs >> 3) & 7, mode & 1);
	rte_pktmbuf_free(m);
	FZ_CHECK(rte_mempool_avail_count(pool) == POOL_N);
	return 0;
}
