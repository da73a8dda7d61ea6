/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/net: virtio-net header <-> mbuf offload flags, software checksum and
 * segmentation. Packets are built here with known-good checksums
 * (DPDK's rte_ipv4/6_udptcp_cksum) and compared after the round trip.
 */
#include <netinet/in.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "unit.h"
#include "vsw_net.h"

static struct rte_mempool *g_pool; /* 2 KB buffers: what vswd uses */
static struct rte_mempool *g_big;  /* 16 KB buffers for test packets */

struct pkt_spec {
	bool v6;
	bool vlan;
	uint8_t proto;      /* IPPROTO_TCP / UDP / SCTP */
	uint32_t payload;
	uint8_t tcp_flags;
};

/* A packet with complete, correct checksums; @return its mbuf. */
static struct rte_mbuf *
build(const struct pkt_spec *s)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(g_big);
	uint32_t l2 = RTE_ETHER_HDR_LEN + (s->vlan ? 4 : 0);
	uint32_t l3 = s->v6 ? sizeof(struct rte_ipv6_hdr)
			    : sizeof(struct rte_ipv4_hdr);
	uint32_t l4 = s->proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) : 8;
	uint32_t len = l2 + l3 + l4 + s->payload;
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	uint8_t *ip = p + l2, *th = ip + l3;

	memset(p, 0, len);
	memset(p, 0x02, 12);
	if (s->vlan) {
		*(uint16_t *)(p + 12) = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
		*(uint16_t *)(p + 14) = rte_cpu_to_be_16(7);
	}
	*(uint16_t *)(p + l2 - 2) = rte_cpu_to_be_16(
		s->v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	for (uint32_t i = 0; i < s->payload; i++)
		th[l4 + i] = (uint8_t)(i * 7 + 3);
	if (s->v6) {
		struct rte_ipv6_hdr *h = (void *)ip;

		h->vtc_flow = rte_cpu_to_be_32(6u << 28);
		h->payload_len = rte_cpu_to_be_16((uint16_t)(l4 + s->payload));
		h->proto = s->proto;
		h->hop_limits = 64;
		h->src_addr[15] = 1;
		h->dst_addr[15] = 2;
	} else {
		struct rte_ipv4_hdr *h = (void *)ip;

		h->version_ihl = 0x45;
		h->total_length = rte_cpu_to_be_16((uint16_t)(l3 + l4 + s->payload));
		h->packet_id = rte_cpu_to_be_16(100);
		h->time_to_live = 64;
		h->next_proto_id = s->proto;
		h->src_addr = rte_cpu_to_be_32(0x0a000001);
		h->dst_addr = rte_cpu_to_be_32(0x0a000002);
		h->hdr_checksum = rte_ipv4_cksum(h);
	}
	if (s->proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *t = (void *)th;

		t->src_port = rte_cpu_to_be_16(1234);
		t->dst_port = rte_cpu_to_be_16(80);
		t->sent_seq = rte_cpu_to_be_32(1000);
		t->data_off = 5 << 4;
		t->tcp_flags = s->tcp_flags;
		t->rx_win = rte_cpu_to_be_16(65535);
		t->cksum = s->v6 ? rte_ipv6_udptcp_cksum((void *)ip, t)
				 : rte_ipv4_udptcp_cksum((void *)ip, t);
	} else if (s->proto == IPPROTO_UDP) {
		struct rte_udp_hdr *u = (void *)th;

		u->src_port = rte_cpu_to_be_16(1234);
		u->dst_port = rte_cpu_to_be_16(53);
		u->dgram_len = rte_cpu_to_be_16((uint16_t)(l4 + s->payload));
		u->dgram_cksum = s->v6 ? rte_ipv6_udptcp_cksum((void *)ip, u)
				       : rte_ipv4_udptcp_cksum((void *)ip, u);
	}
	return m;
}

/* The field as a guest leaves it for NEEDS_CSUM: the pseudo-header sum. */
static uint16_t
partial(struct rte_mbuf *m, uint32_t l2, bool v6, uint32_t field)
{
	uint8_t *ip = rte_pktmbuf_mtod_offset(m, uint8_t *, l2);
	uint16_t full, pseudo = v6 ? rte_ipv6_phdr_cksum((void *)ip, 0)
				   : rte_ipv4_phdr_cksum((void *)ip, 0);
	uint16_t *f = rte_pktmbuf_mtod_offset(m, uint16_t *, field);

	full = *f;
	*f = pseudo;
	return full;
}

