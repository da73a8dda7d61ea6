/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Software fallbacks for egress ports that cannot take an offload:
 * checksum completion and TCP segmentation (what Linux's
 * skb_checksum_help() and tcp_gso_segment() do for a device without them).
 */
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "net_priv.h"
#include "vsw_net.h"

/* Store @p n bytes of @p src at offset @p off of chain @p m (in range). */
static void
chain_write(struct rte_mbuf *m, uint32_t off, const uint8_t *src, uint32_t n)
{
	while (m != NULL && n > 0) {
		if (off >= m->data_len) {
			off -= m->data_len;
			m = m->next;
			continue;
		}
		uint32_t k = RTE_MIN(n, (uint32_t)m->data_len - off);

		memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, off), src, k);
		src += k;
		n -= k;
		off = 0;
		m = m->next;
	}
}

/*
 * Ones' complement sum of [@p off, @p off + @p len) of chain @p m, into
 * *@p sum. @return 0, or -1 when the chain is shorter.
 *
 * Not DPDK's rte_raw_cksum_mbuf(): in 22.11 (and in later releases'
 * rte_cksum.h) it truncates a segment's unreduced 32-bit sum to 16 bits
 * before byte-swapping it when the segment starts at an odd offset of
 * the range, dropping the segment's carries (found by tests/fuzz/fuzz_net).
 * Each segment's sum is reduced here first.
 */
static int
chain_sum(const struct rte_mbuf *m, uint32_t off, uint32_t len, uint16_t *sum)
{
	uint32_t acc = 0, done = 0;

	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	while (done < len) {
		uint32_t k, s;

		if (m == NULL)
			return -1;
		k = RTE_MIN((uint32_t)m->data_len - off, len - done);
		s = rte_raw_cksum(rte_pktmbuf_mtod_offset(m, const void *, off), k);
		/* A segment starting at an odd offset of the range has its
		 * bytes in the other halves of the 16-bit words. */
		acc += (done & 1) ? rte_bswap16((uint16_t)s) : s;
		done += k;
		off = 0;
		m = m->next;
	}
	while (acc > 0xffff)
		acc = (acc & 0xffff) + (acc >> 16);
	*sum = (uint16_t)acc;
	return 0;
}

int
vsw_net_csum_at(struct rte_mbuf *m, uint32_t start, uint32_t field)
{
	uint16_t sum;

	if (start > m->pkt_len || field > m->pkt_len - 2 || m->pkt_len < 2)
		return -VSW_NET_E_CSUM_RANGE;
	if (chain_sum(m, start, m->pkt_len - start, &sum) != 0)
		return -VSW_NET_E_CSUM_RANGE;
	sum = (uint16_t)~sum;
	if (sum == 0)
		sum = 0xffff; /* UDP: 0 would mean "no checksum" */
	chain_write(m, field, (const uint8_t *)&sum, sizeof(sum));
	return 0;
}

/* Append @p n bytes to the packet whose last segment is *@p last. */
static int
chain_append(struct rte_mbuf *head, struct rte_mbuf **last,
	     struct rte_mempool *mp, const uint8_t *src, uint32_t n)
{
	while (n > 0) {
		struct rte_mbuf *s = *last;
		uint32_t k;

		if (rte_pktmbuf_tailroom(s) == 0) {
			s = rte_pktmbuf_alloc(mp);
			if (s == NULL)
				return -1;
			(*last)->next = s;
			*last = s;
			head->nb_segs++;
		}
		k = RTE_MIN(n, (uint32_t)rte_pktmbuf_tailroom(s));
		memcpy(rte_pktmbuf_mtod_offset(s, uint8_t *, s->data_len), src, k);
		s->data_len = (uint16_t)(s->data_len + k);
		head->pkt_len += k;
		src += k;
		n -= k;
	}
	return 0;
}

/* Copy [off, off + n) of chain @p m onto the end of @p head. */
static int
chain_copy(struct rte_mbuf *head, struct rte_mbuf **last,
	   struct rte_mempool *mp, const struct rte_mbuf *m, uint32_t off,
	   uint32_t n)
{
	uint8_t buf[2048];

	while (n > 0) {
		uint32_t k = RTE_MIN(n, (uint32_t)sizeof(buf));
		const uint8_t *p = rte_pktmbuf_read(m, off, k, buf);

		if (p == NULL || chain_append(head, last, mp, p, k) != 0)
			return -1;
		off += k;
		n -= k;
	}
	return 0;
}

