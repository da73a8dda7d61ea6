/* SPDX-License-Identifier: BSD-3-Clause */
/* Frames: Ethernet + IPv4 + UDP + probe, one 5-tuple per flow. */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_memcpy.h>
#include <rte_udp.h>

#include "pktgen.h"

/* Simple IMIX, 7:4:1 of 64, 570 and 1518-byte frames (with FCS). */
static const uint16_t imix[12] = { 64, 570, 64, 1518, 64, 570, 64, 64, 570,
				   64, 570, 64 };

uint32_t
pg_frame_len(const struct pg_opts *o, uint64_t n)
{
	uint32_t size = o->size != 0 ? o->size : imix[n % RTE_DIM(imix)];

	return size - RTE_ETHER_CRC_LEN; /* the FCS is the NIC's */
}

static struct {
	bool peer;
	struct rte_ether_addr mac;
	uint32_t flows, nports;
} dst = { false, { { 2, 0, 0, 0, 0, 2 } }, 1, 1 };

void
pg_pkt_init(const struct pg_opts *o)
{
	dst.peer = o->dst_peer;
	dst.mac = o->dst_mac;
	dst.flows = o->flows;
	dst.nports = o->nports;
}

/* Locally administered MACs; flow in the low bytes. */
static struct rte_ether_addr
src_mac(uint32_t flow)
{
	return (struct rte_ether_addr){
		{ 2, 0, 0, 1, (uint8_t)(flow >> 8), (uint8_t)flow } };
}

/* Flow f = port * flows + k goes to flow k of the next port. */
static struct rte_ether_addr
dst_mac(uint32_t flow)
{
	uint32_t port = flow / dst.flows, k = flow % dst.flows;

	if (!dst.peer)
		return dst.mac;
	return src_mac((port + 1) % dst.nports * dst.flows + k);
}

/* a.b.c.d in host order; DPDK 22.11's RTE_IPV4 shifts an int by 24,
 * which overflows for a >= 128 (UBSan). */
static uint32_t
ipv4(uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	return a << 24 | b << 16 | c << 8 | d;
}

/* Ethernet + IPv4 + UDP of one flow at one length. */
static void
build_headers(uint8_t *d, uint32_t flow, uint32_t len)
{
	struct rte_ether_hdr *eth = (void *)d;
	struct rte_ipv4_hdr *ip = (void *)(d + sizeof(*eth));
	struct rte_udp_hdr *udp = (void *)(d + sizeof(*eth) + sizeof(*ip));

	eth->dst_addr = dst_mac(flow);
	eth->src_addr = src_mac(flow);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eth)));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(ipv4(198, 18, (flow >> 8) & 0xff,
					     flow & 0xff));
	ip->dst_addr = rte_cpu_to_be_32(ipv4(198, 19, 0, 1));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16((uint16_t)(1024 + flow));
	udp->dst_port = rte_cpu_to_be_16(9);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eth) -
						     sizeof(*ip)));
	udp->dgram_cksum = 0; /* optional in IPv4 */
}

/* Headers per flow, rebuilt only when the flow's frame length changes. */
static struct {
	uint32_t len;
	uint8_t hdr[PG_HDR_LEN];
} tmpl[PG_MAX_FLOWS];

int
pg_build(struct rte_mbuf *m, uint32_t flow, uint64_t seq, uint32_t len,
	 uint64_t tsc)
{
	struct pg_probe_wire *p;
	uint8_t *d;

	if (len < PG_HDR_LEN + sizeof(*p) || len > rte_pktmbuf_tailroom(m) ||
	    flow >= PG_MAX_FLOWS)
		return -1;
	if (tmpl[flow].len != len) {
		build_headers(tmpl[flow].hdr, flow, len);
		tmpl[flow].len = len;
	}
	d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	rte_memcpy(d, tmpl[flow].hdr, PG_HDR_LEN);
	p = (void *)(d + PG_HDR_LEN);
	p->magic = PG_MAGIC;
	p->flow = (uint16_t)flow;
	p->seq_hi = (uint16_t)(seq >> 32);
	p->seq_lo = (uint32_t)seq;
	p->tsc = tsc;
	/* The rest of the payload is whatever the buffer held: never read. */
	return 0;
}

int
pg_probe_of(struct rte_mbuf *m, struct pg_probe *p)
{
	struct pg_probe_wire buf;
	const struct pg_probe_wire *w;

	if (m->pkt_len < PG_HDR_LEN + sizeof(*w))
		return -1;
	w = rte_pktmbuf_read(m, PG_HDR_LEN, sizeof(*w), &buf);
	if (w == NULL || w->magic != PG_MAGIC || w->flow >= PG_MAX_FLOWS)
		return -1;
	p->flow = w->flow;
	p->seq = (uint64_t)w->seq_hi << 32 | w->seq_lo;
	p->tsc = w->tsc;
	return 0;
}

void
pg_swap_macs(struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ether_addr t;

	if (m->data_len < sizeof(*eth))
		return;
	rte_ether_addr_copy(&eth->src_addr, &t);
	rte_ether_addr_copy(&eth->dst_addr, &eth->src_addr);
	rte_ether_addr_copy(&t, &eth->dst_addr);
}