static struct virtio_net_hdr
vhdr(uint8_t flags, uint8_t gso, uint16_t gso_size, uint16_t start,
     uint16_t off)
{
	return (struct virtio_net_hdr){ .flags = flags, .gso_type = gso,
		.gso_size = gso_size, .csum_start = start, .csum_offset = off };
}

#define ALL (VSW_NET_OFF_CSUM | VSW_NET_OFF_TSO4 | VSW_NET_OFF_TSO6)

static int
test_csum_tcp4(void)
{
	struct pkt_spec s = { .proto = IPPROTO_TCP, .payload = 300 };
	struct rte_mbuf *m = build(&s), *out[1];
	uint16_t full = partial(m, 14, false, 14 + 20 + 16);
	struct virtio_net_hdr h = vhdr(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 34, 16);

	UNIT_CHECK_EQ(vsw_net_vhdr_to_mbuf(m, &h, VSW_NET_OFF_CSUM), 0);
	UNIT_CHECK(m->ol_flags & RTE_MBUF_F_TX_TCP_CKSUM);
	UNIT_CHECK(m->ol_flags & RTE_MBUF_F_TX_IPV4);
	UNIT_CHECK_EQ(m->l2_len, 14);
	UNIT_CHECK_EQ(m->l3_len, 20);
	UNIT_CHECK_EQ(m->l4_len, 20);
	/* a guest with GUEST_CSUM gets the same header back */
	struct virtio_net_hdr r;
	vsw_net_vhdr_from_mbuf(m, &r, VSW_NET_OFF_CSUM);
	UNIT_CHECK_EQ(r.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	UNIT_CHECK_EQ(r.csum_start, 34);
	UNIT_CHECK_EQ(r.csum_offset, 16);
	UNIT_CHECK_EQ(r.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	/* one without it gets the checksum completed */
	UNIT_CHECK(vsw_net_tx_needs_fixup(m, 0));
	UNIT_CHECK(!vsw_net_tx_needs_fixup(m, VSW_NET_OFF_CSUM));
	UNIT_CHECK_EQ(vsw_net_tx_fixup(m, 0, g_pool, out), 1);
	UNIT_CHECK(out[0] == m);
	UNIT_CHECK_EQ(*rte_pktmbuf_mtod_offset(m, uint16_t *, 50), full);
	UNIT_CHECK(!(m->ol_flags & VSW_NET_TX_WORK));
	rte_pktmbuf_free(m);
	return 0;
}

static int
test_csum_udp6_vlan(void)
{
	struct pkt_spec s = { .v6 = true, .vlan = true, .proto = IPPROTO_UDP,
			      .payload = 1001 };
	struct rte_mbuf *m = build(&s), *out[1];
	uint32_t l4 = 18 + 40;
	uint16_t full = partial(m, 18, true, l4 + 6);
	struct virtio_net_hdr h = vhdr(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0,
				       (uint16_t)l4, 6);

	UNIT_CHECK_EQ(vsw_net_vhdr_to_mbuf(m, &h, ALL), 0);
	UNIT_CHECK(m->ol_flags & RTE_MBUF_F_TX_UDP_CKSUM);
	UNIT_CHECK(m->ol_flags & RTE_MBUF_F_TX_IPV6);
	UNIT_CHECK_EQ(m->l2_len, 18);
	UNIT_CHECK_EQ(vsw_net_tx_fixup(m, 0, g_pool, out), 1);
	UNIT_CHECK_EQ(*rte_pktmbuf_mtod_offset(m, uint16_t *, l4 + 6), full);
	rte_pktmbuf_free(m);
	return 0;
}

/* An L4 we do not parse (here: proto 132 at offset 8) is summed at once. */
static int
test_csum_other_l4(void)
{
	struct pkt_spec s = { .proto = IPPROTO_TCP, .payload = 77 };
	struct rte_mbuf *m = build(&s);
	uint16_t full = partial(m, 14, false, 34 + 16);
	/* Same bytes, but say the field is somewhere a TCP parser won't
	 * expect: csum_start at the TCP header, offset 16, and the parse
	 * defeated by an IP protocol it does not know. */
	uint8_t *ip = rte_pktmbuf_mtod_offset(m, uint8_t *, 14);
	struct virtio_net_hdr h = vhdr(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 34, 16);

	ip[9] = 132;
	UNIT_CHECK_EQ(vsw_net_vhdr_to_mbuf(m, &h, VSW_NET_OFF_CSUM), 0);
	UNIT_CHECK(!(m->ol_flags & VSW_NET_TX_WORK));
	UNIT_CHECK_EQ(*rte_pktmbuf_mtod_offset(m, uint16_t *, 50), full);
	rte_pktmbuf_free(m);
	return 0;
}

static int
test_bad_headers(void)
{
	static const struct {
		struct virtio_net_hdr h;
		uint32_t off;
		bool udp;
		enum vsw_net_err want;
	} cases[] = {
		{ { .flags = 1, .csum_start = 34, .csum_offset = 16 }, 0, false,
		  VSW_NET_E_CSUM_FEATURE },
		{ { .flags = 1, .csum_start = 400, .csum_offset = 16 }, ALL, false,
		  VSW_NET_E_CSUM_RANGE },
		{ { .flags = 1, .csum_start = 34, .csum_offset = 0xfff0 }, ALL,
		  false, VSW_NET_E_CSUM_RANGE },
		{ { .flags = 1, .gso_type = 1, .gso_size = 0, .csum_start = 34,
		    .csum_offset = 16 }, ALL, false, VSW_NET_E_GSO_SIZE },
		{ { .flags = 0, .gso_type = 1, .gso_size = 100 }, ALL, false,
		  VSW_NET_E_GSO_NO_CSUM },
		{ { .flags = 1, .gso_type = 1, .gso_size = 100, .csum_start = 34,
		    .csum_offset = 16 }, VSW_NET_OFF_CSUM, false,
		  VSW_NET_E_GSO_TYPE },
		{ { .flags = 1, .gso_type = 4, .gso_size = 100, .csum_start = 34,
		    .csum_offset = 16 }, ALL, false, VSW_NET_E_GSO_HEADERS },
		{ { .flags = 1, .gso_type = 0x81, .gso_size = 100,
		    .csum_start = 34, .csum_offset = 16 }, ALL, false,
		  VSW_NET_E_GSO_TYPE },
		{ { .flags = 1, .gso_type = 3, .gso_size = 100, .csum_start = 34,
		    .csum_offset = 6 }, ALL, true, VSW_NET_E_GSO_TYPE },
		{ { .flags = 1, .gso_type = 1, .gso_size = 100, .csum_start = 34,
		    .csum_offset = 6 }, ALL, true, VSW_NET_E_GSO_HEADERS },
		{ { .flags = 1, .gso_type = 1, .gso_size = 100, .csum_start = 30,
		    .csum_offset = 16 }, ALL, false, VSW_NET_E_GSO_HEADERS },
	};

	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		struct pkt_spec s = { .proto = cases[i].udp ? IPPROTO_UDP
							    : IPPROTO_TCP,
				      .payload = 200 };
		struct rte_mbuf *m = build(&s);
		int rc = vsw_net_vhdr_to_mbuf(m, &cases[i].h, cases[i].off);

		rte_pktmbuf_free(m);
		if (rc != -(int)cases[i].want)
			fprintf(stderr, "  case %u: got %d (%s)\n", i, rc,
				vsw_net_strerror((enum vsw_net_err)-rc));
		UNIT_CHECK_EQ(rc, -(int)cases[i].want);
	}
	/* flags the device does not know are ignored (VIRTIO 1.3 5.1.6.2.2) */
	struct pkt_spec s = { .proto = IPPROTO_TCP, .payload = 10 };
	struct rte_mbuf *m = build(&s);
	struct virtio_net_hdr h = vhdr(0x80 | VIRTIO_NET_HDR_F_DATA_VALID, 0, 0,
				       0, 0);
	UNIT_CHECK_EQ(vsw_net_vhdr_to_mbuf(m, &h, ALL), 0);
	UNIT_CHECK_EQ(m->ol_flags, 0);
	rte_pktmbuf_free(m);
	return 0;
}

/* Check one segment: lengths, IPv4 id, seq, flags, both checksums. */
static int
check_seg(struct rte_mbuf *g, const struct pkt_spec *s, uint32_t i,
	  uint32_t nseg, uint32_t mss, uint32_t len)
{
	uint32_t l3 = s->v6 ? 40 : 20;
	uint8_t *ip = rte_pktmbuf_mtod_offset(g, uint8_t *, 14);
	struct rte_tcp_hdr *t = (void *)(ip + l3);
	uint8_t want_flags = s->tcp_flags;

	UNIT_CHECK_EQ(g->pkt_len, 14 + l3 + 20 + len);
	UNIT_CHECK_EQ(g->ol_flags & VSW_NET_TX_WORK, 0);
	UNIT_CHECK_EQ(rte_be_to_cpu_32(t->sent_seq), 1000 + i * mss);
	if (i + 1 < nseg)
		want_flags &= (uint8_t)~(RTE_TCP_FIN_FLAG | RTE_TCP_PSH_FLAG);
	if (i > 0)
		want_flags &= (uint8_t)~RTE_TCP_CWR_FLAG;
	UNIT_CHECK_EQ(t->tcp_flags, want_flags);
	if (s->v6) {
		struct rte_ipv6_hdr *h = (void *)ip;

		UNIT_CHECK_EQ(rte_be_to_cpu_16(h->payload_len), 20 + len);
		UNIT_CHECK_EQ(rte_ipv6_udptcp_cksum_mbuf_verify(g, h, 54), 0);
	} else {
		struct rte_ipv4_hdr *h = (void *)ip;

		UNIT_CHECK_EQ(rte_be_to_cpu_16(h->total_length), 40 + len);
		UNIT_CHECK_EQ(rte_be_to_cpu_16(h->packet_id), 100 + i);
		struct rte_ipv4_hdr c = *h;

		c.hdr_checksum = 0;
		UNIT_CHECK_EQ(rte_ipv4_cksum(&c), h->hdr_checksum);
		UNIT_CHECK_EQ(rte_ipv4_udptcp_cksum_mbuf_verify(g, h, 34), 0);
	}
	return 0;
}

static int
gso_case(bool v6, uint32_t payload, uint16_t mss)
{
	struct pkt_spec s = { .v6 = v6, .proto = IPPROTO_TCP, .payload = payload,
			      .tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG |
					   RTE_TCP_FIN_FLAG | RTE_TCP_CWR_FLAG };
	uint32_t l4 = 14 + (v6 ? 40 : 20), nseg = (payload + mss - 1) / mss;
	struct rte_mbuf *m = build(&s), *out[VSW_NET_GSO_MAX_SEGS];
	uint8_t *orig = malloc(payload), *got = malloc(payload);
	struct virtio_net_hdr h = vhdr(VIRTIO_NET_HDR_F_NEEDS_CSUM,
				       v6 ? VIRTIO_NET_HDR_GSO_TCPV6
					  : VIRTIO_NET_HDR_GSO_TCPV4,
				       mss, (uint16_t)l4, 16);
	uint32_t at = 0;

	if (nseg == 0)
		nseg = 1;
	memcpy(orig, rte_pktmbuf_mtod_offset(m, uint8_t *, l4 + 20), payload);
	partial(m, 14, v6, l4 + 16);
	UNIT_CHECK_EQ(vsw_net_vhdr_to_mbuf(m, &h, ALL), 0);
	UNIT_CHECK(m->ol_flags & RTE_MBUF_F_TX_TCP_SEG);
	UNIT_CHECK_EQ(m->tso_segsz, mss);
	/* a guest with GUEST_TSO gets the super-frame as it is */
	struct virtio_net_hdr r;
	vsw_net_vhdr_from_mbuf(m, &r, ALL);
	UNIT_CHECK_EQ(r.gso_type, h.gso_type);
	UNIT_CHECK_EQ(r.gso_size, mss);
	UNIT_CHECK_EQ(r.hdr_len, l4 + 20);
	UNIT_CHECK_EQ(r.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	UNIT_CHECK(vsw_net_tx_needs_fixup(m, VSW_NET_OFF_CSUM));
	UNIT_CHECK_EQ(vsw_net_tx_fixup(m, VSW_NET_OFF_CSUM, g_pool, out),
		      (int)nseg);
	for (uint32_t i = 0; i < nseg; i++) {
		uint32_t len = RTE_MIN(mss, payload - i * mss);

		UNIT_CHECK_EQ(check_seg(out[i], &s, i, nseg, mss, len), 0);
		const void *q = rte_pktmbuf_read(out[i], l4 + 20, len, got + at);

		UNIT_CHECK(q != NULL);
		if (q != got + at)
			memcpy(got + at, q, len);
		at += len;
	}
	UNIT_CHECK_EQ(at, payload);
	UNIT_CHECK(memcmp(orig, got, payload) == 0);
	rte_pktmbuf_free_bulk(out, nseg);
	rte_pktmbuf_free(m);
	free(orig);
	free(got);
	return 0;
}

static int
test_gso(void)
{
	UNIT_CHECK_EQ(gso_case(false, 3000, 1000), 0);
	UNIT_CHECK_EQ(gso_case(false, 1448 * 2 + 1, 1448), 0);
	UNIT_CHECK_EQ(gso_case(true, 1500, 1440), 0);
	UNIT_CHECK_EQ(gso_case(true, 500, 1440), 0); /* one segment */
	UNIT_CHECK_EQ(gso_case(false, 1800, 15), 0); /* 120 segments */
	return 0;
}

/*
 * A chain whose second segment starts at an odd offset of the summed
 * range, with sums that carry: the checksum must match the one of the
 * same bytes laid out flat (fuzz_net found DPDK's rte_raw_cksum_mbuf()
 * dropping those carries).
 */
static int
test_csum_odd_segments(void)
{
	struct rte_mbuf *a = rte_pktmbuf_alloc(g_pool);
	struct rte_mbuf *b = rte_pktmbuf_alloc(g_pool);
	uint8_t flat[33 + 64];
	uint16_t want, got;

	UNIT_CHECK(a != NULL && b != NULL);
	memset(rte_pktmbuf_append(a, 33), 0xff, 33);
	memset(rte_pktmbuf_append(b, 64), 0xff, 64);
	a->next = b;
	a->nb_segs = 2;
	a->pkt_len = 33 + 64;
	/* the field at 2 holds the pseudo-header sum: here 0x1234 */
	memcpy(rte_pktmbuf_mtod_offset(a, uint8_t *, 2), "\x12\x34", 2);
	memcpy(flat, rte_pktmbuf_mtod(a, uint8_t *), 33);
	memcpy(flat + 33, rte_pktmbuf_mtod(b, uint8_t *), 64);
	want = (uint16_t)~rte_raw_cksum(flat, sizeof(flat));
	if (want == 0)
		want = 0xffff;
	UNIT_CHECK_EQ(vsw_net_csum_at(a, 0, 2), 0);
	memcpy(&got, rte_pktmbuf_mtod_offset(a, uint8_t *, 2), 2);
	UNIT_CHECK_EQ(got, want);
	rte_pktmbuf_free(a);
	return 0;
}

/* A super-frame bigger than one mbuf, segments of 8 KB (jumbo MTU). */
static int
test_gso_chained(void)
{
	struct pkt_spec s = { .proto = IPPROTO_TCP, .payload = 1800 };
	struct rte_mbuf *m = build(&s), *out[VSW_NET_GSO_MAX_SEGS];
	uint32_t extra = 20000, nseg;
	struct virtio_net_hdr h = vhdr(1, 1, 8000, 34, 16);

	/* grow the payload with more segments; fix lengths afterwards */
	for (struct rte_mbuf *last = m; extra > 0;) {
		struct rte_mbuf *n = rte_pktmbuf_alloc(g_pool);
		uint16_t k = (uint16_t)RTE_MIN(extra, 1500u);

		memset(rte_pktmbuf_append(n, k), 0x5a, k);
		last->next = n;
		last = n;
		m->nb_segs++;
		m->pkt_len += k;
		extra -= k;
	}
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, void *, 14);
	ip->total_length = rte_cpu_to_be_16((uint16_t)(m->pkt_len - 14));
	UNIT_CHECK_EQ(vsw_net_vhdr_to_mbuf(m, &h, ALL), 0);
	nseg = (m->pkt_len - 54 + 7999) / 8000;
	UNIT_CHECK_EQ(vsw_net_tx_fixup(m, 0, g_pool, out), (int)nseg);
	for (uint32_t i = 0; i < nseg; i++) {
		struct rte_ipv4_hdr *sip = rte_pktmbuf_mtod_offset(out[i], void *, 14);

		UNIT_CHECK(out[i]->nb_segs > 1 || i + 1 == nseg);
		UNIT_CHECK_EQ(rte_ipv4_udptcp_cksum_mbuf_verify(out[i], sip, 34), 0);
	}
	rte_pktmbuf_free_bulk(out, nseg);
	rte_pktmbuf_free(m);
	return 0;
}

static int
test_gso_limits(void)
{
	struct pkt_spec s = { .proto = IPPROTO_TCP, .payload = 1000 };
	struct rte_mbuf *m = build(&s), *out[VSW_NET_GSO_MAX_SEGS];
	struct virtio_net_hdr h = vhdr(1, 1, 1, 34, 16);
	unsigned int free_before = rte_mempool_avail_count(g_pool);

	/* 1000 one-byte segments: refused, nothing allocated */
	UNIT_CHECK_EQ(vsw_net_vhdr_to_mbuf(m, &h, ALL), 0);
	UNIT_CHECK_EQ(vsw_net_tx_fixup(m, 0, g_pool, out), -VSW_NET_E_GSO_SIZE);
	UNIT_CHECK_EQ(rte_mempool_avail_count(g_pool), free_before);
	rte_pktmbuf_free(m);
	return 0;
}

/* A shared mbuf is not written: the fixup works on a copy. */
static int
test_fixup_shared(void)
{
	struct pkt_spec s = { .proto = IPPROTO_UDP, .payload = 64 };
	struct rte_mbuf *m = build(&s), *out[1];
	uint16_t full = partial(m, 14, false, 34 + 6), pseudo;
	struct virtio_net_hdr h = vhdr(1, 0, 0, 34, 6);

	pseudo = *rte_pktmbuf_mtod_offset(m, uint16_t *, 40);
	UNIT_CHECK_EQ(vsw_net_vhdr_to_mbuf(m, &h, ALL), 0);
	rte_mbuf_refcnt_update(m, 1);
	UNIT_CHECK_EQ(vsw_net_tx_fixup(m, 0, g_pool, out), 1);
	UNIT_CHECK(out[0] != m);
	UNIT_CHECK_EQ(*rte_pktmbuf_mtod_offset(out[0], uint16_t *, 40), full);
	UNIT_CHECK_EQ(*rte_pktmbuf_mtod_offset(m, uint16_t *, 40), pseudo);
	rte_pktmbuf_free(out[0]);
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(m);
	return 0;
}

/* Checksums verified on receive reach the guest as DATA_VALID. */
static int
test_rx_data_valid(void)
{
	struct pkt_spec s = { .proto = IPPROTO_UDP, .payload = 64 };
	struct rte_mbuf *m = build(&s);
	struct virtio_net_hdr r;

	m->ol_flags = RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	vsw_net_vhdr_from_mbuf(m, &r, VSW_NET_OFF_CSUM);
	UNIT_CHECK_EQ(r.flags, VIRTIO_NET_HDR_F_DATA_VALID);
	vsw_net_vhdr_from_mbuf(m, &r, 0);
	UNIT_CHECK_EQ(r.flags, 0);
	rte_pktmbuf_free(m);
	return 0;
}

static const struct unit_test tests[] = {
	UNIT_TEST(test_csum_tcp4),
	UNIT_TEST(test_csum_udp6_vlan),
	UNIT_TEST(test_csum_other_l4),
	UNIT_TEST(test_csum_odd_segments),
	UNIT_TEST(test_bad_headers),
	UNIT_TEST(test_gso),
	UNIT_TEST(test_gso_chained),
	UNIT_TEST(test_gso_limits),
	UNIT_TEST(test_fixup_shared),
	UNIT_TEST(test_rx_data_valid),
};

int
main(int argc, char **argv)
{
	(void)argc;
	if (unit_eal_init(argv[0]) != 0)
		return 1;
	g_pool = rte_pktmbuf_pool_create("net_pool", 1023, 0, 0,
					 RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	g_big = rte_pktmbuf_pool_create("net_big", 63, 0, 0, 16384 + 128,
					SOCKET_ID_ANY);
	if (g_pool == NULL || g_big == NULL)
		return 1;
	return unit_main("net", tests, RTE_DIM(tests));
}
