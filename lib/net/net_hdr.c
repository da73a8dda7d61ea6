/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio-net header <-> mbuf offload flags (VIRTIO 1.3 5.1.6).
 *
 * Everything here reads packets a guest wrote: every length is checked
 * against what is really in the first segment before it is used.
 */
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "net_priv.h"
#include "vsw_net.h"

static const char *const net_errors[VSW_NET_E__MAX] = {
	[VSW_NET_OK] = "ok",
	[VSW_NET_E_CSUM_FEATURE] = "NEEDS_CSUM without VIRTIO_NET_F_CSUM",
	[VSW_NET_E_CSUM_RANGE] = "csum_start + csum_offset past the packet",
	[VSW_NET_E_GSO_TYPE] = "gso_type not negotiated",
	[VSW_NET_E_GSO_NO_CSUM] = "gso_type without NEEDS_CSUM",
	[VSW_NET_E_GSO_SIZE] = "gso_size 0 or too many segments",
	[VSW_NET_E_GSO_HEADERS] = "gso frame is not plain TCP/IP",
	[VSW_NET_E_NOMBUF] = "mempool empty",
};

const char *
vsw_net_strerror(enum vsw_net_err err)
{
	if ((unsigned int)err >= VSW_NET_E__MAX)
		return "unknown";
	return net_errors[err];
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* L3 of type @p type at @p p (@p len bytes left). */
static bool
parse_l3(const uint8_t *p, uint32_t len, uint16_t type, struct net_hdrs *h)
{
	if (type == RTE_ETHER_TYPE_IPV4) {
		const struct rte_ipv4_hdr *ip = (const void *)p;
		uint32_t ihl;

		if (len < sizeof(*ip) || (ip->version_ihl >> 4) != 4)
			return false;
		ihl = rte_ipv4_hdr_len(ip);
		if (ihl < sizeof(*ip) || ihl > len)
			return false;
		h->l3 = (uint16_t)ihl;
		h->proto = ip->next_proto_id;
		h->v6 = false;
		/* A fragment's L4 header is not this packet's to parse. */
		if (ip->fragment_offset &
		    rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
				     RTE_IPV4_HDR_OFFSET_MASK))
			h->proto = IPPROTO_FRAGMENT;
		return true;
	}
	if (type == RTE_ETHER_TYPE_IPV6) {
		const struct rte_ipv6_hdr *ip6 = (const void *)p;

		if (len < sizeof(*ip6) || (p[0] >> 4) != 6)
			return false;
		h->l3 = sizeof(*ip6);
		h->proto = ip6->proto; /* an extension header is not plain */
		h->v6 = true;
		return true;
	}
	return false;
}

bool
net_parse(const struct rte_mbuf *m, struct net_hdrs *h)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = m->data_len, off = RTE_ETHER_HDR_LEN, need;
	uint16_t type;

	h->l4 = 0;
	if (len < RTE_ETHER_HDR_LEN)
		return false;
	type = rd16(p + 12);
	for (int tags = 0; tags < 2 && (type == RTE_ETHER_TYPE_VLAN ||
					type == RTE_ETHER_TYPE_QINQ); tags++) {
		if (len < off + 4)
			return false;
		type = rd16(p + off + 2);
		off += 4;
	}
	h->l2 = (uint16_t)off;
	if (!parse_l3(p + off, len - off, type, h))
		return false;
	off += h->l3;
	if (h->proto == IPPROTO_TCP) {
		if (len < off + sizeof(struct rte_tcp_hdr))
			return true;
		need = (uint32_t)(p[off + 12] >> 4) * 4;
		if (need >= sizeof(struct rte_tcp_hdr) && len >= off + need)
			h->l4 = (uint16_t)need;
	} else if (h->proto == IPPROTO_UDP) {
		if (len >= off + sizeof(struct rte_udp_hdr))
			h->l4 = sizeof(struct rte_udp_hdr);
	}
	return true;
}

static void
set_lens(struct rte_mbuf *m, const struct net_hdrs *p)
{
	m->l2_len = p->l2;
	m->l3_len = p->l3;
	m->l4_len = p->l4;
	m->ol_flags |= p->v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4;
}