/* Rewrite the headers of segment @p i of @p nseg carrying @p len bytes. */
static void
gso_fix(struct rte_mbuf *s, const struct rte_mbuf *m, uint32_t i,
	uint32_t nseg, uint32_t len)
{
	uint8_t *l3 = rte_pktmbuf_mtod_offset(s, uint8_t *, m->l2_len);
	struct rte_tcp_hdr *tcp = (void *)(l3 + m->l3_len);
	uint16_t pseudo;

	if (m->ol_flags & RTE_MBUF_F_TX_IPV6) {
		struct rte_ipv6_hdr *ip6 = (void *)l3;

		ip6->payload_len = rte_cpu_to_be_16((uint16_t)(m->l4_len + len));
		pseudo = rte_ipv6_phdr_cksum(ip6, 0);
	} else {
		struct rte_ipv4_hdr *ip = (void *)l3;

		ip->total_length = rte_cpu_to_be_16(
			(uint16_t)(m->l3_len + m->l4_len + len));
		ip->packet_id = rte_cpu_to_be_16(
			(uint16_t)(rte_be_to_cpu_16(ip->packet_id) + i));
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		pseudo = rte_ipv4_phdr_cksum(ip, 0);
	}
	tcp->sent_seq = rte_cpu_to_be_32(rte_be_to_cpu_32(tcp->sent_seq) +
					 i * m->tso_segsz);
	if (i + 1 < nseg)
		tcp->tcp_flags &= (uint8_t)~(RTE_TCP_FIN_FLAG | RTE_TCP_PSH_FLAG);
	if (i > 0)
		tcp->tcp_flags &= (uint8_t)~RTE_TCP_CWR_FLAG;
	tcp->cksum = pseudo;
	vsw_net_csum_at(s, m->l2_len + m->l3_len,
			m->l2_len + m->l3_len + NET_TCP_CSUM_OFF);
}

/* Cut the TCP super-frame @p m into complete packets in @p out. */
static int
gso(struct rte_mbuf *m, struct rte_mempool *mp, struct rte_mbuf **out)
{
	uint32_t hl = m->l2_len + m->l3_len + m->l4_len, mss = m->tso_segsz;
	uint32_t payload, nseg, i;

	if (hl > m->data_len || m->l4_len < sizeof(struct rte_tcp_hdr))
		return -VSW_NET_E_GSO_HEADERS;
	payload = m->pkt_len - hl;
	if (mss == 0 || payload / mss >= VSW_NET_GSO_MAX_SEGS)
		return -VSW_NET_E_GSO_SIZE;
	nseg = payload == 0 ? 1 : (payload + mss - 1) / mss;
	for (i = 0; i < nseg; i++) {
		uint32_t len = RTE_MIN(mss, payload - i * mss);
		struct rte_mbuf *s = rte_pktmbuf_alloc(mp), *last = s;

		if (s == NULL || hl > rte_pktmbuf_tailroom(s) ||
		    chain_append(s, &last, mp, rte_pktmbuf_mtod(m, uint8_t *),
				 hl) != 0 ||
		    chain_copy(s, &last, mp, m, hl + i * mss, len) != 0) {
			rte_pktmbuf_free(s);
			rte_pktmbuf_free_bulk(out, i);
			return -VSW_NET_E_NOMBUF;
		}
		gso_fix(s, m, i, nseg, len);
		out[i] = s;
	}
	return (int)nseg;
}

int
vsw_net_tx_fixup(struct rte_mbuf *m, uint32_t off, struct rte_mempool *mp,
		 struct rte_mbuf **out)
{
	uint64_t l4 = m->ol_flags & RTE_MBUF_F_TX_L4_MASK;
	uint32_t start = m->l2_len + m->l3_len;
	struct rte_mbuf *w = m;
	int rc;

	if (m->ol_flags & RTE_MBUF_F_TX_TCP_SEG)
		return gso(m, mp, out);
	if (l4 != RTE_MBUF_F_TX_TCP_CKSUM && l4 != RTE_MBUF_F_TX_UDP_CKSUM)
		return -VSW_NET_E_CSUM_RANGE; /* SCTP: never produced here */
	if (!RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1) {
		/* Shared with another egress: finish a private copy. */
		w = rte_pktmbuf_copy(m, mp, 0, UINT32_MAX);
		if (w == NULL)
			return -VSW_NET_E_NOMBUF;
	}
	rc = vsw_net_csum_at(w, start, start + (l4 == RTE_MBUF_F_TX_TCP_CKSUM
							? NET_TCP_CSUM_OFF
							: NET_UDP_CSUM_OFF));
	if (rc != 0) {
		if (w != m)
			rte_pktmbuf_free(w);
		return rc;
	}
	w->ol_flags &= ~VSW_NET_TX_WORK;
	out[0] = w;
	return 1;
}