/* A TCP super-frame: GSO_TCPV4/TCPV6 on plain TCP/IP, csum on TCP. */
static int
gso_to_mbuf(struct rte_mbuf *m, const struct virtio_net_hdr *h, uint32_t off)
{
	uint8_t type = h->gso_type;
	struct net_hdrs p;

	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return -VSW_NET_E_GSO_NO_CSUM;
	/* ECN needs HOST_ECN, UDP and UDP_L4 are not offered. */
	if (!((type == VIRTIO_NET_HDR_GSO_TCPV4 && (off & VSW_NET_OFF_TSO4)) ||
	      (type == VIRTIO_NET_HDR_GSO_TCPV6 && (off & VSW_NET_OFF_TSO6))))
		return -VSW_NET_E_GSO_TYPE;
	if (h->gso_size == 0)
		return -VSW_NET_E_GSO_SIZE;
	if (!net_parse(m, &p) || p.proto != IPPROTO_TCP || p.l4 == 0 ||
	    p.v6 != (type == VIRTIO_NET_HDR_GSO_TCPV6) ||
	    h->csum_start != p.l2 + p.l3 || h->csum_offset != NET_TCP_CSUM_OFF)
		return -VSW_NET_E_GSO_HEADERS;
	set_lens(m, &p);
	m->tso_segsz = h->gso_size;
	m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM;
	return 0;
}

int
vsw_net_vhdr_to_mbuf(struct rte_mbuf *m, const struct virtio_net_hdr *h,
		     uint32_t off)
{
	uint32_t start = h->csum_start, field = h->csum_offset;
	struct net_hdrs p;

	if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE)
		return gso_to_mbuf(m, h, off);
	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return 0;
	if (!(off & VSW_NET_OFF_CSUM))
		return -VSW_NET_E_CSUM_FEATURE;
	if (start + field + 2 > m->pkt_len)
		return -VSW_NET_E_CSUM_RANGE;
	if (net_parse(m, &p) && p.l4 != 0 && start == (uint32_t)p.l2 + p.l3 &&
	    field == (p.proto == IPPROTO_TCP ? NET_TCP_CSUM_OFF
					     : NET_UDP_CSUM_OFF)) {
		set_lens(m, &p);
		m->ol_flags |= p.proto == IPPROTO_TCP ? RTE_MBUF_F_TX_TCP_CKSUM
						      : RTE_MBUF_F_TX_UDP_CKSUM;
		return 0;
	}
	/* Some other L4 (SCTP, a tunnel's inner header...): finish it now. */
	return vsw_net_csum_at(m, start, start + field);
}

void
vsw_net_vhdr_from_mbuf(const struct rte_mbuf *m, struct virtio_net_hdr *h,
		       uint32_t off)
{
	uint64_t f = m->ol_flags;
	uint64_t l4 = f & RTE_MBUF_F_TX_L4_MASK;

	h->flags = 0;
	h->gso_type = VIRTIO_NET_HDR_GSO_NONE;
	h->hdr_len = h->gso_size = h->csum_start = h->csum_offset = 0;
	if ((f & RTE_MBUF_F_TX_TCP_SEG) && vsw_net_tx_needs_fixup(m, off) == 0) {
		bool v6 = (f & RTE_MBUF_F_TX_IPV6) != 0;

		h->gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6
				 : VIRTIO_NET_HDR_GSO_TCPV4;
		h->gso_size = m->tso_segsz;
		h->hdr_len = (uint16_t)(m->l2_len + m->l3_len + m->l4_len);
		l4 = RTE_MBUF_F_TX_TCP_CKSUM;
	}
	if ((l4 == RTE_MBUF_F_TX_TCP_CKSUM || l4 == RTE_MBUF_F_TX_UDP_CKSUM) &&
	    (off & VSW_NET_OFF_CSUM)) {
		h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h->csum_start = (uint16_t)(m->l2_len + m->l3_len);
		h->csum_offset = l4 == RTE_MBUF_F_TX_TCP_CKSUM ? NET_TCP_CSUM_OFF
							       : NET_UDP_CSUM_OFF;
	} else if ((f & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
			   RTE_MBUF_F_RX_L4_CKSUM_GOOD &&
		   (off & VSW_NET_OFF_CSUM)) {
		h->flags = VIRTIO_NET_HDR_F_DATA_VALID;
	}
}
